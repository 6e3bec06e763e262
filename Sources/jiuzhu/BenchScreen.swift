import ArgumentParser
import Domain
import Foundation
import SQLKit
import Store

/// `jiuzhu bench screen`: full screening of a synthetic city, then the incremental screening that follows
/// a 100,000-row department feed, on SQLite and (with DATABASE_URL) PostgreSQL.
struct BenchScreen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "screen",
        abstract: "Full screening of N monitored persons and the incremental screening after a 100k-row feed, on SQLite and PostgreSQL when DATABASE_URL is set.")

    @Option(help: "Monitored persons to generate (households ≈ persons ÷ 2.5).") var persons = 1_000_000
    @Option(help: "Rows in the feed whose changes are screened incrementally.") var feedRows = 100_000
    @Option(help: "Reuse this SQLite registry (generated on the first run, kept afterwards).") var sqliteFile: String?

    /// OpenSPP's stated target for batch eligibility: 1M records in under 10 minutes.
    static let opensppSecondsPerMillion = 600.0

    func run() async throws {
        say("jiuzhu bench screen — \(persons) persons, feed \(feedRows) rows, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines() {
            try await BenchSupport.withDatabase(name, environment, label: "benchscreen", keepSQLiteFile: sqliteFile) { try await measure(name, $0) }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        let sql = scratch.db as! any SQLDatabase
        let reference = try RegionReference.bundled()
        let today = LocalDate(Date(), timeZone: .china)
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), today: today)
        let admin = Actor(userID: nil, username: "bench", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli")
        func count(_ table: String) async throws -> Int {
            try await sql.raw("SELECT count(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
        }
        var people = try await count("members")
        if people == 0 {
            let households = Int(Double(persons) / 2.5)
            let t0 = Date()
            let bar = ProgressBar(total: households, label: "[\(name)] 生成 \(households) 户")
            _ = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: households, actor: admin) { bar.update($0) }
            bar.finish()
            people = try await count("members")
            say("[\(name)] generated \(households) households, \(people) persons in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
        }
        let households = try await count("households")
        let setup = try MonitoringSetup.bundled()
        let rssBefore = BenchSupport.peakRSSMegabytes()
        let bar = ProgressBar(total: households, label: "[\(name)] 全量筛查")
        let full = try await Monitor(scratch.db, setup: setup).screen(region: city.city.code, actor: admin) { done, total in bar.update(done, of: total) }
        bar.finish()
        let perMillion = full.seconds / Double(people) * 1_000_000
        say("[\(name)] full screening: \(full.households) households / \(people) persons in \(String(format: "%.1f", full.seconds)) s " +
              "= \(Int(Double(people) / full.seconds)) persons/s; warnings raised \(full.raised); peak RSS \(rssBefore) → \(BenchSupport.peakRSSMegabytes()) MB")
        say("[\(name)]   per million persons \(String(format: "%.1f", perMillion)) s; OpenSPP's stated target 600 s per million → " +
              "\(String(format: "%.0f", Self.opensppSecondsPerMillion / perMillion))× faster")
        let again = try await Monitor(scratch.db, setup: setup).screen(region: city.city.code, actor: admin)
        say("[\(name)] second full screening (nothing changed): \(String(format: "%.1f", again.seconds)) s, raised \(again.raised), updated \(again.updated)")

        // A medical-insurance feed of claims for existing persons: the import's own reaction is the incremental screening.
        let ids = try await sql.select().column("national_id").from("members").limit(min(people, feedRows)).all()
            .map { try $0.decode(column: "national_id", as: String.self) }
        let path = NSTemporaryDirectory() + "jiuzhu-screen-claims-\(UUID().uuidString).csv"
        var csv = "身份证号,姓名,结算日期,个人自付金额,结算单号\n"
        var rng = SeededRandom(seed: 7)
        let run = UUID().uuidString.prefix(8)
        for i in 0..<feedRows {
            let day = today.adding(days: -rng.int(1...300))
            csv += "\(ids[i % ids.count]),某,\(day),\(rng.int(100...30_000)).\(rng.int(10...99)),\(run)-\(i)\n"
        }
        try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let spec = try FeedCatalogue.bundled()["medical-insurance-claims"]!
        let officer = Actor(userID: nil, username: "bench", role: .dataOfficer, jurisdiction: city.city.code, origin: "cli")
        let report = try await FeedImporter(scratch.db, spec: spec, actor: officer, monitoring: setup).run(path: path)
        if let s = report.screening {
            say("[\(name)] incremental after a \(report.rowsRead)-row feed (import \(String(format: "%.1f", report.validateSeconds + report.applySeconds)) s): " +
                  "\(s.households) households re-screened in \(String(format: "%.1f", s.seconds)) s, raised \(s.raised), updated \(s.updated); peak RSS \(BenchSupport.peakRSSMegabytes()) MB")
        } else {
            say("[\(name)] incremental screening failed: \(report.screeningError ?? "?")")
        }
    }
}

/// Written at once, even into a file: a long run's figures are not lost if it is stopped.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
