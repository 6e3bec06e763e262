import FluentKit
import Foundation
import SQLKit

/// Small key–value settings the system keeps about itself (e.g. what the demo generated).
struct CreateSetting: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("settings").delete() }
}
