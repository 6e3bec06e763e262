import Domain
import FluentKit
import Foundation
import SQLKit

public struct StaffUser: Sendable, Equatable {
    public var id: UUID
    public var username: String
    public var displayName: String
    public var role: Role
    public var region: RegionCode
    public var passwordHash: String
    public var throttle: LoginThrottle.State
    /// When the account was disabled; a disabled account signs in to nothing and its sessions end.
    public var disabledAt: Date? = nil
    public var isDisabled: Bool { disabledAt != nil }

    public func actor(origin: String) -> Actor {
        Actor(userID: id, username: username, role: role, jurisdiction: region, origin: origin)
    }
}

public enum UserStoreError: Error, Equatable, CustomStringConvertible {
    case usernameTaken(String)
    case invalidUsername(String)
    case unknownRegion(String)
    case unknownRole(username: String, role: String)
    case unknownUser(String)

    public var description: String {
        switch self {
        case .usernameTaken(let u): return "用户名「\(u)」已存在 (username taken)"
        case .invalidUsername(let u): return "用户名「\(u)」无效：只能用字母、数字、点、下划线和连字符，3–40位 (invalid username)"
        case .unknownRegion(let r): return "辖区 \(r) 不在区划表中 (unknown region)"
        case .unknownUser(let u): return "没有用户「\(u)」(no such user)"
        case .unknownRole(let u, let r):
            return "用户「\(u)」的角色「\(r)」无法识别，该账户不能使用，请系统管理员更正 (unknown role; the account cannot be used)"
        }
    }
}

