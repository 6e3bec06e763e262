import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// The honesty loop through the pages and the API: the county draws from the demo's approvals; the township finds a
/// declaration false (a missing finding is refused and what was typed stays); the head is on the dishonesty list,
/// masked in the list and whole in the county's export for the credit platform, which a township may not take.
@Suite struct HonestyWebTests {
    @Test func theCountyDrawsTheTownshipFindsAndTheListExports() async throws {
        try await TestSite.with(households: 3_000) { site in
            let policy = site.app.storage[PolicyKey.self]!
            try await DemoCases.seed(db: site.app.db, policy: policy, accounts: site.accounts, city: site.city, today: site.city.today)
            let county = site.browser()
            try await county.login(site.account(.countyReviewer).username)
            let list = try await county.get(SiteURL.spotChecks(filter: nil).path)
            #expect(list.body.string.contains("随机抽取并倒查"))
            let drawn = try await county.post(SiteURL.spotCheckDraw.path, form: ["_csrf": try #require(Browser.csrf(in: list)),
                                                                                 "from": site.city.today.adding(days: -60).description,
                                                                                 "to": site.city.today.description])
            #expect(drawn.status == .ok && drawn.body.string.contains("随机抽取 1 件"))
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            #expect(!(try await township.get(SiteURL.spotChecks(filter: nil).path).body.string.contains("随机抽取并倒查")))
            let api = try await township.get("/api/v1/spot-checks")
            let page = try JSONDecoder().decode(API.Page<API.SpotCheck>.self, from: Data(buffer: api.body))
            let check = try #require(page.items.first { $0.kind == "random" })
            let path = SiteURL.spotCheck(UUID(uuidString: check.id)!).path
            let form = try await township.get(path)
            #expect(form.body.string.contains("登记核查结果"))
            let missing = try await township.post(path + "/result", form: ["_csrf": try #require(Browser.csrf(in: form)), "version": "1", "result": "false",
                                                                           "finding": " ", "recover": "1170.00"])
            #expect(missing.status == .badRequest && missing.body.string.contains("请写明核查了什么") && missing.body.string.contains("1170.00"))
            let found = try await township.post(path + "/result", form: ["_csrf": try #require(Browser.csrf(in: form)), "version": "1", "result": "false",
                                                                         "finding": "申请人之子在外地务工，月工资约4500元，未如实申报", "recover": "1170.00"])
            #expect(found.status == .seeOther)
            let after = try await township.get(path).body.string
            #expect(after.contains("虚假申报") && after.contains("¥1,170.00") && after.contains("已提请县级决定停发"))
            let listed = try await township.get(SiteURL.dishonesty.path).body.string
            #expect(listed.contains("失信名单（1 人）") && listed.contains("********") && !listed.contains("导出报送信用平台"))
            #expect(try await township.get(SiteURL.dishonestyExport.path + "?purpose=departmentCheck").status == .forbidden)
            #expect(try await county.get(SiteURL.dishonestyExport.path).status == .badRequest, "an export states its purpose")
            let csv = try await county.get(SiteURL.dishonestyExport.path + "?purpose=departmentCheck&format=csv")
            #expect(csv.status == .ok && csv.headers.contentType?.description.contains("text/csv") == true)
            let sql = site.app.db as! any SQLDatabase
            let id = try DataCipher.inUse().open(try #require(try await sql.select().column("national_id_sealed").from("dishonesty_list").first()?
                .decode(column: "national_id_sealed", as: String.self)))
            #expect(csv.body.string.contains(id))
            // the change to stop the benefit waits for the county, its decision starting from the amount the check found
            #expect(try await county.get(SiteURL.changes(all: false).path).body.string.contains("抽查倒查发现虚假申报"))
            let changeID = try #require(try await sql.select().column("change_id").from("spot_checks").where("status", .equal, "falseDeclaration").first()?
                .decode(column: "change_id", as: UUID.self))
            let decision = try await county.get(SiteURL.change(changeID).path).body.string
            #expect(decision.contains("value=\"1170.00\"") && decision.contains("随机抽查发现虚假申报"))
        }
    }
}
