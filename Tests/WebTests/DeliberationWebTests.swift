import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// 一事一议 through the pages and the API: the coordinator opens it from the profile, the community's meeting puts it
/// to the street (too few people: refused, what was typed stays), the street decides a monthly dibao within its
/// limit, the household is enrolled, and the decided deliberation is found in the precedent list.
@Suite struct DeliberationWebTests {
    static var today: LocalDate { LocalDate(Date(), timeZone: .china) }

    @Test func theCommunityPutsItToTheStreetWhichDecides() async throws {
        try await TestSite.with(households: 20) { site in
            let coordinator = site.browser()
            try await coordinator.login(site.account(.coordinator).username)
            let profile = try await coordinator.get(SiteURL.household(site.inside.household.id).path).body.string
            #expect(profile.contains("提请一事一议"))
            let form = try await coordinator.get(SiteURL.deliberationNew(household: site.inside.household.id.rawValue).path)
            #expect(form.status == .ok && form.body.string.contains("由社区（村）首先议事"))
            let empty = try await coordinator.post("/deliberations", form: ["_csrf": try #require(Browser.csrf(in: form)),
                                                                            "household": site.inside.household.id.description, "situation": " "])
            #expect(empty.status == .badRequest && empty.body.string.contains("请写明困难情形"))
            let opened = try await coordinator.post("/deliberations", form: [
                "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description,
                "situation": "户主突发重病，自付医疗费高，不符合任何救助条件", "tags[illness]": "on"])
            #expect(opened.status == .seeOther)
            let path = try #require(opened.headers.first(name: .location))
            let page = try await coordinator.get(path)
            #expect(page.body.string.contains("社区（村）议事记录") && page.body.string.contains("本级提出意见后报上一级议定"))
            // two people are not a meeting: refused, the typed lines stay
            let few = try await coordinator.post(path + "/meetings", form: [
                "_csrf": try #require(Browser.csrf(in: page)), "version": "1", "heldOn": DeliberationWebTests.today.description, "participants": "赵芳 协理员\n刘建国 书记",
                "opinions": "同意报街道", "outcome": "escalate", "reasons": ""])
            #expect(few.status == .badRequest && few.body.string.contains("不少于 3 人") && few.body.string.contains("刘建国 书记"))
            let up = try await coordinator.post(path + "/meetings", form: [
                "_csrf": try #require(Browser.csrf(in: page)), "version": "1", "heldOn": DeliberationWebTests.today.description,
                "participants": "赵芳 协理员\n刘建国 书记\n马秀兰 居民代表", "opinions": "同意报街道", "outcome": "escalate", "reasons": ""])
            #expect(up.status == .seeOther)
            // the street's meeting decides a monthly dibao within its limit
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            #expect(try await township.get(SiteURL.deliberations(filter: nil).path).body.string.contains("待议事项（1 件）"))
            let street = try await township.get(path)
            #expect(street.body.string.contains("乡镇（街道）议事记录") && street.body.string.contains("第 1 次议事"))
            let decided = try await township.post(path + "/meetings", form: [
                "_csrf": try #require(Browser.csrf(in: street)), "version": "2", "heldOn": DeliberationWebTests.today.description,
                "participants": "王磊 经办人\n孙红 副主任\n钱伟 医生", "opinions": "情况属实\n同意按月救助", "outcome": "monthly", "program": "dibao",
                "amount": "600.00", "reasons": "突发重病，收入骤减"])
            #expect(decided.status == .seeOther)
            #expect(try await township.get(path).body.string.contains("纳入最低生活保障，每月 ¥600.00"))
            #expect(try await township.get(SiteURL.household(site.inside.household.id).path).body.string.contains("¥600.00"))
            let precedents = try await township.get(SiteURL.deliberations(filter: "decided").path + "&tag=illness&q=重病").body.string
            #expect(precedents.contains("一事一议先例（1 件）") && precedents.contains("纳入最低生活保障"))
        }
    }

    @Test func theApiOpensAndRecordsAMeeting() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let csrf = try #require(Browser.csrf(in: try await township.get(SiteURL.cases(query: [:]).path)))
            let created = try await township.sendJSON(.POST, "/api/v1/deliberations", json: """
                {"householdId": "\(site.inside.household.id)", "situation": "家中失火，生活用品全部烧毁", "tags": ["disaster"]}
                """, csrf: csrf)
            #expect(created.status == .created)
            let d = try JSONDecoder().decode(API.Deliberation.self, from: Data(buffer: created.body))
            #expect(d.level == "township" && d.status == "open" && d.version == 1)
            let meeting = """
                {"version": 1, "meeting": {"level": "township", "heldOn": "\(DeliberationWebTests.today)", "participants": [{"name": "王磊", "role": "经办人"},
                 {"name": "孙红", "role": "副主任"}, {"name": "钱伟", "role": "居民代表"}], "opinions": ["同意"],
                 "outcome": {"oneOff": {"amountCents": 2000000}}, "reasons": ["火灾"], "recordedBy": ""}}
                """
            // over the street's limit: refused with the reason
            let over = try await township.sendJSON(.POST, "/api/v1/deliberations/\(d.id)/meetings", json: meeting, csrf: csrf)
            #expect(over.status == .badRequest && over.body.string.contains("超过乡镇（街道）可议定的金额上限"))
            let ok = try await township.sendJSON(.POST, "/api/v1/deliberations/\(d.id)/meetings",
                                                 json: meeting.replacingOccurrences(of: "2000000", with: "500000"), csrf: csrf)
            #expect(ok.status == .ok && ok.body.string.contains("\"status\":\"approved\""))
            let stale = try await township.sendJSON(.POST, "/api/v1/deliberations/\(d.id)/meetings", json: meeting, csrf: csrf)
            #expect(stale.status == .conflict)
            #expect(try await township.get("/api/v1/deliberations?filter=decided&tag=disaster").body.string.contains(d.id))
        }
    }
}
