import Domain
import Foundation
import SQLKit
@testable import Store
import Testing

@Suite struct FeedImportTests {
    static func file(_ lines: [String]) throws -> String {
        let dir = NSTemporaryDirectory() + "jiuzhu-import-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/claims.csv"
        try Data((["身份证号,姓名,结算日期,个人自付金额,结算单号"] + lines).joined(separator: "\n").appending("\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func count(_ f: Fixture, _ table: String) async throws -> Int {
        try await (f.scratch.db as! any SQLDatabase).raw("SELECT count(*) AS n FROM \(unsafeRaw: table)").first()!.decode(column: "n", as: Int.self)
    }

    /// A fact naming a household that does not exist.
    static func orphanFact() -> SQLQueryString {
        "INSERT INTO facts (id, household_id, category, kind, valid_from, source_department, received_at, reference, note) VALUES (\(literal: UUID().uuidString.lowercased()), \(literal: UUID().uuidString.lowercased()), 'income', 'wage', '2026-01-01', 'tax', '2026-01-01', 'r', '')"
    }

    /// Imports turn foreign-key checks off, SQLite on its connection and PostgreSQL in the import's transaction;
    /// the connection goes back to the pool with them on, so a fact naming no household is refused afterwards.
    static func expectForeignKeysChecked(_ f: Fixture) async throws {
        let sql = f.scratch.db as! any SQLDatabase
        if sql.dialect.name == "sqlite" {
            #expect(try await sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self) == 1)
        }
        await #expect(throws: (any Error).self) { try await sql.raw(Self.orphanFact()).run() }
    }

    /// 2,500 claims of 10 yuan on 2026-10-01, by the fixture's first 20 households' members in turn, keyed
    /// `prefix` and the row's index; `rows` replaces some of them, as (member's index, date, amount, key).
    static func claims(_ f: Fixture, keyed prefix: String, replacing rows: [Int: (member: Int, date: String, amount: Int, key: String)]) -> [String] {
        let people = Array(f.city.households(count: 20)).flatMap(\.members)
        var lines = (0..<2_500).map { i in "\(people[i % people.count].nationalID.value),某,2026-10-01,10,\(prefix)\(i)" }
        for (i, r) in rows { lines[i] = "\(people[r.member % people.count].nationalID.value),某,\(r.date),\(r.amount),\(r.key)" }
        return lines
    }

    static func importer(_ f: Fixture) throws -> FeedImporter {
        let spec = try #require(try FeedCatalogue.bundled()["medical-insurance-claims"])
        return FeedImporter(f.scratch.db, spec: spec, actor: f.actor(.dataOfficer, f.city.city.code))
    }

    @Test func importsLinksAndIsIdempotent() async throws {
        try await Fixture.with(households: 50) { f in
            // setup: claims of three known people and one unknown ID
            let people = Array(f.city.households(count: 50)).flatMap(\.members).prefix(3)
            let lines = people.enumerated().map { i, m in "\(m.nationalID.value.lowercased()),\(m.name),2026-10-0\(i + 1),\(1000 + i).50,C\(i)" }
                + ["11010519491231002X,外人,2026-10-05,99,C9"]
            let path = try Self.file(lines)
            let factsBefore = try await Self.count(f, "facts")
            // act
            let first = try await Self.importer(f).run(path: path)
            let again = try await Self.importer(f).run(path: path)
            // check
            // the unknown valid ID matches no one, not even probably: a person the register does not know
            #expect(first.rowsRead == 4 && first.linked == 3 && first.newFacts == 3 && first.events == 3)
            #expect(first.unmatched == 1 && first.newPersons == 1 && first.review == 0)
            #expect(again.alreadyImported)
            #expect(try await Self.count(f, "facts") == factsBefore + 3)
            #expect(try await Self.count(f, "events") == 3)
            #expect(try await Self.count(f, "feed_unlinked") == 1)
            // an overlapping file: one row again, one changed amount, one new
            let m = Array(people)
            let overlap = try Self.file(["\(m[0].nationalID.value),\(m[0].name),2026-10-01,1000.50,C0",
                                         "\(m[1].nationalID.value),\(m[1].name),2026-10-02,2222.00,C1",
                                         "\(m[2].nationalID.value),\(m[2].name),2026-10-07,10.00,C7"])
            let second = try await Self.importer(f).run(path: overlap)
            #expect(second.newFacts == 1 && second.changed == 1 && second.unchanged == 1 && second.events == 2)
            #expect(try await Self.count(f, "facts") == factsBefore + 4)
            #expect(try await Self.count(f, "events") == 5)
            // provenance: the feed and row are on the fact
            let profile = try #require(try await RegistryStore(f.scratch.db).profile(m[1].householdID, actor: f.actor(.cityAdmin, f.city.city.code)))
            let claim = try #require(profile.facts.first { $0.provenance.reference.hasPrefix("medical-insurance-claims#") && $0.memberID == m[1].id })
            #expect(claim.amount == Cents(222_200))
            #expect(claim.provenance.department == .medicalInsurance)
        }
    }

    @Test func aFileWithABadRowChangesNothing() async throws {
        try await Fixture.with(households: 20) { f in
            let m = Array(f.city.households(count: 20))[0].members[0]
            let path = try Self.file(["\(m.nationalID.value),\(m.name),2026-10-01,10,A1", "\(m.nationalID.value),\(m.name),2026-02-31,10,A2"])
            let before = try await Self.count(f, "facts")
            // act / check
            await #expect(throws: FeedError.self) { try await Self.importer(f).run(path: path) }
            do { _ = try await Self.importer(f).run(path: path) } catch let e as FeedError {
                #expect(e.chinese.contains("claims.csv 第3行「结算日期」"))
            }
            #expect(try await Self.count(f, "facts") == before)
            #expect(try await Self.count(f, "feed_imports") == 0)
            #expect(try await Self.count(f, "events") == 0)
            // with --accept-partial the good row goes in and the bad one is written out with its reason
            let partial = try await Self.importer(f).run(path: path, acceptPartial: true)
            #expect(partial.newFacts == 1 && partial.rejected == 1)
            let rejects = String(decoding: try Data(contentsOf: URL(fileURLWithPath: try #require(partial.rejectsFile))), as: UTF8.self)
            #expect(rejects.hasPrefix("\u{FEFF}行号,列,原因") && rejects.contains("\r\n3,结算日期,"))
        }
    }

    /// The file is checked as it is written: a bad row found after earlier batches went in undoes them, and
    /// every bad row of the file is still reported.
    @Test func aBadRowAfterRowsAlreadyWrittenUndoesTheWholeFile() async throws {
        try await Fixture.with(households: 20) { f in
            let path = try Self.file(Self.claims(f, keyed: "B", replacing: [1_800: (0, "2026-13-01", 10, "B1800"), 2_400: (1, "2026-10-01", -5, "B2400")]))
            let before = (facts: try await Self.count(f, "facts"), events: try await Self.count(f, "events"))
            // act / check
            do {
                _ = try await Self.importer(f).run(path: path)
                Issue.record("a file with bad rows was imported")
            } catch FeedError.rejected(_, let issues, let total) {
                #expect(total == 2)
                #expect(issues.map(\.row) == [1_802, 2_402])
            }
            #expect(try await Self.count(f, "facts") == before.facts)
            #expect(try await Self.count(f, "events") == before.events)
            #expect(try await Self.count(f, "feed_imports") == 0)
            try await Self.expectForeignKeysChecked(f)
            // accepted partially, the other 2,498 rows go in
            let partial = try await Self.importer(f).run(path: path, acceptPartial: true)
            #expect(partial.rowsRead == 2_500 && partial.rejected == 2 && partial.newFacts == 2_498)
            try await Self.expectForeignKeysChecked(f)
        }
    }

    /// A server that stops mid-import cancels it (the upload page's jobs): nothing of the file stays, and the
    /// same file imports whole afterwards.
    @Test func aCancelledImportLeavesNothing() async throws {
        try await Fixture.with(households: 20) { f in
            let path = try Self.file(Self.claims(f, keyed: "X", replacing: [:]))
            let before = (facts: try await Self.count(f, "facts"), events: try await Self.count(f, "events"))
            // act
            let run = Task { try await Self.importer(f).run(path: path) }
            run.cancel()
            // check
            await #expect(throws: CancellationError.self) { try await run.value }
            #expect(try await Self.count(f, "facts") == before.facts)
            #expect(try await Self.count(f, "events") == before.events)
            #expect(try await Self.count(f, "feed_imports") == 0)
            try await Self.expectForeignKeysChecked(f)
            #expect(try await Self.importer(f).run(path: path).newFacts == 2_500)
        }
    }

    /// A batch is worked out while the one before it is written: a row whose natural key that batch wrote
    /// still finds its fact, changed or the same.
    @Test func aKeyFromTheBatchJustBeforeFindsItsFact() async throws {
        try await Fixture.with(households: 20) { f in
            let lines = Self.claims(f, keyed: "C", replacing: [1_500: (500, "2026-10-01", 20, "C500"), 2_100: (1_200, "2026-10-01", 10, "C1200")])
            let before = (facts: try await Self.count(f, "facts"), events: try await Self.count(f, "events"))
            // act
            let r = try await Self.importer(f).run(path: try Self.file(lines))
            // check
            #expect(r.rowsRead == 2_500 && r.newFacts == 2_498 && r.changed == 1 && r.unchanged == 1)
            #expect(try await Self.count(f, "facts") == before.facts + 2_498)
            #expect(try await Self.count(f, "events") == before.events + 2_499)
            let amount = try await (f.scratch.db as! any SQLDatabase).raw("SELECT amount_cents FROM facts WHERE natural_key = \(bind: DataCipher.development.blindIndex("C500"))").first()?
                .decode(column: "amount_cents", as: Int64.self)
            #expect(amount == 2_000)
        }
    }

    /// The import's cache of people starts again when full; the batch that fills it still finds everyone in it,
    /// those it knew before included (else their rows would miss their exact link).
    @Test func thePeopleCacheStartingAgainLosesNoOneOfTheBatch() async throws {
        try await Fixture.with(households: 5) { f in
            let members = Array(f.city.households(count: 5)).flatMap(\.members)
            let ids = members.map(\.nationalID)
            let sql = f.scratch.db as! any SQLDatabase
            var known = FeedImporter.KnownPeople(limit: 3)
            #expect(try await known.lookUp([ids[0], ids[1]], sql).count == 2)
            // act: two known and two new exceed the limit of three
            let found = try await known.lookUp([ids[0], ids[2], ids[3]], sql)
            // check
            #expect(Set(found.keys) == Set([ids[0], ids[2], ids[3]].map(FeedImporter.KnownPeople.key)))
            #expect(found[FeedImporter.KnownPeople.key(ids[0])]?.member == members[0].id.rawValue)
        }
    }

    /// On PostgreSQL the import's transaction skips the per-row foreign-key checks when its role may set
    /// `session_replication_role`, and only that transaction. A role that may not keeps the checks, and asking
    /// does not spoil the transaction it asks in.
    @Test func postgresSkipsForeignKeyChecksOnlyInTheImportsTransaction() async throws {
        try await Fixture.with(households: 5) { f in
            let sql = f.scratch.db as! any SQLDatabase
            guard BulkJSON.isPostgres(sql) else { return }
            struct Undo: Error {}
            // the test database's role is a superuser: inside, a fact naming no household goes in
            await #expect(throws: Undo.self) {
                try await f.scratch.db.transaction { tx in
                    #expect(try await FeedImporter.skipForeignKeyChecks(inTransaction: tx.sql))
                    try await tx.sql.raw(Self.orphanFact()).run()
                    throw Undo()
                }
            }
            // after it, refused
            try await Self.expectForeignKeysChecked(f)
            // a role without the right keeps the checks, and its transaction goes on
            let role = "jiuzhu_plain_\(UUID().uuidString.prefix(8).lowercased())"
            try await sql.raw("CREATE ROLE \(ident: role)").run()
            do {
                try await f.scratch.db.transaction { tx in
                    try await tx.sql.raw("SET LOCAL ROLE \(ident: role)").run()
                    #expect(try await !FeedImporter.skipForeignKeyChecks(inTransaction: tx.sql))
                    #expect(try await tx.sql.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) == 1)
                }
            } catch {
                try? await sql.raw("DROP ROLE \(ident: role)").run()
                throw error
            }
            try await sql.raw("DROP ROLE \(ident: role)").run()
            // a whole import says which way it went
            let r = try await Self.importer(f).run(path: try Self.file(Array(Self.claims(f, keyed: "K", replacing: [:]).prefix(10))))
            #expect(r.newFacts == 10 && !r.referencesCheckedPerRow)
            try await Self.expectForeignKeysChecked(f)
        }
    }

    @Test func onlyDataOfficersAndCityAdminsImport() async throws {
        try await Fixture.with(households: 5) { f in
            let spec = try #require(try FeedCatalogue.bundled()["medical-insurance-claims"])
            let path = try Self.file([])
            await #expect(throws: DomainError.forbidden) {
                try await FeedImporter(f.scratch.db, spec: spec, actor: f.actor(.coordinator, f.city.communities[0].code)).run(path: path)
            }
        }
    }
}

@Suite struct ExportTests {
    static let purpose = ExportReason(kind: .departmentCheck, note: "医保资助参保")

    @Test func listsForOtherDepartmentsAreScopedAndAudited() async throws {
        try await Fixture.with(households: 200) { f in
            // setup: one enrolment that ended recently, in a known household
            let b = Array(f.city.households(count: 200))[0]
            let ended = Enrolment(id: Enrolment.ID(UUID()), householdID: b.household.id, memberID: b.members[0].id, program: .disabilityCare,
                                  since: try LocalDate("2024-01-01"), monthlyAmount: Cents(10_000), status: .ended, statusChangedOn: try LocalDate("2026-10-15"))
            try await (f.scratch.db as! any SQLDatabase).insert(into: "enrolments")
                .columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status", "status_changed_on")
                .values(SQLBind(ended.id.rawValue), SQLBind(b.household.id.rawValue), SQLBind(b.members[0].id.rawValue), SQLBind(b.household.residenceRegion.value),
                        SQLBind("disabilityCare"), SQLBind("2024-01-01"), SQLBind(10_000), SQLBind("ended"), SQLBind("2026-10-15"))
                .run()
            let admin = f.actor(.cityAdmin, f.city.city.code)
            // act
            let (endedCSV, endedRows) = try await Exports(f.scratch.db).csv(.ended, since: LocalDate("2026-10-01"), actor: admin, purpose: Self.purpose, stamp: "导出人：测试")
            let (newCSV, newRows) = try await Exports(f.scratch.db).csv(.newlyEnrolled, since: LocalDate("2000-01-01"), actor: admin, purpose: Self.purpose, stamp: "导出人：测试")
            // check
            #expect(endedRows == 1)
            #expect(endedCSV.contains(b.members[0].nationalID.value))
            #expect(endedCSV.contains("重度残疾人护理补贴"))
            let active = Array(f.city.households(count: 200)).flatMap(\.enrolments).filter { $0.status == .active }
            #expect(newRows >= active.count)
            // the stamp first, then the header
            #expect(newCSV.hasPrefix("\u{FEFF}导出人：测试\r\n身份证号,姓名"))
            // scoped: another district's reviewer does not see this household
            let district = b.household.residenceRegion.ancestors.first { $0.level == .county }!
            let other = f.city.districts.first { $0.code != district }!.code
            let (otherCSV, _) = try await Exports(f.scratch.db).csv(.ended, since: LocalDate("2026-10-01"), actor: f.actor(.countyReviewer, other), purpose: Self.purpose, stamp: "导出人：测试")
            #expect(!otherCSV.contains(b.members[0].nationalID.value))
            // coordinators may not export, and each export is audited
            await #expect(throws: DomainError.forbidden) {
                try await Exports(f.scratch.db).csv(.ended, since: LocalDate("2026-10-01"), actor: f.actor(.coordinator, b.household.residenceRegion), purpose: Self.purpose, stamp: "导出人：测试")
            }
            let log = try await AuditLog(f.scratch.db).recent(actor: f.actor(.auditor, f.city.city.code), action: .exportList)
            #expect(log.count == 3)
        }
    }

    @Test func awkwardTextSurvivesTheBulkWriter() async throws {
        try await Fixture.with(households: 20) { f in
            // setup: an employer name with quotes, backslashes (one before N, PostgreSQL COPY's NULL), a comma, a tab
            // and line breaks (CSV-quoted)
            let m = Array(f.city.households(count: 20))[0].members[0]
            let employer = "某\"物流\"公司\\天津,分部\t一\n二\\N三\r\n四"
            let dir = NSTemporaryDirectory() + "jiuzhu-import-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let path = dir + "/jobs.csv"
            let quoted = "\"" + employer.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            try Data("身份证号,姓名,月工资,起始日期,终止日期,用工单位\n\(m.nationalID.value),\(m.name),4321.00,2026-09-01,,\(quoted)\n".utf8).write(to: URL(fileURLWithPath: path))
            let spec = try #require(try FeedCatalogue.bundled()["hr-employment"])
            // act
            let report = try await FeedImporter(f.scratch.db, spec: spec, actor: f.actor(.dataOfficer, f.city.city.code)).run(path: path)
            // check
            #expect(report.newFacts == 1 && report.events == 1)
            let profile = try #require(try await RegistryStore(f.scratch.db).profile(m.householdID, actor: f.actor(.cityAdmin, f.city.city.code)))
            let fact = try #require(profile.facts.first { $0.provenance.reference.hasPrefix("hr-employment#") })
            #expect(fact.note == employer)
            #expect(fact.amount == Cents(432_100) && fact.memberID == m.id && fact.provenance.department == .humanResources)
        }
    }
}
