import FluentKit
import Foundation

/// Staff accounts can be disabled (their sessions end at once) and record when their password last changed.
struct AddUserStatus: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        try await db.schema("users").field("disabled_at", .string).update()
        try await db.schema("users").field("password_changed_at", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("users").deleteField("password_changed_at").update()
        try await db.schema("users").deleteField("disabled_at").update()
    }
}
