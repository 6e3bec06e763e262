import Domain
import FluentKit
import Foundation
import SQLKit

// The batches of a run: read ahead, evaluated, written.
extension Monitor {
    /// Batch after batch, with the next batches read while this one is evaluated: reading (the database's work
    /// and decoding its rows) takes longer than evaluating, so two reads are in flight at once, on two
    /// connections, and a batch's writes also go on while the next batch is evaluated (one write at a time,
    /// in order). PostgreSQL's pool has the connections. A SQLite file gets two of its own for reading, beside
    /// the pooled one that writes; where it cannot (not in write-ahead-log mode) one read is ahead, on the pooled
    /// connection, and writing waits for it. Reading ahead is safe because batches never share a household.
    /// `page` gives a batch (its household IDs, and their rows when the page read them, through the database it
    /// is given) and where the next batch starts; an empty batch ends the run.
    func pipeline<Cursor: Sendable>(start: Cursor?, total: Int, report: inout ScreeningReport, progress: @Sendable (Int, Int) -> Void,
                                            page: @escaping @Sendable (Cursor?, any SQLDatabase) async throws -> (Batch, Cursor?)) async throws {
        // Inside a caller's transaction, other connections would not see what it wrote.
        let side = db.inTransaction ? [] : try await SQLiteReadConnection.open(Self.readsAhead, beside: sql)
        do {
            let readers: [any SQLDatabase] = side.isEmpty ? [sql] : side
            let overlapping = BulkJSON.isPostgres(sql) || !side.isEmpty
            try await pipeline(readers: readers, readsAhead: overlapping ? Self.readsAhead : 1, overlapWrites: overlapping, start: start, total: total,
                               report: &report, progress: progress, page: page)
        } catch {
            for reader in side { await reader.close() }
            throw error
        }
        for reader in side { await reader.close() }
    }

    /// `readers`: the read `i` uses `readers[i % readers.count]`, which the read `i - readsAhead` has finished with.
    func pipeline<Cursor: Sendable>(readers: [any SQLDatabase], readsAhead: Int, overlapWrites: Bool, start: Cursor?, total: Int,
                                            report: inout ScreeningReport, progress: @Sendable (Int, Int) -> Void,
                                            page: @escaping @Sendable (Cursor?, any SQLDatabase) async throws -> (Batch, Cursor?)) async throws {
        let clock = ContinuousClock()
        var cache = StandardsCache()
        var reads: [Task<Loaded, any Error>] = []
        var writing: Task<Void, any Error>?
        var started = 0
        var cursor = start
        var more = true
        var t = clock.now
        var batches = 0
        // A run that stops (cancelled, or an error) lets the batch being written finish first, so that when it
        // returns the database holds whole batches only and nothing is still writing.
        do {
            while true {
                // A run started from a page is cancelled when the server stops; it ends between batches.
                try Task.checkCancellation()
                while more && reads.count < readsAhead {
                    let reader = readers[started % readers.count]
                    let (batch, next) = try await page(cursor, reader)
                    cursor = next
                    if batch.ids.isEmpty || next == nil { more = false }
                    if !batch.ids.isEmpty {
                        reads.append(Task { try await Loaded.read(batch, reader) })
                        started += 1
                    }
                }
                guard !reads.isEmpty else { break }
                let current = try await reads.removeFirst().value
                report.phases.waitingForReads += (clock.now - t).seconds
                t = clock.now
                let results = try evaluate(current.profiles, cache: &cache)
                report.phases.evaluating += (clock.now - t).seconds
                let writes = try reconcile(current, results, report: &report)
                t = clock.now
                try await writing?.value
                if overlapWrites {
                    writing = Task { [self] in try await write(writes) }
                } else {
                    for r in reads { _ = try await r.value }
                    report.phases.waitingForReads += (clock.now - t).seconds
                    t = clock.now
                    try await write(writes)
                }
                report.phases.writing += (clock.now - t).seconds
                progress(report.households, total)
                batches += 1
                if batches % Self.progressRecordEvery == 0 { try await record(report, finished: false) }
                t = clock.now
            }
        } catch {
            // The reads too: their connections are closed next.
            for r in reads { r.cancel() }
            for r in reads { _ = try? await r.value }
            _ = try? await writing?.value
            throw error
        }
        t = clock.now
        try await writing?.value
        writing = nil
        report.phases.writing += (clock.now - t).seconds
    }

    /// PostgreSQL plans the batch reads from its table statistics. Right after a bulk load (the demo generator,
    /// a large import) they still describe nearly empty tables, and each batch's read became a scan of every
    /// fact: the first tenth of a fresh 1M-person screening took 69 s, the other nine tenths 40 s. ANALYZE
    /// samples a fixed number of rows per table, about a second of PostgreSQL's time at any size. Only tables
    /// never analysed or with more than a tenth of their rows changed since are analysed again: the threshold
    /// PostgreSQL's own autovacuum uses, so a screening repeated on an unchanged registry spends nothing here.
    /// SQLite needs none.
    func refreshStatistics() async throws {
        guard BulkJSON.isPostgres(sql) else { return }
        let stale = try await sql.raw("""
            SELECT relname FROM pg_stat_user_tables
            WHERE relname IN ('households', 'members', 'facts', 'enrolments', 'warnings')
              AND ((last_analyze IS NULL AND last_autoanalyze IS NULL) OR n_mod_since_analyze > 0.1 * GREATEST(n_live_tup, 1))
            ORDER BY relname
            """).all().map { try $0.decode(column: "relname", as: String.self) }
        guard !stale.isEmpty else { return }
        try await sql.raw(SQLQueryString(stringLiteral: "ANALYZE " + stale.joined(separator: ", "))).run()
    }

    /// A batch's households: their IDs, and their rows when the page that found them read those too.
    struct Batch: Sendable {
        var ids: [UUID]
        var households: [Household]?
        init(ids: [UUID]) { self.ids = ids }
        init(households: [Household]) {
            self.ids = households.map(\.id.rawValue)
            self.households = households
        }
    }

    struct PageCursor: Sendable {
        var region: String
        var id: UUID
    }

}
