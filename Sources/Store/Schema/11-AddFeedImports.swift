import FluentKit
import Foundation
import SQLKit

/// Department feeds: each imported file, where each fact came from, rows waiting for linkage, and events.
struct AddFeedImports: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("feed_imports")
            .id()
            .field("feed", .string, .required)
            .field("file_name", .string, .required)
            .field("file_hash", .string, .required)
            .field("received_at", .string, .required)
            .field("finished_at", .string, .required)
            .field("username", .string, .required)
            .field("rows_read", .int, .required)
            .field("linked", .int, .required)
            .field("new_facts", .int, .required)
            .field("changed", .int, .required)
            .field("rejected", .int, .required)
            .field("review", .int, .required)
            .unique(on: "feed", "file_hash")
            .create()
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        try await db.schema("facts").field("feed", .string).update()
        try await db.schema("facts").field("natural_key", .string).update()
        try await db.schema("facts").field("import_id", .uuid).update()
        try await db.schema("facts").field("row_number", .int).update()
        try await db.sql.raw("CREATE UNIQUE INDEX idx_facts_feed_key ON facts (feed, natural_key)").run()
        try await db.schema("feed_unlinked")
            .id()
            .field("import_id", .uuid, .required)
            .field("feed", .string, .required)
            .field("natural_key", .string, .required)
            .field("row_number", .int, .required)
            .field("national_id", .string, .required)
            .field("name", .string)
            .field("kind", .string, .required)
            .field("amount_cents", .int64)
            .field("valid_from", .string)
            .field("status", .string, .required)
            .unique(on: "feed", "natural_key")
            .create()
        try await db.schema("events")
            .id()
            .field("fact_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid)
            .field("residence_region", .string, .required)
            .field("kind", .string, .required)
            .field("occurred_on", .string, .required)
            .field("created_at", .string, .required)
            .field("import_id", .uuid)
            // The fact and the values it took: the same change seen twice is one event.
            .field("dedupe_key", .string, .required)
            .unique(on: "dedupe_key")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("events").delete()
        try await db.schema("feed_unlinked").delete()
        try await db.sql.raw("DROP INDEX IF EXISTS idx_facts_feed_key").run()
        for column in ["row_number", "import_id", "natural_key", "feed"] { try await db.schema("facts").deleteField(.key(.init(stringLiteral: column))).update() }
        try await db.schema("feed_imports").delete()
    }
}
