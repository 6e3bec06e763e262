import Crypto
import Domain
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// The import pipeline for one department file: parse, validate, normalise, link to persons, store as
/// facts with provenance, and emit events. All or nothing in one transaction (or, with
/// `acceptPartial`, the good rows with the bad ones written to a rejects file); a file already imported
/// adds nothing; rows already known by their natural key are updated, not duplicated.
public struct FeedImporter: Sendable {
    public struct Report: Sendable, Equatable {
        public var feed: String
        public var file: String
        public var fileHash: String
        public var alreadyImported = false
        /// Set once the file is applied: the review queue can be filtered by it.
        public var importID: UUID?
        public var rowsRead = 0
        public var linked = 0
        public var newFacts = 0
        public var changed = 0
        public var unchanged = 0
        public var rejected = 0
        /// Rows whose ID matched no one exactly, handed to probabilistic linkage…
        public var unmatched = 0
        /// …of which linked to a registered person above the upper threshold,
        public var probablyLinked = 0
        /// waiting for a human in the review queue (between the thresholds, or irreversible),
        public var review = 0
        /// and persons not in the register (below the lower threshold, or no linkage model).
        public var newPersons = 0
        /// IDs that were missing or failed their checks (the first few), which went to probabilistic linkage.
        public var idIssues: [ImportIssue] = []
        public var events = 0
        /// Whether the database checked each written fact's household and member itself, as it does outside an
        /// import (see `FeedImporter.skipForeignKeyChecks(inTransaction:)`).
        public var referencesCheckedPerRow = true
        public var issues: [ImportIssue] = []
        public var rejectsFile: String?
        /// Seconds spent reading and checking the file's rows (while earlier rows were written), and applying it in all.
        public var validateSeconds = 0.0
        public var applySeconds = 0.0
        /// The screening of the households this import changed, run as soon as it was committed (#5) by `AfterCommit`.
        public var screening: ScreeningReport?
        /// Why that screening failed, if it did; the import stands and the next import or `jiuzhu screen` catches up.
        public var screeningError: String?
    }

    let db: any Database
    let spec: FeedSpec
    public let actor: Actor
    static let batchSize = 1_000
    static let sqliteCacheKiB = 256 * 1024
    /// SQLite's own default page cache (`PRAGMA cache_size = -2000`).
    static let sqliteDefaultCacheKiB = 2_000
    static let issuesShown = 50

    public init(_ db: any Database, spec: FeedSpec, actor: Actor) {
        self.db = db
        self.spec = spec
        self.actor = actor
    }

