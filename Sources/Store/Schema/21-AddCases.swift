import FluentKit
import Foundation
import SQLKit

/// Cases (#22): one application of one household for one programme, from acceptance to decision, with every step
/// taken on it. The office whose task the current step is (`task_region`, a second for steps either township may
/// do, `task_roles`) is kept on the row, so that each person's inbox is one indexed query.
struct AddCases: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("cases")
            .id()
            .field("code", .string, .required)
            .field("status_token", .string, .required)
            .field("kind", .string, .required)
            .field("program", .string, .required)
            .field("channel", .string, .required)
            .field("status", .string, .required)
            .field("step", .string)
            .field("version", .int, .required)
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid)
            .field("applicant_name", .string, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("task_region", .string)
            .field("task_region2", .string)
            .field("task_roles", .string)
            .field("applied_on", .string, .required)
            .field("accepted_on", .string)
            .field("done_steps", .string, .required)
            .field("notice_from", .string)
            .field("objection_pending", .bool, .required)
            .field("staff_relative", .bool, .required)
            .field("spot_checked", .bool, .required)
            .field("investigators", .string, .required)
            .field("extension_reason", .string)
            .field("decision", .string)
            .field("step_due_on", .string)
            .field("step_due_provisional", .bool, .required)
            .field("process_due_on", .string)
            .field("process_due_provisional", .bool, .required)
            .field("snapshot", .string)
            .field("assessment", .string)
            .field("warning_id", .uuid)
            .field("note", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .string, .required)
            .field("updated_at", .string, .required)
            .unique(on: "code")
            .create()
        try await db.schema("case_events")
            .id()
            .field("case_id", .uuid, .required)
            .field("at", .string, .required)
            .field("on_day", .string, .required)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("action", .string, .required)
            .field("step", .string)
            .field("note", .string, .required)
            .create()
        let sql = db as! any SQLDatabase
        for (name, table, columns) in [("idx_cases_task", "cases", ["status", "task_region"]), ("idx_cases_task2", "cases", ["status", "task_region2"]),
                                       ("idx_cases_residence", "cases", ["residence_region", "status"]),
                                       ("idx_cases_registered", "cases", ["registered_region", "status"]),
                                       ("idx_cases_household", "cases", ["household_id"]), ("idx_cases_token", "cases", ["status_token"]),
                                       ("idx_case_events_case", "case_events", ["case_id", "at"])] {
            var b = sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }
    func revert(on db: any Database) async throws {
        try await db.schema("case_events").delete()
        try await db.schema("cases").delete()
    }
}
