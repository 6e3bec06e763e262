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
    /// Who granted the role and when; nil while a security administrator has still to grant it (三权分立): until
    /// then the account signs in to nothing.
    public var roleGrantedBy: String? = nil
    public var roleGrantedAt: Date? = nil
    public var isGranted: Bool { roleGrantedBy != nil }
    /// When the account enrolled a second factor (an authenticator app); nil while it has none.
    public var secondFactorEnrolledAt: Date? = nil
    /// The password was given by an administrator: the account must choose its own before anything else.
    public var mustChangePassword = false
    public var hasSecondFactor: Bool { secondFactorEnrolledAt != nil }

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
    case grant(RoleGrant.Refusal)
    case invalidDisplayName
    case outsideJurisdiction(String)

    public var description: String {
        switch self {
        case .usernameTaken(let u): return "用户名「\(u)」已存在 (username taken)"
        case .invalidUsername(let u): return "用户名「\(u)」无效：只能用字母、数字、点、下划线和连字符，3–40位 (invalid username)"
        case .unknownRegion(let r): return "辖区 \(r) 不在区划表中 (unknown region)"
        case .unknownUser(let u): return "没有用户「\(u)」(no such user)"
        case .grant(let r): return r.description
        case .invalidDisplayName: return "请填写姓名（不超过\(UserStore.maxDisplayNameLength)个字符）(a name is needed)"
        case .outsideJurisdiction(let r): return "辖区 \(r) 不在您的管理范围内 (outside your jurisdiction)"
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
    /// The longest name shown on pages (a Chinese name with an ethnic-minority transliteration fits easily).
    public static let maxDisplayNameLength = 40

    /// Opens an account. `proposed`: the role waits for a security administrator's grant (an account a system
    /// administrator opens); otherwise it is granted by `createdBy` at once (the installer at the server's console,
    /// who holds the database itself, and the demo).
    @discardableResult
    public func create(username: String, displayName: String, role: Role, region: RegionCode, passwordHash: String,
                       createdBy: Actor, proposed: Bool = false, passwordGiven: Bool = false, now: Date = Date()) async throws -> StaffUser {
        let valid = (3...Self.maxUsernameLength).contains(username.count) && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
        guard valid else { throw UserStoreError.invalidUsername(username) }
        let name = displayName.trimmingCharacters(in: .whitespaces)
        guard (1...Self.maxDisplayNameLength).contains(name.count) else { throw UserStoreError.invalidDisplayName }
        guard try await RegistryStore(db).region(region) != nil else { throw UserStoreError.unknownRegion(region.value) }
        guard try await find(username: username) == nil else { throw UserStoreError.usernameTaken(username) }
        if proposed { guard createdBy.covers(region) else { throw UserStoreError.outsideJurisdiction(region.value) } }
        let user = StaffUser(id: UUID(), username: username, displayName: name, role: role, region: region,
                             passwordHash: passwordHash, throttle: .init(failures: 0, lockedUntil: nil),
                             roleGrantedBy: proposed ? nil : createdBy.username, roleGrantedAt: proposed ? nil : now)
        try await db.writeTransaction { tx in
            try await tx.sql.insert(into: "users")
                .columns("id", "username", "display_name", "role", "region_code", "password_hash", "failed_logins", "locked_until", "created_at",
                         "role_granted_by", "role_granted_at", "must_change_password")
                .values(SQLBind(user.id), SQLBind(username), SQLBind(name), SQLBind(role.rawValue), SQLBind(region.value),
                        SQLBind(passwordHash), SQLBind(0), SQLBind(Optional<String>.none), SQLBind(Timestamp.text(now)),
                        SQLBind(user.roleGrantedBy), SQLBind(user.roleGrantedAt.map(Timestamp.text)), SQLBind(passwordGiven))
                .run()
            try await AuditLog(tx).record(actor: createdBy, action: .createUser, targetKind: "user", targetID: username,
                                          detail: "\(role.chinese)\(proposed ? "（待安全管理员授权）" : "")，辖区 \(region.value)")
        }
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

    /// One page of the accounts placed inside the administrator's jurisdiction, and how many there are.
    public func page(actor: Actor, offset: Int, limit: Int) async throws -> (users: [StaffUser], total: Int) {
        guard actor.may(.manageUsers) || actor.may(.grantRoles) else { throw DomainError.forbidden }
        let total = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("users")
            .within(actor.jurisdiction, column: "region_code").first()?.decode(column: "n", as: Int.self) ?? 0
        let users = try await db.sql.select().column("*").from("users").within(actor.jurisdiction, column: "region_code")
            // Accounts waiting for a grant first: they are the security administrator's work.
            .orderBy(SQLRaw("CASE WHEN role_granted_by IS NULL THEN 0 ELSE 1 END")).orderBy("username")
            .offset(offset).limit(limit).all().map(Self.decode)
        return (users, total)
    }

    /// Where the system administrator may place an account: their own region and the districts and streets inside
    /// it (a community's coordinator is placed by its code from the command line).
    public func places(actor: Actor) async throws -> [Region] {
        guard actor.may(.manageUsers) || actor.may(.grantRoles) else { throw DomainError.forbidden }
        return try await db.sql.select().columns("code", "name", "is_demo").from("regions").within(actor.jurisdiction, column: "code")
            .where("level", .lessThanOrEqual, RegionLevel.township.rawValue).orderBy("code").all().map(RowDecoding.region)
    }

    /// An account the administrator may act on: one placed inside their jurisdiction.
    func managed(_ username: String, by actor: Actor) async throws -> StaffUser {
        guard let user = try await find(username: username), actor.covers(user.region) else { throw UserStoreError.unknownUser(username) }
        return user
    }

    /// Grants an account its role (or changes it), audited: a security administrator's act, never on their own
    /// account (`RoleGrant`). The account's sessions take the new role at their next request.
    public func grant(_ username: String, role: Role, actor: Actor, now: Date = Date()) async throws {
        if let refusal = RoleGrant.check(granter: actor, account: username) { throw UserStoreError.grant(refusal) }
        let user = try await managed(username, by: actor)
        try await db.writeTransaction { tx in
            try await tx.sql.update("users").set("role", to: role.rawValue).set("role_granted_by", to: actor.username)
                .set("role_granted_at", to: Timestamp.text(now)).where("id", .equal, user.id).run()
            let change = user.role == role ? role.chinese : "\(user.role.chinese) → \(role.chinese)"
            try await AuditLog(tx).record(actor: actor, action: .grantRole, targetKind: "user", targetID: username,
                                          detail: user.isGranted ? "变更角色：\(change)" : "授予角色：\(change)")
        }
    }

    /// Moves an account to another jurisdiction, audited: the system administrator's, within their own.
    public func setRegion(_ username: String, region: RegionCode, actor: Actor) async throws {
        guard actor.may(.manageUsers) else { throw DomainError.forbidden }
        let user = try await managed(username, by: actor)
        guard actor.covers(region) else { throw UserStoreError.outsideJurisdiction(region.value) }
        guard try await RegistryStore(db).region(region) != nil else { throw UserStoreError.unknownRegion(region.value) }
        try await db.writeTransaction { tx in
            try await tx.sql.update("users").set("region_code", to: region.value).where("id", .equal, user.id).run()
            try await AuditLog(tx).record(actor: actor, action: .changeJurisdiction, targetKind: "user", targetID: username,
                                          detail: "辖区 \(user.region.value) → \(region.value)")
        }
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
        guard actor.may(.manageUsers) else { throw DomainError.forbidden }
        let user = try await managed(username, by: actor)
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
                .set("must_change_password", to: false)
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
                  disabledAt: try r.decode(column: "disabled_at", as: String?.self).flatMap(Timestamp.date),
                  roleGrantedBy: try r.decode(column: "role_granted_by", as: String?.self),
                  roleGrantedAt: try r.decode(column: "role_granted_at", as: String?.self).flatMap(Timestamp.date),
                  secondFactorEnrolledAt: try r.decode(column: "totp_enrolled_at", as: String?.self).flatMap(Timestamp.date),
                  mustChangePassword: try r.decode(column: "must_change_password", as: Bool.self))
    }
}
