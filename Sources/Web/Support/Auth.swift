import Crypto
import Domain
import Fluent
import Foundation
import SQLKit
import Store
import Vapor

/// The signed-in staff member for this request, loaded from the session by `StaffSessionMiddleware`.
struct CurrentUserKey: StorageKey { typealias Value = StaffUser }

extension Request {
    var staff: StaffUser? { storage[CurrentUserKey.self] }

    /// Where the request came from, for the audit log and the per-address limits (`ClientAddress`).
    var origin: String {
        ClientAddress.resolve(remote: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor], trusted: config.trustedProxies) ?? "unknown"
    }

    /// The acting user; pages and API routes behind `RequireStaffMiddleware` always have one.
    func actor() throws -> Actor {
        guard let u = staff else { throw Abort(.unauthorized) }
        return u.actor(origin: origin)
    }

    /// Refuses (403) a signed-in user whose role lacks `permission`, before anything in the request is read: a form
    /// is never validated, nor an object looked up, for someone the route is not for.
    func require(_ permission: Permission) throws {
        guard try actor().may(permission) else { throw DomainError.forbidden }
    }

    var isAPI: Bool { url.path.hasPrefix(SiteURL.apiRoot) }

    var config: AppConfig { application.storage[AppConfigKey.self]! }

    var calculator: PolicyCalculator { application.storage[PolicyKey.self]!.calculator }
    /// The configured monitoring setup, without the city's tuning (`tunedMonitoring()` has it).
    var monitoring: MonitoringSetup { application.storage[PolicyKey.self]!.monitoring }
    /// The monitoring setup with the city's tuning of the indicators applied, as screenings use it.
    func tunedMonitoring() async throws -> MonitoringSetup { try await monitoring.tuned(from: db) }
}

struct AppConfigKey: StorageKey { typealias Value = AppConfig }
struct PolicyKey: StorageKey { typealias Value = Policy }

/// The account numbers' cipher and the bank file formats, set up once at start.
struct PaymentsSetup: Sendable {
    let cipher: DataCipher
    let formats: BankFileFormats
}
struct PaymentsKey: StorageKey { typealias Value = PaymentsSetup }

/// The application's clock (a test moves it on to see sessions expire).
struct ClockKey: StorageKey { typealias Value = @Sendable () -> Date }

extension Application {
    var now: Date { (storage[ClockKey.self] ?? Date.init)() }
}

/// A staff session lasts `AppConfig.sessionLifetime` from sign-in, whatever the browser does with its cookie: the
/// server checks it; the cookie's own expiry only tells the browser.
enum StaffSession {
    static func cookieName(secure: Bool) -> String { secure ? "__Host-jiuzhu_session" : "jiuzhu_session" }

    /// How often the server purges besides at sign-ins.
    static let purgeInterval: TimeInterval = 3600

