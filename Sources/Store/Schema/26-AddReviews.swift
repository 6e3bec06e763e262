import FluentKit
import Foundation
import SQLKit

/// Periodic reviews (定期核查) opened by the schedule and done by the township; the day each enrolment was last
/// reviewed (the next cycle counts from it); gradual exit (渐退): its months on the change, and on the enrolment
/// the day it stops by itself; the review a change came from.
struct AddReviews: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("reviews")
            .id()
            .field("enrolment_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("program", .string, .required)
            .field("cycle", .string, .required)
            .field("due_on", .string, .required)
            .field("opened_on", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("conclusion", .string)
            .field("done_by", .string)
            .field("done_on", .string)
            .field("change_id", .uuid)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_reviews_residence").on("reviews").column("residence_region").column("status").column("due_on").run()
        try await sql.create(index: "idx_reviews_registered").on("reviews").column("registered_region").column("status").column("due_on").run()
        // One open review per enrolment, even for two runs of the schedule at once.
        try await sql.raw("CREATE UNIQUE INDEX idx_reviews_one_open ON reviews (enrolment_id) WHERE status = 'open'").run()
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await db.schema("enrolments").field("last_reviewed_on", .string).update()
        try await db.schema("enrolments").field("exit_ends_on", .string).update()
        try await db.schema("enrolment_changes").field("exit_months", .int).update()
        try await db.schema("enrolment_changes").field("review_id", .uuid).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("enrolment_changes").deleteField("review_id").update()
        try await db.schema("enrolment_changes").deleteField("exit_months").update()
        try await db.schema("enrolments").deleteField("exit_ends_on").update()
        try await db.schema("enrolments").deleteField("last_reviewed_on").update()
        try await db.schema("reviews").delete()
    }
}
