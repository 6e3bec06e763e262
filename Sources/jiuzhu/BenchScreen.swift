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
    @Option(help: "Reuse this PostgreSQL database on the DATABASE_URL server (generated on the first run, kept afterwards).") var postgresDatabase: String?
    @Option(help: "Only this engine: sqlite or postgres.") var only: String?
    @Option(help: "Generate persons ÷ copies with the demo generator, then copy that registry in SQL (new IDs and ID numbers) to reach the size; for 10M.")
    var copies = 1
    @Flag(help: "Skip the second, unchanged full screening (saves time at 10M).") var skipRerun = false

    /// OpenSPP's stated target for batch eligibility: 1M records in under 10 minutes.
    static let opensppSecondsPerMillion = 600.0

    func run() async throws {
        say("jiuzhu bench screen — \(persons) persons, feed \(feedRows) rows, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "benchscreen", keepSQLiteFile: sqliteFile,
                                                keepPostgresDatabase: postgresDatabase) { try await measure(name, $0) }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        let sql = scratch.db as! any SQLDatabase
        let (reference, today, city, admin) = try BenchSupport.demoCity()
        func count(_ table: String) async throws -> Int {
            try await sql.raw("SELECT count(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
        }
        if try await sql.raw(SQLQueryString(CopyDialect.of(sql).halfDone)).first()!.decode(column: "half", as: Bool.self) {
            throw DataError("an earlier --copies run stopped half-way in this database; drop it and run again")
        }
        var people = try await count("members")
        if people == 0 {
            let copies = max(1, self.copies)
            let households = Int(Double(persons) / 2.5) / copies
            let t0 = Date()
            let bar = ProgressBar(total: households, label: "[\(name)] 生成 \(households) 户")
            _ = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: households, actor: admin) { bar.update($0) }
            bar.finish()
            people = try await count("members")
            say("[\(name)] generated \(households) households, \(people) persons in \(String(format: "%.1f", Date().timeIntervalSince(t0))) s")
            if copies > 1 {
                let t1 = Date()
                try await Self.copyRegistry(sql, copies: copies) { say("[\(name)] \($0)") }
                people = try await count("members")
                say("[\(name)] copied to \(try await count("households")) households, \(people) persons in \(String(format: "%.1f", Date().timeIntervalSince(t1))) s")
            }
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
        say("[\(name)]   \(full.phases.description)")
        say("[\(name)]   per million persons \(String(format: "%.1f", perMillion)) s; OpenSPP's stated target 600 s per million → " +
              "\(String(format: "%.0f", Self.opensppSecondsPerMillion / perMillion))× faster")
        if !skipRerun {
            let again = try await Monitor(scratch.db, setup: setup).screen(region: city.city.code, actor: admin)
            say("[\(name)] second full screening (nothing changed): \(String(format: "%.1f", again.seconds)) s, raised \(again.raised), updated \(again.updated)")
            say("[\(name)]   \(again.phases.description)")
        }

        // A medical-insurance feed of claims for existing persons: the import's own reaction is the incremental screening.
        let cipher = try DataCipher.inUse()
        let ids = try await sql.select().column("national_id_sealed").from("members").limit(min(people, feedRows)).all()
            .map { try cipher.open(try $0.decode(column: "national_id_sealed", as: String.self)) }
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
        let report = try await AfterCommit(scratch.db, monitoring: setup).importFile(FeedImporter(scratch.db, spec: spec, actor: officer), path: path)
        if let s = report.screening {
            say("[\(name)] incremental after a \(report.rowsRead)-row feed (import \(String(format: "%.1f", report.applySeconds)) s): " +
                  "\(s.households) households re-screened in \(String(format: "%.1f", s.seconds)) s, raised \(s.raised), updated \(s.updated); peak RSS \(BenchSupport.peakRSSMegabytes()) MB")
            say("[\(name)]   \(s.phases.description)")
        } else {
            say("[\(name)] incremental screening failed: \(report.screeningError ?? "?")")
        }
    }
}

extension BenchScreen {
    /// What copying the registry says differently on each engine.
    struct CopyDialect: Sendable {
        /// The new UUID of a row in copy `k`, derived from the old one, as an SQL expression.
        let newID: @Sendable (_ column: String, _ k: Int) -> String
        let idType: String
        /// Whether an earlier copy stopped half-way (its table of originals is still there).
        let halfDone: String

        static let postgres = CopyDialect(
            newID: { column, k in "md5(\(column)::text || ':\(k)')::uuid" },
            idType: "uuid",
            halfDone: "SELECT to_regclass('jz_bench_originals') IS NOT NULL AS half")

        /// SQLite keeps a UUID as its text: copy k writes its own hex digit in place of the version digit, which is
        /// 4 (generated) or 7 (time-ordered) in every original, so copies meet neither the originals nor each other,
        /// and keep the originals' order (and index locality).
        static let sqlite = CopyDialect(
            newID: { column, k in "substr(\(column), 1, 14) || '\(copyDigits[copyDigits.index(copyDigits.startIndex, offsetBy: k - 1)])' || substr(\(column), 16)" },
            idType: "TEXT",
            halfDone: "SELECT count(*) > 0 AS half FROM sqlite_master WHERE name = 'jz_bench_originals'")

        static let copyDigits = "01235689ABCDEF"

        static func of(_ sql: any SQLDatabase) -> CopyDialect { sql.dialect.name == "postgresql" ? .postgres : .sqlite }
    }

