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

    public func actor(origin: String) -> Actor {
        Actor(userID: id, username: username, role: role, jurisdiction: region, origin: origin)
    }
}

public enum UserStoreError: Error, Equatable, CustomStringConvertible {
    case usernameTaken(String)
    case invalidUsername(String)
    case unknownRegion(String)

    public var description: String {
        switch self {
        case .usernameTaken(let u): return "用户名「\(u)」已存在 (username taken)"
        case .invalidUsername(let u): return "用户名「\(u)」无效：只能用字母、数字、点、下划线和连字符，3–40位 (invalid username)"
        case .unknownRegion(let r): return "辖区 \(r) 不在区划表中 (unknown region)"
        }
    }
}

/// Staff accounts. Password hashing happens in the caller (bcrypt, in the web layer); this only stores the hash.
public struct UserStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    @discardableResult
    public func create(username: String, displayName: String, role: Role, region: RegionCode, passwordHash: String,
                       createdBy: Actor) async throws -> StaffUser {
        let valid = (3...40).contains(username.count) && username.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
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

    public func saveThrottle(_ id: UUID, _ state: LoginThrottle.State) async throws {
        try await db.serialisingWrites {
            try await db.sql.update("users")
                .set("failed_logins", to: state.failures)
                .set("locked_until", to: state.lockedUntil.map(Timestamp.text))
                .where("id", .equal, id).run()
        }
    }

    static func decode(_ r: any SQLRow) throws -> StaffUser {
        StaffUser(id: try r.decode(column: "id", as: UUID.self),
                  username: try r.decode(column: "username", as: String.self),
                  displayName: try r.decode(column: "display_name", as: String.self),
                  role: Role(rawValue: try r.decode(column: "role", as: String.self)) ?? .auditor,
                  region: try RegionCode(try r.decode(column: "region_code", as: String.self)),
                  passwordHash: try r.decode(column: "password_hash", as: String.self),
                  throttle: .init(failures: try r.decode(column: "failed_logins", as: Int.self),
                                  lockedUntil: try r.decode(column: "locked_until", as: String?.self).flatMap(Timestamp.date)))
    }
}