    /// Deletes the session records no one can use any more: a staff session a working day after sign-in, an
    /// anonymous one left from earlier versions a working day after it began, and records from before these
    /// times were kept. Run at each sign-in and every `purgeInterval`, so the table stays as small as the day's sessions.
    static func purge(_ db: any Database, now: Date, lifetime: TimeInterval) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let cutoff = Int(now.timeIntervalSince1970 - lifetime)
        let (at, since) = (SessionKey.signedInAt, SessionKey.startedAt)
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                DELETE FROM \(ident: SessionRecord.schema) WHERE COALESCE(data->>\(literal: at), data->>\(literal: since), '0')::bigint < \(bind: cutoff)
                """).run()
        } else {
            try await sql.raw("""
                DELETE FROM \(ident: SessionRecord.schema)
                WHERE CAST(COALESCE(json_extract(data, \(literal: "$." + at)), json_extract(data, \(literal: "$." + since)), '0') AS INTEGER) < \(bind: cutoff)
                """).run()
        }
    }
}

extension StaffSession {
    /// Ends every session of `userID` but `keep` (a password changed: whoever else had it is signed out).
    static func endSessions(of userID: UUID, except keep: SessionID?, _ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let uid = SessionKey.userID
        let mine = sql.dialect.name == "postgresql"
            ? SQLQueryString("data->>\(literal: uid) = \(bind: userID.uuidString)")
            : SQLQueryString("json_extract(data, \(literal: "$." + uid)) = \(bind: userID.uuidString)")
        try await sql.raw("DELETE FROM \(ident: SessionRecord.schema) WHERE \(mine) AND key <> \(bind: keep?.string ?? "")").run()
    }
}

enum SessionKey {
    static let userID = "uid"
    /// When the user signed in, seconds since 1970.
    static let signedInAt = "at"
    /// When an anonymous session began, seconds since 1970: only in records from before visitors' tokens moved to a
    /// cookie (`AnonymousCSRF`), kept so that the purge still finds them.
    static let startedAt = "since"
    static let csrf = "csrf"
    /// The last request, seconds since 1970: the idle timeout counts from it.
    static let lastSeen = "seen"
    /// A user whose password was right and whose second factor is awaited (not signed in yet); the time is kept
    /// under `startedAt`, so the purge ends such sessions like any other.
    static let pendingUserID = "pending"
    /// A second-factor secret shown for enrolment and not yet confirmed, sealed under the data key.
    static let enrolSecret = "enrol"
}

/// Loads the user named in the session, if any. The session ends when it is past its lifetime, when it has been idle
/// for `idleTimeout`, or when its account is locked (repeated wrong passwords: someone may be guessing it), disabled,
/// without a granted role, or gone.
struct StaffSessionMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a request that arrived with a session has a user; touching `req.session` otherwise would create one.
        if req.hasSession, let raw = req.session.data[SessionKey.userID], let id = UUID(uuidString: raw) {
            // Sessions from before sign-in times were kept have none, and end too.
            let age = req.session.data[SessionKey.signedInAt].flatMap(Double.init).map { req.application.now.timeIntervalSince1970 - $0 }
            let user: StaffUser?
            do { user = try await UserStore(req.db).find(id: id) } catch is UserStoreError { user = nil }
            let now = req.application.now.timeIntervalSince1970
            let idle = req.session.data[SessionKey.lastSeen].flatMap(Double.init).map { now - $0 } ?? 0
            if let age, age >= 0, age < req.config.sessionLifetime, idle < req.config.idleTimeout, let user, !user.isDisabled, user.isGranted,
               !req.config.lockout.isLocked(user.throttle, now: req.application.now) {
                req.storage[CurrentUserKey.self] = user
                // Saved with the session, which Vapor writes back on every request anyway.
                req.session.data[SessionKey.lastSeen] = String(Int(now))
            } else {
                // Signed out: the record is deleted and the browser told to drop the cookie.
                req.session.destroy()
            }
        }
        return try await next.respond(to: req)
    }
}

/// Pages send strangers to the login page; the API answers 401.
struct RequireStaffMiddleware: AsyncMiddleware {
    static let allowedBeforeEnrolment: Set<String> = [SiteURL.secondFactor.path, SiteURL.logout.path]
    static let allowedBeforePasswordChange: Set<String> = [SiteURL.changePassword.path, SiteURL.logout.path]

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard let user = req.staff else {
            if req.isAPI { throw Abort(.unauthorized, reason: "请先登录 (sign in first)") }
            return req.redirect(to: SiteURL.login.path)
        }
        // A password an administrator gave (and saw) is changed before anything else.
        if user.mustChangePassword, !Self.allowedBeforePasswordChange.contains(req.url.path) {
            if req.isAPI { throw Abort(.forbidden, reason: "须先修改初始密码 (change the first password first)") }
            return req.redirect(to: SiteURL.changePassword.path)
        }
        // Someone who must use a second factor and has none yet may do nothing but set one up (or sign out).
        if !user.hasSecondFactor, !Self.allowedBeforeEnrolment.contains(req.url.path), try await req.secondFactors.required(for: user) {
            if req.isAPI { throw Abort(.forbidden, reason: "须先绑定动态口令 (enrol a second factor first)") }
            return req.redirect(to: SiteURL.secondFactor.path)
        }
        return try await next.respond(to: req)
    }
}

/// CSRF protection: a signed-in session has a random token (synchroniser token); a visitor has a signed cookie
/// (`AnonymousCSRF`, double submit) and no session. Every state-changing request must send its token back in the
/// `_csrf` form field or the `X-CSRF-Token` header.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"

    /// Pure calculations that change nothing and read no session: a forged request to them can do no harm,
    /// and exempting them means an anonymous resident gets no session (and nothing is stored for them). A
    /// resident's request for help reads no session either: anyone may send one without an account, so a forged
    /// one is no more than a direct one; the per-address limit is its guard.
    static let exempt: Set<String> = [SiteURL.apiAssessments.path, SiteURL.selfAssessment.path, SiteURL.helpRequests.path]

    /// The most a visitor (not signed in) may send to a form that checks a token: the login form needs a few hundred bytes.
    static let visitorBody: ByteCount = "16kb"

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH, .DELETE].contains(req.method) && !Self.exempt.contains(req.url.path) {
            let header = req.headers.first(name: Self.header)
            let expected = Self.expected(req)
            // Without a token to compare with, the body is never read: a stranger's large POST costs nothing.
            guard let expected else { throw Self.refused }
            // A token in the header is checked without touching the body, so an API upload stays streaming. A form
            // sends it in its body: collected up to what the route itself accepts, and for a visitor no more than a
            // login form, so no one who is not signed in can make the server hold a large body.
            if header == nil, req.body.data == nil {
                guard case .collect(let routeLimit) = RouteBody.of(req) else { throw Self.refused }
                let limit = req.staff == nil ? min(routeLimit, Self.visitorBody.value) : routeLimit
                _ = try await req.body.collect(max: limit).get()
            }
            let sent = header ?? (try? req.content.get(String.self, at: Self.field))
            guard let sent, ConstantTime.equal(expected, sent) else { throw Self.refused }
        }
        return try await next.respond(to: req)
    }

    static let refused = Abort(.forbidden, reason: "表单已过期或来源不明，请刷新页面后重试 (CSRF token missing or wrong)")

    /// The token this request must carry: the signed-in session's, else the visitor's signed cookie.
    static func expected(_ req: Request) -> String? {
        if req.staff != nil { return req.session.data[SessionKey.csrf] }
        let key = req.application.storage[CSRFKeyKey.self]!
        guard let cookie = req.cookies[AnonymousCSRF.cookieName(secure: req.config.mode == .production)]?.string,
              AnonymousCSRF.isValid(cookie, key: key) else { return nil }
        return cookie
    }

    /// The token for this request's forms: the session's when signed in, else the visitor's (made now if they
    /// have none, and set as a cookie by `AnonymousCSRFCookieMiddleware`).
    static func token(for req: Request) -> String {
        if req.staff != nil { return sessionToken(for: req) }
        if let made = req.storage[NewAnonymousCSRFKey.self] { return made }
        if let current = expected(req) { return current }
        let made = AnonymousCSRF.make(key: req.application.storage[CSRFKeyKey.self]!)
        req.storage[NewAnonymousCSRFKey.self] = made
        return made
    }

    /// The signed-in session's token, created on first use.
    static func sessionToken(for req: Request) -> String {
        if let t = req.session.data[SessionKey.csrf] { return t }
        let t = AnonymousCSRF.base64URL(AnonymousCSRF.randomBytes(32))
        req.session.data[SessionKey.csrf] = t
        return t
    }
}

/// Sign-in with bcrypt, lockout after repeated failures (per account and per address), and a fresh session id on success.
struct LoginController {
    struct Form: Content {
        var username: String
        var password: String
    }

    enum Outcome: Equatable {
        case success(StaffUser)
        case wrongCredentials
        case locked(until: Date)
        /// Too many failed sign-ins from this address, whichever accounts they named.
        case addressThrottled
        /// The right password for a disabled account.
        case disabled
        /// The right password for an account whose role a security administrator has not yet granted.
        case awaitingGrant
    }

    static func attempt(_ form: Form, req: Request, now: Date = Date()) async throws -> Outcome {
        let users = UserStore(req.db)
        let throttle = req.config.lockout
        let origin = req.origin
        // The address's place is taken before anything is checked, as the account's is: parallel guesses each count.
        guard await req.application.loginAddresses.allow(origin, now: now) else {
            try await AuditLog(req.db).recordPublic(action: .loginThrottled, region: try await req.config.city(in: req.db), targetKind: "user",
                                                    targetID: Self.logged(form.username), detail: "来源地址登录失败次数过多，本次未核对密码", origin: origin)
            return .addressThrottled
        }
        let name = form.username.trimmingCharacters(in: .whitespaces)
        let found: StaffUser?
        do {
            found = try await users.find(username: name)
        } catch let e as UserStoreError {
            // An account whose stored role this version does not know signs in to nothing.
            req.logger.error("sign-in refused: \(e)")
            found = nil
        }
        guard let user = found else {
            // Same answer as a wrong password, in the same time: do not reveal which usernames exist.
            let dummy = req.application.dummyPasswordHash
            _ = try? await req.application.threadPool.runIfActive { try Bcrypt.verify(form.password, created: dummy) }
            try await AuditLog(req.db).recordPublic(action: .loginFailed, region: try await req.config.city(in: req.db), targetKind: "user",
                                                    targetID: Self.logged(name), detail: "用户名不存在", origin: origin)
            return .wrongCredentials
        }
        let state: LoginThrottle.State
        switch try await users.claimSignIn(user.id, throttle: throttle, now: now) {
        case .refused(let until): return .locked(until: until)
        case .check(let counted): state = counted
        }
        let hash = user.passwordHash
        let ok = try await req.application.threadPool.runIfActive { try Bcrypt.verify(form.password, created: hash) }
        let actor = user.actor(origin: origin)
        if ok, user.isDisabled {
            // The password was right, so saying why tells a guesser nothing.
            try await users.saveThrottle(user.id, throttle.afterSuccess(state))
            await req.application.loginAddresses.forgive(origin)
            try await AuditLog(req.db).record(actor: actor, action: .loginFailed, targetKind: "user", targetID: user.username, detail: "账户已停用")
            return .disabled
        }
        if ok, !user.isGranted {
            try await users.saveThrottle(user.id, throttle.afterSuccess(state))
            await req.application.loginAddresses.forgive(origin)
            try await AuditLog(req.db).record(actor: actor, action: .loginFailed, targetKind: "user", targetID: user.username, detail: "角色待安全管理员授权")
            return .awaitingGrant
        }
        if ok {
            try await users.saveThrottle(user.id, throttle.afterSuccess(state))
            await req.application.loginAddresses.forgive(origin)
            try await AuditLog(req.db).record(actor: actor, action: .login, targetKind: "user", targetID: user.username,
                                              detail: user.hasSecondFactor ? "密码正确，待验证动态口令" : "登录成功")
            return .success(user)
        }
        try await AuditLog(req.db).record(actor: actor, action: .loginFailed, targetKind: "user", targetID: user.username,
                                          detail: "密码错误（连续第\(state.failures)次）")
        if let until = state.lockedUntil {
            try await AuditLog(req.db).record(actor: actor, action: .accountLocked, targetKind: "user", targetID: user.username,
                                              detail: "连续\(state.failures)次失败，锁定至 \(until)")
            // The account's open sessions end with the lock (`StaffSessionMiddleware` checks it on every request).
            return .locked(until: until)
        }
        return .wrongCredentials
    }

    /// A username as the audit log keeps it: no longer than a username may be, so a pasted text is not stored whole.
    static func logged(_ username: String) -> String { String(username.prefix(UserStore.maxUsernameLength)) }

    /// A new, empty session in place of the request's (against session fixation).
    static func freshSession(_ req: Request) async throws {
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
        }
        req.session.id = nil
        req.session.data = SessionData()
    }

    /// The password was right and a second factor is enrolled: the session remembers who is half-way, for
    /// `SecondFactorPolicy.pendingSeconds`, and signs in no one yet.
    static func awaitSecondFactor(_ user: StaffUser, req: Request) async throws {
        try await freshSession(req)
        req.session.data[SessionKey.pendingUserID] = user.id.uuidString
        req.session.data[SessionKey.startedAt] = String(Int(req.application.now.timeIntervalSince1970))
    }

    /// Replaces the session id (against session fixation) and remembers the user.
    static func signIn(_ user: StaffUser, req: Request) async throws {
        try await freshSession(req)
        req.session.data[SessionKey.userID] = user.id.uuidString
        req.session.data[SessionKey.signedInAt] = String(Int(req.application.now.timeIntervalSince1970))
        req.session.data[SessionKey.lastSeen] = req.session.data[SessionKey.signedInAt]
        _ = CSRFMiddleware.sessionToken(for: req)
        do {
            try await StaffSession.purge(req.db, now: req.application.now, lifetime: req.config.sessionLifetime)
        } catch {
            // Housekeeping: signing in does not fail because of it.
            req.logger.warning("purging expired sessions failed: \(String(describing: error))")
        }
    }
}
