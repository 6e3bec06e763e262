import FluentKit
import Foundation
import SQLKit

struct CreateRegion: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("regions")
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("parent_code", .string)
            .field("is_demo", .bool, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("regions").delete() }
}
