import FluentKit
import Foundation
import SQLKit

/// SQLite keeps a write-ahead log instead of the rollback journal. Pages go on being read while an import or a
/// screening writes (with the rollback journal, an import whose pages outgrew the cache took the exclusive lock
/// and shut readers out until it committed), and a large transaction appends its pages to the log instead of
/// first copying each page's old contents aside. The mode is kept in the file. PostgreSQL has its own log.
struct UseWriteAheadLog: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard db.sql.dialect.name == "sqlite" else { return }
        try await db.sql.raw("PRAGMA journal_mode = WAL").run()
    }
    func revert(on db: any Database) async throws {
        guard db.sql.dialect.name == "sqlite" else { return }
        try await db.sql.raw("PRAGMA journal_mode = DELETE").run()
    }
}
