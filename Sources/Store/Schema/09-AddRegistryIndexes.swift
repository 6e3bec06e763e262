import FluentKit
import Foundation
import SQLKit

struct AddRegistryIndexes: AsyncMigration {
    static let indexes: [(String, String, [String])] = [
        ("idx_households_residence", "households", ["residence_region"]),
        ("idx_members_household", "members", ["household_id"]),
        ("idx_members_residence", "members", ["residence_region"]),
        ("idx_members_tail", "members", ["national_id_tail"]),
        ("idx_members_name", "members", ["name"]),
        ("idx_facts_household", "facts", ["household_id"]),
        ("idx_enrolments_household", "enrolments", ["household_id"]),
        ("idx_enrolments_residence", "enrolments", ["residence_region", "program"]),
        ("idx_audit_at", "audit_entries", ["at"]),
        ("idx_regions_parent", "regions", ["parent_code"]),
    ]

    func prepare(on db: any Database) async throws {
        for (name, table, columns) in Self.indexes {
            var b = db.sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: any Database) async throws {
        for (name, _, _) in Self.indexes { try await db.sql.drop(index: name).run() }
    }
}