    /// Copies the generated registry `copies - 1` times inside the database: every household, member, fact and
    /// enrolment again under new UUIDs (derived from the old ones and the copy number), with ID numbers moved
    /// to unused area codes (9, the copy, four digits per original area code) and their check character recomputed,
    /// so they stay valid and unique. A copy stopped half-way leaves `jz_bench_originals` behind, and the next run refuses the database.
    static func copyRegistry(_ sql: any SQLDatabase, copies: Int, log: (String) -> Void) async throws {
        let d = CopyDialect.of(sql)
        let copyMark = "copy"
        try await sql.raw(SQLQueryString("CREATE TABLE jz_bench_originals (id \(unsafeRaw: d.idType) PRIMARY KEY)")).run()
        try await sql.raw("INSERT INTO jz_bench_originals (id) SELECT id FROM households").run()
        // Generated ID numbers may differ only in their province digits, so those cannot simply be replaced:
        // each area code in use gets its own four digits after the copy's 9k, which keeps copies unique. The numbers
        // rest sealed, so the area codes are read by opening them.
        var codes = Set<String>()
        try await SealedColumns.rewrite(sql, table: "members", reading: ["national_id_sealed"], writing: []) { cipher, values in
            codes.insert(String(try cipher.open(values[0] ?? "").prefix(6)))
            return nil
        }
        let areas = Dictionary(uniqueKeysWithValues: codes.sorted().enumerated().map { ($0.element, String(format: "%04d", $0.offset + 1)) })
        guard areas.count <= 9_999, copies <= 10 else { throw ValidationError("too many area codes (\(areas.count)) or copies (\(copies)) for 9k area codes") }
        for k in 1..<copies {
            let tag = "\(k)"
            func newID(_ column: String) -> String { d.newID(column, k) }
            func newOptionalID(_ column: String) -> String { "CASE WHEN \(column) IS NULL THEN NULL ELSE \(newID(column)) END" }
            try await sql.raw(SQLQueryString("""
                INSERT INTO households (id, registered_region, residence_region, address, created_at)
                SELECT \(unsafeRaw: newID("h.id")), h.registered_region, h.residence_region, h.address, h.created_at
                FROM households h JOIN jz_bench_originals o ON o.id = h.id
                """)).run()
            // The copy's ID numbers are made below, from the original's: until then the index names the copy and the original.
            try await sql.raw(SQLQueryString("""
                INSERT INTO members (id, household_id, residence_region, relation, national_id_index, national_id_sealed, national_id_tail, name, sex,
                                     birth_date, disability_category, disability_grade, illnesses, work_capacity, employment, schooling)
                SELECT \(unsafeRaw: newID("m.id")), \(unsafeRaw: newID("m.household_id")), m.residence_region, m.relation,
                       '\(unsafeRaw: copyMark)\(unsafeRaw: tag):' || m.id, m.national_id_sealed, '', m.name, m.sex, m.birth_date,
                       m.disability_category, m.disability_grade, m.illnesses, m.work_capacity, m.employment, m.schooling
                FROM members m JOIN jz_bench_originals o ON o.id = m.household_id
                """)).run()
            try await sql.raw(SQLQueryString("""
                INSERT INTO facts (id, household_id, member_id, category, kind, amount_cents, basis, valid_from, valid_to, source_department,
                                   received_at, reference, note, feed, natural_key, import_id, row_number)
                SELECT \(unsafeRaw: newID("f.id")), \(unsafeRaw: newID("f.household_id")), \(unsafeRaw: newOptionalID("f.member_id")),
                       f.category, f.kind, f.amount_cents, f.basis, f.valid_from, f.valid_to, f.source_department, f.received_at, f.reference, f.note,
                       f.feed, CASE WHEN f.natural_key IS NULL THEN NULL ELSE f.natural_key || ':\(unsafeRaw: tag)' END, f.import_id, f.row_number
                FROM facts f JOIN jz_bench_originals o ON o.id = f.household_id
                """)).run()
            try await sql.raw(SQLQueryString("""
                INSERT INTO enrolments (id, household_id, member_id, residence_region, program, since, monthly_amount_cents, status, status_changed_on)
                SELECT \(unsafeRaw: newID("e.id")), \(unsafeRaw: newID("e.household_id")), \(unsafeRaw: newOptionalID("e.member_id")),
                       e.residence_region, e.program, e.since, e.monthly_amount_cents, e.status, e.status_changed_on
                FROM enrolments e JOIN jz_bench_originals o ON o.id = e.household_id
                """)).run()
            log("copy \(k) of \(copies - 1) done")
        }
        // Each copied member's own number: 9, the copy, the area's four digits, the original's birth date and sequence,
        // and the check character recomputed, sealed and indexed like any other.
        try await SealedColumns.rewrite(sql, table: "members", reading: ["national_id_index", "national_id_sealed"],
                                        writing: ["national_id_index", "national_id_sealed", "national_id_tail"]) { cipher, values in
            guard let mark = values[0], mark.hasPrefix(copyMark), let k = Int(mark.dropFirst(copyMark.count).prefix { $0 != ":" }) else { return nil }
            let original = try cipher.open(values[1] ?? "")
            let body = Array("9\(k - 1)" + areas[String(original.prefix(6))]! + String(original.dropFirst(6).prefix(11)))
            let id = String(body) + String(NationalID.checkCharacter(for: body))
            return [cipher.blindIndex(id), try cipher.seal(text: id), SealedColumns.tail(id)]
        }
        log("copied members' ID numbers sealed")
        try await sql.raw("DROP TABLE jz_bench_originals").run()
        try await sql.raw("ANALYZE").run()
    }
}
