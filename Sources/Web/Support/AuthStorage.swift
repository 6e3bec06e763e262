import Domain
import Foundation
import Store
import Vapor

/// Failed sign-ins per address (`PublicRateLimit`).
struct LoginAddressesKey: StorageKey { typealias Value = PublicRateLimit }
/// What a new password must be (`Resources/security`), read once at start.
struct PasswordPolicyKey: StorageKey { typealias Value = PasswordPolicy }
/// The second factor's numbers (`Resources/security/second-factor.json`), read once at start.
struct SecondFactorPolicyKey: StorageKey { typealias Value = SecondFactorPolicy }
/// A bcrypt hash at the configured cost, of nothing anyone knows: checked against for unknown usernames.
struct DummyPasswordHashKey: StorageKey { typealias Value = String }

extension Application {
    /// Set up by `configure`.
    var loginAddresses: PublicRateLimit { storage[LoginAddressesKey.self]! }
    var dummyPasswordHash: String { storage[DummyPasswordHashKey.self]! }
    var passwordPolicy: PasswordPolicy { storage[PasswordPolicyKey.self]! }
}

extension Request {
    /// Staff second factors, their secrets sealed under the data key.
    var secondFactors: SecondFactorStore {
        SecondFactorStore(db, cipher: application.storage[PaymentsKey.self]!.cipher, policy: application.storage[SecondFactorPolicyKey.self]!)
    }
}
