import ArgumentParser
import Domain
import Foundation
import SQLKit
import Store
import Web

/// `jiuzhu bench cases`: opening 10,000 applications from warnings in one batch, then each role's inbox over
/// 100,000 open cases spread across the steps, on SQLite and on PostgreSQL when DATABASE_URL is set.
struct BenchCases: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cases",
        abstract: "Open cases from warnings in one batch, and time each role's case inbox over many open cases.")

    @Option(help: "Households to generate (each gets up to four applications, of different programmes; enough that `--from-warnings` distinct households have a warning).") var households = 80_000
    @Option(help: "Open cases to reach.") var cases = 100_000
    @Option(help: "Warnings turned into applications in the timed batch.") var fromWarnings = 10_000
    @Option(help: "Inbox queries per role.") var queries = 200
    @Option(help: "Only this engine: sqlite or postgres.") var only: String?

    func run() async throws {
        say("jiuzhu bench cases — \(households) households, \(cases) open cases, \(fromWarnings) from warnings, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "benchcases", keepSQLiteFile: nil, keepPostgresDatabase: nil) { try await measure(name, $0) }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        let sql = scratch.db as! any SQLDatabase
        let (_, today, city, admin) = try await BenchSupport.generatedCity(name, scratch, households: households)
        let setup = try MonitoringSetup.bundled()
        let screening = try await Monitor(scratch.db, setup: setup).screen(region: city.city.code, actor: admin)
        say("[\(name)] screening raised \(screening.raised) warnings")
        let store = CaseStore(scratch.db, processes: try CaseProcesses.bundled(), calendar: setup.calendar, parameters: try ParameterSet.bundled())
        // A township office acting city-wide for the batch (a real one acts on its own street's warnings).
        let officer = Actor(userID: nil, username: "bench-town", role: .townshipOfficer, jurisdiction: city.city.code, origin: "cli")

        // 1. The timed batch: warnings → applications.
        // One warning per household: a household with several warnings still makes one application.
        var seen = Set<UUID>()
        let warnings = try await sql.select().columns("id", "household_id").from("warnings").orderBy("id").all()
            .filter { seen.insert(try $0.decode(column: "household_id", as: UUID.self)).inserted }.prefix(fromWarnings)
            .map { try $0.decode(column: "id", as: UUID.self) }
        let t0 = Date()
        let created = try await store.openFromWarnings(warnings, kind: .dibao, actor: officer, today: today)
        let batchSeconds = Date().timeIntervalSince(t0)
        say("[\(name)] \(created.count) applications opened from \(warnings.count) warnings in one batch: \(String(format: "%.2f", batchSeconds)) s " +
            "(\(Int(Double(created.count) / max(batchSeconds, 0.001))) cases/s; target ≤ 10 s for 10,000)")

        // 2. Volume: applications of the other programmes for every household until there are `cases` open.
        let ids = try await sql.select().column("id").from("households").orderBy("id").all().map { try $0.decode(column: "id", as: UUID.self) }
        for kind in [CaseKind.dibao, .nearDibao, .expenditureHardship, .temporaryExpenditure] {
            let open = try await sql.raw("SELECT count(*) AS n FROM cases").first()!.decode(column: "n", as: Int.self)
            guard open < cases else { break }
            _ = try await store.openForHouseholds(Array(ids.prefix(cases - open)), kind: kind, channel: .window, actor: officer, today: today)
        }
        // Spread across the steps as a working office has them: the step and whose task it is set directly in SQL
        // (the workflow's per-case path is measured by the tests; here only the inbox's reads are).
        let half = sql.dialect.name == "sqlite" ? "abs(random()) % 100 < 50" : "random() < 0.5"
        try await sql.raw("""
            UPDATE cases SET step = 'homeVisit', task_roles = ',coordinator,townshipOfficer,', task_region2 = NULL, task_region = residence_region,
              step_due_on = applied_on WHERE \(unsafeRaw: half)
            """).run()
        try await sql.raw("""
            UPDATE cases SET step = 'decision', task_roles = ',countyReviewer,', task_region2 = NULL,
              task_region = substr(registered_region, 1, 6) || '000000' WHERE step = 'acceptance' AND \(unsafeRaw: half)
            """).run()
        // Half the visits late, for the overdue view.
        try await sql.raw("UPDATE cases SET step_due_on = '2000-01-03' WHERE step = 'homeVisit' AND \(unsafeRaw: half)").run()
        if sql.dialect.name == "postgresql" { try await sql.raw("ANALYZE cases").run() } else { try await sql.raw("ANALYZE").run() }
        let total = try await sql.raw("SELECT count(*) AS n FROM cases WHERE status = 'open'").first()!.decode(column: "n", as: Int.self)
        say("[\(name)] \(total) open cases")

        // 3. Each role's inbox, on its busiest office.
        func busiest(_ length: Int) async throws -> RegionCode {
            let text = "SELECT substr(residence_region, 1, \(length)) AS r, count(*) AS n FROM cases GROUP BY substr(residence_region, 1, \(length)) ORDER BY n DESC LIMIT 1"
            let row = try await sql.raw(SQLQueryString(text)).first()!
            let prefix = try row.decode(column: "r", as: String.self)
            return try RegionCode(prefix + String(repeating: "0", count: 12 - length))
        }
        let roles: [(String, Actor)] = [
            ("township officer", Actor(userID: nil, username: "t", role: .townshipOfficer, jurisdiction: try await busiest(9), origin: "cli")),
            ("coordinator", Actor(userID: nil, username: "c", role: .coordinator,
                                  jurisdiction: try RegionCode(try await sql.raw("SELECT residence_region AS r, count(*) AS n FROM cases GROUP BY residence_region ORDER BY n DESC LIMIT 1").first()!.decode(column: "r", as: String.self)),
                                  origin: "cli")),
            ("county reviewer", Actor(userID: nil, username: "r", role: .countyReviewer, jurisdiction: try await busiest(6), origin: "cli")),
        ]
        var rng = SeededRandom(seed: 11)
        for (label, actor) in roles {
            for (view, filter) in [("own tasks", CaseFilter()), ("all in jurisdiction", CaseFilter(tasksOnly: false)), ("overdue", CaseFilter(overdueOnly: true))] {
                var times: [Double] = []
                var seen = 0
                for i in 0..<queries {
                    let page = i % 4 == 0 ? rng.int(0...20) : 0
                    let s0 = DispatchTime.now().uptimeNanoseconds
                    let r = try await store.inbox(actor: actor, filter: filter, today: today, offset: page * 30, limit: 30)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6)
                    seen = r.total
                }
                say("[\(name)] inbox, \(label) (\(actor.jurisdiction.value)), \(view): \(seen) cases; p50 \(String(format: "%.1f", BenchSupport.percentile(times, 50))) ms, " +
                    "p99 \(String(format: "%.1f", BenchSupport.percentile(times, 99))) ms (target p99 ≤ 50 ms)")
            }
        }
        // 4. The dashboard's figures over the whole city's cases (grouped in SQL).
        let cityAdmin = Actor(userID: nil, username: "a", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli")
        var times: [Double] = []
        for _ in 0..<max(3, queries / 20) {
            let s0 = DispatchTime.now().uptimeNanoseconds
            _ = try await store.figures(actor: cityAdmin, today: today)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6)
        }
        say("[\(name)] dashboard figures, the city's \(total) cases: p50 \(String(format: "%.1f", BenchSupport.percentile(times, 50))) ms, " +
            "p99 \(String(format: "%.1f", BenchSupport.percentile(times, 99))) ms")
    }
}
