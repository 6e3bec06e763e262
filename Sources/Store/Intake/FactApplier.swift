import Domain
import FluentKit
import Foundation
import SQLKit

/// Writes department rows that are linked to a registered person as facts with provenance, and every new
/// or changed fact as an event. One writer for the three ways a row gets linked — an exact ID in the
/// importer, a probable match above the upper threshold, and a human confirming a review — so they
/// cannot drift apart.
struct FactApplier {
    struct Person: Sendable {
        var member: UUID
        var household: UUID
        var region: String
    }

    struct Counts: Equatable {
        var newFacts = 0
        var changed = 0
        var unchanged = 0
    }

    /// Always inside the caller's transaction, which any error rolls back (the inserts rely on it).
    let sql: any SQLDatabase
    let spec: FeedSpec
    let received: LocalDate
    /// The queued batch this transaction's events belong to; they carry its time.
    let batch: EventBatch

    /// A stored fact as a row with its natural key finds it: enough to tell whether the row changes it.
    struct Stored: Sendable {
        var id: UUID
        var amount: Int64?
        var from: String
        var to: String?
    }

    /// What one batch writes, worked out before any of it is written.
    struct Plan: Sendable {
        fileprivate var updates: [(id: UUID, fact: Stored, importID: UUID, row: Int)] = []
        fileprivate var disabilities: [UUID: Disability] = [:]
        fileprivate var factRows: [[BulkJSON.Value]] = []
        fileprivate var eventRows: [[BulkJSON.Value]] = []
        fileprivate var changedEventRows: [[BulkJSON.Value]] = []
        /// The facts it writes, new or changed, by natural key: as a later batch would find them once it is written.
        var written: [String: Stored] = [:]
    }

    /// `items` in file order; within them the last row for a natural key wins.
    func apply(_ items: [(record: FeedRecord, person: Person, importID: UUID)], counts: inout Counts) async throws {
        guard !items.isEmpty else { return }
        try await write(plan(items, stored: try await stored(items.map(\.record.naturalKey)), counts: &counts))
    }

    /// The facts already stored under these natural keys.
    func stored(_ keys: [String]) async throws -> [String: Stored] {
        guard !keys.isEmpty else { return [:] }
        var found: [String: Stored] = [:]
        for row in try await sql.raw(BulkJSON.lookup(sql, keys: keys, feed: spec.name)).all() {
            found[try row.decode(column: "natural_key", as: String.self)] = Stored(id: try row.decode(column: "id", as: UUID.self),
                                                                                   amount: try row.decode(column: "amount_cents", as: Int64?.self),
                                                                                   from: try row.decode(column: "valid_from", as: String.self),
                                                                                   to: try row.decode(column: "valid_to", as: String?.self))
        }
        return found
    }

    /// The rows to write for `items` (in file order), given the facts `existing` under their natural keys.
    /// Touches no database, so the import works out one batch while the one before it is written.
    func plan(_ items: [(record: FeedRecord, person: Person, importID: UUID)], stored existing: [String: Stored], counts: inout Counts) -> Plan {
        var plan = Plan()
        var seenKeys = Set<String>()
        var newIDs = TimeOrderedUUIDs()
        var lastImport: (id: UUID?, text: BulkJSON.Value) = (nil, .null)
        for (rec, m, importID) in items.reversed() {
            guard seenKeys.insert(rec.naturalKey).inserted else { continue }
            let fact = Stored(id: existing[rec.naturalKey]?.id ?? newIDs.next(), amount: rec.amount?.value, from: (rec.date ?? received).description,
                              to: rec.validTo?.description)
            let changed = existing[rec.naturalKey] != nil
            if let old = existing[rec.naturalKey] {
                guard old.amount != fact.amount || old.from != fact.from || old.to != fact.to else { counts.unchanged += 1; continue }
                plan.updates.append((old.id, fact, importID, rec.row))
                counts.changed += 1
            } else {
                counts.newFacts += 1
            }
            plan.written[rec.naturalKey] = fact
            // Each ID written once as text for both rows (a million-row import writes five per row).
            let factText = fact.id.text(lowercase: false)
            let (household, member) = (BulkJSON.Value.of(m.household), BulkJSON.Value.of(m.member))
            if importID != lastImport.id { lastImport = (importID, .of(importID)) }
            if !changed {
                plan.factRows.append([.text(factText), household, member, .text(rec.kind.category.rawValue), .text(rec.kind.rawValue),
                                      .of(rec.amount?.value), .of(rec.amount == nil ? nil : spec.amountBasis?.rawValue), .text(fact.from),
                                      .of(fact.to), .text("\(spec.name)#\(rec.row)" + (rec.reference.map { " \($0)" } ?? "")), .text(rec.note),
                                      .text(rec.naturalKey), lastImport.text, .int(Int64(rec.row))])
            }
            // The federation's certificate is the register's view of a disability: the newest one read wins, so
            // the calculator and the indicators see a grade certified today (the fact keeps its source). Rows run
            // last-first here, so the first one kept is the file's last.
            if rec.kind == .disabilityCertificate, let d = rec.disability, plan.disabilities[m.member] == nil {
                plan.disabilities[m.member] = d
            }
            // Every new or changed fact is an event for monitoring; the same values seen again are not.
            let key = "\(factText)@\(rec.amount?.value ?? -1)|\(fact.from)|\(fact.to ?? "")"
            let event: [BulkJSON.Value] = [.of(newIDs.next()), .text(factText), household, member, .text(m.region), .text(rec.kind.rawValue),
                                           .text(fact.from), lastImport.text, .text(key)]
            if changed { plan.changedEventRows.append(event) } else { plan.eventRows.append(event) }
        }
        return plan
    }

