import Domain
import Fluent
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// The defects #25 found in signing in: a lockout parallel guesses got round, no limit per address, a locked account
/// still signed in, unknown usernames answered faster, an unknown role read as auditor, no floor for bcrypt's cost,
/// and the audit's origin taken from whoever wrote `X-Forwarded-For`.
@Suite struct SignInDefenceTests {
    /// The failed sign-ins the audit log holds for `username`.
    static func failures(_ site: TestSite, _ username: String, _ action: AuditAction = .loginFailed) async throws -> [AuditEntry] {
        let city = site.account(.cityAdmin).region.code
        let auditor = Actor(userID: nil, username: "auditor", role: .auditor, jurisdiction: city, origin: "test")
        return try await AuditLog(site.app.db).search(actor: auditor, filter: AuditFilter(action: action, targetID: username.isEmpty ? nil : username),
                                                      offset: 0, limit: 100).entries
    }

    @Test func parallelGuessesEachTakeAPlaceSoNoMoreThanTheLimitAreChecked() async throws {
        try await TestSite.with(lockoutFailures: 3) { site in
            // setup: twenty browsers, each with its login form
            var forms: [(Browser, String)] = []
            for _ in 0..<20 {
                let b = site.browser()
                forms.append((b, try #require(Browser.csrf(in: try await b.get("/login")))))
            }
            // act: twenty wrong passwords at once
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (i, (b, token)) in forms.enumerated() {
                    group.addTask { try await b.post("/login", form: ["_csrf": token, "username": "township", "password": "guess-\(i)"]).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // check: three were checked (the third took the lock); the rest were refused unchecked
            #expect(try await Self.failures(site, "township").count == 3)
            #expect(try await Self.failures(site, "township", .accountLocked).count == 1)
            #expect(statuses.filter { $0 == .unauthorized }.count == 2)
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 18)
            #expect(try await site.browser().login("township").status == .tooManyRequests, "the right password waits for the lock too")
        }
    }

    @Test func oneAddressGuessingAcrossAccountsIsStopped() async throws {
        try await TestSite.with(lockoutFailures: 3, adjust: { $0.loginAddressFailures = 4 }) { site in
            // setup: successes give their place back, so an office signing in every morning is never counted
            for _ in 0..<6 { #expect(try await site.browser().login("reviewer").status == .seeOther) }
            // act: four failures, two per account, none of them locked
            for name in ["township", "township", "coordinator", "coordinator"] {
                #expect(try await site.browser().login(name, password: "wrong").status == .unauthorized)
            }
            // check: the address is stopped, even with a right password, and before any password is checked
            let fifth = try await site.browser().login("admin")
            #expect(fifth.status == .tooManyRequests)
            #expect(fifth.body.string.contains("登录失败次数过多"))
            #expect(try await Self.failures(site, "admin", .loginThrottled).count == 1)
            #expect(try await Self.failures(site, "admin").isEmpty)
        }
    }

    @Test func aLockEndsTheAccountsOpenSessions() async throws {
        try await TestSite.with(lockoutFailures: 3) { site in
            let signedIn = site.browser()
            try await signedIn.login("coordinator")
            #expect(try await signedIn.get("/").status == .ok)
            // someone else guesses the coordinator's password three times
            for i in 0..<3 { _ = try await site.browser().login("coordinator", password: "guess-\(i)") }
            let home = try await signedIn.get("/")
            #expect(home.status == .seeOther && home.headers.first(name: .location) == SiteURL.login.path)
            #expect(try await signedIn.get(SiteURL.apiWarnings.path).status == .unauthorized)
            #expect(signedIn.cookie == nil, "the ended session's cookie is cleared")
        }
    }

    @Test func unknownUsernamesCostTheSameAndAreAudited() async throws {
        try await TestSite.with { site in
            // The hash unknown names are checked against has the configured cost (4 in tests; 12 in production).
            let parts = site.app.dummyPasswordHash.split(separator: "$")
            #expect(parts.count >= 3 && Int(parts[1]) == site.app.storage[AppConfigKey.self]!.bcryptCost)
            let res = try await site.browser().login("nobody-here", password: "whatever")
            #expect(res.status == .unauthorized)
            let logged = try await Self.failures(site, "nobody-here")
            #expect(logged.count == 1 && logged.first?.detail == "用户名不存在" && logged.first?.username == "public")
            // A pasted text in the username field is refused at the edge and neither stored nor echoed whole.
            let long = String(repeating: "口令", count: 3_000)
            let b = site.browser()
            let page = try await b.get("/login")
            let refused = try await b.post("/login", form: ["_csrf": try #require(Browser.csrf(in: page)), "username": long, "password": "x"])
            #expect(refused.status == .badRequest)
            #expect(refused.body.string.contains("用户名不超过40个字符"))
            #expect(!refused.body.string.contains(String(repeating: "口令", count: 21)))
            // A megabyte is refused too (over a real connection it is not even read: `ServerMemoryTests`).
            let huge = try await b.post("/login", form: ["_csrf": try #require(Browser.csrf(in: refused)), "username": String(repeating: "a", count: 1 << 20), "password": "x"])
            #expect(huge.status == .badRequest || huge.status == .payloadTooLarge)
            #expect(huge.body.readableBytes < 64 << 10)
        }
    }

    @Test func anUnknownRoleGrantsNothing() async throws {
        try await TestSite.with { site in
            let signedIn = site.browser()
            try await signedIn.login("township")
            let sql = site.app.db as! any SQLDatabase
            try await sql.update("users").set("role", to: "superuser").where("username", .equal, "township").run()
            // the open session ends, signing in answers as a wrong password does, and the store says why
            #expect(try await signedIn.get("/").status == .seeOther)
            #expect(try await site.browser().login("township").status == .unauthorized)
            await #expect(throws: UserStoreError.unknownRole(username: "township", role: "superuser")) {
                try await UserStore(site.app.db).find(username: "township")
            }
        }
    }

    @Test func bcryptsCostHasAFloorAndProxiesAreNamedByAddress() throws {
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_BCRYPT_COST": "9"]) }
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_BCRYPT_COST": "32"]) }
        #expect(try AppConfig.from(environment: ["JIUZHU_BCRYPT_COST": "10"]).bcryptCost == 10)
        #expect(try AppConfig.from(environment: [:]).bcryptCost == 12)
        #expect(try AppConfig.from(environment: ["JIUZHU_TRUSTED_PROXIES": "10.0.0.2, ::1"]).trustedProxies == ["10.0.0.2", "::1"])
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_TRUSTED_PROXIES": "proxy.internal"]) }
        #expect(try AppConfig.from(environment: ["JIUZHU_LOGIN_ADDRESS_FAILURES": "50"]).loginAddressFailures == 50)
    }

    @Test func forwardedForIsBelievedOnlyFromAConfiguredProxy() {
        let proxies: Set<String> = ["10.0.0.2", "10.0.0.3"]
        // from the proxy: the nearest address that is not one of ours
        #expect(ClientAddress.resolve(remote: "10.0.0.2", forwardedFor: ["203.0.113.9, 10.0.0.3"], trusted: proxies) == "203.0.113.9")
        // what the client wrote itself, left of what our proxy saw, is not believed
        #expect(ClientAddress.resolve(remote: "10.0.0.2", forwardedFor: ["6.6.6.6, 203.0.113.9"], trusted: proxies) == "203.0.113.9")
        #expect(ClientAddress.resolve(remote: "10.0.0.2", forwardedFor: ["6.6.6.6", "203.0.113.9"], trusted: proxies) == "203.0.113.9")
        // not from a proxy: the header is anyone's
        #expect(ClientAddress.resolve(remote: "198.51.100.7", forwardedFor: ["203.0.113.9"], trusted: proxies) == "198.51.100.7")
        // junk or nothing: the proxy's own address
        #expect(ClientAddress.resolve(remote: "10.0.0.2", forwardedFor: ["<script>"], trusted: proxies) == "10.0.0.2")
        #expect(ClientAddress.resolve(remote: "10.0.0.2", forwardedFor: [], trusted: proxies) == "10.0.0.2")
        #expect(ClientAddress.resolve(remote: "10.0.0.2", forwardedFor: ["2001:db8::5"], trusted: proxies) == "2001:db8::5")
        #expect(ClientAddress.resolve(remote: nil, forwardedFor: ["203.0.113.9"], trusted: proxies) == nil)
    }

    /// Over a real connection: the audit's origin is the client's behind our proxy, and the connection's otherwise.
    @Test func theAuditOriginFollowsTheTrustedProxy() async throws {
        for trusted in [true, false] {
            try await TestSite.with(adjust: { $0.trustedProxies = trusted ? ["127.0.0.1"] : [] }) { site in
                let live = try site.app.testing(method: .running(hostname: "127.0.0.1", port: 0))
                let page = try await live.sendRequest(.GET, "/login")
                let cookie = try #require(page.headers[.setCookie].first { $0.hasPrefix("jiuzhu_csrf=") }).prefix { $0 != ";" }
                var headers = HTTPHeaders()
                headers.add(name: .cookie, value: String(cookie))
                headers.add(name: .xForwardedFor, value: "203.0.113.9")
                headers.contentType = .urlEncodedForm
                let token = try #require(Browser.csrf(in: page))
                let res = try await live.sendRequest(.POST, "/login", headers: headers,
                                                     body: ByteBuffer(string: "_csrf=\(token)&username=nobody-here&password=x"))
                #expect(res.status == .unauthorized)
                let origin = try await Self.failures(site, "nobody-here").first?.origin
                #expect(origin == (trusted ? "203.0.113.9" : "127.0.0.1"))
            }
        }
    }

    @Test func theScreeningAPIWaitsItsTurnAsThePageDoes() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login(site.account(.cityAdmin).username)
            let token = try #require(Browser.csrf(in: try await b.get(SiteURL.monitoring.path)))
            // setup: a run over the whole city is going on (held open until the test lets it finish)
            let city = site.account(.cityAdmin).region.code
            let gate = AsyncStream<Void>.makeStream()
            let holding = Task {
                try await site.app.screeningJobs.run(UUID(), region: city) { for await _ in gate.stream {} }
            }
            while await site.app.screeningJobs.isIdle { try await Task.sleep(for: .milliseconds(5)) }
            // act: the API asks for a district inside it
            let district = site.account(.countyReviewer).region.code
            let busy = try await b.sendJSON(.POST, SiteURL.apiScreenings.path, json: #"{"region":"\#(district.value)"}"#, csrf: token)
            // check
            #expect(busy.status == .conflict)
            #expect(busy.body.string.contains("正在进行"))
            gate.continuation.finish()
            try await holding.value
            #expect(try await b.sendJSON(.POST, SiteURL.apiScreenings.path, json: #"{"region":"\#(district.value)"}"#, csrf: token).status == .ok)
        }
    }

    /// Searches (their terms masked) and refusals are in the audit log, as sign-ins are.
    @Test func searchesAndRefusalsAreAudited() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login("township")
            let id = try #require(site.inside.members.first?.nationalID)
            // a whole number in a URL is not searched (nor audited as a search); the form posts it
            let inURL = try await b.get(SiteURL.householdSearch(query: id.value).path)
            #expect(inURL.status == .badRequest && inURL.body.string.contains("号码不会出现在网址中"))
            #expect(try await b.get(SiteURL.apiHouseholdSearch(query: id.value).path).status == .badRequest)
            let form = try await b.get(SiteURL.householdSearch(query: nil).path)
            let posted = try await b.post(SiteURL.householdSearch(query: nil).path, form: ["_csrf": try #require(Browser.csrf(in: form)), "q": id.value])
            #expect(posted.status == .ok && posted.body.string.contains(SiteURL.household(site.inside.household.id).path))
            #expect(!posted.body.string.contains("format=csv"), "no export link carries the number")
            // other searches are sent on to the address that pages them
            let byName = try await b.post(SiteURL.householdSearch(query: nil).path, form: ["_csrf": try #require(Browser.csrf(in: form)), "q": "王"])
            #expect(byName.status == .seeOther && byName.headers.first(name: .location)?.contains("q=") == true)
            let api = try await b.sendJSON(.POST, SiteURL.apiHouseholdSearchByID.path, json: #"{"q":"\#(id.value)"}"#, csrf: Browser.csrf(in: form))
            #expect(api.status == .ok && !api.body.string.contains(id.value) && api.body.string.contains(site.inside.household.id.description))
            #expect(try await b.get(SiteURL.household(site.outside.household.id).path).status == .notFound)
            let searched = try await Self.failures(site, "", .search)
            #expect(searched.filter { $0.username == "township" && $0.targetID.hasPrefix("身份证号 ") }.count == 2, "the page's and the API's, not the refused URLs")
            let search = try #require(searched.first { $0.username == "township" })
            #expect(search.targetID == "身份证号 \(id.masked)" && !search.targetID.contains(id.value) && !search.detail.contains(id.value))
            let refused = try await Self.failures(site, "", .denied)
            #expect(refused.contains { $0.username == "township" && $0.targetID == SiteURL.household(site.outside.household.id).path && $0.detail.contains("404") })
        }
    }
}

/// Idle sessions end, disabled accounts stop at once, and a staff member changes their own password.
@Suite struct AccountTests {
    @Test func anIdleSessionEnds() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login("township")
            let idle = site.app.storage[AppConfigKey.self]!.idleTimeout
            #expect(idle == 30 * 60)
            // used every 29 minutes, it stays (each request counts as activity)
            for step in 1...3 {
                site.app.storage[ClockKey.self] = { Date().addingTimeInterval(Double(step) * (idle - 60)) }
                #expect(try await b.get("/").status == .ok, "step \(step)")
            }
            // left for more than the idle time, it ends
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(3 * (idle - 60) + idle + 60) }
            let res = try await b.get("/")
            #expect(res.status == .seeOther && res.headers.first(name: .location) == SiteURL.login.path)
        }
    }

    @Test func aDisabledAccountsSessionsEndAndItCannotSignIn() async throws {
        try await TestSite.with { site in
            let signedIn = site.browser()
            try await signedIn.login("coordinator")
            let admin = Actor(userID: nil, username: "sysadmin", role: .systemAdmin, jurisdiction: site.account(.systemAdmin).region.code, origin: "test")
            try await UserStore(site.app.db).setDisabled("coordinator", true, actor: admin)
            #expect(try await signedIn.get("/").status == .seeOther, "its session ended at the next request")
            let right = try await site.browser().login("coordinator")
            #expect(right.status == .forbidden && right.body.string.contains("已停用"))
            // a wrong password answers as for anyone: the account's state is told only to who knows its password
            let wrong = try await site.browser().login("coordinator", password: "not-the-password")
            #expect(wrong.status == .unauthorized && !wrong.body.string.contains("已停用"))
            try await UserStore(site.app.db).setDisabled("coordinator", false, actor: admin)
            #expect(try await site.browser().login("coordinator").status == .seeOther)
            let entries = try await SignInDefenceTests.failures(site, "coordinator", .disableUser)
            #expect(entries.count == 1)
        }
    }

    @Test func aPasswordIsChangedByItsOwnerAndOtherSessionsEnd() async throws {
        try await TestSite.with { site in
            let other = site.browser()
            try await other.login("township")
            let b = site.browser()
            try await b.login("township")
            let page = try await b.get(SiteURL.changePassword.path)
            #expect(page.status == .ok && page.body.string.contains("修改密码"))
            func change(_ current: String, _ new: String, _ confirm: String? = nil) async throws -> TestingHTTPResponse {
                let token = try #require(Browser.csrf(in: try await b.get(SiteURL.changePassword.path)))
                return try await b.post(SiteURL.changePassword.path, form: ["_csrf": token, "current": current, "new": new, "confirm": confirm ?? new])
            }
            let wrongCurrent = try await change("not-it-at-all", "a-good-new-phrase")
            #expect(wrongCurrent.status == .badRequest && wrongCurrent.body.string.contains("当前密码不正确"))
            #expect(!wrongCurrent.body.string.contains("a-good-new-phrase"), "passwords are never sent back")
            #expect(try await change(TestSite.password, "password2026").body.string.contains("常见密码"))
            #expect(try await change(TestSite.password, "a-good-new-phrase", "a-good-new-phrasf").body.string.contains("不一致"))
            let done = try await change(TestSite.password, "a-good-new-phrase")
            #expect(done.status == .ok && done.body.string.contains("密码已修改"))
            // this browser goes on; the other one was signed out; the old password no longer works, the new one does
            #expect(try await b.get("/").status == .ok)
            #expect(try await other.get("/").status == .seeOther)
            #expect(try await site.browser().login("township").status == .unauthorized)
            #expect(try await site.browser().login("township", password: "a-good-new-phrase").status == .seeOther)
        }
    }

    /// A public output (the notice board, posted in the community) that would show a mobile number or an ID is withheld.
    @Test func aPublicPageThatWouldShowANumberIsWithheld() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login("township")
            #expect(try await b.get(SiteURL.notices(region: nil).path).status == .ok)
            // someone typed a contact mobile into the street's name
            let street = site.account(.townshipOfficer).region.code
            try await (site.app.db as! any SQLDatabase).update("regions").set("name", to: "测试街道（联系 13912345678）").where("code", .equal, street.value).run()
            let board = try await b.get(SiteURL.notices(region: nil).path)
            #expect(board.status == .internalServerError && board.body.string.contains("手机号") && !board.body.string.contains("13912345678"))
            let withheld = try await SignInDefenceTests.failures(site, "", .publicOutputWithheld)
            #expect(withheld.count == 1 && withheld.first?.username == "township" && !(withheld.first?.detail.contains("13912345678") ?? true))
        }
    }
}
