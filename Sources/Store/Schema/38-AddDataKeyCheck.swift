import FluentKit
import Foundation

/// What the data key was when personal data was first sealed here: a value sealed under it and a blind index made with
/// it, so a server started with another key refuses to start instead of sealing new numbers under a second key and
/// finding no one by the old indexes (an import would then add everyone again).
struct AddDataKeyCheck: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("data_key_check")
            .field("id", .int, .identifier(auto: false))
            .field("sealed_check", .string, .required)
            .field("index_check", .string, .required)
            .field("recorded_at", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("data_key_check").delete()
    }
}
