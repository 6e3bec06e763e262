import FluentKit
import Foundation
import SQLKit

struct CreateMember: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("members")
            .id()
            .field("household_id", .uuid, .required, .references("households", "id"))
            // Copied from the household so every query can be scoped by jurisdiction without a join.
            .field("residence_region", .string, .required)
            .field("relation", .string, .required)
            .field("national_id", .string, .required)
            // The last four characters, indexed, for "search by the last digits".
            .field("national_id_tail", .string, .required)
            .field("name", .string, .required)
            .field("sex", .string, .required)
            .field("birth_date", .string, .required)
            .field("disability_category", .string)
            .field("disability_grade", .int)
            .field("illnesses", .string, .required)
            .field("work_capacity", .string, .required)
            .field("employment", .string, .required)
            .field("schooling", .string, .required)
            .unique(on: "national_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("members").delete() }
}
