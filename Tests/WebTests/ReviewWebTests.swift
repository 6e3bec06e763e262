import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// 定期核查 through the pages and the API: the schedule has opened an overdue review; the township reads it with the
/// calculator's view, is told when the conclusion is missing (what was typed stays), proposes a gradual exit from it
/// (which ends the review), the county decides, and the profile says the benefit is in gradual exit.
@Suite struct ReviewWebTests {
    static var today: LocalDate { LocalDate(Date(), timeZone: .china) }

    /// An enrolment of the demo user's household that started 400 days ago, and the schedule's run.
    static func overdueReview(_ site: TestSite, program: String) async throws -> UUID {
        let enrolment = UUID()
        try await (site.app.db as! any SQLDatabase).insert(into: "enrolments")
            .columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status", "status_changed_on")
            .values(SQLBind(enrolment), SQLBind(site.inside.household.id.rawValue), SQLBind(nil as UUID?), SQLBind(site.inside.household.residenceRegion.value),
                    SQLBind(program), SQLBind(today.adding(days: -400).description), SQLBind(Int64(80_000)), SQLBind("active"), SQLBind(nil as String?)).run()
        let policy = site.app.storage[PolicyKey.self]!
        let city = Actor(userID: nil, username: "cli:review", role: .cityAdmin, jurisdiction: site.city.city.code, origin: "test")
        _ = try await Reviews(site.app.db, parameters: policy.calculator.parameters, cycles: policy.reviewCycles).openDue(actor: city, today: today)
        return enrolment
    }

    @Test func aReviewEndsInAGradualExitThroughThePages() async throws {
        try await TestSite.with(households: 20) { site in
            let enrolment = try await Self.overdueReview(site, program: "dibao")
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let list = try await township.get(SiteURL.reviews(filter: nil).path).body.string
            #expect(list.contains("待核查（1 项）") && list.contains("已逾期") && list.contains(site.inside.members.first { $0.relation == .head }!.name))
            let html = list
            let path = try #require(html.range(of: "href=\"/reviews/").map { "/reviews/" + String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let page = try await township.get(path)
            #expect(page.body.string.contains("政策计算器（按今日登记的数据）") && page.body.string.contains("现发放") && page.body.string.contains("¥800.00"))
            // no conclusion: refused, the rest of the form kept
            let refused = try await township.post(path + "/continue", form: ["_csrf": try #require(Browser.csrf(in: page)), "version": "1", "conclusion": "  "])
            #expect(refused.status == .badRequest && refused.body.string.contains("请填写核查结论"))
            // a gradual exit from the review
            let reviewID = String(path.dropFirst("/reviews/".count))
            let form = try await township.get(SiteURL.changeNew(household: site.inside.household.id.rawValue, warning: nil, review: UUID(uuidString: reviewID)).path)
            #expect(form.body.string.contains("name=\"reviewVersion\" value=\"1\"") && form.body.string.contains("渐退 6 个月后停发"))
            // the calculator's amount on today's facts is filled in for the officer to check
            #expect(form.body.string.range(of: #"name="amount"[^>]*value="[0-9][0-9.]*""#, options: .regularExpression) != nil)
            let proposed = try await township.post(SiteURL.changes(all: false).path, form: [
                "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "enrolment": enrolment.uuidString.lowercased(),
                "amount": "0", "month": { String(format: "%04d-%02d", $0.year, $0.month) }(Self.today), "source": "review", "review": reviewID, "reviewVersion": "1",
                "exitMonths": "3", "reasons": "家庭人均收入超过低保标准", "articles": "DB 33"])
            #expect(proposed.status == .seeOther)
            let change = try #require(proposed.headers.first(name: .location))
            #expect(try await township.get(path).body.string.contains("已提出变更"))
            let county = site.browser()
            try await county.login(site.account(.countyReviewer).username)
            let changePage = try await county.get(change)
            #expect(changePage.body.string.contains("渐退：最低生活保障") && changePage.body.string.contains("按现金额继续发放 3 个月"))
            let decided = try await county.post(change + "/decision", form: ["_csrf": try #require(Browser.csrf(in: changePage)), "version": "1", "decision": "approve"])
            #expect(decided.status == .seeOther)
            let notice = try await county.get(change + "/notice").body.string
            #expect(notice.contains("渐退决定告知书") && notice.contains("发放 3 个月"))
            let profile = try await township.get(SiteURL.household(site.inside.household.id).path).body.string
            #expect(profile.contains("渐退中"))
            // the dashboard counts no open review now
            #expect(try await county.get(SiteURL.caseDashboard.path).body.string.contains("定期核查待办"))
        }
    }

    @Test func theApiListsAndContinues() async throws {
        try await TestSite.with(households: 20) { site in
            _ = try await Self.overdueReview(site, program: "nearDibao")
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let csrf = try #require(Browser.csrf(in: try await township.get(SiteURL.cases(query: [:]).path)))
            let listed = try await township.get("/api/v1/reviews?filter=overdue")
            let page = try JSONDecoder().decode(API.Page<API.Review>.self, from: Data(buffer: listed.body))
            #expect(page.total == 1 && page.items.first?.overdue == true && page.items.first?.cycle == "yearly")
            let id = try #require(page.items.first?.id)
            let empty = try await township.sendJSON(.POST, "/api/v1/reviews/\(id)/continue", json: #"{"version": 1, "conclusion": ""}"#, csrf: csrf)
            #expect(empty.status == .badRequest)
            let done = try await township.sendJSON(.POST, "/api/v1/reviews/\(id)/continue", json: #"{"version": 1, "conclusion": "入户核实，家庭情况无变化"}"#, csrf: csrf)
            #expect(done.status == .ok && done.body.string.contains("\"status\":\"continued\""))
            let stale = try await township.sendJSON(.POST, "/api/v1/reviews/\(id)/continue", json: #"{"version": 1, "conclusion": "again"}"#, csrf: csrf)
            #expect(stale.status == .conflict)
            // and it is listed among the done
            #expect(try await township.get("/api/v1/reviews?filter=done").body.string.contains(id))
        }
    }
}