/// Staff accounts. Password hashing happens in the caller (bcrypt, in the web layer); this only stores the hash.
public struct UserStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    /// The longest username; pages and the sign-in form bound what they accept by it.
    public static let maxUsernameLength = 40

    @discardableResult
    public func create(username: String, displayName: String, role: Role, region: RegionCode, passwordHash: String,
                       createdBy: Actor) async throws -> StaffUser {
        let valid = (3...Self.maxUsernameLength).contains(username.count) && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        guard valid else { throw UserStoreError.invalidUsername(username) }
        guard try await RegistryStore(db).region(region) != nil else { throw UserStoreError.unknownRegion(region.value) }
        guard try await find(username: username) == nil else { throw UserStoreError.usernameTaken(username) }
        let user = StaffUser(id: UUID(), username: username, displayName: displayName, role: role, region: region,
                             passwordHash: passwordHash, throttle: .init(failures: 0, lockedUntil: nil))
        try await db.serialisingWrites { try await db.sql.insert(into: "users")
            .columns("id", "username", "display_name", "role", "region_code", "password_hash", "failed_logins", "locked_until", "created_at")
            .values(SQLBind(user.id), SQLBind(username), SQLBind(displayName), SQLBind(role.rawValue), SQLBind(region.value),
                    SQLBind(passwordHash), SQLBind(0), SQLBind(Optional<String>.none), SQLBind(Timestamp.text(Date())))
            .run() }
        try await AuditLog(db).record(actor: createdBy, action: .createUser, targetKind: "user", targetID: username,
                                      detail: "\(role.chinese)，辖区 \(region.value)")
        return user
    }

    public func find(username: String) async throws -> StaffUser? {
        try await db.sql.select().column("*").from("users").where("username", .equal, username).first().map(Self.decode)
    }

    public func find(id: UUID) async throws -> StaffUser? {
        try await db.sql.select().column("*").from("users").where("id", .equal, id).first().map(Self.decode)
    }

    public func all() async throws -> [StaffUser] {
        try await db.sql.select().column("*").from("users").orderBy("username").all().map(Self.decode)
    }

    /// Staff by username, so that pages show a person's name and role rather than their username.
    public func directory() async throws -> [String: StaffUser] {
        Dictionary(try await all().map { ($0.username, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Staff whose own area lies inside `region`, with one of `roles`: the people a warning there may be given to.
    public func staff(within region: RegionCode, roles: Set<Role>) async throws -> [StaffUser] {
        try await db.sql.select().column("*").from("users").within(region, column: "region_code")
            .orderBy("display_name").all().map(Self.decode).filter { roles.contains($0.role) }
    }

    /// `LoginThrottle.claim` in one statement: the count goes up, and the lock is taken when it reaches the limit,
    /// only if the account is not locked now. Parallel attempts each get their own place in the count (a read
    /// then a write let parallel guesses count once). Stored timestamps are fixed-width text, so they compare as text.
    public func claimSignIn(_ id: UUID, throttle: LoginThrottle, now: Date) async throws -> LoginThrottle.Claim {
        let nowText = Timestamp.text(now)
        // Within the WHERE, a lock that is not null has ended: the count starts again.
        let counted = "CASE WHEN locked_until IS NOT NULL THEN 1 ELSE failed_logins + 1 END"
        let rows = try await db.serialisingWrites {
            try await db.sql.raw("""
                UPDATE users SET failed_logins = \(unsafeRaw: counted),
                    locked_until = CASE WHEN \(unsafeRaw: counted) >= \(bind: throttle.maxFailures) THEN \(bind: Timestamp.text(throttle.lockEnd(now))) ELSE NULL END
                WHERE id = \(bind: id) AND (locked_until IS NULL OR locked_until <= \(bind: nowText))
                RETURNING failed_logins, locked_until
                """).all()
        }
        if let row = rows.first {
            return .check(.init(failures: try row.decode(column: "failed_logins", as: Int.self),
                                lockedUntil: try row.decode(column: "locked_until", as: String?.self).flatMap(Timestamp.date)))
        }
        let until = try await find(id: id)?.throttle.lockedUntil
        return .refused(until: until ?? throttle.lockEnd(now))
    }

    /// Disables or re-enables an account, audited. Its open sessions end at their next request (the session
    /// middleware reads the account every time).
    public func setDisabled(_ username: String, _ disabled: Bool, actor: Actor, now: Date = Date()) async throws {
        guard let user = try await find(username: username) else { throw UserStoreError.unknownUser(username) }
        try await db.writeTransaction { tx in
            try await tx.sql.update("users").set("disabled_at", to: disabled ? Timestamp.text(now) : nil).where("id", .equal, user.id).run()
            try await AuditLog(tx).record(actor: actor, action: disabled ? .disableUser : .enableUser, targetKind: "user", targetID: username,
                                          detail: disabled ? "停用账户（会话即时失效）" : "恢复账户")
        }
    }

    /// Stores a new password hash (the caller checked the old password and the policy), audited.
    public func changePassword(_ id: UUID, hash: String, actor: Actor, now: Date = Date()) async throws {
        try await db.writeTransaction { tx in
            try await tx.sql.update("users").set("password_hash", to: hash).set("password_changed_at", to: Timestamp.text(now))
                .where("id", .equal, id).run()
            try await AuditLog(tx).record(actor: actor, action: .changePassword, targetKind: "user", targetID: actor.username, detail: "修改密码（其他会话已结束）")
        }
    }

    public func saveThrottle(_ id: UUID, _ state: LoginThrottle.State) async throws {
        try await db.serialisingWrites {
            try await db.sql.update("users")
                .set("failed_logins", to: state.failures)
                .set("locked_until", to: state.lockedUntil.map(Timestamp.text))
                .where("id", .equal, id).run()
        }
    }

    static func decode(_ r: any SQLRow) throws -> StaffUser {
        let username = try r.decode(column: "username", as: String.self), rawRole = try r.decode(column: "role", as: String.self)
        // A role this version does not know grants nothing: it is an error, never a guess at some other role's rights.
        guard let role = Role(rawValue: rawRole) else { throw UserStoreError.unknownRole(username: username, role: rawRole) }
        return StaffUser(id: try r.decode(column: "id", as: UUID.self),
                  username: username,
                  displayName: try r.decode(column: "display_name", as: String.self),
                  role: role,
                  region: try RegionCode(try r.decode(column: "region_code", as: String.self)),
                  passwordHash: try r.decode(column: "password_hash", as: String.self),
                  throttle: .init(failures: try r.decode(column: "failed_logins", as: Int.self),
                                  lockedUntil: try r.decode(column: "locked_until", as: String?.self).flatMap(Timestamp.date)),
                  disabledAt: try r.decode(column: "disabled_at", as: String?.self).flatMap(Timestamp.date))
    }
}
