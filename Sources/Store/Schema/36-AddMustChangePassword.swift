import FluentKit
import Foundation
import SQLKit

/// A first password given by an administrator (shown once on `/users`) is theirs to have seen: the account must
/// choose its own before it does anything else. Existing accounts chose theirs.
struct AddMustChangePassword: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users").field("must_change_password", .bool, .required, .sql(.default(false))).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("users").deleteField("must_change_password").update()
    }
}
