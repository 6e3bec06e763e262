import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// A warning for a household registered in a township but living elsewhere reaches that township for information
/// only: names, size, programmes and the kind, not the evidence's amounts, the score, the visits or the notes.
@Suite struct RegistrationPlaceWebTests {
    @Test func theRegistrationPlaceIsToldOnlyWhatItsDutyNeeds() async throws {
        try await TestSite.with { site in
            let admin = try await site.cityAdminAfterScreening()
            let sql = site.app.db as! any SQLDatabase
            let street = site.account(.townshipOfficer).region.code
            let community = site.account(.coordinator).region.code
            // setup: a warning with evidence, for a household living outside the township's street, registered in it
            let rows = try await sql.select().columns("id", "household_id", "evidence").from("warnings")
                .where("residence_region", .notLike, String(street.value.prefix(9)) + "%").where("evidence", .notEqual, "[]").limit(1).all()
            let row = try #require(rows.first)
            let (id, household) = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "household_id", as: UUID.self))
            let evidence = try JSONDecoder().decode([Evidence].self, from: Data(try row.decode(column: "evidence", as: String.self).utf8))
            let evidenceText = try #require(evidence.first?.text)
            try await sql.update("households").set("registered_region", to: community.value).where("id", .equal, household).run()
            try await sql.update("warnings").set("registered_region", to: community.value).where("id", .equal, id).run()

            // act
            let township = site.browser()
            try await township.login("township")
            let told = try await township.get(SiteURL.warning(id).path)
            // check
            #expect(told.status == .ok)
            let page = told.body.string
            #expect(page.contains("抄送户籍地知悉") && page.contains("家庭人口"))
            #expect(!page.contains(evidenceText), "the evidence is not the registration place's")
            #expect(!page.contains("<h2>困难评分</h2>") && !page.contains("<h2>证据</h2>") && !page.contains("各维度得分") && !page.contains("查看家庭档案"))
            // the residence side (here the city) reads it whole
            let whole = try await admin.get(SiteURL.warning(id).path).body.string
            #expect(whole.contains(evidenceText) && whole.contains("困难评分"))
            // the read is audited as the minimal one
            let auditor = Actor(userID: nil, username: "auditor", role: .auditor, jurisdiction: site.account(.auditor).region.code, origin: "test")
            let reads = try await AuditLog(site.app.db).recent(actor: auditor, action: .readWarning)
            #expect(reads.contains { $0.username == "township" && $0.detail.contains("户籍地知会") })
        }
    }
}
