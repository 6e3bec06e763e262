import ArgumentParser
import Domain
import Foundation
import SQLKit
import Store
import Web

/// `jiuzhu bench payroll`: one county's monthly payroll of `--enrolments` enrolments — preparing it, writing its
/// bank file, reconciling a return file of as many lines (one in a thousand failed) — then next month's, on SQLite
/// and on PostgreSQL when DATABASE_URL is set.
struct BenchPayroll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "payroll",
        abstract: "Time preparing a payroll of many enrolments, its bank file and the bank's return.")

    @Option(help: "Households to generate (all registered in one county).") var households = 250_000
    @Option(help: "Dibao enrolments in force in that county.") var enrolments = 1_000_000
    @Option(help: "Only this engine: sqlite or postgres.") var only: String?
    @Option(help: "Keep this PostgreSQL database on the DATABASE_URL server; run again, it writes the bank file of the payroll left there (no generating).")
    var postgresDatabase: String?
    @Option(help: "Write the bank file this many times (its spread; each time the same bytes).") var bankFileRuns = 1

    func run() async throws {
        say("jiuzhu bench payroll — \(households) households, \(enrolments) enrolments in one county, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "benchpayroll", keepSQLiteFile: nil, keepPostgresDatabase: postgresDatabase) { scratch in
                if scratch.isKept, let left = try await leftPayroll(scratch) {
                    try await bankFile(name, scratch, payroll: left)
                } else {
                    try await measure(name, scratch)
                }
            }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        let sql = scratch.db as! any SQLDatabase
        let (_, today, city, _) = try await BenchSupport.generatedCity(name, scratch, households: households)
        guard let county = city.districts.first?.code, let community = city.communities.first(where: { county.contains($0.code) })?.code else {
            throw DataError("演示城市没有区县")
        }
        let pg = sql.dialect.name == "postgresql"
        let uuid = pg ? "gen_random_uuid()"
            : "upper(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))"
        // Every household registered in the county (its own payroll), the demo's enrolments out of the way, then
        // dibao enrolments until there are `enrolments`, and a confirmed account for every head.
        try await sql.raw("UPDATE households SET registered_region = \(bind: community.value)").run()
        try await sql.raw("DELETE FROM enrolments").run()
        var round = 0
        while true {
            let have = try await sql.raw("SELECT count(*) AS n FROM enrolments").first()!.decode(column: "n", as: Int.self)
            guard have < enrolments else { break }
            try await sql.raw("""
                INSERT INTO enrolments (id, household_id, member_id, residence_region, program, since, monthly_amount_cents, status, status_changed_on)
                SELECT \(unsafeRaw: uuid), id, NULL, residence_region, 'dibao', '2025-01-01', \(literal: 50_000 + round * 100), 'active', NULL
                FROM (SELECT id, residence_region FROM households ORDER BY id LIMIT \(literal: enrolments - have)) h
                """).run()
            round += 1
        }
        let sealed = try DataCipher.development.seal(try BankAccountNumber("6230000012345678"))
        try await sql.raw("""
            INSERT INTO bank_accounts (id, household_id, member_id, bank, account_cipher, account_tail, account_name, status, residence_region, registered_region,
            note, created_by, created_at, confirmed_by, confirmed_at)
            SELECT \(unsafeRaw: uuid), m.household_id, m.id, '演示农商银行', \(bind: sealed), '5678', m.name, 'active', h.residence_region, h.registered_region,
            '', 'bench', '2026-11-01T00:00:00Z', 'bench2', '2026-11-01T00:00:00Z' FROM members m JOIN households h ON h.id = m.household_id WHERE m.relation = 'head'
            """).run()
        try await sql.raw("ANALYZE").run()
        let total = try await sql.raw("SELECT count(*) AS n FROM enrolments").first()!.decode(column: "n", as: Int.self)
        say("[\(name)] \(total) enrolments in force in \(county.value)")

        let payrolls = Payrolls(scratch.db, parameters: try ParameterSet.bundled())
        let (maker, _) = Self.staff(county)
        let month = PayMonth(containing: today).next
        let bar = ProgressBar(total: total, label: "[\(name)] 发放名册 \(month)")
        let run = try await payrolls.prepare(county: county, program: .dibao, month: month, actor: maker) { done, all in bar.update(done, of: all) }
        bar.finish()
        say("[\(name)] payroll prepared: \(run.payroll.lineCount) lines (\(run.payroll.blockedCount) blocked), \(Cents(run.payroll.totalCents).yuanText), "
            + "\(String(format: "%.1f", run.seconds)) s (target ≤ 30 s for 1,000,000 on PostgreSQL; "
            + String(format: "read %.1f s, compute %.1f s, write %.1f s)", run.readSeconds, run.computeSeconds, run.writeSeconds))
        let dir = NSTemporaryDirectory() + "jiuzhu-bench-payroll-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (format, file) = try await bankFile(name, scratch, payroll: run.payroll, into: dir)

        // The bank's return: every line paid but one in a thousand (the account closed).
        var t0 = Date()
        let answer = try BankSimulator.answer(dir + "/bank.txt", format: format, failing: file.count / 1_000, on: today)
        let madeSeconds = Date().timeIntervalSince(t0)
        t0 = Date()
        let result = try await payrolls.importReturn(run.payroll.id, path: answer, format: format, actor: maker)
        say("[\(name)] return reconciled: \(result.paid) paid, \(result.failed) failed, \(String(format: "%.1f", Date().timeIntervalSince(t0))) s "
            + "(target ≤ 30 s; the return file itself written in \(String(format: "%.1f", madeSeconds)) s)")
        let bar2 = ProgressBar(total: total, label: "[\(name)] 发放名册 \(month.next)")
        let next = try await payrolls.prepare(county: county, program: .dibao, month: month.next, actor: maker) { done, all in bar2.update(done, of: all) }
        bar2.finish()
        say("[\(name)] next month's payroll (a month of history): \(next.payroll.lineCount) lines, \(String(format: "%.1f", next.seconds)) s")
        if scratch.isKept { say("[\(name)] kept; run again with the same --postgres-database to write next month's bank file only") }
    }

    static func staff(_ county: RegionCode) -> (maker: Actor, checker: Actor) {
        (Actor(userID: nil, username: "bench-maker", role: .countyReviewer, jurisdiction: county, origin: "bench"),
         Actor(userID: nil, username: "bench-checker", role: .countyReviewer, jurisdiction: county, origin: "bench"))
    }

    /// In a kept database, the newest payroll with lines waiting for the bank (a run before left next month's prepared).
    func leftPayroll(_ scratch: ScratchDatabase) async throws -> PayrollSummary? {
        guard let row = try await (scratch.db as! any SQLDatabase).raw("""
            SELECT p.id AS id, p.county_region AS county FROM payrolls p WHERE p.status IN ('prepared', 'approved', 'sent')
            AND EXISTS (SELECT 1 FROM payroll_lines l WHERE l.payroll_id = p.id AND l.status = 'pending') ORDER BY p.month DESC LIMIT 1
            """).first() else { return nil }
        let (maker, _) = Self.staff(try RegionCode(try row.decode(column: "county", as: String.self)))
        return try await Payrolls(scratch.db, parameters: try ParameterSet.bundled()).summary(try row.decode(column: "id", as: UUID.self), actor: maker)
    }

    /// The payroll approved if it is not yet, then its bank file written `bankFileRuns` times, each timed with where
    /// its time went. The file of the first run is left in `dir` for the bank's return.
    @discardableResult
    func bankFile(_ name: String, _ scratch: ScratchDatabase, payroll: PayrollSummary, into dir: String? = nil) async throws -> (BankFileFormat, BankFileWritten) {
        let payrolls = Payrolls(scratch.db, parameters: try ParameterSet.bundled())
        let (maker, checker) = Self.staff(try RegionCode(payroll.county))
        if payroll.status == .prepared { _ = try await payrolls.approve(payroll.id, actor: checker) }
        guard let format = try BankFileFormats.bundled()["fixed-gb18030"] else { throw DataError("没有 fixed-gb18030 格式") }
        let folder = dir ?? NSTemporaryDirectory() + "jiuzhu-bench-payroll-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: folder) } }
        var first: BankFileWritten?
        for i in 0..<max(1, bankFileRuns) {
            let path = folder + (i == 0 ? "/bank.txt" : "/bank-again.txt")
            let file = try await payrolls.writeBankFile(payroll.id, format: format, to: path, cipher: DataCipher.development, actor: maker, today: LocalDate(Date(), timeZone: .china))
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            say("[\(name)] bank file: \(file.count) lines, \(size / 1_000_000) MB, \(String(format: "%.1f", file.seconds)) s (target ≤ 10 s; "
                + String(format: "fetch %.1f s, encode %.1f s, write %.1f s; fetching overlaps the others)", file.readSeconds, file.encodeSeconds, file.writeSeconds))
            if let first, first.sha256 != file.sha256 { throw DataError("第 \(i + 1) 次写出的银行文件与第一次不同") }
            first = first ?? file
        }
        return (format, first!)
    }
}
