import FluentKit
import Foundation
import SQLKit

/// Why a payment hold was released, next to who released it and when.
struct AddHoldReleaseReason: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("payment_holds").field("release_reason", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("payment_holds").deleteField("release_reason").update()
    }
}
