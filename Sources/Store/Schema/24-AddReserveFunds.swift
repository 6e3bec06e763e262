import FluentKit
import Foundation
import SQLKit

/// Help first (先行救助): each township's reserve fund (备用金) with its balance and ledger, and the paperwork a grant
/// leaves to be done by its deadline.
struct AddReserveFunds: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("cases").field("paperwork_due_on", .string).update()
        try await db.schema("cases").field("paperwork_done_on", .string).update()
        // The balance in one row per township: a grant is one conditional update of it, so two grants at once can never
        // take the fund below zero on SQLite or PostgreSQL.
        try await db.schema("reserve_funds")
            .field("township_region", .string, .identifier(auto: false))
            .field("balance_cents", .int64, .required)
            .field("updated_at", .string, .required)
            .create()
        try await db.schema("reserve_fund_entries")
            .id()
            .field("township_region", .string, .required)
            .field("kind", .string, .required)
            .field("amount_cents", .int64, .required)
            .field("balance_after_cents", .int64, .required)
            .field("case_id", .uuid)
            .field("note", .string, .required)
            .field("username", .string, .required)
            .field("at", .string, .required)
            .create()
        try await (db as! any SQLDatabase).create(index: "idx_reserve_fund_entries_township").on("reserve_fund_entries").column("township_region").column("at").run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("reserve_fund_entries").delete()
        try await db.schema("reserve_funds").delete()
        try await db.schema("cases").deleteField("paperwork_done_on").update()
        try await db.schema("cases").deleteField("paperwork_due_on").update()
    }
}
