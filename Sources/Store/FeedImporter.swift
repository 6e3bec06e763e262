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
        public var rowsRead = 0
        public var linked = 0
        public var newFacts = 0
        public var changed = 0
        public var unchanged = 0
        public var rejected = 0
        /// Rows whose ID matched no one exactly: kept for probabilistic linkage and human review.
        public var review = 0
        public var events = 0
        public var issues: [ImportIssue] = []
        public var rejectsFile: String?
        /// Seconds spent checking the file, and applying it.
        public var validateSeconds = 0.0
        public var applySeconds = 0.0
    }

    let db: any Database
    let spec: FeedSpec
    let actor: Actor
    static let batchSize = 1_000
    static let issuesShown = 50

    public init(_ db: any Database, spec: FeedSpec, actor: Actor) {
        self.db = db
        self.spec = spec
        self.actor = actor
    }

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

        // Pass 1: validate everything before writing anything.
        let t0 = Date()
        var reader = try CSVReader(path: path, encoding: spec.encoding)
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
            var r = validated
            var reader = try CSVReader(path: path, encoding: spec.encoding)
            _ = reader.next()
            var batch: [FeedRecord] = []
            func flush() async throws {
                try await apply(batch, tx: tx, importID: importID, received: received, report: &r)
                progress(r.linked + r.review)
                batch.removeAll(keepingCapacity: true)
            }
            while let row = reader.next() {
                guard case .success(let record) = parser.parse(row, knownRegion: known) else { continue }
                batch.append(record)
                if batch.count == Self.batchSize { try await flush() }
            }
            try await flush()
            r.events = try await tx.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from("events").where("import_id", .equal, importID).first()?.decode(column: "n", as: Int.self) ?? 0
            try await tx.sql.insert(into: "feed_imports")
                .columns("id", "feed", "file_name", "file_hash", "received_at", "finished_at", "username", "rows_read", "linked", "new_facts", "changed", "rejected", "review")
                .values(SQLBind(importID), SQLBind(spec.name), SQLBind(name), SQLBind(hash), SQLBind(received.description), SQLBind(Timestamp.text(Date())),
                        SQLBind(actor.username), SQLBind(r.rowsRead), SQLBind(r.linked), SQLBind(r.newFacts), SQLBind(r.changed), SQLBind(r.rejected), SQLBind(r.review))
                .run()
            try await AuditLog(tx).record(actor: actor, action: .importFeed, targetKind: "feed", targetID: spec.name,
                                          detail: "导入 \(name)：读取\(r.rowsRead)行，关联\(r.linked)，新增\(r.newFacts)，变更\(r.changed)，拒绝\(r.rejected)，待核对\(r.review)")
            return r
        }
        var done = finalReport
        done.applySeconds = Date().timeIntervalSince(t1)
        return done
    }

    private func apply(_ batch: [FeedRecord], tx: any Database, importID: UUID, received: LocalDate, report r: inout Report) async throws {
        guard !batch.isEmpty else { return }
        let sql = tx.sql
        // Link: exact normalised ID only. Everything else waits for probabilistic linkage and review,
        // so nothing irreversible can follow from a guess.
        var members: [String: (member: UUID, household: UUID, region: String)] = [:]
        for row in try await sql.select().columns("id", "household_id", "residence_region", "national_id").from("members")
            .where("national_id", .in, Array(Set(batch.map(\.nationalID.value)))).all() {
            members[try row.decode(column: "national_id", as: String.self)] = (try row.decode(column: "id", as: UUID.self),
                                                                             try row.decode(column: "household_id", as: UUID.self),
                                                                             try row.decode(column: "residence_region", as: String.self))
        }
        var existing: [String: (id: UUID, amount: Int64?, from: String, to: String?)] = [:]
        for row in try await sql.select().columns("id", "natural_key", "amount_cents", "valid_from", "valid_to").from("facts")
            .where("feed", .equal, spec.name).where("natural_key", .in, batch.map(\.naturalKey)).all() {
            existing[try row.decode(column: "natural_key", as: String.self)] = (try row.decode(column: "id", as: UUID.self),
                                                                               try row.decode(column: "amount_cents", as: Int64?.self),
                                                                               try row.decode(column: "valid_from", as: String.self),
                                                                               try row.decode(column: "valid_to", as: String?.self))
        }
        var seenKeys = Set<String>()
        var factRows: [[any SQLExpression]] = []
        var eventRows: [[any SQLExpression]] = []
        var unlinkedRows: [[any SQLExpression]] = []
        let now = Timestamp.text(Date())
        for rec in batch.reversed() {
            // Within one file the last row for a key wins; earlier duplicates are not applied twice.
            guard seenKeys.insert(rec.naturalKey).inserted else { continue }
            let from = (rec.date ?? received).description
            guard let m = members[rec.nationalID.value] else {
                r.review += 1
                unlinkedRows.append([SQLBind(UUID()), SQLBind(importID), SQLBind(spec.name), SQLBind(rec.naturalKey), SQLBind(rec.row),
                                     SQLBind(rec.nationalID.value), SQLBind(rec.name), SQLBind(rec.kind.rawValue), SQLBind(rec.amount?.value),
                                     SQLBind(from), SQLBind("pending")])
                continue
            }
            r.linked += 1
            let factID: UUID
            if let old = existing[rec.naturalKey] {
                guard old.amount != rec.amount?.value || old.from != from || old.to != rec.validTo?.description else { r.unchanged += 1; continue }
                factID = old.id
                try await sql.update("facts")
                    .set("amount_cents", to: SQLBind(rec.amount?.value)).set("valid_from", to: from).set("valid_to", to: SQLBind(rec.validTo?.description))
                    .set("received_at", to: received.description).set("import_id", to: importID).set("row_number", to: rec.row)
                    .where("id", .equal, old.id).run()
                r.changed += 1
            } else {
                factID = UUID()
                factRows.append([SQLBind(factID), SQLBind(m.household), SQLBind(m.member), SQLBind(rec.kind.category.rawValue), SQLBind(rec.kind.rawValue),
                                 SQLBind(rec.amount?.value), SQLBind(rec.amount == nil ? nil : spec.amountBasis?.rawValue), SQLBind(from),
                                 SQLBind(rec.validTo?.description), SQLBind(spec.department.rawValue), SQLBind(received.description),
                                 SQLBind("\(spec.name)#\(rec.row)" + (rec.reference.map { " \($0)" } ?? "")), SQLBind(rec.note),
                                 SQLBind(spec.name), SQLBind(rec.naturalKey), SQLBind(importID), SQLBind(rec.row)])
                r.newFacts += 1
            }
            // Every new or changed fact is an event for monitoring; the same values seen again are not.
            let key = "\(factID)@\(rec.amount?.value ?? -1)|\(from)|\(rec.validTo?.description ?? "")"
            eventRows.append([SQLBind(UUID()), SQLBind(factID), SQLBind(m.household), SQLBind(m.member), SQLBind(m.region), SQLBind(rec.kind.rawValue),
                              SQLBind(from), SQLBind(now), SQLBind(importID), SQLBind(key)])
        }
        try await Self.insert(sql, "facts", ["id", "household_id", "member_id", "category", "kind", "amount_cents", "basis", "valid_from", "valid_to",
                                             "source_department", "received_at", "reference", "note", "feed", "natural_key", "import_id", "row_number"], factRows)
        try await Self.insert(sql, "events", ["id", "fact_id", "household_id", "member_id", "residence_region", "kind", "occurred_on", "created_at",
                                              "import_id", "dedupe_key"], eventRows, ignoring: ["dedupe_key"])
        try await Self.insert(sql, "feed_unlinked", ["id", "import_id", "feed", "natural_key", "row_number", "national_id", "name", "kind",
                                                     "amount_cents", "valid_from", "status"], unlinkedRows, ignoring: ["feed", "natural_key"])
    }

    /// Multi-row INSERTs, kept under SQLite's bound-parameter limit.
    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any SQLExpression]], ignoring: [String]? = nil) async throws {
        let per = max(1, 9_000 / columns.count)
        var i = 0
        while i < rows.count {
            var b = sql.insert(into: table).columns(columns)
            for row in rows[i..<min(rows.count, i + per)] { b = b.values(row) }
            if let ignoring { b = b.ignoringConflicts(with: ignoring) }
            try await b.run()
            i += per
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
            FeedImportRecord(feed: try r.decode(column: "feed", as: String.self), fileName: try r.decode(column: "file_name", as: String.self),
                             receivedAt: try r.decode(column: "received_at", as: String.self), username: try r.decode(column: "username", as: String.self),
                             rowsRead: try r.decode(column: "rows_read", as: Int.self), linked: try r.decode(column: "linked", as: Int.self),
                             newFacts: try r.decode(column: "new_facts", as: Int.self), changed: try r.decode(column: "changed", as: Int.self),
                             rejected: try r.decode(column: "rejected", as: Int.self), review: try r.decode(column: "review", as: Int.self))
        }
    }
}
