import ArgumentParser
import Domain
import Foundation
import SQLKit
import Store
import Web

/// `jiuzhu bench reviews`: the daily run of the periodic-review schedule (`jiuzhu review --due`) over a city with
/// `--enrolments` enrolments in force, every one of them due, then the same run again (nothing new to open), on
/// SQLite and on PostgreSQL when DATABASE_URL is set.
struct BenchReviews: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reviews",
        abstract: "Time opening the periodic reviews due over many enrolments, and the run after it.")

    @Option(help: "Households to generate.") var households = 250_000
    @Option(help: "Enrolments in force to reach (added to the generated households, dibao, near-dibao and tekun in turn).") var enrolments = 1_000_000
    @Option(help: "Only this engine: sqlite or postgres.") var only: String?

    func run() async throws {
        say("jiuzhu bench reviews — \(households) households, \(enrolments) enrolments in force, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "benchreviews", keepSQLiteFile: nil, keepPostgresDatabase: nil) { try await measure(name, $0) }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        let sql = scratch.db as! any SQLDatabase
        let (_, today, _, admin) = try await BenchSupport.generatedCity(name, scratch, households: households)
        // Enrolments in force until there are `enrolments`, each started 400–800 days ago and never reviewed: all due.
        let pg = sql.dialect.name == "postgresql"
        let uuid = pg ? "gen_random_uuid()"
            : "upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
        let programs = [Program.dibao, .nearDibao, .tekun]
        var round = 0
        while true {
            let have = try await sql.raw("SELECT count(*) AS n FROM enrolments WHERE status = 'active'").first()!.decode(column: "n", as: Int.self)
            guard have < enrolments else { break }
            let program = programs[round % programs.count].rawValue
            let since = today.adding(days: -400 - (round * 37) % 400).description
            try await sql.raw("""
                INSERT INTO enrolments (id, household_id, member_id, residence_region, program, since, monthly_amount_cents, status, status_changed_on)
                SELECT \(unsafeRaw: uuid), id, NULL, residence_region, \(bind: program), \(bind: since), 50000, 'active', NULL
                FROM (SELECT id, residence_region FROM households ORDER BY id LIMIT \(literal: enrolments - have)) h
                """).run()
            round += 1
        }
        try await sql.raw(pg ? "ANALYZE" : "ANALYZE").run()
        let total = try await sql.raw("SELECT count(*) AS n FROM enrolments WHERE status = 'active'").first()!.decode(column: "n", as: Int.self)
        say("[\(name)] \(total) enrolments in force")

        let reviews = Reviews(scratch.db, parameters: try ParameterSet.bundled(), cycles: try ReviewCycles.bundled())
        let runBar = ProgressBar(total: total, label: "[\(name)] 定期核查")
        var t0 = Date()
        let first = try await reviews.openDue(actor: admin, today: today) { done, all in runBar.update(done, of: all) }
        runBar.finish()
        let firstSeconds = Date().timeIntervalSince(t0)
        say("[\(name)] reviews due opened: \(first.opened) of \(first.examined) enrolments in \(String(format: "%.1f", firstSeconds)) s "
            + "(\(Int(Double(first.opened) / max(firstSeconds, 0.001))) /s; target ≤ 60 s for 1,000,000 on PostgreSQL; "
            + String(format: "read %.1f s, decide %.1f s, write %.1f s)", first.readSeconds, first.decideSeconds, first.writeSeconds))
        t0 = Date()
        let second = try await reviews.openDue(actor: admin, today: today)
        say("[\(name)] the next day's run: \(second.opened) opened, \(second.examined) examined, \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
        t0 = Date()
        let counts = try await reviews.counts(actor: admin, today: today)
        say("[\(name)] dashboard counts (\(counts.open) open, \(counts.overdue) overdue): \(String(format: "%.0f", Date().timeIntervalSince(t0) * 1000)) ms")
    }
}
