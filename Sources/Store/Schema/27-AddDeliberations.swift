import FluentKit
import Foundation
import SQLKit

/// Case-by-case deliberations (一事一议): the hardship, the level it is at, each meeting's record, and the decision,
/// kept for the precedent list.
struct AddDeliberations: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("deliberations")
            .id()
            .field("household_id", .uuid, .required)
            .field("case_id", .uuid)
            .field("warning_id", .uuid)
            .field("source", .string, .required)
            .field("situation", .string, .required)
            .field("tags", .string, .required)
            .field("level", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("opened_by", .string, .required)
            .field("opened_on", .string, .required)
            .field("decided_on", .string)
            .field("amount_cents", .int64)
            .field("meetings", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_deliberations_residence").on("deliberations").column("residence_region").column("status").run()
        try await sql.create(index: "idx_deliberations_registered").on("deliberations").column("registered_region").column("status").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("deliberations").delete()
    }
}
