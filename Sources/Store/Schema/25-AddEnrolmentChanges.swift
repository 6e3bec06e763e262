import FluentKit
import Foundation
import SQLKit

/// Changes to enrolments in force (增发/减发/停发) from proposal to the county's decision, and the amounts paid that
/// were not due, recorded for the payments work to deduct or collect.
struct AddEnrolmentChanges: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("enrolment_changes")
            .id()
            .field("enrolment_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("program", .string, .required)
            .field("current_cents", .int64, .required)
            .field("new_cents", .int64, .required)
            .field("effective_on", .string, .required)
            .field("reasons", .string, .required)
            .field("articles", .string, .required)
            .field("source", .string, .required)
            .field("warning_id", .uuid)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("proposed_by", .string, .required)
            .field("proposed_on", .string, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("notice_from", .string)
            .field("decided_by", .string)
            .field("decided_on", .string)
            .field("assessment", .string)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_enrolment_changes_residence").on("enrolment_changes").column("residence_region").column("status").run()
        try await sql.create(index: "idx_enrolment_changes_registered").on("enrolment_changes").column("registered_region").column("status").run()
        // One proposal at a time per enrolment, even for two writers at once (the store checks first, to say why).
        try await sql.raw("CREATE UNIQUE INDEX idx_enrolment_changes_one_pending ON enrolment_changes (enrolment_id) WHERE status = 'proposed'").run()
        try await db.schema("recoveries")
            .id()
            .field("household_id", .uuid, .required)
            .field("enrolment_id", .uuid, .required)
            .field("change_id", .uuid, .required)
            .field("residence_region", .string, .required)
            .field("amount_cents", .int64, .required)
            .field("basis", .string, .required)
            .field("status", .string, .required)
            .field("created_on", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("recoveries").delete()
        try await db.schema("enrolment_changes").delete()
    }
}
