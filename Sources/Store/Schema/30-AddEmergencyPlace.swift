import FluentKit
import Foundation
import SQLKit

/// Where an emergency struck, on a help-first case: the township there grants, whatever the household's residence or
/// registration [LS; ZX 48], so the cases it can see include the ones whose emergency happened inside it.
struct AddEmergencyPlace: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("cases").field("emergency_region", .string).update()
        try await (db as! any SQLDatabase).create(index: "idx_cases_emergency").on("cases").column("emergency_region").column("status").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "idx_cases_emergency").run()
        try await db.schema("cases").deleteField("emergency_region").update()
    }
}