    /// Writes what `plan` worked out, inside the caller's transaction.
    func write(_ plan: Plan) async throws {
        for (id, fact, importID, row) in plan.updates {
            try await sql.update("facts")
                .set("amount_cents", to: SQLBind(fact.amount)).set("valid_from", to: fact.from).set("valid_to", to: SQLBind(fact.to))
                .set("received_at", to: received.description).set("import_id", to: importID).set("row_number", to: row)
                .where("id", .equal, id).run()
        }
        for (member, d) in plan.disabilities {
            try await sql.update("members").set("disability_category", to: d.category.rawValue).set("disability_grade", to: d.grade)
                .where("id", .equal, member).run()
        }
        typealias C = BulkJSON.Column
        let factColumns = [
            C(name: "id", source: .row(0), type: "uuid"), C(name: "household_id", source: .row(1), type: "uuid"), C(name: "member_id", source: .row(2), type: "uuid"),
            C(name: "category", source: .row(3), type: "text"), C(name: "kind", source: .row(4), type: "text"), C(name: "amount_cents", source: .row(5), type: "bigint"),
            C(name: "basis", source: .row(6), type: "text"), C(name: "valid_from", source: .row(7), type: "text"), C(name: "valid_to", source: .row(8), type: "text"),
            C(name: "source_department", source: .constant(.text(spec.department.rawValue)), type: "text"),
            C(name: "received_at", source: .constant(.text(received.description)), type: "text"),
            C(name: "reference", source: .row(9), type: "text"), C(name: "note", source: .row(10), type: "text"),
            C(name: "feed", source: .constant(.text(spec.name)), type: "text"), C(name: "natural_key", source: .row(11), type: "text"),
            C(name: "import_id", source: .row(12), type: "uuid"), C(name: "row_number", source: .row(13), type: "bigint"),
        ]
        let eventColumns = [
            C(name: "id", source: .row(0), type: "uuid"), C(name: "fact_id", source: .row(1), type: "uuid"), C(name: "household_id", source: .row(2), type: "uuid"),
            C(name: "member_id", source: .row(3), type: "uuid"), C(name: "residence_region", source: .row(4), type: "text"), C(name: "kind", source: .row(5), type: "text"),
            C(name: "occurred_on", source: .row(6), type: "text"), C(name: "created_at", source: .constant(.text(batch.createdAt)), type: "text"),
            C(name: "import_id", source: .row(7), type: "uuid"), C(name: "dedupe_key", source: .row(8), type: "text"),
        ]
        // PostgreSQL takes new rows by COPY: no statement to plan and no JSON to take apart, row by row.
        if BulkCopy.isAvailable(sql) {
            try await BulkCopy.copy(sql, into: "facts", factColumns, rows: plan.factRows)
            try await BulkCopy.copy(sql, into: "events", eventColumns, rows: plan.eventRows)
        } else {
            try await BulkJSON.insert(sql, into: "facts", factColumns, rows: plan.factRows, insideTransaction: true)
            try await BulkJSON.insert(sql, into: "events", eventColumns, rows: plan.eventRows, skippingConflictsOn: ["dedupe_key"], insideTransaction: true)
        }
        try await BulkJSON.insert(sql, into: "events", eventColumns, rows: plan.changedEventRows, skippingConflictsOn: ["dedupe_key"], insideTransaction: true)
    }

    /// Multi-row INSERTs, kept under SQLite's bound-parameter limit.
    /// `ignoring`: rows clashing on these columns are skipped; with `updating`, they overwrite those columns instead.
    static func insert(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ rows: [[any SQLExpression]], ignoring: [String]? = nil,
                       updating: [String]? = nil) async throws {
        let per = max(1, 9_000 / columns.count)
        var i = 0
        while i < rows.count {
            var b = sql.insert(into: table).columns(columns)
            for row in rows[i..<min(rows.count, i + per)] { b = b.values(row) }
            if let ignoring, let updating {
                b = b.onConflict(with: ignoring) { u in updating.reduce(u) { $0.set(excludedValueOf: $1) } }
            } else if let ignoring { b = b.ignoringConflicts(with: ignoring) }
            try await b.run()
            i += per
        }
    }
}
