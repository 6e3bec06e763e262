import Crypto
import Domain
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

// The database's own reference checks, left out inside an import's transaction.
extension FeedImporter {
    /// On SQLite, the import's connection does not check foreign keys: every household and member a fact, event
    /// or link names was read from those tables inside the same transaction (and no household or member is ever
    /// deleted), and looking each up again cost a fifteenth of an import. (It also lets SQLite keep no statement
    /// journal: see `BulkJSON.insert`.) The setting belongs to the connection, which goes back to the pool: it is
    /// turned on again whatever happens. PostgreSQL: `skipForeignKeyChecks(inTransaction:)`.
    /// The connection's temporary store is set here too (`FeedImporter.run` says why): like foreign keys, SQLite changes
    /// it only outside a transaction once the connection has used its temporary database (an ALTER TABLE has).
    static func withoutForeignKeyChecks<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard db.sql.dialect.name == "sqlite" else { return try await body(db) }
        return try await db.withConnection { conn in
            // Only outside a transaction does SQLite change them.
            try await conn.sql.raw("PRAGMA foreign_keys = OFF").run()
            try await conn.sql.raw("PRAGMA temp_store = MEMORY").run()
            func restore() async throws {
                try await conn.sql.raw("PRAGMA foreign_keys = ON").run()
                try await conn.sql.raw("PRAGMA temp_store = DEFAULT").run()
            }
            do {
                let result = try await body(conn)
                try await restore()
                return result
            } catch {
                try? await restore()
                throw error
            }
        }
    }

    /// The same on PostgreSQL, for the import's transaction alone. There the checks were a third of a
    /// million-row import (57.8 s with them, 37.2 s without, same run of `jiuzhu bench import`): the one backend
    /// that writes the transaction looked up each fact's household and member with a statement of its own.
    /// Foreign keys are triggers there, which `session_replication_role = replica` does not fire; `SET LOCAL`
    /// undoes it at commit or rollback. Only a role allowed to set it can (a superuser, or from PostgreSQL 15
    /// `GRANT SET ON PARAMETER session_replication_role TO …`); any other keeps the checks, slower and as correct.
    /// Returns whether the checks are off. Nothing of ours is a trigger or rule, so nothing else stops firing.
    static func skipForeignKeyChecks(inTransaction sql: any SQLDatabase) async throws -> Bool {
        guard BulkJSON.isPostgres(sql), try await mayTurnOffForeignKeyChecks(sql) else { return false }
        try await sql.raw("SET LOCAL session_replication_role = replica").run()
        return true
    }

    /// Whether the current role may set `session_replication_role`: asked first, because a refused SET would
    /// abort the transaction it is in.
    static func mayTurnOffForeignKeyChecks(_ sql: any SQLDatabase) async throws -> Bool {
        let version = try await sql.raw("SELECT current_setting('server_version_num')::int AS v").first()?.decode(column: "v", as: Int.self) ?? 0
        // `has_parameter_privilege` came with PostgreSQL 15 (and answers yes for a superuser); before it only a superuser may.
        let query: SQLQueryString = version >= 150_000
            ? "SELECT has_parameter_privilege('session_replication_role', 'SET') AS ok"
            : "SELECT rolsuper AS ok FROM pg_roles WHERE rolname = current_user"
        return try await sql.raw(query).first()?.decode(column: "ok", as: Bool.self) ?? false
    }

}
