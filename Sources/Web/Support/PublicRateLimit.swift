import Domain
import Foundation
import Vapor

/// Requests without a session (the status page, a resident's request for help) are limited per address, so that
/// no one can walk through tokens or flood the township with requests.
actor PublicRateLimit {
    private var limiter: RateLimiter
    init(limit: Int, window: TimeInterval) { limiter = RateLimiter(limit: limit, window: window) }
    func allow(_ key: String, now: Date = Date()) -> Bool { limiter.allow(key, now: now) }
}

struct PublicRateLimitKey: StorageKey { typealias Value = PublicRateLimit }

extension Request {
    /// Whether this address may make another public request now.
    func publicRequestAllowed() async -> Bool {
        await application.storage[PublicRateLimitKey.self]?.allow(origin) ?? true
    }
}
