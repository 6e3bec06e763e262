import FluentKit
import Foundation
import SQLKit

struct CreateFact: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("facts")
            .id()
            .field("household_id", .uuid, .required, .references("households", "id"))
            .field("member_id", .uuid, .references("members", "id"))
            .field("category", .string, .required)
            .field("kind", .string, .required)
            .field("amount_cents", .int64)
            .field("basis", .string)
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .field("source_department", .string, .required)
            .field("received_at", .string, .required)
            .field("reference", .string, .required)
            .field("note", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("facts").delete() }
}
