import Domain
import FluentKit
import Foundation
import SQLKit

/// Bulk writes of whole households: multi-row INSERTs in batches, inside the caller's transaction.
public struct RegistryWriter: Sendable {
    let sql: any SQLDatabase
    public init(_ db: any Database) { sql = db.sql }

    /// Rows per INSERT, kept well under SQLite's 32,766 bound parameters.
    static let maxParameters = 9_000

    public func insert(regions: [Region]) async throws {
        let existing = Set(try await sql.select().column("code").from("regions").all().map { try $0.decode(column: "code", as: String.self) })
        let rows: [[any SQLExpression]] = regions.filter { !existing.contains($0.code.value) }.map { r in
            [SQLBind(r.code.value), SQLBind(r.name), SQLBind(r.level.rawValue), SQLBind(r.code.parent?.value), SQLBind(r.isDemo)]
        }
        try await insert("regions", ["code", "name", "level", "parent_code", "is_demo"], rows)
    }

    public func insert(_ bundles: [HouseholdBundle], createdAt: Date = Date()) async throws {
        let created = Timestamp.text(createdAt)
        var households: [[any SQLExpression]] = []
        var members: [[any SQLExpression]] = []
        var facts: [[any SQLExpression]] = []
        var enrolments: [[any SQLExpression]] = []
        let cipher = try DataCipher.inUse()
        for b in bundles {
            let h = b.household
            households.append([SQLBind(h.id.rawValue), SQLBind(h.registeredRegion.value), SQLBind(h.residenceRegion.value), SQLBind(h.address), SQLBind(created)])
            for m in b.members {
                members.append([
                    SQLBind(m.id.rawValue), SQLBind(h.id.rawValue), SQLBind(h.residenceRegion.value), SQLBind(m.relation.rawValue),
                    SQLBind(cipher.blindIndex(m.nationalID.value)), SQLBind(try cipher.seal(text: m.nationalID.value)),
                    SQLBind(SealedColumns.tail(m.nationalID.value)), SQLBind(m.name), SQLBind(m.sex.rawValue),
                    SQLBind(m.birthDate.description), SQLBind(m.disability?.category.rawValue), SQLBind(m.disability?.grade),
                    SQLBind(m.illnesses.map(\.rawValue).joined(separator: ",")), SQLBind(m.workCapacity.rawValue),
                    SQLBind(m.employment.rawValue), SQLBind(m.schooling.rawValue),
                ])
            }
            for f in b.facts {
                facts.append([
                    SQLBind(f.id.rawValue), SQLBind(h.id.rawValue), SQLBind(f.memberID?.rawValue), SQLBind(f.kind.category.rawValue),
                    SQLBind(f.kind.rawValue), SQLBind(f.amount?.value), SQLBind(f.basis?.rawValue), SQLBind(f.validFrom.description),
                    SQLBind(f.validTo?.description), SQLBind(f.provenance.department.rawValue), SQLBind(f.provenance.receivedAt.description),
                    SQLBind(f.provenance.reference), SQLBind(f.note),
                ])
            }
            for e in b.enrolments {
                enrolments.append([
                    SQLBind(e.id.rawValue), SQLBind(h.id.rawValue), SQLBind(e.memberID?.rawValue), SQLBind(h.residenceRegion.value),
                    SQLBind(e.program.rawValue), SQLBind(e.since.description), SQLBind(e.monthlyAmount.value), SQLBind(e.status.rawValue),
                    SQLBind(e.statusChangedOn?.description),
                ])
            }
        }
        try await insert("households", ["id", "registered_region", "residence_region", "address", "created_at"], households)
        try await insert("members", ["id", "household_id", "residence_region", "relation", "national_id_index", "national_id_sealed", "national_id_tail", "name", "sex",
                                     "birth_date", "disability_category", "disability_grade", "illnesses", "work_capacity", "employment", "schooling"], members)
        try await insert("facts", ["id", "household_id", "member_id", "category", "kind", "amount_cents", "basis", "valid_from", "valid_to",
                                   "source_department", "received_at", "reference", "note"], facts)
        try await insert("enrolments", ["id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status",
                                        "status_changed_on"], enrolments)
    }

    private func insert(_ table: String, _ columns: [String], _ rows: [[any SQLExpression]]) async throws {
        try await sql.insertRows(table, columns, rows, maxParameters: Self.maxParameters)
    }
}
