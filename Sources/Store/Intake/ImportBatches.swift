import Crypto
import Domain
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

// One batch of the file: looked up, worked out, written.
extension FeedImporter {
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
    func lookUp(_ batch: [FeedRecord], facts: FactApplier, importID: UUID, people: [UInt64: FactApplier.Person],
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
                                 SQLBind(try SealedColumns.seal(rec.nationalID?.value ?? rec.typedID ?? "")), SQLBind(rec.name), SQLBind(rec.kind.rawValue), SQLBind(rec.amount?.value),
                                 SQLBind((rec.date ?? facts.received).description), SQLBind("pending"), SQLBind(rec.validTo?.description), SQLBind(rec.reference),
                                 SQLBind(rec.note), SQLBind(rec.birthDate?.description), SQLBind(rec.region?.value), SQLBind(rec.address),
                                 SQLBind(try PersonLinkage.identity(rec)), SQLBind(rec.disability?.category.rawValue), SQLBind(rec.disability?.grade)])
        }
        r.linked += linked.count
        let stored = try await facts.stored(linked.map(\.record.naturalKey))
        return Looked(linked: linked.reversed(), unlinkedRows: unlinkedRows, stored: stored)
    }

    /// Works out what a batch writes, touching no database. `pending`: the batch before it, worked out after this
    /// one was looked up and not yet written (it is written meanwhile); the facts it writes count as stored.
    func stage(_ looked: Looked, facts applier: FactApplier, pending: Staged?, report r: inout Report) -> Staged {
        var stored = looked.stored
        if let pending { stored.merge(pending.facts.written) { _, written in written } }
        var counts = FactApplier.Counts()
        let facts = applier.plan(looked.linked, stored: stored, counts: &counts)
        r.newFacts += counts.newFacts
        r.changed += counts.changed
        r.unchanged += counts.unchanged
        return Staged(facts: facts, unlinkedRows: looked.unlinkedRows)
    }

    func write(_ staged: Staged, facts: FactApplier) async throws {
        try await facts.write(staged.facts)
        try await FactApplier.insert(facts.sql, "feed_unlinked", ["id", "import_id", "feed", "natural_key", "row_number", "national_id_sealed", "name", "kind",
                                                                  "amount_cents", "valid_from", "status", "valid_to", "reference", "note", "birth_date",
                                                                  "region", "address", "identity", "disability_category", "disability_grade"],
                                     staged.unlinkedRows, ignoring: ["feed", "natural_key"],
                                     // A row seen in an earlier file is linked again with this file's values (following any earlier decision).
                                     updating: ["import_id", "row_number", "national_id_sealed", "name", "kind", "amount_cents", "valid_from", "status",
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
            // By blind index: the register keeps no ID number in clear.
            var wanted: [String: UInt64] = [:]
            let cipher = try DataCipher.inUse()
            for id in ids {
                let k = Self.key(id)
                switch byID[k] {
                case .some(.some(let person)): out[k] = person
                case .some(.none): break
                case .none: wanted[cipher.blindIndex(id.value)] = k
                }
            }
            guard !wanted.isEmpty else { return out }
            // Those already known are in `out`, so starting again loses none of this batch.
            if byID.count + wanted.count > limit { byID.removeAll(keepingCapacity: true) }
            var list = ""
            BulkJSON.append(wanted.keys.map(BulkJSON.Value.text), to: &list)
            let text = "SELECT id, household_id, residence_region, national_id_index FROM members WHERE national_id_index IN "
                + (BulkJSON.isPostgres(sql) ? "(SELECT json_array_elements_text($1::json))" : "(SELECT value FROM json_each($1))")
            let shape = RowShape(columns: ["id", "household_id", "residence_region", "national_id_index"]) { row in
                (try row.text("national_id_index"),
                 FactApplier.Person(member: try row.uuid("id"), household: try row.uuid("household_id"), region: try row.text("residence_region")))
            }
            var found: [String: FactApplier.Person] = [:]
            for (index, person) in try await BulkRead.rows(sql, shape, query: text, [.text(list)]) { found[index] = person }
            for (index, k) in wanted {
                byID[k] = .some(found[index])
                if let person = found[index] { out[k] = person }
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
        /// A department's natural key names the typed ID number: it is kept as its blind index.
        private let cipher: DataCipher
        private(set) var rowsRead = 0
        private(set) var badRows = 0
        private(set) var issues: [ImportIssue] = []
        private(set) var finished = false
        /// Time spent reading and checking rows (on its own task, while the previous batch is written).
        private(set) var checkingSeconds = 0.0
        /// The row from which the file could not be decoded, if any.
        var undecodable: Int? { reader.undecodable }

        /// `reader` has given its header already: the file is read once (a workbook is parsed once).
        init(reader: FeedRowReader, parser: FeedParser, known: @escaping @Sendable (RegionCode) -> Bool) throws {
            cipher = try DataCipher.inUse()
            self.reader = reader
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
                case .success(var record):
                    record.naturalKey = cipher.blindIndex(record.naturalKey)
                    batch.append(record)
                case .failure(let e):
                    badRows += 1
                    if issues.count < Self.issuesKept { issues += e.issues }
                }
            }
            return batch
        }
    }

}
