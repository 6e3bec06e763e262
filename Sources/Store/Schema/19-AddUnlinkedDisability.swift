import FluentKit
import Foundation
import SQLKit

/// A department row waiting for linkage keeps the disability its certificate states, so that the grade reaches
/// the member when the row is linked by the probabilistic pass or by a reviewer, as it does on an exact ID.
struct AddUnlinkedDisability: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await db.schema("feed_unlinked").field("disability_category", .string).update()
        try await db.schema("feed_unlinked").field("disability_grade", .int).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("feed_unlinked").deleteField("disability_grade").update()
        try await db.schema("feed_unlinked").deleteField("disability_category").update()
    }
}
