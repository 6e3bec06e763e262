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

        /// Adds what the probabilistic pass did with the unmatched rows.
        mutating func add(_ c: PersonLinkage.Counts) {
            probablyLinked += c.probablyLinked
            linked += c.probablyLinked
            review += c.review
            newPersons += c.newPersons
            newFacts += c.applied.newFacts
            changed += c.applied.changed
            unchanged += c.applied.unchanged
        }
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
        // The rows after the header, from the same reader: the file is read (a workbook parsed) once.
        let source = try BatchSource(reader: reader, parser: parser, known: known)

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
                // file, that was a twelfth of an import's time in writes. Held in memory it is as large as one batch:
                // the connection's temporary store is set so before the transaction (`withoutForeignKeyChecks`).
            }
            // The connection outlives the import: its cache goes back to its default after.
            func restore() async throws {
                guard sqlite else { return }
                try await tx.sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-Self.sqliteDefaultCacheKiB))").run()
            }
            do {
                var r = validated
                r.importID = importID
                // SQLite's connection already checks nothing (`withoutForeignKeyChecks`).
                r.referencesCheckedPerRow = sqlite ? false : !(try await Self.skipForeignKeyChecks(inTransaction: tx.sql))
                let events = try await EventBatch.open(tx.sql, at: now)
                // The next batch is read and parsed while this one is written: a tenth of an import's time, overlapped.
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
                    if r.unmatched > 0 {
                        let read = r.linked + r.unmatched
                        r.add(try await PersonLinkage(tx: tx, spec: spec, model: model, actor: actor, received: received, batch: events)
                            .run(importID: importID, progress: { progress(read + $0.probablyLinked) }))
                    }
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

}

// The file itself: its regions, its hash, its rejected rows.
extension FeedImporter {
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
