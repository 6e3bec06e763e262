import FluentKit
import Foundation
import SQLKit

struct CreateHousehold: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("households")
            .id()
            .field("registered_region", .string, .required)
            .field("residence_region", .string, .required)
            .field("address", .string, .required)
            .field("created_at", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("households").delete() }
}
