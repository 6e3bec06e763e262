import Crypto
import Domain
import FluentKit
import Foundation
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
        public var issues: [ImportIssue] = []
        public var rejectsFile: String?
        /// Seconds spent checking the file, and applying it.
        public var validateSeconds = 0.0
        public var applySeconds = 0.0
        /// The screening of the households this import changed, run as soon as it was committed (#5).
        public var screening: ScreeningReport?
        /// Why that screening failed, if it did; the import stands and the next import or `jiuzhu screen` catches up.
        public var screeningError: String?
    }

    let db: any Database
    let spec: FeedSpec
    let actor: Actor
    static let batchSize = 1_000
    static let sqliteCacheKiB = 256 * 1024
    /// SQLite's own default page cache (`PRAGMA cache_size = -2000`).
    static let sqliteDefaultCacheKiB = 2_000
    static let issuesShown = 50

    let monitoring: MonitoringSetup?

    /// `monitoring`: the screening that reacts to the import's events (nil: the shipped catalogue and parameters).
    public init(_ db: any Database, spec: FeedSpec, actor: Actor, monitoring: MonitoringSetup? = nil) {
        self.db = db
        self.spec = spec
        self.actor = actor
        self.monitoring = monitoring
    }

    /// Re-screens the households whose facts changed, holding payments after a death, straight after the commit.
    /// Also run when a file was already imported, so a crash between the commit and this step is caught up.
    func react(_ report: inout Report) async {
        do {
            let monitor = Monitor(db, setup: try monitoring ?? MonitoringSetup.bundled())
            report.screening = try await monitor.reactToEvents(actor: Monitor.systemActor(triggeredBy: actor))
        } catch {
            report.screeningError = String(describing: error)
        }
    }

    /// `screenAfterwards`: re-screen the changed households at once (the default); the import benchmark turns
    /// it off to measure the import and the screening apart, and runs `Monitor.reactToEvents` itself.
    public func run(path: String, acceptPartial: Bool = false, now: Date = Date(), screenAfterwards: Bool = true,
                    progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Report {
        guard actor.may(.importData) else { throw DomainError.forbidden }
        let name = (path as NSString).lastPathComponent
        let hash = try Self.sha256(path: path)
        var report = Report(feed: spec.name, file: name, fileHash: hash)
        if try await db.sql.select().column("id").from("feed_imports").where("feed", .equal, spec.name).where("file_hash", .equal, hash).first() != nil {
            report.alreadyImported = true
            if screenAfterwards { await react(&report) }
            return report
        }
        let regions = try await knownRegions()
        // A code is known if it is in the reference data or the registry, or lies in a known county (a real street or village).
        let known: @Sendable (RegionCode) -> Bool = { regions.contains($0.value) || regions.contains(String($0.value.prefix(6)) + "000000") }

        // Pass 1: validate everything before writing anything.
        let t0 = Date()
        var reader = try FeedRowReader(path: path, spec: spec)
        guard let header = reader.next() else { throw FeedError.unreadable(file: name, reason: "文件为空") }
        let parser = try FeedParser(spec: spec, header: header.fields, file: name)
        var badRows = Set<Int>()
        var total = 0
        while let row = reader.next() {
            total += 1
            if case .failure(let e) = parser.parse(row, knownRegion: known) {
                badRows.insert(row.number)
                if report.issues.count < 1_000 { report.issues += e.issues }
            }
        }
        if let bad = reader.undecodable {
            throw FeedError.unreadable(file: name, reason: "第\(bad)行起含有无法按\(spec.encoding == .auto ? "检测到的" : "声明的")编码解码的字节")
        }
        report.rowsRead = total
        report.rejected = badRows.count
        if !badRows.isEmpty && !acceptPartial {
            throw FeedError.rejected(file: name, issues: Array(report.issues.prefix(Self.issuesShown)), totalIssues: report.issues.count)
        }
        if !badRows.isEmpty {
            report.rejectsFile = path + ".rejects.csv"
            try Self.writeRejects(report.issues, to: report.rejectsFile!)
        }

        report.validateSeconds = Date().timeIntervalSince(t0)
        // Pass 2: apply, in one transaction, a batch at a time so memory stays flat.
        let t1 = Date()
        let importID = UUID()
        let received = LocalDate(now, timeZone: .china)
        let validated = report
        let finalReport = try await db.transaction { tx -> Report in
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
                let events = try await EventBatch.open(tx.sql, at: now)
                // The next batch is read and parsed while this one is written: a tenth of an import's time, overlapped.
                let source = try BatchSource(path: path, spec: spec, parser: parser, known: known)
                var next = Task { source.next(Self.batchSize) }
                while true {
                    let records = await next.value
                    guard !records.isEmpty else { break }
                    next = Task { source.next(Self.batchSize) }
                    do {
                        try await apply(records, tx: tx, importID: importID, received: received, events: events, report: &r)
                    } catch {
                        _ = await next.value
                        throw error
                    }
                    progress(r.linked + r.unmatched)
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
        }
        var done = finalReport
        done.applySeconds = Date().timeIntervalSince(t1)
        if screenAfterwards { await react(&done) }
        return done
    }

    private func apply(_ batch: [FeedRecord], tx: any Database, importID: UUID, received: LocalDate, events: EventBatch, report r: inout Report) async throws {
        guard !batch.isEmpty else { return }
        let sql = tx.sql
        // Link, first pass: an exact normalised ID. Every other row waits in feed_unlinked for
        // probabilistic linkage, which runs once the whole file is in.
        var members: [String: FactApplier.Person] = [:]
        let ids = Array(Set(batch.compactMap(\.nationalID?.value)))
        if !ids.isEmpty {
            for row in try await sql.select().columns("id", "household_id", "residence_region", "national_id").from("members")
                .where(BulkJSON.inList(sql, "national_id", ids)).all() {
                members[try row.decode(column: "national_id", as: String.self)] = FactApplier.Person(
                    member: try row.decode(column: "id", as: UUID.self), household: try row.decode(column: "household_id", as: UUID.self),
                    region: try row.decode(column: "residence_region", as: String.self))
            }
        }
        var linked: [(record: FeedRecord, person: FactApplier.Person, importID: UUID)] = []
        var unlinkedRows: [[any SQLExpression]] = []
        var seenKeys = Set<String>()
        var newIDs = TimeOrderedUUIDs()
        for rec in batch.reversed() {
            if let issue = rec.idIssue, r.idIssues.count < Self.issuesShown { r.idIssues.append(issue) }
            if let id = rec.nationalID?.value, let m = members[id] {
                linked.append((rec, m, importID))
                continue
            }
            // Within one file the last row for a key wins; earlier duplicates are not kept twice.
            guard seenKeys.insert(rec.naturalKey).inserted else { continue }
            r.unmatched += 1
            unlinkedRows.append([SQLBind(newIDs.next()), SQLBind(importID), SQLBind(spec.name), SQLBind(rec.naturalKey), SQLBind(rec.row),
                                 SQLBind(rec.nationalID?.value ?? rec.typedID ?? ""), SQLBind(rec.name), SQLBind(rec.kind.rawValue), SQLBind(rec.amount?.value),
                                 SQLBind((rec.date ?? received).description), SQLBind("pending"), SQLBind(rec.validTo?.description), SQLBind(rec.reference),
                                 SQLBind(rec.note), SQLBind(rec.birthDate?.description), SQLBind(rec.region?.value), SQLBind(rec.address),
                                 SQLBind(PersonLinkage.identity(rec))])
        }
        r.linked += linked.count
        var counts = FactApplier.Counts()
        try await FactApplier(sql: sql, spec: spec, received: received, batch: events).apply(linked.reversed(), counts: &counts)
        r.newFacts += counts.newFacts
        r.changed += counts.changed
        r.unchanged += counts.unchanged
        try await FactApplier.insert(sql, "feed_unlinked", ["id", "import_id", "feed", "natural_key", "row_number", "national_id", "name", "kind",
                                                            "amount_cents", "valid_from", "status", "valid_to", "reference", "note", "birth_date",
                                                            "region", "address", "identity"], unlinkedRows, ignoring: ["feed", "natural_key"],
                                                  // A row seen in an earlier file is linked again with this file's values (following any earlier decision).
                                                  updating: ["import_id", "row_number", "national_id", "name", "kind", "amount_cents", "valid_from", "status",
                                                             "valid_to", "reference", "note", "birth_date", "region", "address", "identity"])
    }

    /// A file's valid rows a batch at a time (rows that failed validation are skipped: they are in the rejects).
    /// Used by one task at a time — the apply loop awaits each batch before it asks for the next — which is
    /// what makes the unchecked `Sendable` sound.
    final class BatchSource: @unchecked Sendable {
        private var reader: FeedRowReader
        private let parser: FeedParser
        private let known: @Sendable (RegionCode) -> Bool

        init(path: String, spec: FeedSpec, parser: FeedParser, known: @escaping @Sendable (RegionCode) -> Bool) throws {
            reader = try FeedRowReader(path: path, spec: spec)
            _ = reader.next()
            self.parser = parser
            self.known = known
        }

        /// Up to `size` records; empty at the end of the file.
        func next(_ size: Int) -> [FeedRecord] {
            var batch: [FeedRecord] = []
            batch.reserveCapacity(size)
            while batch.count < size, let row = reader.next() {
                guard case .success(let record) = parser.parse(row, knownRegion: known) else { continue }
                batch.append(record)
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
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var text = "行号,列,原因\n"
        for i in issues { text += "\(i.row),\(q(i.column)),\(q(i.message))\n" }
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
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
