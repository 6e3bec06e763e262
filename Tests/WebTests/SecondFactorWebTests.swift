import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// The second factor through the pages: enrolment by QR code (or the secret typed), a code good once, recovery
/// codes good once, codes counted against the lockout, required of the administrators always and of other roles
/// when the security administrator says so.
@Suite struct SecondFactorWebTests {
    static func secret(in res: TestingHTTPResponse) throws -> [UInt8] {
        let html = res.body.string
        let start = try #require(html.range(of: #"<code class="secret">"#))
        let text = html[start.upperBound...].prefix { $0 != "<" }
        return try #require(Base32.decode(String(text)))
    }

    static func code(_ site: TestSite, _ secret: [UInt8], at: Date) -> String {
        let totp = site.app.storage[SecondFactorPolicyKey.self].map { TOTP(secret: secret, policy: $0, hmac: TOTP.hmacSHA1) }!
        return totp.code(step: totp.step(at: at))
    }

    @Test func anAdministratorEnrolsThenSignsInWithACodeGoodOnce() async throws {
        try await TestSite.with { site in
            let sys = site.account(.systemAdmin).username
            // setup: the security administrator resets the system administrator's factor (a lost phone)
            let sec = site.browser()
            try await sec.login(site.account(.securityAdmin).username)
            let users = try await sec.get(SiteURL.users(page: 1).path)
            #expect(try await sec.post(SiteURL.userAction(sys, .resetSecondFactor).path, form: ["_csrf": Browser.csrf(in: users) ?? ""]).status == .seeOther)

            // a right password alone now leads only to the enrolment page; the API refuses
            let b = Browser(app: site.app)
            #expect(try await b.login(sys).status == .seeOther)
            let elsewhere = try await b.get(SiteURL.users(page: 1).path)
            #expect(elsewhere.status == .seeOther && elsewhere.headers.first(name: .location) == SiteURL.secondFactor.path)
            #expect(try await b.get(SiteURL.apiCases.path).status == .forbidden)
            let enrol = try await b.get(SiteURL.secondFactor.path)
            #expect(enrol.status == .ok && enrol.body.string.contains("<svg") && enrol.headers.first(name: .cacheControl) == "no-store")
            let secret = try Self.secret(in: enrol)
            // the QR code does not change on a reload (the secret waits in the session until confirmed)
            #expect(try Self.secret(in: try await b.get(SiteURL.secondFactor.path)) == secret)
            let wrong = try await b.post(SiteURL.secondFactor.path, form: ["_csrf": Browser.csrf(in: enrol) ?? "", "code": "000000"])
            #expect(wrong.status == .badRequest)

            // act: confirm with the app's code
            let now = Date()
            let done = try await b.post(SiteURL.secondFactor.path, form: ["_csrf": Browser.csrf(in: enrol) ?? "", "code": Self.code(site, secret, at: now)])
            #expect(done.status == .ok && done.headers.first(name: .cacheControl) == "no-store")
            let recovery = done.body.string.matches(of: /<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/).map { String($0.1) }
            #expect(recovery.count == site.app.storage[SecondFactorPolicyKey.self]!.recoveryCodes)
            #expect(try await b.get(SiteURL.users(page: 1).path).status == .ok)

            // check: a later sign-in asks for the code after the password
            site.app.storage[ClockKey.self] = { Date().addingTimeInterval(90) }
            let later = Date().addingTimeInterval(90)
            let c = Browser(app: site.app)
            let password = try await c.login(sys)
            #expect(password.headers.first(name: .location) == SiteURL.loginCode.path)
            #expect(try await c.get(SiteURL.users(page: 1).path).status == .seeOther, "not signed in before the code")
            let ask = try await c.get(SiteURL.loginCode.path)
            let bad = try await c.post(SiteURL.loginCode.path, form: ["_csrf": Browser.csrf(in: ask) ?? "", "code": "123456"])
            #expect(bad.status == .unauthorized)
            let code = Self.code(site, secret, at: later)
            let good = try await c.post(SiteURL.loginCode.path, form: ["_csrf": Browser.csrf(in: ask) ?? "", "code": code])
            #expect(good.status == .seeOther && good.headers.first(name: .location) == SiteURL.home.path)
            #expect(try await c.get(SiteURL.users(page: 1).path).status == .ok)

            // the same code, seen over a shoulder, is no good in another browser
            let d = Browser(app: site.app)
            try await d.login(sys)
            let askAgain = try await d.get(SiteURL.loginCode.path)
            #expect(try await d.post(SiteURL.loginCode.path, form: ["_csrf": Browser.csrf(in: askAgain) ?? "", "code": code]).status == .unauthorized)
            // a recovery code is good once
            #expect(try await d.post(SiteURL.loginCode.path, form: ["_csrf": Browser.csrf(in: askAgain) ?? "", "code": recovery[0].uppercased()]).status == .seeOther)
            let e = Browser(app: site.app)
            try await e.login(sys)
            let askThird = try await e.get(SiteURL.loginCode.path)
            let reused = try await e.post(SiteURL.loginCode.path, form: ["_csrf": Browser.csrf(in: askThird) ?? "", "code": recovery[0]])
            #expect(reused.status == .unauthorized || reused.status == .tooManyRequests)
        }
    }

