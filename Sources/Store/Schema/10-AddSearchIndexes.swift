import FluentKit
import Foundation
import SQLKit

/// Indexes for the search box. Names are searched by prefix (a surname, or a whole name): SQLite
/// turns `GLOB 'x*'` into an index range on its binary collation; PostgreSQL needs a
/// `text_pattern_ops` index for `LIKE 'x%'` whatever the database's locale. Address fragments are
/// searched anywhere in the text: on PostgreSQL a trigram index does that when the pg_trgm
/// extension may be created, and the search still works (by scanning) where it may not.
struct AddSearchIndexes: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard db.sql.dialect.name == "postgresql" else { return }
        try await db.sql.raw("CREATE INDEX idx_members_name_pattern ON members (name text_pattern_ops)").run()
        do {
            try await db.sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
            try await db.sql.raw("CREATE INDEX idx_households_address_trgm ON households USING gin (address gin_trgm_ops)").run()
        } catch {
            db.logger.warning("pg_trgm is not available (\(String(reflecting: error))): address search will scan instead of using a trigram index")
        }
    }

    func revert(on db: any Database) async throws {
        guard db.sql.dialect.name == "postgresql" else { return }
        try await db.sql.raw("DROP INDEX IF EXISTS idx_households_address_trgm").run()
        try await db.sql.raw("DROP INDEX IF EXISTS idx_members_name_pattern").run()
    }
}
