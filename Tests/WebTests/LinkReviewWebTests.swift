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
            let report = try await AfterCommit(site.app.db, monitoring: site.app.storage[PolicyKey.self]!.monitoring).importFile(FeedImporter(site.app.db, spec: try #require(try FeedCatalogue.bundled()["funeral-cremation"]), actor: officer), path: path)
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
            // In words for a street officer: what agrees, what differs, why a person decides; no rounded probability,
            // and bits only in the data officer's details.
            let html = page.body.string
            #expect(html.contains("相同或相近：") && html.contains("不同：") && html.contains("为什么要人工判断："))
            #expect(html.contains("身份证号仅一位数字不同") && html.contains("有力支持是同一人"))
            #expect(!html.contains("%"))
            let main = html.components(separatedBy: "<details").first ?? html
            #expect(!main.contains("比特") && !main.contains("先验"))
            #expect(!queue.body.string.contains("%") && queue.body.string.contains("证据"))
            let waiting = queue.body.string.components(separatedBy: "href=\"/link-reviews/").count - 1
            #expect(queue.body.string.contains("共 \(waiting) 对"))
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

    @Test func theProfileShowsDisagreeingDepartmentsSideBySide() async throws {
        try await TestSite.with(households: 30) { site in
            // setup: HR says 5,000 a month, tax says 36,000 a year (3,000 a month) for the same person
            let m = site.inside.members[0]
            let officer = Actor(userID: nil, username: "dataofficer", role: .dataOfficer, jurisdiction: site.account(.dataOfficer).region.code, origin: "test")
            let dir = NSTemporaryDirectory() + "jiuzhu-web-conflict-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            for (feed, csv) in [("hr-employment", "身份证号,姓名,月工资,起始日期,终止日期,用工单位\n\(m.nationalID.value),\(m.name),5000.00,2026-01-01,,某物流公司\n"),
                                ("tax-income", "{\"纳税人识别号\": \"\(m.nationalID.value)\", \"姓名\": \"\(m.name)\", \"所属年度起\": \"2026-01-01\", \"年度收入额\": 36000}\n")] {
                let path = dir + "/\(feed).\(feed == "tax-income" ? "jsonl" : "csv")"
                try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
                _ = try await AfterCommit(site.app.db, monitoring: site.app.storage[PolicyKey.self]!.monitoring).importFile(FeedImporter(site.app.db, spec: try #require(try FeedCatalogue.bundled()[feed]), actor: officer), path: path)
            }
            // act
            let b = site.browser()
            try await b.login("coordinator")
            let page = try await b.get(SiteURL.household(site.inside.household.id).path)
            // check: both reports, which one is used and why, under the income dimension
            let html = page.body.string
            #expect(page.status == .ok)
            #expect(html.contains("家庭画像（按维度"))
            #expect(html.contains("部门数据不一致（1 处）"))
            #expect(html.contains("采用税务数据") && html.contains("工资薪金以税务部门的个税申报为准"))
            #expect(html.contains("¥5,000.00") || html.contains("5000.00") || html.contains("5,000"))
            #expect(html.contains("未采用"))
        }
    }

    @Test func aCityAdminDownloadsTheNewlyEnrolledListAndItIsAudited() async throws {
        try await TestSite.with(households: 60) { site in
            let b = site.browser()
            try await b.login("admin")
            let page = try await b.get(SiteURL.exports.path)
            #expect(page.status == .ok)
            let token = try #require(Browser.csrf(in: page))
            // act
            // an export states its purpose: without one it is refused, with what was typed kept
            let noPurpose = try await b.post(SiteURL.exports.path, form: ["_csrf": token, "list": "newlyEnrolled", "since": "2000-01-01"])
            #expect(noPurpose.status == .badRequest && noPurpose.body.string.contains("请选择用途") && noPurpose.body.string.contains("2000-01-01"))
            let res = try await b.post(SiteURL.exports.path, form: ["_csrf": token, "list": "newlyEnrolled", "since": "2000-01-01",
                                                                   "purpose": "departmentCheck", "note": "医保资助参保"])
            // check: a CSV attachment with whole ID numbers, scoped, stamped with who, when and why, and one audit entry
            #expect(res.status == .ok)
            #expect(res.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(res.headers.first(name: .contentDisposition)?.contains("filename*=UTF-8''") == true)
            let lines = res.body.string.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(lines.first?.contains("导出人：陈明（演示）（admin）") == true && lines.first?.contains("用途：部门比对核查：医保资助参保") == true)
            #expect(lines.first?.contains("（北京时间）") == true)
            #expect(lines.dropFirst().first?.contains("身份证号") == true)
            #expect(lines.count > 2)
            #expect(!res.body.string.contains(site.outside.members[0].nationalID.value))
            let audits = try await (site.app.db as! any SQLDatabase).select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from("audit_entries").where("action", .equal, "exportList").first()!.decode(column: "n", as: Int.self)
            #expect(audits == 1)
            let detail = try await (site.app.db as! any SQLDatabase).select().column("detail").from("audit_entries").where("action", .equal, "exportList")
                .first()!.decode(column: "detail", as: String.self)
            #expect(detail.contains("用途：部门比对核查：医保资助参保"))
            // a bad date is refused with a message; a coordinator has no such page
            #expect(try await b.post(SiteURL.exports.path, form: ["_csrf": token, "list": "ended", "since": "2026-02-30"]).status == .badRequest)
            let c = site.browser()
            try await c.login("coordinator")
            #expect(try await c.get(SiteURL.exports.path).status == .forbidden)
        }
    }
}