    /// The same code (or recovery code) typed in several places at the same moment passes once: the step and the
    /// recovery code are each claimed in one statement, so no two requests both read "unused" and both pass.
    @Test func oneCodeTypedInManyPlacesAtOncePassesOnce() async throws {
        try await TestSite.with { site in
            let store = SecondFactorStore(site.app.db, cipher: .development, policy: site.app.storage[SecondFactorPolicyKey.self]!)
            let user = try #require(try await UserStore(site.app.db).find(username: site.account(.townshipOfficer).username))
            let secret = store.newSecret()
            let now = Date()
            let recovery = try #require(try await store.enrol(user, secret: secret, confirmedBy: Self.code(site, secret, at: now.addingTimeInterval(-30)),
                                                              actor: user.actor(origin: "test"), now: now.addingTimeInterval(-30)))
            for typed in [Self.code(site, secret, at: now), recovery[0]] {
                let outcomes = await withTaskGroup(of: SecondFactorStore.Outcome?.self) { group in
                    for _ in 0..<8 { group.addTask { try? await store.verify(user, typed: typed, now: now) } }
                    return await group.reduce(into: [SecondFactorStore.Outcome?]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 != .wrong && $0 != nil }.count == 1, "\(typed): \(outcomes)")
                #expect(outcomes.filter { $0 == .wrong }.count == 7)
            }
        }
    }

    @Test func guessedCodesCountAgainstTheLockout() async throws {
        try await TestSite.with(lockoutFailures: 3) { site in
            let b = Browser(app: site.app)
            try await b.login(site.account(.auditor).username)
            let ask = try await b.get(SiteURL.loginCode.path)
            var last: TestingHTTPResponse?
            for guess in ["111111", "222222", "333333"] {
                last = try await b.post(SiteURL.loginCode.path, form: ["_csrf": Browser.csrf(in: ask) ?? "", "code": guess])
            }
            #expect(last?.status == .tooManyRequests)
            #expect(try await UserStore(site.app.db).find(username: site.account(.auditor).username)?.throttle.lockedUntil != nil)
            // the half-way session ended with the lock
            #expect(try await b.get(SiteURL.loginCode.path).headers.first(name: .location) == SiteURL.login.path)
        }
    }

    @Test func otherRolesNeedItWhenTheSecurityAdministratorSaysSo() async throws {
        try await TestSite.with { site in
            let township = site.browser()
            #expect(try await township.login("township").headers.first(name: .location) == SiteURL.home.path, "not required by default")
            #expect(try await township.get(SiteURL.cases(query: [:]).path).status == .ok)

            let sec = site.browser()
            try await sec.login(site.account(.securityAdmin).username)
            let page = try await sec.get(SiteURL.securitySettings.path)
            #expect(page.status == .ok)
            #expect(try await sec.post(SiteURL.securitySettings.path,
                                       form: ["_csrf": Browser.csrf(in: page) ?? "", "roles[]": Role.townshipOfficer.rawValue]).status == .seeOther)
            // the signed-in township officer is sent to enrol at the next request; the coordinator is not
            let next = try await township.get(SiteURL.cases(query: [:]).path)
            #expect(next.status == .seeOther && next.headers.first(name: .location) == SiteURL.secondFactor.path)
            let coordinator = site.browser()
            try await coordinator.login("coordinator")
            #expect(try await coordinator.get(SiteURL.visits.path).status == .ok)
            // only the security administrator changes it
            let sys = site.browser()
            try await sys.login(site.account(.systemAdmin).username)
            let form = try await sys.get(SiteURL.users(page: 1).path)
            #expect(try await sys.post(SiteURL.securitySettings.path, form: ["_csrf": Browser.csrf(in: form) ?? ""]).status == .forbidden)
        }
    }
}
