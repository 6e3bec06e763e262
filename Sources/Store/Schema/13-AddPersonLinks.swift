import FluentKit
import Foundation
import SQLKit

/// Probabilistic person linkage (#4): what a department row said about the person (kept until it is
/// linked), and the links themselves with their evidence and the human decision.
struct AddPersonLinks: AsyncMigration {
    static let unlinkedColumns = ["valid_to", "reference", "note", "birth_date", "region", "address", "identity"]

    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in Self.unlinkedColumns {
            try await db.schema("feed_unlinked").field(FieldKey(stringLiteral: column), .string).update()
        }
        try await db.schema("feed_unlinked").field("link_id", .uuid).update()
        try await db.schema("person_links")
            .id()
            .field("import_id", .uuid, .required)
            .field("feed", .string, .required)
            // The department's view of the person: typed ID | name | birth date.
            .field("identity", .string, .required)
            .field("member_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            // The member's residence, so the review queue is scoped like everything else.
            .field("residence_region", .string, .required)
            // auto | review | confirmed | rejected
            .field("status", .string, .required)
            .field("probability", .double, .required)
            .field("weight", .double, .required)
            .field("evidence", .string, .required)
            .field("reason", .string, .required)
            .field("created_at", .string, .required)
            .field("decided_by", .string)
            .field("decided_at", .string)
            .unique(on: "feed", "identity", "member_id")
            .create()
        for (name, table, columns) in [("idx_members_birth", "members", ["birth_date"]),
                                       ("idx_unlinked_import", "feed_unlinked", ["import_id", "status", "row_number"]),
                                       ("idx_unlinked_link", "feed_unlinked", ["link_id"]),
                                       ("idx_links_queue", "person_links", ["status", "residence_region"]),
                                       ("idx_links_member", "person_links", ["feed", "member_id"])] {
            var b = db.sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: any Database) async throws {
        for name in ["idx_members_birth", "idx_unlinked_import", "idx_unlinked_link", "idx_links_queue", "idx_links_member"] {
            try await db.sql.drop(index: name).run()
        }
        try await db.schema("person_links").delete()
        for column in Self.unlinkedColumns + ["link_id"] {
            try await db.schema("feed_unlinked").deleteField(.key(.init(stringLiteral: column))).update()
        }
    }
}
