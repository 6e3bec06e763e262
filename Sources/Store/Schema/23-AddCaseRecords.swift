import FluentKit
import Foundation
import SQLKit

/// The structured records of a case's steps (the materials notice, the commitment, the verification report, the
/// visit form) kept with the step's entry in the timeline; the day the one-time materials notice was given; and the
/// link between a resident's request for help and the application it became; the day a case was decided, for the
/// dashboard's figures to be counted in SQL.
struct AddCaseRecords: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await db.schema("case_events").field("record", .string).update()
        try await db.schema("cases").field("materials_requested_on", .string).update()
        try await db.schema("cases").field("help_request_id", .uuid).update()
        try await db.schema("help_requests").field("case_id", .uuid).update()
        try await db.schema("cases").field("decided_on", .string).update()
        try await (db as! any SQLDatabase).create(index: "idx_cases_decided_on").on("cases").column("decided_on").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "idx_cases_decided_on").run()
        try await db.schema("cases").deleteField("decided_on").update()
        try await db.schema("help_requests").deleteField("case_id").update()
        try await db.schema("cases").deleteField("help_request_id").update()
        try await db.schema("cases").deleteField("materials_requested_on").update()
        try await db.schema("case_events").deleteField("record").update()
    }
}
