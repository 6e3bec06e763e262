import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// 减发 through the pages: the township proposes on the household's enrolment (a decrease needs its articles; what was
/// typed stays), the county decides with an amount to recover, and the profile shows the new amount.
@Suite struct ChangeWebTests {
    /// The household inside every demo user's jurisdiction, on dibao at the given amount.
    static func enrolInDibao(_ site: TestSite, monthlyCents: Int64) async throws -> UUID {
        let enrolment = UUID()
        try await (site.app.db as! any SQLDatabase).insert(into: "enrolments")
            .columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status", "status_changed_on")
            .values(SQLBind(enrolment), SQLBind(site.inside.household.id.rawValue), SQLBind(nil as UUID?), SQLBind(site.inside.household.residenceRegion.value),
                    SQLBind("dibao"), SQLBind("2026-01-01"), SQLBind(monthlyCents), SQLBind("active"), SQLBind("2026-01-01")).run()
        return enrolment
    }

    static var thisMonth: String { { String(format: "%04d-%02d", $0.year, $0.month) }(LocalDate(Date(), timeZone: .china)) }

    @Test func theTownshipProposesAndTheCountyDecreases() async throws {
        try await TestSite.with(households: 20) { site in
            let sql = site.app.db as! any SQLDatabase
            let enrolment = try await ChangeWebTests.enrolInDibao(site, monthlyCents: 80_000)
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let profile = try await township.get(SiteURL.household(site.inside.household.id).path).body.string
            #expect(profile.contains("提出救助变更"))
            let form = try await township.get(SiteURL.changeNew(household: site.inside.household.id.rawValue, warning: nil).path)
            #expect(form.status == .ok && form.body.string.contains("现每月 ¥800.00"))
            var fields = ["_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "enrolment": enrolment.uuidString,
                          "amount": "500.00", "month": ChangeWebTests.thisMonth, "source": "report", "reasons": "家庭主动报告：儿子已就业"]
            let missing = try await township.post(SiteURL.changes(all: false).path, form: fields)
            #expect(missing.status == .badRequest && missing.body.string.contains("所依据的条款") && missing.body.string.contains("家庭主动报告：儿子已就业"))
            fields["articles"] = "DB 32"
            let proposed = try await township.post(SiteURL.changes(all: false).path, form: fields)
            #expect(proposed.status == .seeOther)
            let path = try #require(proposed.headers.first(name: .location))
            // a second proposal on the same enrolment waits for the first
            let again = try await township.post(SiteURL.changes(all: false).path, form: fields)
            #expect(again.status == .badRequest && again.body.string.contains("已有一项变更等待县级决定"))
            // the township has no decision form; the county has
            #expect(!(try await township.get(path).body.string.contains("作出决定")))
            let county = site.browser()
            try await county.login(site.account(.countyReviewer).username)
            #expect(try await county.get(SiteURL.changes(all: false).path).body.string.contains("待县级决定的救助变更（1 件）"))
            let page = try await county.get(path)
            #expect(page.body.string.contains("¥800.00 → ¥500.00") && page.body.string.contains("提出时的政策计算器结果"))
            let html = page.body.string
            let version = try #require(html.range(of: "name=\"version\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let decided = try await county.post(path + "/decision", form: ["_csrf": try #require(Browser.csrf(in: page)), "version": version,
                                                                           "decision": "approve", "recover": "300.00", "basis": "未按规定报告就业收入"])
            #expect(decided.status == .seeOther)
            let after = try await county.get(path).body.string
            #expect(after.contains("已决定") && after.contains("应追回") && after.contains("¥300.00"))
            #expect(try await township.get(SiteURL.household(site.inside.household.id).path).body.string.contains("¥500.00"))
        }
    }
}

