import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// The structured steps through the pages and the API: the one-time materials notice prints and refuses what the
/// registry holds; the API's structured transitions; a resident's request turned into an application from the list.
@Suite struct CaseRecordsWebTests {
    static func open(_ b: Browser, _ site: TestSite) async throws -> UUID {
        let form = try await b.get(SiteURL.caseNew(household: site.inside.household.id.rawValue, warning: nil).path)
        let opened = try await b.post(SiteURL.cases(query: [:]).path, form: [
            "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "kind": "dibao", "channel": "window",
            "applicantName": "测试申请人"])
        return try CaseWebTests.caseID(opened)
    }

    @Test func theMaterialsNoticeIsGivenOnceAndPrints() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let id = try await Self.open(township, site)
            let page = try await township.get(SiteURL.caseItem(id).path).body.string
            #expect(page.contains("出具一次性告知书") && page.contains("不得要求申请人提供"))
            // what the registry holds is not even offered, and typed in anyway it is refused with the reason
            #expect(!page.contains("name=\"materials[残疾人证]\""))
            let held = try await CaseWebTests.act(township, id, ["action": "requestMaterials", "otherMaterials": "残疾人证"])
            #expect(held.status == .badRequest && held.body.string.contains("登记库已有残联数据"))
            let given = try await CaseWebTests.act(township, id, ["action": "requestMaterials", "materials[家庭成员劳动能力情况说明]": "on",
                                                                  "otherMaterials": "村委会出具的居住证明"])
            #expect(given.status == .seeOther)
            let notice = try await township.get(SiteURL.caseMaterialsNotice(id).path)
            #expect(notice.status == .ok && notice.body.string.contains("补齐材料一次性告知书") && notice.body.string.contains("家庭成员劳动能力情况说明")
                    && notice.body.string.contains("村委会出具的居住证明") && notice.body.string.contains("不会再要求其他材料"))
            let again = try await CaseWebTests.act(township, id, ["action": "requestMaterials", "otherMaterials": "病历"])
            #expect(again.status == .badRequest && again.body.string.contains("不得再次要求补充"))
            #expect(try await township.get(SiteURL.caseItem(id).path).body.string.contains("打印告知书"))
        }
    }

    @Test func theApiTakesTheStructuredSteps() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let id = try await Self.open(township, site)
            let csrf = try #require(Browser.csrf(in: try await township.get(SiteURL.cases(query: [:]).path)))
            func send(_ json: String) async throws -> TestingHTTPResponse {
                try await township.sendJSON(.POST, SiteURL.apiCaseTransitions(id).path, json: json, csrf: csrf)
            }
            #expect(try await send(#"{"action": "accept", "version": 1}"#).status == .ok)
            struct Parts: Decodable { var commitmentSigners: [String]; var verificationItems: [EconomicCheckItem] }
            let parts = try JSONDecoder().decode(Parts.self, from: Data(try await township.get(SiteURL.apiCase(id).path).body.string.utf8))
            let signatures = parts.commitmentSigners.map { "\"\($0)\": \"paper\"" }.joined(separator: ", ")
            #expect(try await send(#"{"action": "recordCommitment", "version": 2, "signature": {\#(signatures)}}"#).status == .ok)
            // nothing declared: each department item is "not declared", and the report needs an explanation
            if !parts.verificationItems.filter({ $0.spending != true }).isEmpty {
                let bare = try await send(#"{"action": "recordVerification", "version": 3}"#)
                #expect(bare.status == .badRequest && bare.body.string.contains("不一致之处的说明"))
            }
            let declared = parts.verificationItems.enumerated().map { "\"\($0.offset)\": \($0.element.foundCents ?? 0)" }.joined(separator: ", ")
            #expect(try await send(#"{"action": "recordVerification", "version": 3, "declaredCents": {\#(declared)}}"#).status == .ok)
            let detail = try await township.get(SiteURL.apiCase(id).path).body.string
            #expect(detail.contains("\"record\":{\"verification\"") && detail.contains("\"record\":{\"commitment\""))
        }
    }

    @Test func aRequestForHelpBecomesAnApplicationFromTheList() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.account(.townshipOfficer).region.code.value
            let resident = site.browser()
            _ = try await resident.post(SiteURL.helpRequests.path, form: ["name": site.inside.members[0].name, "nationalID": site.inside.members[0].nationalID.value,
                                                                          "phone": "13800138000", "need": "失业后没有收入", "township": township, "consent": "on"])
            let officer = site.browser()
            try await officer.login(site.account(.townshipOfficer).username)
            let list = try await officer.get(SiteURL.helpRequests.path).body.string
            let link = try #require(list.range(of: "/cases/new?").map { "/cases/new?" + list[$0.upperBound...].prefix { $0 != "\"" } })
            #expect(list.contains("转为申请") && link.contains("helpRequest=") && link.contains("channel=online"))
            let form = try await officer.get(link.replacingOccurrences(of: "&amp;", with: "&"))
            let html = form.body.string
            let request = try #require(html.range(of: "name=\"helpRequest\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            #expect(html.contains(site.inside.members[0].name))
            let opened = try await officer.post(SiteURL.cases(query: [:]).path, form: [
                "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "kind": "dibao", "channel": "online",
                "applicantName": site.inside.members[0].name, "helpRequest": request])
            #expect(opened.status == .seeOther)
            let id = try CaseWebTests.caseID(opened)
            #expect(try await officer.get(SiteURL.helpRequests.path).body.string.contains("待联系的在线求助（0 条）"))
            let all = try await officer.get(SiteURL.helpRequests.path + "?all=on").body.string
            #expect(all.contains("已转为申请") && all.contains(SiteURL.caseItem(id).path))
            #expect(try await officer.get(SiteURL.caseItem(id).path).body.string.contains(CaseChannel.online.chinese))
        }
    }
}
