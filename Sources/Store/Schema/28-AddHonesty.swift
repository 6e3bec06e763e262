import FluentKit
import Foundation
import SQLKit

/// The honesty loop: spot checks and trace-backs of decided cases, and the dishonesty list (失信名单) they feed.
struct AddHonesty: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("spot_checks")
            .id()
            .field("case_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("warning_id", .uuid)
            .field("kind", .string, .required)
            .field("program", .string, .required)
            .field("status", .string, .required)
            .field("version", .int, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("drawn_on", .string, .required)
            .field("finding", .string)
            .field("recover_cents", .int64)
            .field("checked_by", .string)
            .field("checked_on", .string)
            .field("change_id", .uuid)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_spot_checks_residence").on("spot_checks").column("residence_region").column("status").run()
        try await sql.create(index: "idx_spot_checks_registered").on("spot_checks").column("registered_region").column("status").run()
        // A case is drawn at random once, and traced back once for each warning.
        try await sql.raw("CREATE UNIQUE INDEX idx_spot_checks_drawn_once ON spot_checks (case_id) WHERE kind = 'random'").run()
        try await sql.raw("CREATE UNIQUE INDEX idx_spot_checks_traced_once ON spot_checks (case_id, warning_id) WHERE kind = 'traceBack'").run()
        try await db.schema("dishonesty_list")
            .id()
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid)
            .field("name", .string, .required)
            .field("national_id", .string, .required)
            .field("basis", .string, .required)
            .field("listed_on", .string, .required)
            .field("spot_check_id", .uuid, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .create()
        try await sql.create(index: "idx_dishonesty_household").on("dishonesty_list").column("household_id").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("dishonesty_list").delete()
        try await db.schema("spot_checks").delete()
    }
}
