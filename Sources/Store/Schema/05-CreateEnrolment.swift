import FluentKit
import Foundation
import SQLKit

struct CreateEnrolment: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("enrolments")
            .id()
            .field("household_id", .uuid, .required, .references("households", "id"))
            .field("member_id", .uuid, .references("members", "id"))
            .field("residence_region", .string, .required)
            .field("program", .string, .required)
            .field("since", .string, .required)
            .field("monthly_amount_cents", .int64, .required)
            .field("status", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("enrolments").delete() }
}
