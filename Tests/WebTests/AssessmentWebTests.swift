import Domain
import Foundation
import Logging
import NIOCore
import SQLKit
@testable import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// Every log line of this test process, so a test can prove that something was never logged. A value, as log handlers
/// must be: a logger's metadata is set on its own copy (PostgresNIO sets it on every query, from many threads at once),
/// so a shared instance would be written to concurrently.
struct LogCapture: LogHandler, @unchecked Sendable {
    nonisolated(unsafe) static var lines: [String] = []
    static let lock = NSLock()
    static let installed: Bool = {
        LoggingSystem.bootstrap { _ in LogCapture() }
        return true
    }()

    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        Self.lock.lock()
        Self.lines.append("\(message) \(all)")
        Self.lock.unlock()
    }

    static func contains(_ text: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return lines.contains { $0.contains(text) }
    }
}

@Suite struct AssessmentWebTests {
    static let request = """
    {"date": "2025-03-15", "region": "120104901001",
     "members": [{"id": "a", "name": "测试", "relation": "head", "birthDate": "1940-05-05", "selfCareUnableActivities": 4, "legalSupporter": "none"}]}
    """

    @Test func theCalculatorAPIAnswersWithoutSigningIn() async throws {
        try await TestSite.with(households: 10) { site in
            // act
            let res = try await site.app.testing().sendRequest(.POST, SiteURL.apiAssessments.path,
                                                                headers: ["Content-Type": "application/json"], body: ByteBuffer(string: Self.request))
            // check
            #expect(res.status == .ok)
            let a = try JSONDecoder().decode(Assessment.self, from: Data(res.body.readableBytesView))
            #expect(a.decision(.tekun, member: "a")?.amountCents == Int64(152_100 + 150_000))
            #expect(a.decision(.tekun, member: "a")?.steps.isEmpty == false)
            #expect(res.headers[.setCookie].isEmpty)
            // and bad input names the field
            let bad = try await site.app.testing().sendRequest(.POST, SiteURL.apiAssessments.path, headers: ["Content-Type": "application/json"],
                                                                body: ByteBuffer(string: #"{"date": "2025-02-30", "region": "120104901001", "members": []}"#))
            #expect(bad.status == .badRequest)
            // in Chinese for people, and by its path in the English code beside it
            #expect(bad.body.string.contains("评估日期有误") && bad.body.string.contains("\"code\":\"invalid input body: date"))
        }
    }

    @Test func aRegistryHouseholdsAssessmentIsScopedLikeItsProfile() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login("coordinator")
            // act
            let inside = try await b.get(SiteURL.apiHouseholdAssessment(site.inside.household.id).path + "?date=2026-11-22")
            let outside = try await b.get(SiteURL.apiHouseholdAssessment(site.outside.household.id).path)
            // check
            #expect(inside.status == .ok)
            let a = try JSONDecoder().decode(Assessment.self, from: Data(inside.body.readableBytesView))
            #expect(a.figures.countedMembers <= site.inside.members.count)
            #expect(a.decision(.dibao) != nil)
            #expect(outside.status == .notFound)
        }
    }

