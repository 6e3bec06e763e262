import Crypto
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Sessions in the database, for signed-in staff only. Vapor saves a session for every request that arrived with a
/// session cookie, even an empty one for a cookie it has never seen, so any request carrying any cookie value would
/// add a row. Here an empty session is never stored, and a session emptied (ended) is deleted: the table holds the
/// signed-in and nothing else. A visitor's login form is protected by `AnonymousCSRF` instead, which stores nothing.
struct SignedInSessions: SessionDriver {
    let base: any SessionDriver

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        guard !data.snapshot.isEmpty else { return request.eventLoop.makeSucceededFuture(Self.unstoredID()) }
        return base.createSession(data, for: request)
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        base.readSession(sessionID, for: request)
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        guard !data.snapshot.isEmpty else { return base.deleteSession(sessionID, for: request).map { sessionID } }
        return base.updateSession(sessionID, to: data, for: request)
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        base.deleteSession(sessionID, for: request)
    }

    /// An id no row has: the cookie Vapor sets for an empty session names nothing.
    static func unstoredID() -> SessionID {
        SessionID(string: AnonymousCSRF.base64URL(AnonymousCSRF.randomBytes(32)))
    }
}

/// The CSRF token of someone not signed in (the login form): a signed double-submit cookie (OWASP). The cookie holds a
/// random value and its HMAC under the server's key; the form sends the same text back. A forger can neither read the
/// cookie nor make one the server will accept, and nothing is stored on the server until someone signs in.
enum AnonymousCSRF {
    static func cookieName(secure: Bool) -> String { secure ? "__Host-jiuzhu_csrf" : "jiuzhu_csrf" }

    static func make(key: SymmetricKey) -> String {
        let nonce = randomBytes(24)
        return base64URL(nonce) + "." + base64URL(Data(HMAC<SHA256>.authenticationCode(for: nonce, using: key)))
    }

    static func isValid(_ token: String, key: SymmetricKey) -> Bool {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 64, parts[1].count <= 64,
              let nonce = fromBase64URL(String(parts[0])), let mac = fromBase64URL(String(parts[1])) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: nonce, using: key)
    }

    /// Random bytes from the system's generator, for tokens and ids.
    static func randomBytes(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: .min ... .max) }) }

    static func base64URL(_ d: Data) -> String {
        d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func fromBase64URL(_ s: String) -> Data? {
        var t = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while t.count % 4 != 0 { t += "=" }
        return Data(base64Encoded: t)
    }
}

/// The key anonymous CSRF tokens are signed with: derived from `JIUZHU_SESSION_SECRET`, or random per process
/// when none is set (development: a restart asks visitors to reload the login form).
struct CSRFKeyKey: StorageKey { typealias Value = SymmetricKey }
/// A token made during this request for a visitor, to be set as their cookie on the way out.
struct NewAnonymousCSRFKey: StorageKey { typealias Value = String }

/// Sets the visitor's CSRF cookie when a page made one. Outside the error pages, so an error page's form works too.
struct AnonymousCSRFCookieMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        if let token = req.storage[NewAnonymousCSRFKey.self] {
            let secure = req.config.mode == .production
            res.cookies[AnonymousCSRF.cookieName(secure: secure)] = HTTPCookies.Value(string: token, path: "/", isSecure: secure,
                                                                                      isHTTPOnly: true, sameSite: .strict)
        }
        return res
    }
}

/// Deletes unusable session records on a schedule (`StaffSession.purge`), besides at each sign-in: a quiet night
/// leaves no sessions behind for the morning.
struct SessionPurgeLifecycle: LifecycleHandler {
    let every: TimeInterval
    private let task = NIOLockedValueBox<Task<Void, Never>?>(nil)

    init(every: TimeInterval) { self.every = every }

    func didBootAsync(_ application: Application) async throws {
        let every = every
        let started = Task { [application] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(every * 1_000_000_000))
                guard !Task.isCancelled else { return }
                do {
                    try await StaffSession.purge(application.db, now: application.now, lifetime: application.storage[AppConfigKey.self]!.sessionLifetime)
                } catch {
                    application.logger.warning("purging expired sessions failed: \(String(describing: error))")
                }
            }
        }
        task.withLockedValue { $0 = started }
    }

    func shutdownAsync(_ application: Application) async {
        let t = task.withLockedValue { t -> Task<Void, Never>? in defer { t = nil }; return t }
        t?.cancel()
        await t?.value
    }
}
