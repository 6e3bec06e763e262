import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// Help first through the pages: the township grants from its reserve fund (refused while the fund cannot cover
/// it), the county funds it, the ledger shows the grant against its case, and the paperwork after it is completed.
@Suite struct FastTrackWebTests {
    @Test func aTownshipGrantsHelpFirstFromItsFund() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let form = try await township.get(SiteURL.caseNew(household: site.inside.household.id.rawValue, warning: nil).path)
            let opened = try await township.post(SiteURL.cases(query: [:]).path, form: [
                "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "kind": "temporaryEmergency",
                "channel": "window", "applicantName": "测试申请人", "note": "家中失火"])
            let id = try CaseWebTests.caseID(opened)
            #expect(try await CaseWebTests.act(township, id, ["action": "accept"]).status == .seeOther)
            let page = try await township.get(SiteURL.caseItem(id).path).body.string
            #expect(page.contains("先行救助，批准发放") && page.contains("name=\"payee\"") && page.contains("当前余额 ¥0.00"))
            // no fund yet: refused with the balance, what was typed kept
            let refused = try await CaseWebTests.act(township, id, ["action": "approve", "amount": "800.00", "payee": "测试申请人"])
            #expect(refused.status == .badRequest && refused.body.string.contains("备用金余额不足") && refused.body.string.contains("800.00"))
            // the township cannot fund itself; the county can
            let funds = try await township.get(SiteURL.reserveFunds(township: nil).path)
            #expect(funds.status == .ok && !funds.body.string.contains("拨付或补充备用金"))
            let street = try #require(site.account(.townshipOfficer).region.code.ancestor(at: .township)).value
            let forbidden = try await township.post(SiteURL.reserveFunds(township: nil).path, form: [
                "_csrf": try #require(Browser.csrf(in: funds)), "township": street, "kind": "allocation", "amount": "5000"])
            #expect(forbidden.status == .forbidden)
            let county = site.browser()
            try await county.login(site.account(.countyReviewer).username)
            let countyPage = try await county.get(SiteURL.reserveFunds(township: nil).path)
            #expect(countyPage.body.string.contains("拨付或补充备用金"))
            let bad = try await county.post(SiteURL.reserveFunds(township: nil).path, form: [
                "_csrf": try #require(Browser.csrf(in: countyPage)), "township": street, "kind": "allocation", "amount": "-5", "note": "文号"])
            #expect(bad.status == .badRequest && bad.body.string.contains("金额应大于0") && bad.body.string.contains("文号"))
            let funded = try await county.post(SiteURL.reserveFunds(township: nil).path, form: [
                "_csrf": try #require(Browser.csrf(in: countyPage)), "township": street, "kind": "allocation", "amount": "5000", "note": "年初拨付"])
            #expect(funded.status == .seeOther)
            // now the grant goes through, and the ledger shows it against the case
            #expect(try await CaseWebTests.act(township, id, ["action": "approve", "amount": "800.00", "payee": "测试申请人"]).status == .seeOther)
            let ledger = try await township.get(SiteURL.reserveFunds(township: street).path).body.string
            #expect(ledger.contains("余额 ¥4,200.00") && ledger.contains("先行救助支出") && ledger.contains(SiteURL.caseItem(id).path))
            // the paperwork after it is the township's task
            let after = try await township.get(SiteURL.caseItem(id).path).body.string
            #expect(after.contains("补办完成") && after.contains("领款人 测试申请人"))
            #expect(try await CaseWebTests.act(township, id, ["action": "completePaperwork", "note": "已补办核对"]).status == .seeOther)
            #expect(!(try await township.get(SiteURL.caseItem(id).path).body.string.contains("补办完成")))
        }
    }

    /// Help first wherever the emergency struck [LS; ZX 48]: a street officer finds someone from another city by ID
    /// number, opens help first in the street, and the case is theirs; what was typed stays on an error.
    @Test func aStreetOpensHelpFirstForSomeoneFromElsewhere() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let visitor = try #require(site.outside.members.first)
            let page = try await township.get(SiteURL.caseEmergency.path)
            #expect(page.status == .ok && page.body.string.contains("急难先行救助登记"))
            let csrf = try #require(Browser.csrf(in: page))
            let bad = try await township.post(SiteURL.caseEmergency.path, form: ["_csrf": csrf, "idNumber": "11010119610504077"])
            #expect(bad.status == .badRequest && bad.body.string.contains("身份证号") && bad.body.string.contains("11010119610504077"))
            let found = try await township.post(SiteURL.caseEmergency.path, form: ["_csrf": csrf, "idNumber": visitor.nationalID.value])
            let foundPage = found.body.string
            #expect(found.status == .ok && foundPage.contains(visitor.name) && foundPage.contains(visitor.nationalID.masked) && foundPage.contains("外市测试社区"))
            #expect(!foundPage.contains(SiteURL.household(site.outside.household.id).path))
            let street = try #require(site.account(.townshipOfficer).region.code.ancestor(at: .township)).value
            let noNote = try await township.post(SiteURL.caseEmergency.path, form: [
                "_csrf": csrf, "idNumber": visitor.nationalID.value, "step": "open", "emergencyRegion": street, "channel": "window", "applicantName": "代领人甲"])
            #expect(noNote.status == .badRequest && noNote.body.string.contains("请写明急难情况") && noNote.body.string.contains("代领人甲"))
            let opened = try await township.post(SiteURL.caseEmergency.path, form: [
                "_csrf": csrf, "idNumber": visitor.nationalID.value, "step": "open", "emergencyRegion": street, "channel": "window",
                "applicantName": visitor.name, "note": "途经本街道时突发疾病"])
            let id = try CaseWebTests.caseID(opened)
            let casePage = try await township.get(SiteURL.caseItem(id).path).body.string
            #expect(casePage.contains("急难发生地") && casePage.contains("不受户籍、居住地限制") && casePage.contains("受理"))
            #expect(try await CaseWebTests.act(township, id, ["action": "accept"]).status == .seeOther)
            let inbox = try await township.get(SiteURL.cases(query: [:]).path).body.string
            #expect(inbox.contains(SiteURL.caseItem(id).path) && inbox.contains("急难发生地："))
            // the coordinator's community is not where it struck, and the household is not theirs: they do not see it
            let coordinator = site.browser()
            try await coordinator.login(site.account(.coordinator).username)
            #expect(try await coordinator.get(SiteURL.caseItem(id).path).status == .notFound)
        }
    }
}