    /// Imports the file and reports; what follows the commit (holds, screening) is `AfterCommit`'s, which the
    /// pages and commands call. `progress`: the rows done so far, after each batch.
    public func run(path: String, acceptPartial: Bool = false, now: Date = Date(),
                    progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Report {
        guard actor.may(.importData) else { throw DomainError.forbidden }
        let name = (path as NSString).lastPathComponent
        let hash = try Self.sha256(path: path)
        var report = Report(feed: spec.name, file: name, fileHash: hash)
        if try await db.sql.select().column("id").from("feed_imports").where("feed", .equal, spec.name).where("file_hash", .equal, hash).first() != nil {
            report.alreadyImported = true
            return report
        }
        let regions = try await knownRegions()
        // A code is known if it is in the reference data or the registry, or lies in a known county (a real street or village).
        let known: @Sendable (RegionCode) -> Bool = { regions.contains($0.value) || regions.contains(String($0.value.prefix(6)) + "000000") }

        var reader = try FeedRowReader(path: path, spec: spec)
        guard let header = reader.next() else { throw FeedError.unreadable(file: name, reason: "文件为空") }
        let parser = try FeedParser(spec: spec, header: header.fields, file: name)

        // One pass, in one transaction, a batch at a time so memory stays flat: each batch is checked as it is
        // read, and a file with a bad row (unless partial files are accepted) is rolled back whole once every
        // row has been checked, so the officer sees all its problems at once. Reading the file once more
        // beforehand only to check it was a sixteenth of an import. After the first bad row nothing more is
        // written: the rest of the file is only checked.
        let t1 = Date()
        let importID = UUID()
        let received = LocalDate(now, timeZone: .china)
        let validated = report
        // A server that stops mid-import (the upload page's jobs are cancelled) rolls it back between batches. Fluent
        // runs a transaction's body in a task of its own, which does not see this one cancelled: the body asks this.
        let cancelled = NIOLockedValueBox(false)
        let finalReport = try await withTaskCancellationHandler(operation: { try await db.serialisingWrites { try await Self.withoutForeignKeyChecks(db) { conn in try await conn.transaction { tx -> Report in
            try await tx.takeSQLiteWriteLock()
            let sqlite = tx.sql.dialect.name == "sqlite"
            if sqlite {
                // One transaction touches pages all over the fact and event indexes; with SQLite's 2 MB
                // default cache it spills dirty pages to disk again and again. The cache is bounded, so
                // memory stays flat whatever the file's size.
                try await tx.sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-Self.sqliteCacheKiB))").run()
                // Each multi-row INSERT keeps a statement journal so that it alone can be undone; in a temporary
                // file, that was a twelfth of an import's time in writes. Held in memory it is as large as one batch.
                try await tx.sql.raw("PRAGMA temp_store = MEMORY").run()
            }
            // The connection outlives the import: its cache and temporary store go back to their defaults after.
            func restore() async throws {
                guard sqlite else { return }
                try await tx.sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-Self.sqliteDefaultCacheKiB))").run()
                try await tx.sql.raw("PRAGMA temp_store = DEFAULT").run()
            }
            do {
                var r = validated
                r.importID = importID
                // SQLite's connection already checks nothing (`withoutForeignKeyChecks`).
                r.referencesCheckedPerRow = sqlite ? false : !(try await Self.skipForeignKeyChecks(inTransaction: tx.sql))
                let events = try await EventBatch.open(tx.sql, at: now)
                // The next batch is read and parsed while this one is written: a tenth of an import's time, overlapped.
                let source = try BatchSource(path: path, spec: spec, parser: parser, known: known)
                var people = KnownPeople()
                var next = Task { source.next(Self.batchSize) }
                let facts = FactApplier(sql: tx.sql, spec: spec, received: received, batch: events)
                // Worked out and not yet written.
                var pending: Staged?
                while true {
                    let records = await next.value
                    // Read before the next batch's task starts, which changes them.
                    let (finished, clean) = (source.finished, source.badRows == 0)
                    guard !records.isEmpty || !finished else { break }
                    next = Task { source.next(Self.batchSize) }
                    guard acceptPartial || clean else { continue }
                    do {
                        if cancelled.withLockedValue({ $0 }) { throw CancellationError() }
                        // This batch is looked up in the store as it is before the pending one is written; that one is
                        // then written while this one is worked out, so the server's work and ours overlap, and the
                        // facts it writes count as stored.
                        let known = try await people.lookUp(records.compactMap(\.nationalID), tx.sql)
                        let looked = try await lookUp(records, facts: facts, importID: importID, people: known, report: &r)
                        let writing = pending.map { batch in Task { try await write(batch, facts: facts) } }
                        let staged = stage(looked, facts: facts, pending: pending, report: &r)
                        try await writing?.value
                        pending = staged
                    } catch {
                        _ = await next.value
                        throw error
                    }
                    progress(r.linked + r.unmatched)
                }
                if let pending, acceptPartial || source.badRows == 0 { try await write(pending, facts: facts) }
                if let bad = source.undecodable {
                    throw FeedError.unreadable(file: name, reason: "第\(bad)行起含有无法按\(spec.encoding == .auto ? "检测到的" : "声明的")编码解码的字节")
                }
                r.rowsRead = source.rowsRead
                r.rejected = source.badRows
                r.issues = source.issues
                r.validateSeconds = source.checkingSeconds
                if source.badRows > 0 && !acceptPartial {
                    throw FeedError.rejected(file: name, issues: Array(r.issues.prefix(Self.issuesShown)), totalIssues: r.issues.count)
                }
                if source.badRows > 0 {
                    r.rejectsFile = path + ".rejects.csv"
                    try Self.writeRejects(r.issues, to: r.rejectsFile!)
                }
                if let model = try spec.resolvedLinkageModel() {
                    try await PersonLinkage(tx: tx, spec: spec, model: model, actor: actor, received: received, batch: events).run(importID: importID, report: &r, progress: progress)
                } else {
                    r.newPersons = r.unmatched
                    try await tx.sql.update("feed_unlinked").set("status", to: "new").where("import_id", .equal, importID).run()
                }
                r.events = try await tx.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                    .from("events").where("import_id", .equal, importID).first()?.decode(column: "n", as: Int.self) ?? 0
                try await tx.sql.insert(into: "feed_imports")
                    .columns("id", "feed", "file_name", "file_hash", "received_at", "finished_at", "username", "rows_read", "linked", "new_facts", "changed", "rejected", "review")
                    .values(SQLBind(importID), SQLBind(spec.name), SQLBind(name), SQLBind(hash), SQLBind(received.description), SQLBind(Timestamp.text(Date())),
                            SQLBind(actor.username), SQLBind(r.rowsRead), SQLBind(r.linked), SQLBind(r.newFacts), SQLBind(r.changed), SQLBind(r.rejected), SQLBind(r.review))
                    .run()
                try await AuditLog(tx).record(actor: actor, action: .importFeed, targetKind: "feed", targetID: spec.name,
                                              detail: "导入 \(name)：读取\(r.rowsRead)行，关联\(r.linked)，新增\(r.newFacts)，变更\(r.changed)，拒绝\(r.rejected)，待核对\(r.review)")
                try await restore()
                return r
            } catch {
                try? await restore()
                throw error
            }
        } } } }, onCancel: { cancelled.withLockedValue { $0 = true } })
        var done = finalReport
        done.applySeconds = Date().timeIntervalSince(t1)
        return done
    }

    /// On SQLite, the import's connection does not check foreign keys: every household and member a fact, event
    /// or link names was read from those tables inside the same transaction (and no household or member is ever
    /// deleted), and looking each up again cost a fifteenth of an import. (It also lets SQLite keep no statement
    /// journal: see `BulkJSON.insert`.) The setting belongs to the connection, which goes back to the pool: it is
    /// turned on again whatever happens. PostgreSQL: `skipForeignKeyChecks(inTransaction:)`.
    static func withoutForeignKeyChecks<T: Sendable>(_ db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard db.sql.dialect.name == "sqlite" else { return try await body(db) }
        return try await db.withConnection { conn in
            // Only outside a transaction does SQLite change it.
            try await conn.sql.raw("PRAGMA foreign_keys = OFF").run()
            do {
                let result = try await body(conn)
                try await conn.sql.raw("PRAGMA foreign_keys = ON").run()
                return result
            } catch {
                try? await conn.sql.raw("PRAGMA foreign_keys = ON").run()
                throw error
            }
        }
    }

    /// The same on PostgreSQL, for the import's transaction alone. There the checks were a third of a
    /// million-row import (57.8 s with them, 37.2 s without, same run of `jiuzhu bench import`): the one backend
    /// that writes the transaction looked up each fact's household and member with a statement of its own.
    /// Foreign keys are triggers there, which `session_replication_role = replica` does not fire; `SET LOCAL`
    /// undoes it at commit or rollback. Only a role allowed to set it can (a superuser, or from PostgreSQL 15
    /// `GRANT SET ON PARAMETER session_replication_role TO …`); any other keeps the checks, slower and as correct.
    /// Returns whether the checks are off. Nothing of ours is a trigger or rule, so nothing else stops firing.
    static func skipForeignKeyChecks(inTransaction sql: any SQLDatabase) async throws -> Bool {
        guard BulkJSON.isPostgres(sql), try await mayTurnOffForeignKeyChecks(sql) else { return false }
        try await sql.raw("SET LOCAL session_replication_role = replica").run()
        return true
    }

    /// Whether the current role may set `session_replication_role`: asked first, because a refused SET would
    /// abort the transaction it is in.
    static func mayTurnOffForeignKeyChecks(_ sql: any SQLDatabase) async throws -> Bool {
        let version = try await sql.raw("SELECT current_setting('server_version_num')::int AS v").first()?.decode(column: "v", as: Int.self) ?? 0
        // `has_parameter_privilege` came with PostgreSQL 15 (and answers yes for a superuser); before it only a superuser may.
        let query: SQLQueryString = version >= 150_000
            ? "SELECT has_parameter_privilege('session_replication_role', 'SET') AS ok"
            : "SELECT rolsuper AS ok FROM pg_roles WHERE rolname = current_user"
        return try await sql.raw(query).first()?.decode(column: "ok", as: Bool.self) ?? false
    }

    /// One batch's rows, linked and with the facts stored under their natural keys: all it needs from the store.
    struct Looked {
        var linked: [(record: FeedRecord, person: FactApplier.Person, importID: UUID)]
        var unlinkedRows: [[any SQLExpression]]
        var stored: [String: FactApplier.Stored]
    }

    /// One batch's rows, worked out and ready to write.
    struct Staged: Sendable {
        var facts: FactApplier.Plan
        var unlinkedRows: [[any SQLExpression]]
    }

    /// Reads what working out `batch` needs from the store: who its IDs belong to and which of its facts are stored.
    private func lookUp(_ batch: [FeedRecord], facts: FactApplier, importID: UUID, people: [UInt64: FactApplier.Person],
                        report r: inout Report) async throws -> Looked {
        // Link, first pass: an exact normalised ID. Every other row waits in feed_unlinked for
        // probabilistic linkage, which runs once the whole file is in.
        var linked: [(record: FeedRecord, person: FactApplier.Person, importID: UUID)] = []
        var unlinkedRows: [[any SQLExpression]] = []
        var seenKeys = Set<String>()
        var newIDs = TimeOrderedUUIDs()
        for rec in batch.reversed() {
            if let issue = rec.idIssue, r.idIssues.count < Self.issuesShown { r.idIssues.append(issue) }
            if let id = rec.nationalID, let m = people[KnownPeople.key(id)] {
                linked.append((rec, m, importID))
                continue
            }
            // Within one file the last row for a key wins; earlier duplicates are not kept twice.
            guard seenKeys.insert(rec.naturalKey).inserted else { continue }
            r.unmatched += 1
            unlinkedRows.append([SQLBind(newIDs.next()), SQLBind(importID), SQLBind(spec.name), SQLBind(rec.naturalKey), SQLBind(rec.row),
                                 SQLBind(rec.nationalID?.value ?? rec.typedID ?? ""), SQLBind(rec.name), SQLBind(rec.kind.rawValue), SQLBind(rec.amount?.value),
                                 SQLBind((rec.date ?? facts.received).description), SQLBind("pending"), SQLBind(rec.validTo?.description), SQLBind(rec.reference),
                                 SQLBind(rec.note), SQLBind(rec.birthDate?.description), SQLBind(rec.region?.value), SQLBind(rec.address),
                                 SQLBind(PersonLinkage.identity(rec)), SQLBind(rec.disability?.category.rawValue), SQLBind(rec.disability?.grade)])
        }
        r.linked += linked.count
        let stored = try await facts.stored(linked.map(\.record.naturalKey))
        return Looked(linked: linked.reversed(), unlinkedRows: unlinkedRows, stored: stored)
    }

    /// Works out what a batch writes, touching no database. `pending`: the batch before it, worked out after this
    /// one was looked up and not yet written (it is written meanwhile); the facts it writes count as stored.
    private func stage(_ looked: Looked, facts applier: FactApplier, pending: Staged?, report r: inout Report) -> Staged {
        var stored = looked.stored
        if let pending { stored.merge(pending.facts.written) { _, written in written } }
        var counts = FactApplier.Counts()
        let facts = applier.plan(looked.linked, stored: stored, counts: &counts)
        r.newFacts += counts.newFacts
        r.changed += counts.changed
        r.unchanged += counts.unchanged
        return Staged(facts: facts, unlinkedRows: looked.unlinkedRows)
    }

    private func write(_ staged: Staged, facts: FactApplier) async throws {
        try await facts.write(staged.facts)
        try await FactApplier.insert(facts.sql, "feed_unlinked", ["id", "import_id", "feed", "natural_key", "row_number", "national_id", "name", "kind",
                                                                  "amount_cents", "valid_from", "status", "valid_to", "reference", "note", "birth_date",
                                                                  "region", "address", "identity", "disability_category", "disability_grade"],
                                     staged.unlinkedRows, ignoring: ["feed", "natural_key"],
                                     // A row seen in an earlier file is linked again with this file's values (following any earlier decision).
                                     updating: ["import_id", "row_number", "national_id", "name", "kind", "amount_cents", "valid_from", "status",
                                                "valid_to", "reference", "note", "birth_date", "region", "address", "identity",
                                                "disability_category", "disability_grade"])
    }

    /// The registered people an import has looked up by ID, kept across its batches: a claims file names the
    /// same person again and again (the benchmark's million rows name 300,000 people), and looking each row up
    /// afresh was an eighth of an import. The import's transaction is the only writer of members meanwhile
    /// (and it changes no member's household or residence). Bounded: when full it starts again, so memory
    /// stays flat whatever the file's size; IDs no one has are remembered too.
    struct KnownPeople {
        let limit: Int
        private var byID: [UInt64: FactApplier.Person?] = [:]

        init(limit: Int = 500_000) { self.limit = limit }

        /// The first seventeen characters, which a valid ID has as digits (they fix its check character), as a number.
        static func key(_ id: NationalID) -> UInt64 {
            id.value.utf8.prefix(17).reduce(0) { $0 &* 10 &+ UInt64($1 &- 0x30) }
        }

        /// The registered people with these IDs, by `key`; the IDs not yet known are read in one statement.
        mutating func lookUp(_ ids: [NationalID], _ sql: any SQLDatabase) async throws -> [UInt64: FactApplier.Person] {
            var out: [UInt64: FactApplier.Person] = [:]
            var wanted: [String: UInt64] = [:]
            for id in ids {
                let k = Self.key(id)
                switch byID[k] {
                case .some(.some(let person)): out[k] = person
                case .some(.none): break
                case .none: wanted[id.value] = k
                }
            }
            guard !wanted.isEmpty else { return out }
            // Those already known are in `out`, so starting again loses none of this batch.
            if byID.count + wanted.count > limit { byID.removeAll(keepingCapacity: true) }
            var list = ""
            BulkJSON.append(wanted.keys.map(BulkJSON.Value.text), to: &list)
            let text = "SELECT id, household_id, residence_region, national_id FROM members WHERE national_id IN "
                + (BulkJSON.isPostgres(sql) ? "(SELECT json_array_elements_text($1::json))" : "(SELECT value FROM json_each($1))")
            let shape = RowShape(columns: ["id", "household_id", "residence_region", "national_id"]) { row in
                (try row.text("national_id"),
                 FactApplier.Person(member: try row.uuid("id"), household: try row.uuid("household_id"), region: try row.text("residence_region")))
            }
            var found: [String: FactApplier.Person] = [:]
            for (id, person) in try await BulkRead.rows(sql, shape, query: text, [.text(list)]) { found[id] = person }
            for (id, k) in wanted {
                byID[k] = .some(found[id])
                if let person = found[id] { out[k] = person }
            }
            return out
        }
    }

    /// A file's rows a batch at a time, each checked as it is read: the valid ones are handed out, the others
    /// counted with their issues (the first thousand kept) for the report and the rejects file.
    /// Used by one task at a time — the apply loop awaits each batch before it asks for the next, and reads the
    /// counts only after the last — which is what makes the unchecked `Sendable` sound.
    final class BatchSource: @unchecked Sendable {
        static let issuesKept = 1_000
        private var reader: FeedRowReader
        private let parser: FeedParser
        private let known: @Sendable (RegionCode) -> Bool
        private(set) var rowsRead = 0
        private(set) var badRows = 0
        private(set) var issues: [ImportIssue] = []
        private(set) var finished = false
        /// Time spent reading and checking rows (on its own task, while the previous batch is written).
        private(set) var checkingSeconds = 0.0
        /// The row from which the file could not be decoded, if any.
        var undecodable: Int? { reader.undecodable }

        init(path: String, spec: FeedSpec, parser: FeedParser, known: @escaping @Sendable (RegionCode) -> Bool) throws {
            reader = try FeedRowReader(path: path, spec: spec)
            _ = reader.next()
            self.parser = parser
            self.known = known
        }

        /// The valid rows among the next `size` rows read (possibly none); `finished` once the file is read.
        func next(_ size: Int) -> [FeedRecord] {
            let t0 = Date()
            defer { checkingSeconds += Date().timeIntervalSince(t0) }
            var batch: [FeedRecord] = []
            batch.reserveCapacity(size)
            for _ in 0..<size {
                guard let row = reader.next() else { finished = true; break }
                rowsRead += 1
                switch parser.parse(row, knownRegion: known) {
                case .success(let record): batch.append(record)
                case .failure(let e):
                    badRows += 1
                    if issues.count < Self.issuesKept { issues += e.issues }
                }
            }
            return batch
        }
    }

    func knownRegions() async throws -> Set<String> {
        var out = Set(try RegionReference.bundled().regions.keys.map(\.value))
        for row in try await db.sql.select().column("code").from("regions").all() { out.insert(try row.decode(column: "code", as: String.self)) }
        return out
    }

    /// The file's SHA-256, read in chunks.
    static func sha256(path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw FeedError.unreadable(file: path, reason: "文件不存在或无权读取") }
        defer { try? h.close() }
        var hasher = SHA256()
        while true {
            let d = h.readData(ofLength: 1 << 20)
            if d.isEmpty { break }
            hasher.update(data: d)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func writeRejects(_ issues: [ImportIssue], to path: String) throws {
        try Data(rejectsCSV(issues).utf8).write(to: URL(fileURLWithPath: path))
    }

    /// The rejected rows with the reason for each, as CSV (UTF-8 with a BOM, so Excel opens it in Chinese):
    /// written beside the file by `jiuzhu import`, and offered on an upload's page.
    public static func rejectsCSV(_ issues: [ImportIssue]) -> String {
        "\u{FEFF}" + CSVWriter.line(["行号", "列", "原因"]) + issues.map { CSVWriter.line([String($0.row), $0.column, $0.message]) }.joined()
    }
}

