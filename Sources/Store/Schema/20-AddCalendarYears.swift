import FluentKit
import Foundation
import SQLKit

/// Holiday years loaded after the build: without them a deadline in the new year counts weekends only and is
/// shown as provisional.
struct AddCalendarYears: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("calendar_years")
            .field("year", .int, .identifier(auto: false))
            .field("days", .string, .required)
            .field("source", .string, .required)
            .field("loaded_by", .string, .required)
            .field("loaded_at", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("calendar_years").delete() }
}
