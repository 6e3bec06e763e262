import FluentKit
import Foundation
import SQLKit

/// A staff member's second factor: the TOTP secret (sealed under the data key), the last step used (a code is good
/// once), when it was enrolled, and the hashes of their single-use recovery codes.
struct AddSecondFactor: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("totp_secret", .string).update()
        try await db.schema("users").field("totp_last_step", .int64).update()
        try await db.schema("users").field("totp_enrolled_at", .string).update()
        try await db.schema("user_recovery_codes")
            .field("id", .uuid, .identifier(auto: false))
            .field("user_id", .uuid, .required, .references("users", "id"))
            .field("code_hash", .string, .required)
            .field("used_at", .string)
            .unique(on: "user_id", "code_hash")
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("user_recovery_codes").delete()
        try await db.schema("users").deleteField("totp_enrolled_at").update()
        try await db.schema("users").deleteField("totp_last_step").update()
        try await db.schema("users").deleteField("totp_secret").update()
    }
}
