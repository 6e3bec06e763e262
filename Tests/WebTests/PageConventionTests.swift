import Domain
import Foundation
import Store
import Testing
import VaporTesting
@testable import Web

/// Every page, as every role reaches it by following links from the home page, keeps the conventions that the
/// `Show` helpers implement: Beijing times (no UTC `…T…Z` text), region names (no bare 12-digit code), one ID
/// mask, Chinese names for policy parameters, and errors in Chinese. A page that bypasses a helper fails here.
@Suite(.serialized) struct PageConventionTests {
    /// Text a person reads: without scripts, styles, tags and their attributes, and without the small print that
    /// carries a code on purpose (`<small class="code">`).
    static func visibleText(_ html: String) -> String {
        var t = html
        for pattern in ["<script[\\s\\S]*?</script>", "<style[\\s\\S]*?</style>", "<small class=\"code\">[\\s\\S]*?</small>", "<[^>]+>"] {
            t = t.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return t.replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range, in: text).map { String(text[$0]) } }
    }

    /// What is wrong with one page, in words.
    static func violations(_ html: String, status: UInt) -> [String] {
        let text = visibleText(html)
        var out: [String] = []
        for t in matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}", in: text) { out.append("UTC time \(t)") }
        for c in matches("(?<![\\d*])\\d{12}(?![\\d*])", in: text) { out.append("region code without its name \(c)") }
        for m in matches("\\d{6}\\*+[0-9Xx]{1,4}", in: text) where m.filter({ $0 == "*" }).count != 8 || m.count != 18 {
            out.append("ID mask not by the one rule \(m)")
        }
        for key in ParameterNames.bundled.keys where text.contains(key) { out.append("parameter key \(key)") }
        for u in matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", in: text) { out.append("internal identifier \(u)") }
        for r in matches("[a-z][a-z-]+#[0-9]+|演示数据/[A-Za-z]+", in: text) { out.append("internal reference \(r)") }
        if status >= 400 {
            let main = visibleText(html.components(separatedBy: "<main>").dropFirst().first ?? html)
            if !main.unicodeScalars.contains(where: { (0x4E00...0x9FFF).contains($0.value) }) { out.append("error page without Chinese (\(status))") }
        }
        return out
    }

    @Test func theCheckSeesEachKindOfBypass() {
        #expect(Self.violations("<p>2026-12-06T07:04:11.123Z</p>", status: 200).count == 1)
        #expect(Self.violations("<p>区域 120104901001</p>", status: 200).count == 1)
        #expect(Self.violations("<p><span title=\"120104901001\">某社区</span><small class=\"code\">120104901001</small></p>", status: 200).isEmpty)
        #expect(Self.violations("<p>120104*******4077</p>", status: 200).count == 1)
        #expect(Self.violations("<p>120104********4077</p>", status: 200).isEmpty)
        #expect(Self.violations("<p>参数 dibaoStandard = 1</p>", status: 200).count == 1)
        #expect(Self.violations("<li>困难残疾人生活补贴（dbd57907-b69e-4cf4-9abd-8d7b2d0b3b07）</li>", status: 200).count == 1)
        #expect(Self.violations("<li>火化记录（编号：funeral-cremation#2 DEMO-H-2）</li><td>演示数据/pension</td>", status: 200).count == 2)
        #expect(Self.violations("<main><p>Payload Too Large</p></main>", status: 413).count == 1)
        #expect(Show.maskedID("120104198503120014") == "120104********0014")
        #expect(Show.maskedID("12010419850312001") == "120104********2001")   // a 17-character typo: the same shape
        #expect(Show.time("2026-12-06T16:04:11.123Z") == "2026-12-07 00:04")    // Beijing is UTC+8
        #expect(Show.time("2026-12-06T16:04:11Z") == "2026-12-07 00:04")
    }

    /// A warning's calculator lines name the person a personal programme is for, and say what each comes to.
    @Test func calculatorLinesNameThePersonAndTheAmount() throws {
        func decision(_ json: String) throws -> Decision { try JSONDecoder().decode(Decision.self, from: Data(json.utf8)) }
        let member = "dbd57907-b69e-4cf4-9abd-8d7b2d0b3b07"
        let personal = try decision(#"{"program":"disabilityLiving","member":"\#(member)","outcome":"qualifies","amountCents":10000,"amountKind":"perMonth","summary":"","steps":[],"changes":[],"notes":[]}"#)
        let line = WarningPages.decisionLine(personal, memberNames: [member: "李静"])
        #expect(line == "【符合】\(Program.disabilityLiving.chinese)（李静）：每月 ¥100.00", Comment(rawValue: line))
        #expect(Self.violations("<li>\(line)</li>", status: 200).isEmpty)
        let household = try decision(#"{"program":"medical","outcome":"qualifies","amountCents":0,"amountKind":"none","summary":"","steps":[],"changes":[],"notes":[]}"#)
        #expect(!WarningPages.decisionLine(household, memberNames: [:]).hasSuffix("："))
    }

    /// On a phone the header is one line with a menu, list filters fold under a button, and the profile has a
    /// contents bar to its sections (the CSS that shows and hides them is checked in Chromium by the walkthrough).
    @Test func phonePagesFoldTheirMenuFiltersAndSections() async throws {
        try await TestSite.with(households: 30) { site in
            let b = site.browser()
            try await b.login("township")
            let home = try await b.get("/")
            #expect(home.body.string.contains("class=\"menu-toggle\"") && home.body.string.contains("<div class=\"menu\"><nav class=\"nav\">"))
            let inbox = try await b.get(SiteURL.warnings(query: nil).path).body.string
            #expect(inbox.contains("<div class=\"fold-body\"><form class=\"filters panel\""))
            let profile = try await b.get(SiteURL.household(site.inside.household.id).path).body.string
            for id in ["assessment", "members", "programs", "dimensions", "timeline"] {
                #expect(profile.contains("href=\"#\(id)\"") && profile.contains("id=\"\(id)\""))
            }
            #expect(profile.contains("data-action=\"print\"") && home.body.string.contains("<script src=\"\(SiteURL.script.path)\""))
        }
    }

    @Test func everyPageAsEveryRoleFollowsTheConventions() async throws {
        try await TestSite.with(households: 150) { site in
            // Give the pages something to show: a screening (runs, warnings, actions) and a read in the audit log.
            let started = Date()
            _ = try await site.cityAdminAfterScreening()
            try await DemoSetup.handleSomeWarnings(db: site.app.db, setup: site.app.storage[PolicyKey.self]!.monitoring, since: started,
                                                   city: site.city.city.code)
            var failures: [String] = []
            var pagesSeen = 0
            for account in site.accounts {
                let b = site.browser()
                try await b.login(account.username)
                var queue = ["/"], seen = Set<String>(), perShape: [String: Int] = [:]
                while let path = queue.first, seen.count < 60 {
                    queue.removeFirst()
                    guard seen.insert(path).inserted else { continue }
                    let res = try await b.get(path)
                    guard res.headers.contentType?.subType == "html" else { continue }
                    pagesSeen += 1
                    let html = res.body.string
                    for v in Self.violations(html, status: res.status.code) { failures.append("\(account.username) \(path): \(v)") }
                    for href in Self.matches("href=\"(/[^\"#]*)\"", in: html) {
                        let link = String(href.dropFirst(6).dropLast()).replacingOccurrences(of: "&amp;", with: "&")
                        guard !link.hasPrefix(SiteURL.staticRoot), !link.hasPrefix(SiteURL.apiRoot), !link.contains("format=") else { continue }
                        // A few of each kind of page (one warning is like another), so every kind is reached.
                        let shape = String(link.prefix { $0 != "?" }).replacingOccurrences(of: "[0-9a-fA-F-]{8,}|\\d+", with: "N", options: .regularExpression)
                        guard perShape[shape, default: 0] < 2, !seen.contains(link) else { continue }
                        perShape[shape, default: 0] += 1
                        queue.append(link)
                    }
                }
            }
            #expect(pagesSeen > 60)
            #expect(failures.isEmpty, Comment(rawValue: "\(failures.count) violations:\n" + failures.prefix(40).joined(separator: "\n")))
        }
    }
}

/// The framework's English never reaches a person: a query it cannot read, a body over the limit, an empty login.
@Suite struct ChineseErrorTests {
    @Test func frameworkErrorsAreSaidInChineseAndTheAPIKeepsAnEnglishCode() async throws {
        try await TestSite.with(households: 20) { site in
            let b = site.browser()
            // An empty login is the login form again, with what was typed and the message.
            let page = try await b.get(SiteURL.login.path)
            let token = try #require(Browser.csrf(in: page))
            let empty = try await b.post(SiteURL.login.path, form: ["_csrf": token, "username": "township"])
            #expect(empty.status == .badRequest && empty.body.string.contains("请填写密码") && empty.body.string.contains("value=\"township\""))
            let none = try await b.post(SiteURL.login.path, form: ["_csrf": token])
            #expect(none.status == .badRequest && none.body.string.contains("请填写用户名"))
            try await b.login("township")
            // A page number that is not a number: the list's first page, not "Value was not of type 'Int'".
            let words = try await b.get(SiteURL.warnings(query: "page=abc").path)
            #expect(!words.body.string.contains("Value was not") && !words.body.string.contains("at path"))
            #expect(PageConventionTests.violations(words.body.string, status: words.status.code).isEmpty, Comment(rawValue: PageConventionTests.visibleText(words.body.string)))
            // A body over the limit (the limit itself is #25's) and any other refusal of the framework's.
            let (status, tooLarge) = ErrorPageMiddleware.classify(Abort(.payloadTooLarge))
            #expect(status == .payloadTooLarge && tooLarge.contains("提交的内容过大") && tooLarge.contains("jiuzhu import"))
            #expect(ErrorPageMiddleware.isChinese(ErrorPageMiddleware.classify(Abort(.methodNotAllowed)).1))
            #expect(ErrorPageMiddleware.isChinese(ErrorPageMiddleware.classify(Abort(.badRequest, reason: "Invalid JSON")).1))
            // The API: Chinese for people, an English code beside it.
            let api = try await b.get(SiteURL.apiHouseholdSearch(query: "").path)
            #expect(api.status == .badRequest)
            let body = try JSONSerialization.jsonObject(with: Data(api.body.string.utf8)) as? [String: [String: Any]]
            let message = try #require(body?["error"]?["message"] as? String)
            #expect(ErrorPageMiddleware.isChinese(message))
            #expect(body?["error"]?["code"] is String)
        }
    }

    @Test func aDecodingErrorNamesTheFieldInChinese() {
        struct Form: Decodable { var page: Int }
        do {
            _ = try JSONDecoder().decode(Form.self, from: Data(#"{"page":"abc"}"#.utf8))
            Issue.record("decoded")
        } catch let e as DecodingError {
            #expect(ErrorPageMiddleware.chinese(e) == "“页码”的格式不对，请检查后重试")
        } catch { Issue.record("\(error)") }
    }
}
