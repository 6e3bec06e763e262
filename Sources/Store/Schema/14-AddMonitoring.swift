import FluentKit
import Foundation
import SQLKit

/// Monitoring and early warning (#5): warnings with their handling, the actions taken on them, home-visit
/// tasks, the latest hardship score per household, screening runs, and payments held after a death.
struct AddMonitoring: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("warnings")
            .id()
            .field("household_id", .uuid, .required)
            .field("indicator", .string, .required)
            .field("kind", .string, .required)
            .field("severity", .string, .required)
            .field("dimension", .string, .required)
            // Routed to where the household lives; apply-anywhere also tells the place of registration.
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("title", .string, .required)
            .field("status", .string, .required)
            .field("assignee", .string)
            .field("score", .int, .required)
            .field("fingerprint", .string, .required)
            .field("evidence", .string, .required)
            .field("raised_on", .string, .required)
            .field("due_on", .string, .required)
            .field("updated_at", .string, .required)
            // Set when a later screening no longer finds the condition; the warning still waits for a decision.
            .field("cleared_on", .string)
            .field("outcome", .string)
            .field("reason", .string)
            .field("disposed_on", .string)
            .field("closed_on", .string)
            .field("screening_id", .uuid)
            .create()
        try await db.schema("warning_actions")
            .id()
            .field("warning_id", .uuid, .required)
            .field("at", .string, .required)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("action", .string, .required)
            .field("from_status", .string, .required)
            .field("to_status", .string, .required)
            .field("note", .string, .required)
            .create()
        try await db.schema("home_visits")
            .id()
            .field("warning_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("residence_region", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .string, .required)
            .field("created_by", .string, .required)
            .field("due_on", .string, .required)
            .field("findings", .string)
            .field("done_at", .string)
            .field("done_by", .string)
            .create()
        try await db.schema("household_scores")
            .field("household_id", .uuid, .identifier(auto: false))
            .field("residence_region", .string, .required)
            .field("score", .int, .required)
            .field("dimensions", .string, .required)
            .field("contributions", .string, .required)
            .field("screened_on", .string, .required)
            .create()
        try await db.schema("screenings")
            .id()
            .field("mode", .string, .required)
            .field("region", .string, .required)
            .field("started_at", .string, .required)
            .field("finished_at", .string)
            .field("username", .string, .required)
            .field("households", .int, .required)
            .field("raised", .int, .required)
            .field("updated", .int, .required)
            .field("suppressed", .int, .required)
            .field("cleared", .int, .required)
            .field("holds", .int, .required)
            .create()
        try await db.schema("payment_holds")
            .id()
            .field("enrolment_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid, .required)
            .field("residence_region", .string, .required)
            .field("fact_id", .uuid, .required)
            .field("reason", .string, .required)
            .field("created_at", .string, .required)
            .field("released_at", .string)
            .field("released_by", .string)
            .unique(on: "enrolment_id", "fact_id")
            .create()
        for (name, table, columns) in [("idx_warnings_household", "warnings", ["household_id", "indicator"]),
                                       ("idx_warnings_inbox", "warnings", ["residence_region", "status"]),
                                       ("idx_warnings_registered", "warnings", ["registered_region"]),
                                       ("idx_warning_actions", "warning_actions", ["warning_id"]),
                                       ("idx_visits_region", "home_visits", ["residence_region", "status"]),
                                       ("idx_visits_warning", "home_visits", ["warning_id"]),
                                       ("idx_scores_rank", "household_scores", ["residence_region", "score"]),
                                       ("idx_holds_household", "payment_holds", ["household_id"]),
                                       ("idx_events_created", "events", ["created_at"]),
                                       // Screening pages through a region's households in (residence, id) order.
                                       ("idx_households_residence_id", "households", ["residence_region", "id"])] {
            var b = db.sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.sql.drop(index: "idx_events_created").run()
        try await db.sql.drop(index: "idx_households_residence_id").run()
        for table in ["payment_holds", "screenings", "household_scores", "home_visits", "warning_actions", "warnings"] {
            try await db.schema(table).delete()
        }
    }
}
