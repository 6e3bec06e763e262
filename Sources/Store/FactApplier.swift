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

    let sql: any SQLDatabase
    let spec: FeedSpec
    let received: LocalDate

    /// `items` in file order; within them the last row for a natural key wins.
    func apply(_ items: [(record: FeedRecord, person: Person, importID: UUID)], counts: inout Counts) async throws {
        guard !items.isEmpty else { return }
        var existing: [String: (id: UUID, amount: Int64?, from: String, to: String?)] = [:]
        for row in try await sql.select().columns("id", "natural_key", "amount_cents", "valid_from", "valid_to").from("facts")
            .where("feed", .equal, spec.name).where("natural_key", .in, items.map(\.record.naturalKey)).all() {
            existing[try row.decode(column: "natural_key", as: String.self)] = (try row.decode(column: "id", as: UUID.self),
                                                                               try row.decode(column: "amount_cents", as: Int64?.self),
                                                                               try row.decode(column: "valid_from", as: String.self),
                                                                               try row.decode(column: "valid_to", as: String?.self))
        }
        var seenKeys = Set<String>()
        var factRows: [[any SQLExpression]] = []
        var eventRows: [[any SQLExpression]] = []
        let now = Timestamp.text(Date())
        for (rec, m, importID) in items.reversed() {
            guard seenKeys.insert(rec.naturalKey).inserted else { continue }
            let from = (rec.date ?? received).description
            let factID: UUID
            if let old = existing[rec.naturalKey] {
                guard old.amount != rec.amount?.value || old.from != from || old.to != rec.validTo?.description else { counts.unchanged += 1; continue }
                factID = old.id
                try await sql.update("facts")
                    .set("amount_cents", to: SQLBind(rec.amount?.value)).set("valid_from", to: from).set("valid_to", to: SQLBind(rec.validTo?.description))
                    .set("received_at", to: received.description).set("import_id", to: importID).set("row_number", to: rec.row)
                    .where("id", .equal, old.id).run()
                counts.changed += 1
            } else {
                factID = UUID()
                factRows.append([SQLBind(factID), SQLBind(m.household), SQLBind(m.member), SQLBind(rec.kind.category.rawValue), SQLBind(rec.kind.rawValue),
                                 SQLBind(rec.amount?.value), SQLBind(rec.amount == nil ? nil : spec.amountBasis?.rawValue), SQLBind(from),
                                 SQLBind(rec.validTo?.description), SQLBind(spec.department.rawValue), SQLBind(received.description),
                                 SQLBind("\(spec.name)#\(rec.row)" + (rec.reference.map { " \($0)" } ?? "")), SQLBind(rec.note),
                                 SQLBind(spec.name), SQLBind(rec.naturalKey), SQLBind(importID), SQLBind(rec.row)])
                counts.newFacts += 1
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
