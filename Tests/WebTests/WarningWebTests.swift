import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor

@testable import Web

/// The warning pages and API: a department record arrives, the warning is in the community's inbox at once,
/// the township sends the coordinator to verify, the coordinator records the visit on a phone, the township
/// disposes of it; the dashboard and ranking render; every read is scoped.
@Suite struct WarningWebTests {
    static func floodRecord(_ site: TestSite) async throws -> FeedImporter.Report {
        let m = site.inside.members[0]
        let dir = NSTemporaryDirectory() + "jiuzhu-web-warn-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/受灾.csv"
        let day = LocalDate(Date(), timeZone: .china).adding(days: -5)
        try Data("身份证号,姓名,受灾日期,灾害类型,直接经济损失,核灾编号\n\(m.nationalID.value),\(m.name),\(day),内涝,9000.00,WEB-ZH-1\n".utf8)
            .write(to: URL(fileURLWithPath: path))
        let officer = Actor(userID: nil, username: "dataofficer", role: .dataOfficer, jurisdiction: site.account(.dataOfficer).region.code, origin: "test")
        return try await AfterCommit(site.app.db, monitoring: site.app.storage[PolicyKey.self]!.monitoring).importFile(FeedImporter(site.app.db, spec: try #require(try FeedCatalogue.bundled()["emergency-disaster"]), actor: officer), path: path)
    }

    static func firstLink(_ html: String, _ pattern: String) -> String? {
        html.range(of: pattern, options: .regularExpression).map { String(html[$0]) }
    }

    @Test func fromADepartmentRecordToADisposedWarning() async throws {
        try await TestSite.with(households: 40) { site in
            let report = try await Self.floodRecord(site)
            #expect(report.screening?.raised ?? 0 >= 1)

            // The coordinator sees it in their inbox (a phone), with the ID masked, but cannot dispose of it.
            let c = site.browser()
            try await c.login("coordinator")
            let inbox = try await c.get(SiteURL.warnings(query: "kind=hardship").path)
            #expect(inbox.status == .ok)
            #expect(inbox.body.string.contains("遭受自然灾害") && inbox.body.string.contains("********"))
            #expect(!inbox.body.string.contains(site.inside.members[0].nationalID.value))
            let href = try #require(Self.firstLink(inbox.body.string, "/warnings/[0-9A-F-]{36}"))
            let seen = try await c.get(href)
            #expect(seen.body.string.contains("内涝") && seen.body.string.contains("应急"))
            #expect(!seen.body.string.contains("提交处置"))

            // The township officer sends the coordinator to verify.
            let t = site.browser()
            try await t.login("township")
            let page = try await t.get(href)
            #expect(page.body.string.contains("提交处置") && page.body.string.contains("困难评分") && page.body.string.contains("<svg"))
            let token = try #require(Browser.csrf(in: page))
            // The assignee is picked from the staff responsible for the household, by name and role; the outcome has no default.
            let coordinator = site.account(.coordinator)
            #expect(page.body.string.contains("<option value=\"coordinator\">\(Show.user(name: coordinator.displayName, role: .coordinator))</option>"))
            #expect(!page.body.string.contains("<option value=\"dataofficer\""))
            #expect(page.body.string.contains("<option value selected=\"selected\">请选择处置结果</option>"))
            let stranger = try await t.post(href + "/assign", form: ["_csrf": token, "assignee": "王社工"])
            #expect(stranger.status == .badRequest && stranger.body.string.contains("请从名单中选择承办人"))
            #expect(try await t.post(href + "/assign", form: ["_csrf": token, "assignee": "coordinator"]).status == .seeOther)
            #expect(try await t.get(href).body.string.contains("承办：\(Show.user(name: coordinator.displayName, role: .coordinator))"))
            #expect(try await t.post(href + "/verify", form: ["_csrf": token]).status == .seeOther)

            // The coordinator records the visit.
            let visits = try await c.get(SiteURL.visits.path)
            #expect(visits.body.string.contains("遭受自然灾害"))
            let complete = try #require(Self.firstLink(visits.body.string, "/visits/[0-9A-F-]{36}/complete"))
            let ctoken = try #require(Browser.csrf(in: visits))
            // Blank findings come back on the same list, in that visit's form, with the reason; nothing else is lost.
            let blank = try await c.post(complete, form: ["_csrf": ctoken, "findings": "   "])
            #expect(blank.status == .badRequest)
            #expect(blank.body.string.contains("role=\"alert\"") && blank.body.string.contains(complete) && blank.body.string.contains("遭受自然灾害"))
            #expect(blank.body.string.contains("请填写核实情况"))
            // The form's address, opened again, leads back to the list.
            let reopened = try await c.get(complete)
            #expect(reopened.status == .seeOther && reopened.headers.first(name: .location) == SiteURL.visits.path)
            // Findings over the stated limit are refused, and come back whole to be shortened.
            let long = String(repeating: "屋", count: WarningStore.findingsLimit + 1)
            let tooLong = try await c.post(complete, form: ["_csrf": ctoken, "findings": long])
            #expect(tooLong.status == .badRequest && tooLong.body.string.contains("核实情况不能超过") && tooLong.body.string.contains(long))
            #expect(try await c.post(complete, form: ["_csrf": ctoken, "findings": "房屋受损，已协助申请临时救助"]).status == .seeOther)

            // Disposing without a reason is refused with the reason shown; with one it is saved.
            let refused = try await t.post(href + "/dispose", form: ["_csrf": token, "outcome": "enrol", "reason": " "])
            #expect(refused.status == .badRequest && refused.body.string.contains("处置须填写理由"))
            #expect(refused.body.string.contains("<option value=\"enrol\" selected"))
            // No outcome chosen: the same page, with the reason typed still in its box.
            let noOutcome = try await t.post(href + "/dispose", form: ["_csrf": token, "reason": "家中老人突发重病"])
            #expect(noOutcome.status == .badRequest && noOutcome.body.string.contains("请选择处置结果"))
            #expect(noOutcome.body.string.contains(">家中老人突发重病</textarea>"))
            #expect(try await t.post(href + "/dispose", form: ["_csrf": token, "outcome": "deliberation", "reason": "损失较大，提交一事一议"]).status == .seeOther)
            let after = try await t.get(href)
            #expect(after.body.string.contains("提交一事一议") && after.body.string.contains("房屋受损"))
            #expect(try await t.post(href + "/close", form: ["_csrf": token]).status == .seeOther)

            // A data officer has no inbox.
            let d = site.browser()
            try await d.login("dataofficer")
            #expect(try await d.get(SiteURL.warnings(query: nil).path).status == .forbidden)
        }
    }

    /// A cremation record holds the person's payment; the county reviewer sees the hold on the profile and releases
    /// it with a reason; the township officer sees it but has no release form; an empty reason is refused.
    @Test func aHeldPaymentIsReleasedFromTheProfile() async throws {
        try await TestSite.with(households: 40) { site in
            let m = site.inside.members[0]
            let region = site.inside.household.residenceRegion.value
            try await (site.app.db as! any SQLDatabase).insert(into: "enrolments")
                .columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
                .values(SQLBind(UUID()), SQLBind(site.inside.household.id.rawValue), SQLBind(m.id.rawValue), SQLBind(region),
                        SQLBind(Program.disabilityLiving.rawValue), SQLBind("2025-01-01"), SQLBind(Int64(9_000)), SQLBind(EnrolmentStatus.active.rawValue)).run()
            let dir = NSTemporaryDirectory() + "jiuzhu-web-hold-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/火化.csv"
            let day = LocalDate(Date(), timeZone: .china).adding(days: -3)
            try Data("逝者身份证号,逝者姓名,火化日期,火化证编号\n\(m.nationalID.value),\(m.name),\(day),WEB-HZ-1\n".utf8).write(to: URL(fileURLWithPath: path))
            let officer = Actor(userID: nil, username: "dataofficer", role: .dataOfficer, jurisdiction: site.account(.dataOfficer).region.code, origin: "test")
            let report = try await AfterCommit(site.app.db, monitoring: site.app.storage[PolicyKey.self]!.monitoring).importFile(FeedImporter(site.app.db, spec: try #require(try FeedCatalogue.bundled()["funeral-cremation"]), actor: officer), path: path)
            #expect(report.screening?.holds == 1)
            let profile = SiteURL.household(site.inside.household.id).path

            let t = site.browser()
            try await t.login("township")
            let seen = try await t.get(profile)
            #expect(seen.body.string.contains("暂停发放") && seen.body.string.contains("暂停中") && !seen.body.string.contains("解除暂停，恢复发放"))

            let r = site.browser()
            try await r.login("reviewer")
            let page = try await r.get(profile)
            let release = try #require(Self.firstLink(page.body.string, "/households/[0-9a-f-]{36}/holds/[0-9a-f-]{36}/release"))
            let token = try #require(Browser.csrf(in: page))
            // The township officer may not release it even by posting the form.
            let ttoken = try #require(Browser.csrf(in: seen))
            #expect(try await t.post(release, form: ["_csrf": ttoken, "reason": "试图解除"]).status == .forbidden)
            let refused = try await r.post(release, form: ["_csrf": token, "reason": " "])
            #expect(refused.status == .badRequest && refused.body.string.contains("请填写解除理由"))
            #expect(try await r.post(release, form: ["_csrf": token, "reason": "火化记录身份证号录入错误，已由民政局更正"]).status == .seeOther)
            let after = try await r.get(profile)
            #expect(after.body.string.contains("已解除") && after.body.string.contains("已由民政局更正"))
            let status = try await (site.app.db as! any SQLDatabase).select().column("status").from("enrolments")
                .where("member_id", .equal, m.id.rawValue).first()?.decode(column: "status", as: String.self)
            #expect(status == EnrolmentStatus.active.rawValue)
        }
    }

    @Test func dashboardRankingAndScreening() async throws {
        try await TestSite.with(households: 60) { site in
            let a = site.browser()
            try await a.login("admin")
            let dash = try await a.get(SiteURL.monitoring.path)
            #expect(dash.status == .ok)
            let token = try #require(Browser.csrf(in: dash))
            #expect(try await a.post(SiteURL.screenings.path, form: ["_csrf": token]).status == .seeOther)
            await site.app.screeningJobs.waitForAll()
            let after = try await a.get(SiteURL.monitoring.path)
            #expect(after.body.string.contains("与天津公开数据对照") && after.body.string.contains("8662"))
            #expect(after.body.string.contains("按预警类型") && after.body.string.components(separatedBy: "<svg").count >= 6)
            #expect(after.body.string.contains("全量"))
            // On a phone the comparison's rows read as labelled values; the overdue count says what it is a share of;
            // every chart says what it counts.
            #expect(after.body.string.contains("data-label=\"每百人预警\"") && after.body.string.contains("<strong>本演示城市</strong>"))
            #expect(after.body.string.contains("逾期未处置") && after.body.string.contains("占待处置"))
            #expect(after.body.string.components(separatedBy: "<figcaption>").count == after.body.string.components(separatedBy: "<figure").count)
            let ranking = try await a.get(SiteURL.ranking.path)
            #expect(ranking.status == .ok && ranking.body.string.contains("评分越高越困难"))
            // A coordinator may not start a screening.
            let c = site.browser()
            try await c.login("coordinator")
            let cdash = try await c.get(SiteURL.monitoring.path)
            #expect(!cdash.body.string.contains("立即对本辖区全量筛查"))
            #expect(try await c.post(SiteURL.screenings.path, form: ["_csrf": try #require(Browser.csrf(in: cdash))]).status == .forbidden)
        }
    }

    /// "Screen now" answers at once and the run goes on in the background; the screening records show it; a
    /// second run over the same area is not started while one runs.
    @Test func screeningFromThePageRunsInTheBackground() async throws {
        var jobs: ScreeningJobs?
        try await TestSite.with(households: 60) { site in
            jobs = site.app.screeningJobs
            let a = site.browser()
            try await a.login("admin")
            let token = try #require(Browser.csrf(in: try await a.get(SiteURL.monitoring.path)))
            let started = try await a.post(SiteURL.screenings.path, form: ["_csrf": token])
            let location = try #require(started.headers.first(name: .location))
            #expect(started.status == .seeOther && location.hasPrefix(SiteURL.screenings.path + "?started="))
            await site.app.screeningJobs.waitForAll()
            let page = try await a.get(location)
            #expect(page.body.string.contains("筛查已在后台开始") && page.body.string.contains("全量") && !page.body.string.contains("（进行中"))
            let run = try #require(try await WarningStore(site.app.db, setup: try MonitoringSetup.bundled())
                .screenings(actor: Actor(userID: nil, username: "t", role: .cityAdmin, jurisdiction: site.city.city.code, origin: "test")).first)
            #expect(run.finishedAt != nil && run.planned == run.households && run.households > 0)

            // While a run over the city goes on (held open here), the county's button starts nothing.
            let (gate, open) = AsyncStream<Void>.makeStream()
            try await site.app.screeningJobs.start(UUID(), region: site.city.city.code, logger: site.app.logger) { for await _ in gate {} }
            let r = site.browser()
            try await r.login("reviewer")
            let busy = try await r.post(SiteURL.screenings.path, form: ["_csrf": try #require(Browser.csrf(in: try await r.get(SiteURL.monitoring.path)))])
            let busyAt = try #require(busy.headers.first(name: .location))
            #expect(busyAt.contains("busy="))
            #expect(try await r.get(busyAt).body.string.contains("正在进行，本次未重复开始"))
            open.finish()
            await site.app.screeningJobs.waitForAll()
            // A run still going when the server stops is stopped with it.
            try await site.app.screeningJobs.start(UUID(), region: site.city.city.code, logger: site.app.logger) { try await Task.sleep(for: .seconds(3600)) }
        }
        #expect(await jobs?.isIdle == true)
    }

    @Test func theWarningAPI() async throws {
        try await TestSite.with(households: 40) { site in
            _ = try await Self.floodRecord(site)
            let t = site.browser()
            try await t.login("township")
            let list = try await t.get(SiteURL.apiWarnings.path + "?kind=hardship")
            #expect(list.status == .ok)
            let body = try JSONSerialization.jsonObject(with: Data(list.body.readableBytesView)) as! [String: Any]
            let items = try #require(body["items"] as? [[String: Any]])
            let w = try #require(items.first { $0["indicator"] as? String == "JZ-L02" })
            #expect((w["headNationalIdMasked"] as? String)?.contains("********") == true)
            let id = try #require(w["id"] as? String)
            let detail = try await t.get(SiteURL.apiWarning(try #require(UUID(uuidString: id))).path)
            #expect(detail.status == .ok && detail.body.string.contains("\"evidence\""))
            #expect(detail.body.string.contains("\"deadlineWorkingDays\":3"))
            // The city's tuning shows in the API's detail as on the page (it used the catalogue as shipped).
            let admin = Actor(userID: nil, username: "admin", role: .cityAdmin, jurisdiction: site.account(.cityAdmin).region.code, origin: "test")
            try await IndicatorTuningStore(site.app.db).tune("JZ-L02", to: .init(deadlineWorkingDays: 9), catalogue: try IndicatorCatalogue.bundled(), actor: admin)
            let tuned = try await t.get(SiteURL.apiWarning(try #require(UUID(uuidString: id))).path)
            #expect(tuned.body.string.contains("\"deadlineWorkingDays\":9"), "\(tuned.body.string)")
            #expect(try await t.get(SiteURL.apiWarnings.path + "?kind=nonsense").status == .badRequest)

            let page = try await t.get(SiteURL.warnings(query: nil).path)
            let token = try #require(Browser.csrf(in: page))
            let url = SiteURL.apiWarningActions(try #require(UUID(uuidString: id))).path
            let assigned = try await t.sendJSON(.POST, url, json: #"{"action":"assign","assignee":"coordinator"}"#, csrf: token)
            #expect(assigned.status == .ok && assigned.body.string.contains("assigned"))
            #expect(try await t.sendJSON(.POST, url, json: #"{"action":"close"}"#, csrf: token).status == .conflict)
            #expect(try await t.sendJSON(.POST, url, json: #"{"action":"close"}"#, csrf: nil).status == .forbidden)
            // The community next door cannot read it.
            let outsider = try await t.get(SiteURL.apiWarning(UUID()).path)
            #expect(outsider.status == .notFound)
        }
    }

    @Test func aCityAdministratorTunesAnIndicator() async throws {
        try await TestSite.with(households: 20) { site in
            let a = site.browser()
            try await a.login("admin")
            let page = try await a.get(SiteURL.indicators.path)
            #expect(page.status == .ok && page.body.string.contains("JZ-E01") && page.body.string.contains("form class=\"tune\""))
            let token = try #require(Browser.csrf(in: page))
            let saved = try await a.post(SiteURL.indicatorTune("JZ-E01").path, form: ["_csrf": token, "points": "25", "severity": "critical", "deadline": "3"])
            #expect(saved.status == .seeOther)
            let after = try await a.get(SiteURL.indicators.path + "?done=JZ-E01")
            #expect(after.body.string.contains("已保存 JZ-E01"))
            #expect(try await a.post(SiteURL.indicatorTune("JZ-E01").path, form: ["_csrf": token, "points": "-1", "severity": "low", "deadline": "3"]).status == .badRequest)
            let audited = try await (site.app.db as! any SQLDatabase).select().column("detail").from("audit_entries").where("action", .equal, "tuneIndicators").all()
            #expect(audited.count == 1)
            // Others read the catalogue but cannot change it.
            let c = site.browser()
            try await c.login("coordinator")
            let seen = try await c.get(SiteURL.indicators.path)
            #expect(seen.status == .ok && !seen.body.string.contains("form class=\"tune\""))
            #expect(try await c.post(SiteURL.indicatorTune("JZ-E01").path, form: ["_csrf": try #require(Browser.csrf(in: seen)), "points": "1", "severity": "low", "deadline": "3"]).status == .forbidden)
        }
    }
}

/// Background screenings: one at a time per area, and all stopped when the server stops.
@Suite struct ScreeningJobsTests {
    @Test func oneRunAtATimePerAreaAndAllStopWithTheServer() async throws {
        let jobs = ScreeningJobs()
        let logger = Logger(label: "test")
        let city = try RegionCode("120100000000"), district = try RegionCode("120104000000"), other = try RegionCode("120105000000")
        let (gate, open) = AsyncStream<Void>.makeStream()
        try await jobs.start(UUID(), region: district, logger: logger) { for await _ in gate {} }
        // The same district, or the city that contains it, waits; another district does not.
        await #expect(throws: ScreeningJobs.Overlap.self) { try await jobs.start(UUID(), region: district, logger: logger) {} }
        await #expect(throws: ScreeningJobs.Overlap.self) { try await jobs.start(UUID(), region: city, logger: logger) {} }
        try await jobs.start(UUID(), region: other, logger: logger) {}
        open.finish()
        await jobs.waitForAll()
        #expect(await jobs.isIdle)
        // Once they end, the city may run; stopping the server cancels a run that would go on for an hour.
        try await jobs.start(UUID(), region: city, logger: logger) { try await Task.sleep(for: .seconds(3600)) }
        #expect(await !jobs.isIdle)
        await jobs.cancelAll()
        #expect(await jobs.isIdle)
    }
}
