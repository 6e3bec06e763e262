import FluentKit
import Foundation
import SQLKit

struct CreateUser: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .required)
            .field("password_hash", .string, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .string)
            .field("created_at", .string, .required)
            .unique(on: "username")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("users").delete() }
}
