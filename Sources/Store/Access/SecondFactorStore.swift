import Crypto
import Domain
import FluentKit
import Foundation
import SQLKit

extension TOTP {
    /// swift-crypto's HMAC-SHA1, which RFC 6238's default (and every authenticator app) uses.
    public static let hmacSHA1: HMACSHA1 = { key, message in
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}

/// Staff second factors: enrolment (the secret sealed at rest, recovery codes kept as hashes), checking a code once
/// and only once under concurrent attempts, the security administrator's reset for a lost phone, and which roles
/// besides the administrators must use one.
public struct SecondFactorStore: Sendable {
    let db: any Database
    let cipher: DataCipher
    public let policy: SecondFactorPolicy

    public init(_ db: any Database, cipher: DataCipher, policy: SecondFactorPolicy) {
        self.db = db
        self.cipher = cipher
        self.policy = policy
    }

    public enum Outcome: Equatable, Sendable {
        case code
        /// A recovery code, now spent; how many are left.
        case recoveryCode(remaining: Int)
        case wrong
    }

    /// A new secret for an enrolment, not stored until a code from it is confirmed (`enrol`).
    public func newSecret() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<policy.secretBytes).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
    }

    public func totp(_ secret: [UInt8]) -> TOTP { TOTP(secret: secret, policy: policy, hmac: TOTP.hmacSHA1) }

    /// Stores the secret once the user has typed a code from it (so a mis-scanned QR code never locks anyone out),
    /// with fresh recovery codes, returned to be shown once. Enrolling again replaces both.
    public func enrol(_ user: StaffUser, secret: [UInt8], confirmedBy typed: String, actor: Actor, now: Date) async throws -> [String]? {
        guard let step = totp(secret).matchingStep(typed, at: now, after: nil) else { return nil }
        let codes = RecoveryCodes.generate(policy.recoveryCodes)
        let sealed = try cipher.seal(text: Base32.encode(secret))
        try await db.writeTransaction { tx in
            try await tx.sql.update("users").set("totp_secret", to: sealed).set("totp_last_step", to: step)
                .set("totp_enrolled_at", to: Timestamp.text(now)).where("id", .equal, user.id).run()
            try await tx.sql.delete(from: "user_recovery_codes").where("user_id", .equal, user.id).run()
            for code in codes {
                try await tx.sql.insert(into: "user_recovery_codes").columns("id", "user_id", "code_hash", "used_at")
                    .values(SQLBind(UUID()), SQLBind(user.id), SQLBind(Self.hash(code)), SQLBind(Optional<String>.none)).run()
            }
            try await AuditLog(tx).record(actor: actor, action: .enrolSecondFactor, targetKind: "user", targetID: user.username,
                                          detail: "绑定动态口令（身份验证器），生成\(codes.count)个恢复码")
        }
        return codes
    }

    /// Checks a typed code: an authenticator's code (good once: the step is claimed in one statement, so two
    /// requests with the same code cannot both pass), or else a recovery code (spent in one statement likewise).
    public func verify(_ user: StaffUser, typed: String, now: Date) async throws -> Outcome {
        guard let row = try await db.sql.select().columns("totp_secret", "totp_last_step").from("users").where("id", .equal, user.id).first(),
              let sealed = try row.decode(column: "totp_secret", as: String?.self),
              let secret = Base32.decode(try cipher.open(sealed)) else { return .wrong }
        let last = try row.decode(column: "totp_last_step", as: Int64?.self)
        if let step = totp(secret).matchingStep(typed, at: now, after: last) {
            let claimed = try await db.serialisingWrites {
                try await db.sql.raw("""
                    UPDATE users SET totp_last_step = \(bind: step)
                    WHERE id = \(bind: user.id) AND (totp_last_step IS NULL OR totp_last_step < \(bind: step)) RETURNING id
                    """).all()
            }
            return claimed.isEmpty ? .wrong : .code
        }
        let recovery = RecoveryCodes.normalised(typed)
        guard recovery.count == 10 else { return .wrong }
        let spent = try await db.serialisingWrites {
            try await db.sql.raw("""
                UPDATE user_recovery_codes SET used_at = \(bind: Timestamp.text(now))
                WHERE user_id = \(bind: user.id) AND code_hash = \(bind: Self.hash(recovery)) AND used_at IS NULL RETURNING id
                """).all()
        }
        guard !spent.isEmpty else { return .wrong }
        let left = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("user_recovery_codes")
            .where("user_id", .equal, user.id).where("used_at", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
        return .recoveryCode(remaining: left)
    }

    /// Clears an account's second factor (a lost phone): the security administrator's, never on their own account.
    /// The account enrols again at its next sign-in.
    public func reset(_ username: String, actor: Actor) async throws {
        guard actor.may(.grantRoles) else { throw DomainError.forbidden }
        guard actor.username != username else { throw UserStoreError.grant(.ownAccount) }
        guard let user = try await UserStore(db).find(username: username), actor.covers(user.region) else { throw UserStoreError.unknownUser(username) }
        try await db.writeTransaction { tx in
            try await tx.sql.update("users").set("totp_secret", to: SQLLiteral.null).set("totp_last_step", to: SQLLiteral.null)
                .set("totp_enrolled_at", to: SQLLiteral.null).where("id", .equal, user.id).run()
            try await tx.sql.delete(from: "user_recovery_codes").where("user_id", .equal, user.id).run()
            try await AuditLog(tx).record(actor: actor, action: .resetSecondFactor, targetKind: "user", targetID: username, detail: "重置动态口令（须重新绑定）")
        }
    }

    /// The key under which the security administrator's choice of further roles is kept.
    static let settingKey = "security.second_factor_roles"

    /// Roles the security administrator requires a second factor of, besides the administrators.
    public func configuredRoles() async throws -> Set<Role> {
        let raw = try await SettingsStore(db).get(Self.settingKey) ?? ""
        return Set(raw.split(separator: ",").compactMap { Role(rawValue: String($0)) })
    }

    public func setConfiguredRoles(_ roles: Set<Role>, actor: Actor) async throws {
        guard actor.may(.grantRoles) else { throw DomainError.forbidden }
        let value = roles.map(\.rawValue).sorted().joined(separator: ",")
        try await SettingsStore(db).set(Self.settingKey, value)
        try await AuditLog(db).record(actor: actor, action: .securitySetting, targetKind: "setting", targetID: Self.settingKey,
                                      detail: "须用动态口令的角色（管理员之外）：\(roles.isEmpty ? "无" : roles.map(\.chinese).sorted().joined(separator: "、"))")
    }

    /// Whether `user` must use a second factor now.
    public func required(for user: StaffUser) async throws -> Bool {
        // The administrators need it whatever the setting says: no read for them.
        if policy.alwaysRequiredFor.contains(user.role) { return true }
        return policy.required(for: user.role, configured: try await configuredRoles())
    }

    static func hash(_ code: String) -> String {
        SHA256.hash(data: Data(RecoveryCodes.normalised(code).utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
