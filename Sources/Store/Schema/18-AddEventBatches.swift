import FluentKit
import Foundation
import SQLKit

/// The queue of event batches waiting for the monitoring reaction (`EventBatch`), in place of one watermark.
/// Events recorded after the watermark's last reaction are queued, so none is lost in the change.
struct AddEventBatches: AsyncMigration {
    /// The setting the watermark was kept in before the queue. Written out here: a migration depends on no
    /// runtime code, which may change after it has landed.
    static let legacyWatermarkKey = "monitoring.eventsScreenedFrom"

    func prepare(on db: any Database) async throws {
        try await db.schema("event_batches")
            .id()
            .field("created_at", .string, .required)
            .field("reacted_at", .string)
            .create()
        let watermark = try await db.sql.select().column("value").from("settings").where("key", .equal, Self.legacyWatermarkKey).first()?
            .decode(column: "value", as: String.self)
        var stamps = db.sql.select().distinct().column("created_at").from("events")
        if let watermark { stamps = stamps.where("created_at", .greaterThanOrEqual, watermark) }
        for row in try await stamps.all() {
            try await db.sql.insert(into: "event_batches").columns("id", "created_at")
                .values(SQLBind(UUID()), SQLBind(try row.decode(column: "created_at", as: String.self))).run()
        }
        try await db.sql.delete(from: "settings").where("key", .equal, Self.legacyWatermarkKey).run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("event_batches").delete()
    }
}
