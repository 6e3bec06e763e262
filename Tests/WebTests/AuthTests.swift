import Domain
import Fluent
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

@Suite struct AuthTests {
    @Test func signInRotatesTheSessionAndSignOutEndsIt() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            // setup: an anonymous session holding only the CSRF token
            let page = try await b.get("/login")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("工作人员登录"))
            let anonymous = b.cookie
            // act
            let res = try await b.post("/login", form: ["_csrf": Browser.csrf(in: page)!, "username": "coordinator", "password": TestSite.password])
            // check
            #expect(res.status == .seeOther)
            #expect(res.headers.first(name: .location) == "/")
            #expect(b.cookie != nil && b.cookie != anonymous)
            let home = try await b.get("/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("社区（村）协理员"))
            // a coordinator's home lists the households of their community
            #expect(home.body.string.contains(SiteURL.household(site.inside.household.id).path))
            // sign out needs the token too, then the pages are closed again
            let logout = try await b.post("/logout", form: ["_csrf": Browser.csrf(in: home)!])
            #expect(logout.status == .seeOther)
            let after = try await b.get("/")
            #expect(after.status == .seeOther)
            #expect(after.headers.first(name: .location) == "/login")
        }
    }

    /// The server ends a session a working day after sign-in, whatever the browser keeps.
    @Test func aSessionEndsAWorkingDayAfterSignIn() async throws {
        // (idle time is `AccountTests`' subject: here the session is idle no longer than a working day)
        try await TestSite.with(adjust: { $0.idleTimeout = 24 * 3600 }) { site in
            let b = site.browser()
            try await b.login("township")
            #expect(try await b.get(SiteURL.monitoring.path).status == .ok)
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(site.app.storage[AppConfigKey.self]!.sessionLifetime - 60) }
            #expect(try await b.get(SiteURL.monitoring.path).status == .ok, "still the same working day")
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(site.app.storage[AppConfigKey.self]!.sessionLifetime + 60) }
            let page = try await b.get(SiteURL.monitoring.path)
            #expect(page.status == .seeOther && page.headers.first(name: .location) == SiteURL.login.path)
            #expect(try await b.get(SiteURL.apiWarnings.path).status == .unauthorized)
            // The same browser signs in again at once (its login form's token holds).
            #expect(try await b.login("township").status == .seeOther)
            #expect(try await b.get(SiteURL.monitoring.path).status == .ok)
        }
    }

    static func sessionRows(_ site: TestSite) async throws -> Int {
        try await (site.app.db as! any SQLDatabase).select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from(SessionRecord.schema)
            .first()?.decode(column: "n", as: Int.self) ?? -1
    }

    /// Session records no one can use are deleted at the next sign-in: the table does not grow for ever.
    @Test func expiredSessionsArePurgedAtSignIn() async throws {
        try await TestSite.with() { site in
            func sessions() async throws -> Int { try await Self.sessionRows(site) }
            try await site.browser().login("township")
            #expect(try await sessions() == 1, "the staff session")
            // A visitor's login form, and a request with a cookie the server never made, store nothing.
            _ = try await site.browser().get("/login")
            let stranger = site.browser()
            stranger.cookies[Browser.cookieName] = "made-up-\(UUID())"
            _ = try await stranger.get("/login")
            _ = try await stranger.post("/login", form: ["username": "x", "password": "y"])
            #expect(try await sessions() == 1, "visitors leave no rows")
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(site.app.storage[AppConfigKey.self]!.sessionLifetime - 60) }
            try await site.browser().login("coordinator")
            #expect(try await sessions() == 2, "nothing is old enough yet")
            // 15 h 57 min after the first began, it is past a working day; the coordinator signed in 7 h 58 min ago.
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(2 * site.app.storage[AppConfigKey.self]!.sessionLifetime - 180) }
            try await site.browser().login("admin")
            #expect(try await sessions() == 2, "the first went; the coordinator's and the admin's stay")
        }
    }

    /// Besides at sign-ins, the server purges on a schedule: a quiet night leaves nothing behind.
    @Test func expiredSessionsArePurgedOnASchedule() async throws {
        try await TestSite.with() { site in
            func sessions() async throws -> Int { try await Self.sessionRows(site) }
            try await site.browser().login("township")
            let purge = SessionPurgeLifecycle(every: 0.05)
            try await purge.didBootAsync(site.app)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await sessions() == 1, "a session within its day stays")
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(site.app.storage[AppConfigKey.self]!.sessionLifetime + 60) }
            let deadline = Date().addingTimeInterval(10)
            while try await sessions() > 0, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            await purge.shutdownAsync(site.app)
            #expect(try await sessions() == 0, "no one signed in, and the day's session went")
        }
    }

    @Test func wrongPasswordAndUnknownUserGetTheSameAnswer() async throws {
        try await TestSite.with() { site in
            let wrong = try await site.browser().login("coordinator", password: "not-the-password")
            let unknown = try await site.browser().login("nobody-here", password: "not-the-password")
            #expect(wrong.status == .unauthorized)
            #expect(unknown.status == .unauthorized)
            #expect(wrong.body.string.contains("用户名或密码错误"))
            #expect(unknown.body.string.contains("用户名或密码错误"))
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRejected() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            _ = try await b.get("/login")
            // no token
            let none = try await b.post("/login", form: ["username": "coordinator", "password": TestSite.password])
            #expect(none.status == .forbidden)
            #expect(none.body.string.contains("表单已过期或来源不明"))
            // a token from another session
            let other = site.browser()
            let otherToken = Browser.csrf(in: try await other.get("/login"))!
            let forged = try await b.post("/login", form: ["_csrf": otherToken, "username": "coordinator", "password": TestSite.password])
            #expect(forged.status == .forbidden)
            // still not signed in
            #expect(try await b.get("/").status == .seeOther)
            // and a signed-in user cannot be logged out by a forged form
            try await b.login("coordinator")
            #expect(try await b.post("/logout", form: ["_csrf": "forged"]).status == .forbidden)
            #expect(try await b.get("/").status == .ok)
        }
    }

    @Test func repeatedFailuresLockTheAccount() async throws {
        try await TestSite.with(lockoutFailures: 3) { site in
            let b = site.browser()
            // act: three wrong passwords
            #expect(try await b.login("township", password: "wrong-1").status == .unauthorized)
            #expect(try await b.login("township", password: "wrong-2").status == .unauthorized)
            let third = try await b.login("township", password: "wrong-3")
            // check: locked, and now even the right password is refused
            #expect(third.status == .tooManyRequests)
            #expect(third.body.string.contains("账户已锁定"))
            let right = try await b.login("township")
            #expect(right.status == .tooManyRequests)
            #expect(try await b.get("/").status == .seeOther)
            // other accounts are unaffected
            #expect(try await site.browser().login("coordinator").status == .seeOther)
            // and the lock is in the audit log
            let auditor = site.account(.auditor)
            let actor = Actor(userID: nil, username: "auditor", role: .auditor, jurisdiction: auditor.region.code, origin: "test")
            let locked = try await AuditLog(site.app.db).recent(actor: actor, action: .accountLocked)
            #expect(locked.map(\.targetID) == ["township"])
        }
    }

    @Test func productionCookiesAreSecureAndProductionNeedsASecret() async throws {
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_ENV": "production"]) }
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": "short"]) }
        // Account numbers are encrypted at rest: production does not start without the key, nor with a malformed one.
        let key = Data(repeating: 9, count: 32).base64EncodedString()
        #expect(throws: AppConfig.ConfigError.self) {
            try AppConfig.from(environment: ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": String(repeating: "k", count: 32)])
        }
        #expect(throws: AppConfig.ConfigError.self) {
            try AppConfig.from(environment: ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": String(repeating: "k", count: 32), "JIUZHU_ACCOUNT_KEY": "c2hvcnQ="])
        }
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig(mode: .production, database: .sqlite(path: "x")).dataCipher() }
        #expect(try AppConfig(mode: .development, database: .sqlite(path: "x")).dataCipher().isDevelopmentKey)
        let ok = try AppConfig.from(environment: ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": String(repeating: "k", count: 32),
                                                  "DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "JIUZHU_ACCOUNT_KEY": key])
        #expect(try !ok.dataCipher().isDevelopmentKey)
        // The key's name is JIUZHU_DATA_KEY (ID, phone and account numbers); the earlier name still works, the new one wins.
        let other = Data(repeating: 8, count: 32).base64EncodedString()
        let both = try AppConfig.from(environment: ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": String(repeating: "k", count: 32),
                                                    "JIUZHU_ACCOUNT_KEY": key, "JIUZHU_DATA_KEY": other])
        #expect(both.dataKey == other)
        #expect(throws: AppConfig.ConfigError.self) {
            try AppConfig.from(environment: ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": String(repeating: "k", count: 32), "JIUZHU_DATA_KEY": "c2hvcnQ="])
        }
        // The blind index's own key, kept across a change of data key: the indexes follow it, not the data key.
        let production = ["JIUZHU_ENV": "production", "JIUZHU_SESSION_SECRET": String(repeating: "k", count: 32)]
        let pinned = try AppConfig.from(environment: production.merging(["JIUZHU_DATA_KEY": other, "JIUZHU_INDEX_KEY": try ok.dataCipher().indexKeyBase64]) { $1 })
        #expect(try pinned.dataCipher().blindIndex("11010519491231002X") == ok.dataCipher().blindIndex("11010519491231002X"))
        #expect(try both.dataCipher().blindIndex("11010519491231002X") != ok.dataCipher().blindIndex("11010519491231002X"))
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: production.merging(["JIUZHU_DATA_KEY": other, "JIUZHU_INDEX_KEY": "c2hvcnQ="]) { $1 }) }
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_INDEX_KEY": other]) }
        #expect(ok.database.isPostgres)
        #expect(ok.mode == .production)
        #expect(ok.sessionLifetime == 8 * 3600)
        #expect(try AppConfig.from(environment: ["JIUZHU_SESSION_HOURS": "4"]).sessionLifetime == 4 * 3600)
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_SESSION_HOURS": "0"]) }
        // setup: a production-mode site
        try await TestSite.with(mode: .production) { site in
            // act
            let b = site.browser()
            let form = try await b.get("/login")
            let signIn = try await b.post("/login", form: ["_csrf": try #require(Browser.csrf(in: form)), "username": "township", "password": TestSite.password])
            // check: both cookies are __Host- (HTTPS only, this host, path /), Secure and HttpOnly
            let visitor = try #require(form.headers[.setCookie].first { $0.hasPrefix("__Host-jiuzhu_csrf=") })
            let cookie = try #require(signIn.headers[.setCookie].first { $0.hasPrefix("__Host-jiuzhu_session=") })
            for c in [visitor, cookie] {
                #expect(c.contains("Secure") && c.contains("HttpOnly") && c.contains("Path=/") && !c.contains("Domain"), "\(c)")
            }
            #expect(try await b.get("/").status == .ok, "signed in under the production names")
            #expect(form.headers.first(name: "Strict-Transport-Security")?.contains("max-age=63072000") == true)
        }
        // and in development it is not marked Secure (plain http on localhost), nor is HSTS sent
        try await TestSite.with(mode: .development) { dev in
            let page = try await dev.browser().get("/login")
            let devCookie = try #require(page.headers[.setCookie].first { $0.hasPrefix("jiuzhu_csrf=") })
            #expect(!devCookie.contains("Secure"))
            #expect(page.headers.first(name: "Strict-Transport-Security") == nil)
            let csp = try #require(page.headers.first(name: "Content-Security-Policy"))
            #expect(csp.contains("base-uri 'none'") && csp.contains("object-src 'none'") && csp.contains("frame-ancestors 'none'"))
        }
    }
}
