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

    /// Where the request came from, for the audit log.
    var origin: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The acting user; pages and API routes behind `RequireStaffMiddleware` always have one.
    func actor() throws -> Actor {
        guard let u = staff else { throw Abort(.unauthorized) }
        return u.actor(origin: origin)
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
    let cipher: AccountCipher
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
    /// Deletes the session records no one can use any more: a staff session a working day after sign-in, an
    /// anonymous one (a login form's CSRF token) a working day after it began, and records from before these
    /// times were kept. Run at each sign-in, so the table stays as small as the day's sessions.
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

enum SessionKey {
    static let userID = "uid"
    /// When the user signed in, seconds since 1970.
    static let signedInAt = "at"
    /// When the session began (its CSRF token was made), seconds since 1970: anonymous sessions have only this.
    static let startedAt = "since"
    static let csrf = "csrf"
}

/// Loads the user named in the session, if any. Accounts that were locked after sign-in lose the session.
struct StaffSessionMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Only a request that arrived with a session has a user; touching `req.session` otherwise would create one.
        if req.hasSession, let raw = req.session.data[SessionKey.userID], let id = UUID(uuidString: raw) {
            // Sessions from before sign-in times were kept have none, and end too.
            let age = req.session.data[SessionKey.signedInAt].flatMap(Double.init).map { req.application.now.timeIntervalSince1970 - $0 }
            if let age, age >= 0, age < req.config.sessionLifetime {
                if let user = try await UserStore(req.db).find(id: id) { req.storage[CurrentUserKey.self] = user }
            } else {
                // Signed out; the session itself goes on empty, so a login form this request renders keeps its token.
                req.session.data = SessionData()
            }
        }
        return try await next.respond(to: req)
    }
}

/// Pages send strangers to the login page; the API answers 401.
struct RequireStaffMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard req.staff != nil else {
            if req.isAPI { throw Abort(.unauthorized, reason: "请先登录 (sign in first)") }
            return req.redirect(to: SiteURL.login.path)
        }
        return try await next.respond(to: req)
    }
}

/// Synchroniser-token CSRF protection: every session has a random token; every state-changing
/// request must send it back in the `_csrf` form field or the `X-CSRF-Token` header.
struct CSRFMiddleware: AsyncMiddleware {
    static let field = "_csrf"
    static let header = "X-CSRF-Token"

    /// Pure calculations that change nothing and read no session: a forged request to them can do no harm,
    /// and exempting them means an anonymous resident gets no session (and nothing is stored for them). A
    /// resident's request for help reads no session either: anyone may send one without an account, so a forged
    /// one is no more than a direct one; the per-address limit is its guard.
    static let exempt: Set<String> = [SiteURL.apiAssessments.path, SiteURL.selfAssessment.path, SiteURL.helpRequests.path]

    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if [.POST, .PUT, .PATCH, .DELETE].contains(req.method) && !Self.exempt.contains(req.url.path) {
            // A token in the header is checked without touching the body, so an API upload stays streaming. A larger
            // form (a file upload) arrives streaming; collect it so its token can be read.
            let header = req.headers.first(name: Self.header)
            if header == nil, req.body.data == nil, req.hasSession {
                _ = try await req.body.collect(max: ImportPage.maxUpload.value).get()
            }
            let expected = req.hasSession ? req.session.data[SessionKey.csrf] : nil
            let sent = header ?? (try? req.content.get(String.self, at: Self.field))
            guard let expected, let sent, Self.constantTimeEqual(expected, sent) else {
                throw Abort(.forbidden, reason: "表单已过期或来源不明，请刷新页面后重试 (CSRF token missing or wrong)")
            }
        }
        return try await next.respond(to: req)
    }

    /// The session's token, created on first use.
    static func token(for req: Request) -> String {
        if let t = req.session.data[SessionKey.csrf] { return t }
        let t = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        req.session.data[SessionKey.csrf] = t
        req.session.data[SessionKey.startedAt] = String(Int(req.application.now.timeIntervalSince1970))
        return t
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Sign-in with bcrypt, lockout after repeated failures, and a fresh session id on success.
struct LoginController {
    struct Form: Content {
        var username: String
        var password: String
    }

    enum Outcome: Equatable {
        case success(StaffUser)
        case wrongCredentials
        case locked(until: Date)
    }

    static func attempt(_ form: Form, req: Request, now: Date = Date()) async throws -> Outcome {
        let users = UserStore(req.db)
        let throttle = req.config.lockout
        guard let user = try await users.find(username: form.username.trimmingCharacters(in: .whitespaces)) else {
            // Same answer as a wrong password: do not reveal which usernames exist. Still spend the bcrypt time.
            _ = try? await req.application.threadPool.runIfActive { try Bcrypt.verify(form.password, created: dummyHash) }
            return .wrongCredentials
        }
        if throttle.isLocked(user.throttle, now: now), let until = user.throttle.lockedUntil { return .locked(until: until) }
        let hash = user.passwordHash
        let ok = try await req.application.threadPool.runIfActive { try Bcrypt.verify(form.password, created: hash) }
        let actor = user.actor(origin: req.origin)
        if ok {
            try await users.saveThrottle(user.id, throttle.afterSuccess(user.throttle))
            try await AuditLog(req.db).record(actor: actor, action: .login, targetKind: "user", targetID: user.username, detail: "登录成功")
            return .success(user)
        }
        let next = throttle.afterFailure(user.throttle, now: now)
        try await users.saveThrottle(user.id, next)
        try await AuditLog(req.db).record(actor: actor, action: .loginFailed, targetKind: "user", targetID: user.username,
                                          detail: "密码错误（连续第\(next.failures)次）")
        if let until = next.lockedUntil {
            try await AuditLog(req.db).record(actor: actor, action: .accountLocked, targetKind: "user", targetID: user.username,
                                              detail: "连续\(next.failures)次失败，锁定至 \(until)")
            return .locked(until: until)
        }
        return .wrongCredentials
    }

    /// A real bcrypt hash of a random string, so that unknown usernames cost the same time as known ones.
    static let dummyHash = (try? Bcrypt.hash(UUID().uuidString, cost: 10)) ?? ""

    /// Replaces the session id (against session fixation) and remembers the user.
    static func signIn(_ user: StaffUser, req: Request) async throws {
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
        }
        req.session.id = nil
        req.session.data = SessionData()
        req.session.data[SessionKey.userID] = user.id.uuidString
        req.session.data[SessionKey.signedInAt] = String(Int(req.application.now.timeIntervalSince1970))
        _ = CSRFMiddleware.token(for: req)
        do {
            try await StaffSession.purge(req.db, now: req.application.now, lifetime: req.config.sessionLifetime)
        } catch {
            // Housekeeping: signing in does not fail because of it.
            req.logger.warning("purging expired sessions failed: \(String(describing: error))")
        }
    }
}
