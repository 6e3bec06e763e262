import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor

@testable import Web

@Suite struct LinkReviewWebTests {
    @Test func aTownshipOfficerConfirmsAProbableDeathSideBySide() async throws {
        try await TestSite.with(households: 30) { site in
            // setup: a cremation record whose ID has one mistyped digit, imported by the data officer
            let m = site.inside.members[0]
            var digits = Array(m.nationalID.value)
            digits[15] = digits[15] == "0" ? "1" : "0"
            let dir = NSTemporaryDirectory() + "jiuzhu-web-link-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/火化.csv"
            try Data("逝者身份证号,逝者姓名,火化日期,火化证编号\n\(String(digits)),\(m.name),2026-11-01,WEB-HH-1\n".utf8).write(to: URL(fileURLWithPath: path))
            let officer = Actor(userID: nil, username: "dataofficer", role: .dataOfficer, jurisdiction: site.account(.dataOfficer).region.code, origin: "test")
            let report = try await FeedImporter(site.app.db, spec: try #require(try FeedCatalogue.bundled()["funeral-cremation"]), actor: officer).run(path: path)
            #expect(report.review == 1)

            // the coordinator cannot review; the township officer sees the queue with a masked ID
            let c = site.browser()
            try await c.login("coordinator")
            #expect(try await c.get(SiteURL.linkReviews(importID: nil).path).status == .forbidden)
            let b = site.browser()
            try await b.login("township")
            let queue = try await b.get(SiteURL.linkReviews(importID: report.importID).path)
            #expect(queue.status == .ok)
            #expect(queue.body.string.contains(m.name) && queue.body.string.contains("********"))
            #expect(!queue.body.string.contains(m.nationalID.value))
            let href = try #require(queue.body.string.range(of: "/link-reviews/[0-9A-F-]{36}", options: .regularExpression).map { String(queue.body.string[$0]) })

            // act: open it — both records side by side, evidence per field — and confirm
            let page = try await b.get(href)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("部门记录") && page.body.string.contains("登记档案"))
            #expect(page.body.string.contains("仅一位数字不同") && page.body.string.contains("完全一致"))
            #expect(page.body.string.contains("可能导致标记死亡或停发、减发待遇"))
            let token = try #require(Browser.csrf(in: page))
            let done = try await b.post(href + "/confirm", form: ["_csrf": token])
            #expect(done.status == .seeOther)

            // check: the death is on the member now, and a second decision is refused
            let deaths = try await (site.app.db as! any SQLDatabase).select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from("facts").where("kind", .equal, "death").where("member_id", .equal, m.id.rawValue).where("feed", .equal, "funeral-cremation")
                .first()!.decode(column: "n", as: Int.self)
            #expect(deaths == 1)
            #expect(try await b.post(href + "/reject", form: ["_csrf": token]).status == .conflict)
            // and without the token nothing happens
            #expect(try await b.post(href + "/reject", form: [:]).status == .forbidden)
        }
    }
}
