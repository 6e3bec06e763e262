import FluentKit
import Foundation
import SQLKit

/// An account's role takes effect only once a security administrator has granted it (三权分立): the system
/// administrator who opens an account proposes a role and cannot grant it. Accounts that exist already were set
/// up before the split and count as granted, by the migration.
struct AddRoleGrant: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("role_granted_by", .string).update()
        try await db.schema("users").field("role_granted_at", .string).update()
        try await (db as! any SQLDatabase).update("users").set("role_granted_by", to: "migration")
            .set("role_granted_at", to: Timestamp.text(Date())).run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("users").deleteField("role_granted_at").update()
        try await db.schema("users").deleteField("role_granted_by").update()
    }
}
