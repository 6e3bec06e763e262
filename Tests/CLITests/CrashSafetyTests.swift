import Domain
import Foundation
import SQLKit
import Store
import Testing

/// "Kill the process at any moment, run it again, and the database is exactly as if it had run once."
/// The import is one transaction, so this is what SQLite's journal gives; the test holds us to it.
@Suite struct CrashSafetyTests {
    /// The `jiuzhu` binary SwiftPM built next to this test bundle.
    static func binary() -> String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("jiuzhu").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    static func run(_ binary: String, _ args: [String], killAfter: Double? = nil, environment: [String: String] = [:]) throws -> (status: Int32, killed: Bool) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var killed = false
        if let killAfter {
            Thread.sleep(forTimeInterval: killAfter)
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                killed = true
            }
        }
        p.waitUntilExit()
        return (p.terminationStatus, killed)
    }

    /// What an import leaves, without the random row ids: facts, events, links, queue, history and audit.
    static func contents(_ path: String) async throws -> [String] {
        let store = try StandaloneDatabase(.sqlite(path: path))
        let sql = store.db as! any SQLDatabase
        var out: [String] = []
        let queries = [
            "SELECT kind || '|' || member_id || '|' || natural_key || '|' || coalesce(amount_cents, '') || '|' || valid_from || '|' || row_number AS line FROM facts WHERE feed IS NOT NULL",
            "SELECT kind || '|' || member_id || '|' || occurred_on AS line FROM events",
            "SELECT natural_key || '|' || status AS line FROM feed_unlinked",
            "SELECT identity || '|' || member_id || '|' || status AS line FROM person_links",
            "SELECT file_hash || '|' || rows_read || '|' || linked || '|' || new_facts || '|' || review AS line FROM feed_imports",
            "SELECT action AS line FROM audit_entries WHERE action = 'importFeed'",
        ]
        for q in queries {
            let lines = try await sql.raw(SQLQueryString(q)).all().map { try $0.decode(column: "line", as: String.self) }.sorted()
            out.append("\(lines.count) rows: " + lines.joined(separator: "\n"))
        }
        await store.shutdown()
        return out
    }

    @Test func anImportKilledHalfWayThenRunAgainEqualsOneRun() async throws {
        // A SQLite file the binary can open; PostgreSQL runs the same single transaction.
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty ?? true else { return }
        let binary = try #require(Self.binary(), "the jiuzhu binary was not built next to the tests")
        let dir = NSTemporaryDirectory() + "jiuzhu-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (killedDB, onceDB) = (dir + "/killed.sqlite", dir + "/once.sqlite")

        // setup: a registry of 300 households in a file, copied twice; a claims file of 20,000 rows,
        // one in ten with a mistyped ID so the probabilistic pass runs too
        let scratch = try await ScratchDatabase.make(environment: [:], label: "crash", keepSQLiteFile: killedDB)
        let reference = try RegionReference.bundled()
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate("2026-11-22"))
        let system = Actor(userID: nil, username: "test", role: .cityAdmin, jurisdiction: city.city.code, origin: "test")
        _ = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: 300, actor: system)
        try await CLI.addUser(scratch.db, username: "officer", role: .dataOfficer, region: city.city.code)
        await scratch.store.shutdown()
        // The web layer's own tables (sessions) too, as `jiuzhu migrate` makes them.
        #expect(try Self.run(binary, ["migrate"], environment: ["JIUZHU_SQLITE_PATH": killedDB]).status == 0)
        try FileManager.default.copyItem(atPath: killedDB, toPath: onceDB)
        let members = Array(city.households(count: 300)).flatMap(\.members)
        var csv = "身份证号,姓名,结算日期,个人自付金额,结算单号\n"
        for i in 0..<20_000 {
            let m = members[(i * 7919) % members.count]
            var id = Array(m.nationalID.value)
            if i % 10 == 0 { id[15] = id[15] == "0" ? "1" : "0" }
            csv += "\(String(id)),\(m.name),2026-10-\(String(format: "%02d", 1 + i % 28)),\(100 + i % 500).50,CR\(i)\n"
        }
        let feed = dir + "/claims.csv"
        try Data(csv.utf8).write(to: URL(fileURLWithPath: feed))
        let args = { (db: String) in ["import", "--feed", "medical-insurance-claims", feed, "--database", db, "--as", "officer"] }

        // act: kill it part-way, more than once if it finished first, then run it to the end
        var killedMidway = 0
        for delay in [1.0, 2.0, 0.6, 3.5] where killedMidway < 2 {
            let (_, killed) = try Self.run(binary, args(killedDB), killAfter: delay)
            if killed { killedMidway += 1 }
        }
        let rerun = try Self.run(binary, args(killedDB))
        let once = try Self.run(binary, args(onceDB))

        // check
        #expect(killedMidway >= 1, "the import always finished before it could be killed; the file is too small for this machine")
        #expect(rerun.status == 0 && once.status == 0)
        let (a, b) = (try await Self.contents(killedDB), try await Self.contents(onceDB))
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) { #expect(x == y) }
        #expect(b[0].hasPrefix("20000 rows"), "the import itself did not run")
    }
}
