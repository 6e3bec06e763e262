import FluentKit
import Foundation
import SQLKit

extension Database {
    /// A transaction that writes: every store's write path goes through here (or `serialisingWrites`), never
    /// through Fluent's `transaction` itself.
    ///
    /// On SQLite, Fluent begins a transaction as DEFERRED: it reads on a snapshot and asks for the file's write
    /// lock only at its first write. If another connection committed in between, SQLite cannot let the stale
    /// snapshot write and answers "database is locked" at once: four staff acting on warnings together lost a
    /// quarter of their requests that way. So here writers take turns: in this process they wait for the
    /// `SQLiteWriteTurn` (holding no connection and no thread while they wait), and the transaction's first
    /// statement takes the file's write lock, as BEGIN IMMEDIATE would, so that another process (`jiuzhu import`
    /// beside the server) is waited for too — SQLite retries a lock it could not take before the transaction read
    /// anything. PostgreSQL locks rows, and needs none of this.
    public func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await serialisingWrites {
            try await self.transaction { tx in
                try await tx.takeSQLiteWriteLock()
                return try await body(tx)
            }
        }
    }

    /// Runs `body` holding this process's turn to write a SQLite file; at once on PostgreSQL, and inside a
    /// transaction (whose writer holds the turn already).
    public func serialisingWrites<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard !inTransaction, sql.dialect.name == "sqlite" else { return try await body() }
        await SQLiteWriteTurn.shared.take()
        do {
            let result = try await body()
            await SQLiteWriteTurn.shared.give()
            return result
        } catch {
            await SQLiteWriteTurn.shared.give()
            throw error
        }
    }

    /// The statement that takes a SQLite file's write lock as a transaction's first, changing nothing.
    func takeSQLiteWriteLock() async throws {
        guard sql.dialect.name == "sqlite" else { return }
        try await sql.raw("UPDATE settings SET value = value WHERE 0").run()
    }
}

/// One SQLite writer at a time in this process. A writer waiting on SQLite's own lock waits on a thread of the
/// connection pool's small thread pool (SQLiteNIO's busy handler retries without end); two such waiters while a
/// transaction held the lock left that transaction no thread to run its next statement on, and all three
/// stopped. Waiting here takes no thread. One turn for every SQLite file the process opens: production has one
/// file, and tests only wait a little longer.
actor SQLiteWriteTurn {
    static let shared = SQLiteWriteTurn()
    private var taken = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func take() async {
        guard taken else { taken = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func give() {
        if waiting.isEmpty { taken = false } else { waiting.removeFirst().resume() }
    }
}