/// One line of the import history.
public struct FeedImportRecord: Sendable, Equatable {
    public var id: UUID
    public var feed: String
    public var fileName: String
    public var receivedAt: String
    public var username: String
    public var rowsRead: Int
    public var linked: Int
    public var newFacts: Int
    public var changed: Int
    public var rejected: Int
    public var review: Int
}

extension FeedImporter {
    /// The newest imports first, for the import report page.
    public static func history(_ db: any Database, actor: Actor, limit: Int = 100) async throws -> [FeedImportRecord] {
        guard actor.may(.importData) else { throw DomainError.forbidden }
        return try await db.sql.select().column("*").from("feed_imports").orderBy("finished_at", .descending).limit(limit).all().map { r in
            FeedImportRecord(id: try r.decode(column: "id", as: UUID.self), feed: try r.decode(column: "feed", as: String.self), fileName: try r.decode(column: "file_name", as: String.self),
                             receivedAt: try r.decode(column: "received_at", as: String.self), username: try r.decode(column: "username", as: String.self),
                             rowsRead: try r.decode(column: "rows_read", as: Int.self), linked: try r.decode(column: "linked", as: Int.self),
                             newFacts: try r.decode(column: "new_facts", as: Int.self), changed: try r.decode(column: "changed", as: Int.self),
                             rejected: try r.decode(column: "rejected", as: Int.self), review: try r.decode(column: "review", as: Int.self))
        }
    }
}
