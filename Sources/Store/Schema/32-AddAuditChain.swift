import FluentKit
import Foundation
import SQLKit

/// The audit log becomes a hash chain (`AuditChain`): each entry's place and the hash of the one before. Entries
/// already written are sealed in the order they were written; then the table refuses changes, and archives get
/// their table.
struct AddAuditChain: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds one at a time.
        for (name, type) in [("seq", DatabaseSchema.DataType.int64), ("prev_hash", .string), ("hash", .string)] {
            try await db.schema("audit_entries").field(.string(name), type).update()
        }
        try await db.schema("audit_archives")
            .id()
            .field("through_seq", .int64, .required)
            .field("last_hash", .string, .required)
            .field("rows", .int64, .required)
            .field("file_name", .string, .required)
            .field("file_sha256", .string, .required)
            .field("archived_at", .string, .required)
            .field("archived_by", .string, .required)
            .create()
        try await AuditChain.sealUnsealed(db)
        let sql = db.sql
        try await sql.create(index: "idx_audit_seq").on("audit_entries").column("seq").unique().run()
        try await AuditChain.createTriggers(sql)
    }

    func revert(on db: any Database) async throws {
        let sql = db.sql
        for name in ["audit_no_update", "audit_no_delete", "audit_no_truncate"] where sql.dialect.name == "postgresql" || name != "audit_no_truncate" {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: name)\(unsafeRaw: sql.dialect.name == "postgresql" ? " ON audit_entries" : "")").run()
        }
        try await db.schema("audit_archives").delete()
        try await sql.drop(index: "idx_audit_seq").run()
        for name in ["seq", "prev_hash", "hash"] { try await db.schema("audit_entries").deleteField(.string(name)).update() }
    }
}
