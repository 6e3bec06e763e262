import FluentKit
import Foundation
import SQLKit

/// Residents' online requests for help (码上办), until the township has contacted them and opened an application.
struct AddHelpRequests: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("help_requests")
            .id()
            .field("code", .string, .required)
            .field("name", .string, .required)
            .field("national_id", .string, .required)
            .field("phone", .string, .required)
            .field("need", .string, .required)
            // `online` (the resident's own form) or `hotline` (a call staff recorded).
            .field("channel", .string, .required)
            .field("township_region", .string, .required)
            .field("household_id", .uuid)
            .field("status", .string, .required)
            .field("created_at", .string, .required)
            .field("contact_due_on", .string, .required)
            .field("contact_due_provisional", .bool, .required)
            .field("handled_by", .string)
            .field("handled_at", .string)
            .field("note", .string)
            .unique(on: "code")
            .create()
        try await (db as! any SQLDatabase).create(index: "idx_help_requests_township").on("help_requests").column("township_region").column("status").run()
    }
    func revert(on db: any Database) async throws { try await db.schema("help_requests").delete() }
}
