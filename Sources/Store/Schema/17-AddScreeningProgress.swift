import FluentKit
import Foundation
import SQLKit

/// A screening's progress and its end, for runs started from a page, which go on after the page has returned:
/// how many households it set out to screen (`households` counts those done so far), and why it stopped if
/// it did not finish.
struct AddScreeningProgress: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await db.schema("screenings").field("planned", .int).update()
        try await db.schema("screenings").field("failure", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("screenings").deleteField("failure").update()
        try await db.schema("screenings").deleteField("planned").update()
    }
}
