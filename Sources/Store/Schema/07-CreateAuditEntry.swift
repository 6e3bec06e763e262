import FluentKit
import Foundation
import SQLKit

struct CreateAuditEntry: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("at", .string, .required)
            .field("user_id", .uuid)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("actor_region", .string, .required)
            .field("action", .string, .required)
            .field("target_kind", .string, .required)
            .field("target_id", .string, .required)
            .field("detail", .string, .required)
            .field("origin", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("audit_entries").delete() }
}