extension ChangeWebTests {
    /// A household living here but registered in another district: the county where it lives sees the change and is
    /// told that the county of registration decides it; a decision posted anyway is refused with that reason [YC].
    @Test func theCountyOfRegistrationDecidesAHouseholdLivingElsewhere() async throws {
        try await TestSite.with(households: 20) { site in
            let sql = site.app.db as! any SQLDatabase
            let enrolment = try await ChangeWebTests.enrolInDibao(site, monthlyCents: 80_000)
            let county = site.account(.countyReviewer)
            let elsewhere = try #require(site.city.communities.first { !county.region.code.contains($0.code) })
            try await sql.update("households").set("registered_region", to: elsewhere.code.value).where("id", .equal, site.inside.household.id.rawValue).run()
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let form = try await township.get(SiteURL.changeNew(household: site.inside.household.id.rawValue, warning: nil).path)
            let proposed = try await township.post(SiteURL.changes(all: false).path, form: [
                "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "enrolment": enrolment.uuidString,
                "amount": "500.00", "month": ChangeWebTests.thisMonth, "source": "report", "reasons": "家庭主动报告：儿子已就业", "articles": "DB 32"])
            let path = try #require(proposed.headers.first(name: .location))
            let reviewer = site.browser()
            try await reviewer.login(county.username)
            let page = try await reviewer.get(path)
            #expect(page.status == .ok && page.body.string.contains("由户籍地区县民政部门决定") && page.body.string.contains("户籍地"))
            #expect(!page.body.string.contains("作出决定"))
            let refused = try await reviewer.post(path + "/decision", form: ["_csrf": try #require(Browser.csrf(in: page)), "version": "1", "decision": "approve"])
            #expect(refused.status == .badRequest && refused.body.string.contains("由户籍地区县民政部门决定"))
            #expect(try await sql.select().column("monthly_amount_cents").from("enrolments").where("id", .equal, enrolment).first()?
                .decode(column: "monthly_amount_cents", as: Int64.self) == 80_000)
        }
    }
}

/// The same through the API: propose, a stale decision is a conflict, decide.
@Suite struct ChangeAPITests {
    @Test func theApiProposesAndDecides() async throws {
        try await TestSite.with(households: 20) { site in
            let sql = site.app.db as! any SQLDatabase
            let enrolment = try await ChangeWebTests.enrolInDibao(site, monthlyCents: 80_000)
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let csrf = try #require(Browser.csrf(in: try await township.get(SiteURL.cases(query: [:]).path)))
            let month = ChangeWebTests.thisMonth
            let created = try await township.sendJSON(.POST, "/api/v1/changes", json: """
                {"enrolmentId": "\(enrolment)", "newCents": 0, "effectiveMonth": "\(month)", "reasons": ["家庭收入超过低保标准"], "articles": ["DB 32"], "source": "review"}
                """, csrf: csrf)
            #expect(created.status == .created)
            let change = try JSONDecoder().decode(API.Change.self, from: Data(buffer: created.body))
            #expect(change.kind == "stop" && change.status == "proposed" && change.version == 1)
            let county = site.browser()
            try await county.login(site.account(.countyReviewer).username)
            let csrf2 = try #require(Browser.csrf(in: try await county.get(SiteURL.cases(query: [:]).path)))
            let list = try await county.get("/api/v1/changes")
            #expect(list.body.string.contains(change.id))
            let stale = try await county.sendJSON(.POST, "/api/v1/changes/\(change.id)/decision", json: #"{"version": 2, "approve": true}"#, csrf: csrf2)
            #expect(stale.status == .conflict)
            let decided = try await county.sendJSON(.POST, "/api/v1/changes/\(change.id)/decision", json: #"{"version": 1, "approve": true}"#, csrf: csrf2)
            #expect(decided.status == .ok && decided.body.string.contains("\"status\":\"approved\""))
            #expect(try await sql.select().column("status").from("enrolments").where("id", .equal, enrolment).first()?.decode(column: "status", as: String.self) == "ended")
        }
    }
}
