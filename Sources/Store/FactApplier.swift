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

    struct Counts {
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

    /// `items` in file order; within them the last row for a natural key wins.
    func apply(_ items: [(record: FeedRecord, person: Person, importID: UUID)], counts: inout Counts) async throws {
        guard !items.isEmpty else { return }
        var existing: [String: (id: UUID, amount: Int64?, from: String, to: String?)] = [:]
        for row in try await sql.raw(BulkJSON.lookup(sql, keys: items.map(\.record.naturalKey), feed: spec.name)).all() {
            existing[try row.decode(column: "natural_key", as: String.self)] = (try row.decode(column: "id", as: UUID.self),
                                                                               try row.decode(column: "amount_cents", as: Int64?.self),
                                                                               try row.decode(column: "valid_from", as: String.self),
                                                                               try row.decode(column: "valid_to", as: String?.self))
        }
        var seenKeys = Set<String>()
        var factRows: [[BulkJSON.Value]] = []
        var eventRows: [[BulkJSON.Value]] = []
        // A new fact's events cannot clash with a stored one (their key starts with the new fact's ID); a changed
        // fact's can (its values may return to ones seen before), and those go through INSERT … ON CONFLICT.
        var changedEventRows: [[BulkJSON.Value]] = []
        var disabilities: [UUID: Disability] = [:]
        var newIDs = TimeOrderedUUIDs()
        var lastImport: (id: UUID?, text: BulkJSON.Value) = (nil, .null)
        for (rec, m, importID) in items.reversed() {
            guard seenKeys.insert(rec.naturalKey).inserted else { continue }
            let from = (rec.date ?? received).description
            let factID: UUID
            let changed = existing[rec.naturalKey] != nil
            if let old = existing[rec.naturalKey] {
                guard old.amount != rec.amount?.value || old.from != from || old.to != rec.validTo?.description else { counts.unchanged += 1; continue }
                factID = old.id
                try await sql.update("facts")
                    .set("amount_cents", to: SQLBind(rec.amount?.value)).set("valid_from", to: from).set("valid_to", to: SQLBind(rec.validTo?.description))
                    .set("received_at", to: received.description).set("import_id", to: importID).set("row_number", to: rec.row)
                    .where("id", .equal, old.id).run()
                counts.changed += 1
            } else {
                factID = newIDs.next()
                counts.newFacts += 1
            }
            // Each ID written once as text for both rows (a million-row import writes five per row).
            let factText = factID.text(lowercase: false)
            let (household, member) = (BulkJSON.Value.of(m.household), BulkJSON.Value.of(m.member))
            if importID != lastImport.id { lastImport = (importID, .of(importID)) }
            if !changed {
                factRows.append([.text(factText), household, member, .text(rec.kind.category.rawValue), .text(rec.kind.rawValue),
                                 .of(rec.amount?.value), .of(rec.amount == nil ? nil : spec.amountBasis?.rawValue), .text(from),
                                 .of(rec.validTo?.description), .text("\(spec.name)#\(rec.row)" + (rec.reference.map { " \($0)" } ?? "")), .text(rec.note),
                                 .text(rec.naturalKey), lastImport.text, .int(Int64(rec.row))])
            }
            // The federation's certificate is the register's view of a disability: the newest one read wins, so
            // the calculator and the indicators see a grade certified today (the fact keeps its source). Rows run
            // last-first here, so the first one kept is the file's last.
            if rec.kind == .disabilityCertificate, let d = rec.disability, disabilities[m.member] == nil {
                disabilities[m.member] = d
            }
            // Every new or changed fact is an event for monitoring; the same values seen again are not.
            let key = "\(factText)@\(rec.amount?.value ?? -1)|\(from)|\(rec.validTo?.description ?? "")"
            let event: [BulkJSON.Value] = [.of(newIDs.next()), .text(factText), household, member, .text(m.region), .text(rec.kind.rawValue),
                                           .text(from), lastImport.text, .text(key)]
            if changed { changedEventRows.append(event) } else { eventRows.append(event) }
        }
        for (member, d) in disabilities {
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
            try await BulkCopy.copy(sql, into: "facts", factColumns, rows: factRows)
            try await BulkCopy.copy(sql, into: "events", eventColumns, rows: eventRows)
        } else {
            try await BulkJSON.insert(sql, into: "facts", factColumns, rows: factRows, insideTransaction: true)
            try await BulkJSON.insert(sql, into: "events", eventColumns, rows: eventRows, skippingConflictsOn: ["dedupe_key"], insideTransaction: true)
        }
        try await BulkJSON.insert(sql, into: "events", eventColumns, rows: changedEventRows, skippingConflictsOn: ["dedupe_key"], insideTransaction: true)
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
