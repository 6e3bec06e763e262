import FluentPostgresDriver
import Foundation
import NIOCore
import SQLKit

/// A big read on PostgreSQL, taken a chunk at a time from one server-side cursor: planned once for the whole result
/// (hash joins, one sort) instead of a keyset page at a time, each of which joined its rows one by one through
/// indexes in random order. With `prefetch` a chunk is handled while the next is fetched (memory holds two chunks at most). The cursor's
/// snapshot is the moment it opens.
enum PostgresCursor {
    /// `text` must be a complete SELECT with its values written in (only values the caller built from typed data).
    /// `prefetch`: the next chunk is fetched while `body` handles one. Worth it where `body` is work in this process (a
    /// bank file's encoding); where `body` writes to the same database (a payroll's pages), the two compete for its CPU.
    /// Returns the seconds spent fetching and decoding rows (with `prefetch`, partly while `body` ran).
    @discardableResult
    static func stream<T: Sendable>(_ sql: any SQLDatabase, _ shape: RowShape<T>, _ text: String, chunk: Int, prefetch: Bool = false,
                                    _ body: @escaping @Sendable ([T]) async throws -> Void) async throws -> Double {
        guard let pg = sql as? any PostgresDatabase, let byPosition = shape.byPosition else {
            throw BulkReadError(column: "?", reason: "游标读取仅用于 PostgreSQL")
        }
        return try await pg.withConnection { conn in
            let promise = conn.eventLoop.makePromise(of: Double.self)
            promise.completeWithTask {
                let name = "jz_cursor"
                _ = try await conn.query("BEGIN READ ONLY", logger: conn.logger)
                // The chunk before is handed on while the next is fetched: the database and the caller work at once.
                // At most one chunk is being handled and one fetched, so memory stays two chunks whatever the size,
                // and chunks are handled in order, one after another.
                var handling: Task<Void, any Error>?
                var fetching = 0.0
                do {
                    // The whole result is wanted: plan for it, not for its first rows.
                    _ = try await conn.query("SET LOCAL cursor_tuple_fraction = 1.0", logger: conn.logger)
                    _ = try await conn.query(PostgresQuery(unsafeSQL: "DECLARE \(name) NO SCROLL CURSOR FOR \(text)"), logger: conn.logger)
                    while true {
                        var rows: [T] = []
                        rows.reserveCapacity(chunk)
                        let started = Date()
                        for try await row in try await conn.query(PostgresQuery(unsafeSQL: "FETCH \(chunk) FROM \(name)"), logger: conn.logger) {
                            var cells = PostgresCells(row)
                            rows.append(try byPosition(&cells))
                        }
                        fetching += Date().timeIntervalSince(started)
                        try await handling?.value
                        handling = nil
                        if !rows.isEmpty {
                            let fetched = rows
                            if prefetch { handling = Task { try await body(fetched) } } else { try await body(fetched) }
                        }
                        if rows.count < chunk { break }
                    }
                    try await handling?.value
                    _ = try await conn.query("COMMIT", logger: conn.logger)
                    return fetching
                } catch {
                    // What was handed on finishes before the error goes up (a caller's write is whole or not made).
                    _ = try? await handling?.value
                    _ = try? await conn.query("ROLLBACK", logger: conn.logger)
                    throw error
                }
            }
            return promise.futureResult
        }.get()
    }
}