    @Test func theProfilePageShowsTheAssessmentWithItsReasons() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login("coordinator")
            // act
            let html = try await b.get(SiteURL.household(site.inside.household.id).path).body.string
            // check
            #expect(html.contains("政策计算器评估"))
            #expect(html.contains("最低生活保障"))
            #expect(html.contains("计算依据"))
            #expect(html.contains("DB 23") || html.contains("DB 13"))
            // Parameters by their Chinese names and regions by name, not keys and codes.
            #expect(html.contains("低保标准：") && !html.contains("dibaoStandard"))
            #expect(html.contains("（天津市，") && !html.contains("区划 120000000000"))
        }
    }

    @Test func selfAssessmentStoresAndLogsNothing() async throws {
        _ = LogCapture.installed
        // Everything the application logs, down to trace, reaches the capture.
        try await TestSite.with(households: 10, logLevel: .trace) { site in
            let sql = site.app.db as! any SQLDatabase
            let tables = ["households", "members", "facts", "enrolments", "users", "audit_entries", "settings", "_fluent_sessions"]
            func counts() async throws -> [Int] {
                var out: [Int] = []
                for t in tables { out.append(try await sql.raw("SELECT count(*) AS n FROM \(unsafeRaw: t)").first()!.decode(column: "n", as: Int.self)) }
                return out
            }
            let before = try await counts()
            // a resident with tell-tale values
            let marker = "987654.32"
            var form = ["district": "120104000000", "m0_birth": "1948-08-08", "m0_income": "321.09", "m0_incomeKind": "residentPension",
                        "m0_selfcare": "5", "m0_supporter": "none", "deposits": marker]
            // act
            let page = try await site.app.testing().sendRequest(.GET, SiteURL.selfAssessment.path)
            let res = try await site.browser().post(SiteURL.selfAssessment.path, form: form)
            // check: an answer…
            #expect(page.status == .ok)
            #expect(res.status == .ok)
            #expect(res.body.string.contains("评估结果"))
            #expect(res.body.string.contains("特困人员救助供养"))
            #expect(res.body.string.contains("乡镇人民政府（街道办事处）"))
            // …and no trace: no session, no rows, nothing in any log line
            #expect(res.headers[.setCookie].isEmpty)
            #expect(try await counts() == before)
            #expect(!LogCapture.contains(marker))
            #expect(!LogCapture.contains("321.09"))
            // the capture does see this test's requests (so the check above could fail)
            #expect(LogCapture.contains(SiteURL.selfAssessment.path))
            // a mistake is explained and names the field
            form["m0_birth"] = "1948-02-30"
            let bad = try await site.browser().post(SiteURL.selfAssessment.path, form: form)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("第1位成员的出生日期"))
        }
    }

    @Test func selfAssessmentFormMapsToTheInterchangeFormat() throws {
        let districts = try RegionReference.bundled().children(of: RegionCode("120100000000"))
        let form = SelfAssessmentPage.Form(fields: [
            "district": "120116000000", "m0_birth": "1980-01-01", "m0_income": "1800", "m0_work": "employed",
            "m1_birth": "2012-05-05", "m1_relation": "child", "m1_school": "on", "m1_disability": "intellectual", "m1_grade": "2",
            "deposits": "5000", "vehicle": "disabled", "vehicleValue": "30000", "homes": "1",
        ])
        let r = try form.request(date: LocalDate("2025-03-15"), districts: districts)
        #expect(r.region.value == "120116000000")
        #expect(r.members.count == 2)
        #expect(r.members[1].disability == DisabilityInput(category: .intellectual, grade: 2))
        #expect(r.incomes?.first?.amountCents == 180_000)
        #expect(r.assets?.contains { $0.kind == .vehicle && $0.forDisabledMember == true } == true)
        #expect(throws: SelfAssessmentPage.SelfAssessmentError.self) {
            try SelfAssessmentPage.Form(fields: ["district": "120116000000"]).request(date: LocalDate("2025-03-15"), districts: districts)
        }
    }
}

@Suite struct SimulationWebTests {
    @Test func cityAdminsSimulateCoordinatorsMayNot() async throws {
        try await TestSite.with(households: 150) { site in
            let admin = site.browser()
            try await admin.login("admin")
            let page = try await admin.get(SiteURL.simulation.path)
            #expect(page.status == .ok)
            // act
            let res = try await admin.post(SiteURL.simulation.path, form: ["_csrf": Browser.csrf(in: page)!, "parameter": "dibaoStandard", "percent": "10",
                                                                           "region": "120104000000", "from": "2026-07-01"])
            // check
            #expect(res.status == .ok)
            let html = res.body.string
            #expect(html.contains("测算结果"))
            #expect(html.contains("合计"))
            #expect(html.contains("南开区"))
            #expect(html.contains("<svg"))
            #expect(html.contains("测算结果：低保标准 +10%（2026-07-01 起），适用于南开区") && html.contains("data-action=\"print\""))
            // Absurd inputs come back in the form, said in Chinese, with what was typed; nothing is simulated.
            let token = Browser.csrf(in: page)!
            for (percent, from, message) in [("-150", "2026-07-01", "调整幅度"), ("900", "2026-07-01", "调整幅度"), ("abc", "2026-07-01", "请填写整数百分比"),
                                             ("5", "2099-01-01", "生效日期"), ("5", "1990-01-01", "生效日期"), ("5", "2026-02-31", "请填写有效日期")] {
                let refused = try await admin.post(SiteURL.simulation.path, form: ["_csrf": token, "parameter": "dibaoStandard", "percent": percent,
                                                                                   "region": "120104000000", "from": from])
                #expect(refused.status == .badRequest && refused.body.string.contains(message) && !refused.body.string.contains("测算结果"),
                        Comment(rawValue: "\(percent) \(from)"))
                #expect(refused.body.string.contains("value=\"\(percent)\""))
            }
            let auditor = Actor(userID: nil, username: "auditor", role: .auditor, jurisdiction: try RegionCode("120100000000"), origin: "test")
            #expect(try await AuditLog(site.app.db).recent(actor: auditor, action: .simulation).count == 1)
            // a coordinator has no simulation page
            let coordinator = site.browser()
            try await coordinator.login("coordinator")
            #expect(try await coordinator.get(SiteURL.simulation.path).status == .forbidden)
        }
    }
}

