import Domain
import Foundation
import SQLKit
@testable import Store
import Testing

/// The screening's positional decoders (PostgreSQL) read the same values as the by-name decoders every engine
/// uses: a type listed out of order in a positional decoder fails here. On SQLite both paths are by name.
@Suite struct RowShapeTests {
    static func json<T: Encodable>(_ values: [T]) throws -> [String] {
        let e = JSONEncoder()
        e.outputFormatting = .sortedKeys
        return try values.map { String(decoding: try e.encode($0), as: UTF8.self) }.sorted()
    }

    static func both<T: Sendable>(_ sql: any SQLDatabase, _ shape: RowShape<T>, from table: String, where key: String,
                                  in ids: [UUID]) async throws -> (positional: [T], byName: [T]) {
        let positional = try await BulkRead.rows(sql, shape, from: table, where: key, in: ids)
        let byName = try await BulkRead.rows(sql, RowShape(columns: shape.columns, byName: shape.byName), from: table, where: key, in: ids)
        return (positional, byName)
    }

    @Test func positionalAndByNameReadTheSame() async throws {
        try await Fixture.with(households: 120) { f in
            let monitor = Monitor(f.scratch.db, setup: try MonitoringSetup.bundled())
            _ = try await monitor.screen(region: f.city.city.code, actor: f.system)
            let sql = f.scratch.db as! any SQLDatabase
            let ids = try await sql.select().column("id").from("households").all().map { try $0.decode(column: "id", as: UUID.self) }

            let members = try await Self.both(sql, ProfileLoader.member, from: "members", where: "household_id", in: ids)
            #expect(members.positional.count > ids.count)
            #expect(members.positional.contains { $0.disability != nil }, "the nullable disability columns are read with values too")
            #expect(try Self.json(members.positional) == Self.json(members.byName))

            let facts = try await Self.both(sql, ProfileLoader.fact, from: "facts", where: "household_id", in: ids)
            #expect(facts.positional.contains { $0.amount == nil } && facts.positional.contains { $0.amount != nil })
            #expect(facts.positional.contains { $0.validTo != nil } && facts.positional.contains { $0.validTo == nil })
            #expect(try Self.json(facts.positional) == Self.json(facts.byName))

            let enrolments = try await Self.both(sql, ProfileLoader.enrolment, from: "enrolments", where: "household_id", in: ids)
            #expect(enrolments.positional.contains { $0.memberID == nil } && enrolments.positional.contains { $0.memberID != nil })
            #expect(try Self.json(enrolments.positional) == Self.json(enrolments.byName))

            let households = try await Self.both(sql, ProfileLoader.household, from: "households", where: "id", in: ids)
            #expect(households.positional.count == ids.count)
            #expect(try Self.json(households.positional) == Self.json(households.byName))

            struct W: Encodable { var household: UUID, id: UUID, indicator: String, status: String, fingerprint: String, cleared: Bool, score: Int }
            func plain(_ rows: [(UUID, Monitor.ExistingWarning)]) -> [W] {
                rows.map { W(household: $0.0, id: $0.1.id, indicator: $0.1.indicator, status: $0.1.status.rawValue, fingerprint: $0.1.fingerprint,
                             cleared: $0.1.cleared, score: $0.1.score) }
            }
            let warnings = try await Self.both(sql, Monitor.ExistingWarning.shape, from: "warnings", where: "household_id", in: ids)
            #expect(!warnings.positional.isEmpty)
            #expect(try Self.json(plain(warnings.positional)) == Self.json(plain(warnings.byName)))
        }
    }
}

/// A screening refreshes PostgreSQL's statistics after a bulk load, and leaves them alone on an unchanged registry.
@Suite struct StatisticsTests {
    static let onPostgres = ProcessInfo.processInfo.environment["DATABASE_URL"]?.hasPrefix("postgres") ?? false

    static func analysed(_ sql: any SQLDatabase) async throws -> [String: String] {
        var out: [String: String] = [:]
        for r in try await sql.raw("""
            SELECT relname, COALESCE(last_analyze::text, '') AS at FROM pg_stat_user_tables
            WHERE relname IN ('households', 'members', 'facts', 'enrolments', 'warnings')
            """).all() {
            out[try r.decode(column: "relname", as: String.self)] = try r.decode(column: "at", as: String.self)
        }
        return out
    }

    @Test(.enabled(if: onPostgres)) func analysedOnceThenLeftAlone() async throws {
        try await Fixture.with(households: 60) { f in
            let monitor = Monitor(f.scratch.db, setup: try MonitoringSetup.bundled())
            let sql = f.scratch.db as! any SQLDatabase
            _ = try await monitor.screen(region: f.city.city.code, actor: f.system)
            let first = try await Self.analysed(sql)
            #expect(first.count == 5 && first.values.allSatisfy { !$0.isEmpty }, "freshly loaded tables are analysed: \(first)")
            // PostgreSQL publishes row counts about once a second; the first screening's own writes may be
            // analysed by the second. Nothing changes after that, so the third analyses nothing.
            try await Task.sleep(for: .milliseconds(1_500))
            _ = try await monitor.screen(region: f.city.city.code, actor: f.system)
            try await Task.sleep(for: .milliseconds(1_500))
            let second = try await Self.analysed(sql)
            _ = try await monitor.screen(region: f.city.city.code, actor: f.system)
            #expect(try await Self.analysed(sql) == second)
        }
    }
}

/// SQLite runs with a write-ahead log (readers are not shut out while an import writes): set by a migration,
/// kept in the file.
@Suite struct JournalTests {
    @Test(.enabled(if: !StatisticsTests.onPostgres)) func sqliteKeepsAWriteAheadLog() async throws {
        try await Fixture.with(households: 5) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let mode = try await sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            #expect(mode == "wal")
        }
    }
}
