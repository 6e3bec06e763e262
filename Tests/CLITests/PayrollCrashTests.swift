import Domain
import Foundation
import SQLKit
import Store
import Testing

/// "Preparing twice or killing the process mid-way (SIGKILL) and re-running gives exactly one payment per
/// enrolment-month." The binary prepares a payroll of several pages; it is killed as soon as the first page is in
/// the database, run again, and what it leaves is compared with a run that was never interrupted.
@Suite struct PayrollCrashTests {
    static let enrolments = 32_000

    /// What a payroll leaves, without the random ids and references.
    static func contents(_ path: String) async throws -> (lines: [String], months: [String], status: String) {
        let store = try StandaloneDatabase(.sqlite(path: path))
        let sql = store.db as! any SQLDatabase
        func lines(_ q: String) async throws -> [String] {
            try await sql.raw(SQLQueryString(q)).all().map { try $0.decode(column: "line", as: String.self) }.sorted()
        }
        let l = try await lines("SELECT hex(enrolment_id) || '|' || due_cents || '|' || arrears_cents || '|' || net_cents || '|' || coalesce(block, '') || '|' || status AS line FROM payroll_lines")
        let m = try await lines("SELECT hex(enrolment_id) || '|' || month AS line FROM paid_months")
        let s = try await sql.raw("SELECT status || '|' || line_count || '|' || total_cents AS line FROM payrolls").first()?.decode(column: "line", as: String.self) ?? ""
        await store.shutdown()
        return (l, m, s)
    }

    static func lineCount(_ path: String) async throws -> Int {
        let store = try StandaloneDatabase(.sqlite(path: path))
        defer { Task { await store.shutdown() } }
        return try await (store.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM payroll_lines").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @Test func aPayrollKilledHalfWayThenRunAgainPaysEachMonthOnce() async throws {
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty ?? true else { return }
        let binary = try #require(CrashSafetyTests.binary(), "the jiuzhu binary was not built next to the tests")
        let dir = NSTemporaryDirectory() + "jiuzhu-payroll-crash-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (killedDB, onceDB) = (dir + "/killed.sqlite", dir + "/once.sqlite")

        // setup: a demo registry, and in its largest county many dibao enrolments (several pages), their heads banked
        let scratch = try await ScratchDatabase.make(environment: [:], label: "payroll-crash", keepSQLiteFile: killedDB)
        let reference = try RegionReference.bundled()
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate("2026-11-22"))
        let system = Actor(userID: nil, username: "test", role: .cityAdmin, jurisdiction: city.city.code, origin: "test")
        _ = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: 300, actor: system)
        let sql = scratch.db as! any SQLDatabase
        let registered = try await sql.select().column("registered_region").from("households").all()
            .map { try RegionCode(try $0.decode(column: "registered_region", as: String.self)) }
        let county = try #require(Dictionary(grouping: registered, by: { $0.ancestor(at: .county)! }).max { $0.value.count < $1.value.count }?.key)
        let heads = try await sql.raw("""
            SELECT h.id AS household, h.residence_region AS residence, m.id AS head FROM households h JOIN members m ON m.household_id = h.id AND m.relation = 'head'
            WHERE h.registered_region >= \(bind: county.subtreeRange.lowerBound) AND h.registered_region <= \(bind: county.subtreeRange.upperBound)
            """).all().map { (try $0.decode(column: "household", as: UUID.self), try $0.decode(column: "residence", as: String.self), try $0.decode(column: "head", as: UUID.self)) }
        try #require(heads.count > 10)
        for chunk in stride(from: 0, to: Self.enrolments, by: 1_000) {
            var q = sql.insert(into: "enrolments").columns("id", "household_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
            for i in chunk..<min(chunk + 1_000, Self.enrolments) {
                let h = heads[i % heads.count]
                q = q.values(SQLBind(UUID()), SQLBind(h.0), SQLBind(h.1), SQLBind("dibao"), SQLBind("2025-01-01"), SQLBind(Int64(50_000 + i % 300)), SQLBind("active"))
            }
            try await q.run()
        }
        // the first household's head has no account: its lines are blocked, in both runs alike
        for (i, h) in heads.enumerated().dropFirst() {
            try await sql.insert(into: "bank_accounts")
                .columns("id", "household_id", "member_id", "bank", "account_cipher", "account_tail", "account_name", "status", "residence_region",
                         "registered_region", "note", "created_by", "created_at")
                .values(SQLBind(UUID()), SQLBind(h.0), SQLBind(h.2), SQLBind("演示银行"),
                        SQLBind(try DataCipher.development.seal(try BankAccountNumber("62300000\(String(format: "%08d", i))"))),
                        SQLBind(String(format: "%04d", i % 10_000)), SQLBind("户主"), SQLBind("active"), SQLBind(h.1), SQLBind(county.value), SQLBind(""),
                        SQLBind("a"), SQLBind("2026-11-01T00:00:00Z")).run()
        }
        try await CLI.addUser(scratch.db, username: "reviewer", role: .countyReviewer, region: county)
        await scratch.store.shutdown()
        #expect(try CrashSafetyTests.run(binary, ["migrate"], environment: ["JIUZHU_SQLITE_PATH": killedDB]).status == 0)
        try FileManager.default.copyItem(atPath: killedDB, toPath: onceDB)
        let args = { (db: String) in ["payroll", "prepare", "--month", "2026-12", "--county", county.value, "--program", "dibao", "--database", db, "--as", "reviewer"] }

        // act: start it, kill it the moment its first page is in the database, then run it to the end
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args(killedDB)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        var partial = 0
        while p.isRunning {
            partial = (try? await Self.lineCount(killedDB)) ?? 0
            if partial > 0 { kill(p.processIdentifier, SIGKILL); break }
            try await Task.sleep(for: .milliseconds(20))
        }
        p.waitUntilExit()
        let killed = try await Self.contents(killedDB)
        let rerun = try CrashSafetyTests.run(binary, args(killedDB))
        let again = try CrashSafetyTests.run(binary, args(killedDB))
        let once = try CrashSafetyTests.run(binary, args(onceDB))

        // check: it was stopped part-way; run again it equals one uninterrupted run, and a third run changes nothing
        #expect(partial > 0 && killed.status.hasPrefix("preparing") && killed.lines.count < Self.enrolments,
                "killed after \(partial) lines with status \(killed.status)")
        #expect(rerun.status == 0 && again.status == 0 && once.status == 0)
        let (a, b) = (try await Self.contents(killedDB), try await Self.contents(onceDB))
        #expect(a.lines.count >= Self.enrolments && a.lines == b.lines, "\(a.lines.count) lines")
        #expect(a.months == b.months && a.months.count == a.lines.filter { $0.hasSuffix("|pending") }.count)
        #expect(Set(a.months.map { $0.split(separator: "|")[0] }).count == a.months.count, "an enrolment paid twice for the month")
        #expect(a.status == b.status && a.status.hasPrefix("prepared|\(a.lines.count)|"), "\(a.status)")
    }
}