@Suite struct ImportWebTests {
    static func multipart(_ fields: [String: String], file: (name: String, content: Data)) -> (String, ByteBuffer) {
        let boundary = "jiuzhu-\(UUID().uuidString)"
        var body = Data()
        for (k, v) in fields {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n".utf8)
        }
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += file.content
        body += Data("\r\n--\(boundary)--\r\n".utf8)
        return ("multipart/form-data; boundary=\(boundary)", ByteBuffer(data: body))
    }

    /// While a file is imported its page shows the rows done and asks the browser to reload; another file of
    /// the same feed is not started, and the officer is told why.
    @Test func aRunningImportShowsItsProgressAndHoldsItsFeed() async throws {
        try await TestSite.with(households: 5) { site in
            let b = site.browser()
            try await b.login("dataofficer")
            let token = try #require(Browser.csrf(in: try await b.get(SiteURL.imports.path)))
            let (gate, open) = AsyncStream<Void>.makeStream()
            let (committing, commit) = AsyncStream<Void>.makeStream()
            let (started, begun) = AsyncStream<Void>.makeStream()
            let id = try site.app.importJobs.start(feed: "medical-insurance-claims", file: "大文件.csv", username: "dataofficer", logger: site.app.logger) { progress in
                progress.rows(12_000)
                begun.yield()
                for await _ in committing { break }
                progress.committed()
                begun.yield()
                for await _ in gate {}
                return FeedImporter.Report(feed: "medical-insurance-claims", file: "大文件.csv", fileHash: "h")
            }
            var steps = started.makeAsyncIterator()
            _ = await steps.next()
            // act
            let page = try await b.get(SiteURL.importJob(id).path)
            commit.yield()
            _ = await steps.next()
            let screening = try await b.get(SiteURL.importJob(id).path)
            let csv = "身份证号,姓名,结算日期,个人自付金额,结算单号\n\(site.inside.members[0].nationalID.value),某,2026-10-01,1.00,WEB-9\n"
            let (type, body) = Self.multipart(["_csrf": token, "feed": "medical-insurance-claims"], file: ("又一个.csv", Data(csv.utf8)))
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: "\(Browser.cookieName)=\(b.cookie!)")
            headers.add(name: .contentType, value: type)
            let second = try await site.app.testing().sendRequest(.POST, SiteURL.imports.path, headers: headers, body: body)
            open.finish()
            await site.app.importJobs.waitForAll()
            // check
            #expect(page.status == .ok && page.headers.first(name: "Refresh") == String(ImportPage.reloadSeconds))
            #expect(page.body.string.contains("正在导入") && page.body.string.contains("已处理 12000 行"))
            #expect(screening.headers.first(name: "Refresh") != nil && screening.body.string.contains("文件已导入，正在筛查"))
            let location = try #require(second.headers.first(name: .location))
            #expect(second.status == .seeOther && location.hasPrefix(SiteURL.imports.path + "?busy="))
            #expect(try await b.get(location).body.string.contains("大文件.csv）正在导入，本次未开始"))
            #expect(site.app.importJobs.jobs(of: "dataofficer").count == 1)
        }
    }

    @Test func aDataOfficerUploadsAFileAndSeesTheReport() async throws {
        try await TestSite.with(households: 30) { site in
            let b = site.browser()
            try await b.login("dataofficer")
            let page = try await b.get(SiteURL.imports.path)
            #expect(page.status == .ok)
            let token = try #require(Browser.csrf(in: page))
            let m = site.inside.members[0]
            let csv = "身份证号,姓名,结算日期,个人自付金额,结算单号\n\(m.nationalID.value),\(m.name),2026-10-01,1888.00,WEB-1\n"
            // act: the file saved in GB 18030, as Excel would
            let (type, body) = Self.multipart(["_csrf": token, "feed": "medical-insurance-claims"],
                                              file: ("医保结算.csv", csv.data(using: FeedEncoding.gb18030Encoding)!))
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: "\(Browser.cookieName)=\(b.cookie!)")
            headers.add(name: .contentType, value: type)
            let res = try await site.app.testing().sendRequest(.POST, SiteURL.imports.path, headers: headers, body: body)
            // check: the page answers at once and sends the officer to the job, which shows the report when done
            #expect(res.status == .seeOther)
            let job = try #require(res.headers.first(name: .location))
            #expect(job.hasPrefix("/imports/jobs/"))
            await site.app.importJobs.waitForAll()
            let report = try await b.get(job)
            #expect(report.status == .ok && report.headers.first(name: "Refresh") == nil)
            #expect(report.body.string.contains("导入完成：医保结算.csv"))
            #expect(report.body.string.contains("已关联到人"))
            #expect(report.body.string.contains("随后重新筛查数据有变化的 1 户"))
            let history = try await b.get(SiteURL.imports.path)
            #expect(history.body.string.contains("医保结算.csv"))
            #expect(history.body.string.contains("我最近的上传") && history.body.string.contains(job))
            // a bad file is refused with the row and column named
            let bad = "身份证号,姓名,结算日期,个人自付金额,结算单号\n\(m.nationalID.value),\(m.name),2026-02-30,1.00,WEB-2\n"
            let (type2, body2) = Self.multipart(["_csrf": token, "feed": "medical-insurance-claims"], file: ("bad.csv", Data(bad.utf8)))
            headers.replaceOrAdd(name: .contentType, value: type2)
            let refused = try await site.app.testing().sendRequest(.POST, SiteURL.imports.path, headers: headers, body: body2)
            await site.app.importJobs.waitForAll()
            let refusal = try await b.get(try #require(refused.headers.first(name: .location)))
            #expect(refusal.status == .unprocessableEntity)
            #expect(refusal.body.string.contains("bad.csv 第2行「结算日期」"))
            // accepted partially: the good row goes in, and the rejected ones can be downloaded with their reasons
            let mixed = "身份证号,姓名,结算日期,个人自付金额,结算单号\n\(m.nationalID.value),\(m.name),2026-10-02,2.00,WEB-3\n\(m.nationalID.value),\(m.name),2026-02-30,1.00,WEB-4\n"
            let (type3, body3) = Self.multipart(["_csrf": token, "feed": "medical-insurance-claims", "acceptPartial": "on"], file: ("mixed.csv", Data(mixed.utf8)))
            headers.replaceOrAdd(name: .contentType, value: type3)
            let partial = try await site.app.testing().sendRequest(.POST, SiteURL.imports.path, headers: headers, body: body3)
            await site.app.importJobs.waitForAll()
            let partialJob = try #require(partial.headers.first(name: .location))
            let partialPage = try await b.get(partialJob)
            #expect(partialPage.status == .ok && partialPage.body.string.contains(partialJob + "/rejects.csv"))
            let rejects = try await b.get(partialJob + "/rejects.csv")
            #expect(rejects.headers.first(name: .contentType)?.hasPrefix("text/csv") == true)
            #expect(rejects.body.string.contains("3,结算日期,"))
            #expect(try await b.get(job + "/rejects.csv").status == .notFound)
            // someone else's upload is not theirs to see
            let a = site.browser()
            try await a.login("admin")
            #expect(try await a.get(job).status == .notFound)
            // coordinators have no import page
            let c = site.browser()
            try await c.login("coordinator")
            #expect(try await c.get(SiteURL.imports.path).status == .forbidden)
        }
    }
}
