import Domain
import Foundation
import Vapor

/// Requests counted per address, in the server's memory (a restart forgets the counts). Two of them: requests without
/// a session (the status page, a resident's request for help), so that no one can walk through tokens or flood the
/// township; and failed sign-ins (`Application.loginAddresses`), so that one address guessing across many accounts,
/// each below its own lockout, is stopped. A sign-in is counted before its password is checked and a success gives
/// its place back, so an office of staff behind one address signing in each morning is not counted.
actor PublicRateLimit {
    private var limiter: RateLimiter
    init(limit: Int, window: TimeInterval) { limiter = RateLimiter(limit: limit, window: window) }
    func allow(_ key: String, now: Date = Date()) -> Bool { limiter.allow(key, now: now) }
    func forgive(_ key: String) { limiter.forgive(key) }
}

struct PublicRateLimitKey: StorageKey { typealias Value = PublicRateLimit }

extension Request {
    /// Whether this address may make another public request now.
    func publicRequestAllowed() async -> Bool {
        await application.storage[PublicRateLimitKey.self]?.allow(origin) ?? true
    }
}
