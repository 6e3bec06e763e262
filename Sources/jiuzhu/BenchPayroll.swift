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

    func run() async throws {
        say("jiuzhu bench payroll — \(households) households, \(enrolments) enrolments in one county, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "benchpayroll", keepSQLiteFile: nil, keepPostgresDatabase: nil) { try await measure(name, $0) }
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
        let maker = Actor(userID: nil, username: "bench-maker", role: .countyReviewer, jurisdiction: county, origin: "bench")
        let checker = Actor(userID: nil, username: "bench-checker", role: .countyReviewer, jurisdiction: county, origin: "bench")
        let month = PayMonth(containing: today).next
        let bar = ProgressBar(total: total, label: "[\(name)] 发放名册 \(month)")
        let run = try await payrolls.prepare(county: county, program: .dibao, month: month, actor: maker) { done, all in bar.update(done, of: all) }
        bar.finish()
        say("[\(name)] payroll prepared: \(run.payroll.lineCount) lines (\(run.payroll.blockedCount) blocked), \(Cents(run.payroll.totalCents).yuanText), "
            + "\(String(format: "%.1f", run.seconds)) s (target ≤ 30 s for 1,000,000 on PostgreSQL; "
            + String(format: "read %.1f s, compute %.1f s, write %.1f s)", run.readSeconds, run.computeSeconds, run.writeSeconds))
        _ = try await payrolls.approve(run.payroll.id, actor: checker)
        let dir = NSTemporaryDirectory() + "jiuzhu-bench-payroll-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        guard let format = try BankFileFormats.bundled()["fixed-gb18030"] else { throw DataError("没有 fixed-gb18030 格式") }
        var t0 = Date()
        let file = try await payrolls.writeBankFile(run.payroll.id, format: format, to: dir + "/bank.txt", cipher: DataCipher.development, actor: maker, today: today)
        let fileSeconds = Date().timeIntervalSince(t0)
        let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/bank.txt")[.size] as? Int) ?? 0
        say("[\(name)] bank file: \(file.count) lines, \(size / 1_000_000) MB, \(String(format: "%.1f", fileSeconds)) s (target ≤ 10 s)")

        // The bank's return: every line paid but one in a thousand (the account closed).
        t0 = Date()
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
    }
}
