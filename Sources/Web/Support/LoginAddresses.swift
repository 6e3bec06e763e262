import Domain
import Foundation
import Vapor

/// Failed sign-ins per address: one address guessing across many accounts (each below its own lockout) is stopped
/// here. Failures only, and a success gives its place back, so an office of staff behind one address signing in each
/// morning is not counted. Kept in the server's memory: a restart forgets the counts, the accounts' own locks stay.
actor LoginAddresses {
    private var limiter: RateLimiter
    init(failures: Int, window: TimeInterval) { limiter = RateLimiter(limit: failures, window: window) }
    /// Counts an attempt about to be checked; false once the address has used up its failures in the window.
    func claim(_ address: String, now: Date) -> Bool { limiter.allow(address, now: now) }
    func forgive(_ address: String) { limiter.forgive(address) }
}

struct LoginAddressesKey: StorageKey { typealias Value = LoginAddresses }
/// What a new password must be (`Resources/security`), read once at start.
struct PasswordPolicyKey: StorageKey { typealias Value = PasswordPolicy }
/// A bcrypt hash at the configured cost, of nothing anyone knows: checked against for unknown usernames.
struct DummyPasswordHashKey: StorageKey { typealias Value = String }

extension Application {
    /// Set up by `configure`.
    var loginAddresses: LoginAddresses { storage[LoginAddressesKey.self]! }
    var dummyPasswordHash: String { storage[DummyPasswordHashKey.self]! }
    var passwordPolicy: PasswordPolicy { storage[PasswordPolicyKey.self]! }
}
