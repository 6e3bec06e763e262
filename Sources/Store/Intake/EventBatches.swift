import FluentKit
import Foundation
import SQLKit

/// The events one writing transaction records (an import, a confirmed link), queued for the monitoring
/// reaction. Every event of the batch carries the batch's `created_at`, and the queue row commits or rolls
/// back with them, so the reaction sees a batch exactly when its events are visible.
///
/// Why a queue and not a watermark on `created_at`: events are stamped when they are written but seen only
/// when their transaction commits. An import that began first and committed last (two department officers
/// at once) had stamps older than a watermark another import's reaction had already moved past, and its
/// households were never re-screened.
struct EventBatch: Sendable {
    let id: UUID
    let createdAt: String


    /// Queues a batch inside the transaction `sql` belongs to.
    static func open(_ sql: any SQLDatabase, at date: Date) async throws -> EventBatch {
        let batch = EventBatch(id: UUID(), createdAt: Timestamp.text(date))
        try await sql.insert(into: "event_batches").columns("id", "created_at").values(SQLBind(batch.id), SQLBind(batch.createdAt)).run()
        return batch
    }

    /// Batches not yet reacted to, oldest first.
    static func pending(_ sql: any SQLDatabase) async throws -> [EventBatch] {
        try await sql.select().columns("id", "created_at").from("event_batches").where("reacted_at", .is, SQLLiteral.null)
            .orderBy("created_at").all()
            .map { EventBatch(id: try $0.decode(column: "id", as: UUID.self), createdAt: try $0.decode(column: "created_at", as: String.self)) }
    }

    /// Marks batches reacted to, after the reaction has done its work: a reaction that fails leaves them queued
    /// for the next one. Two reactions that overlap may both handle a batch; screening and holds are idempotent.
    static func markReacted(_ batches: [EventBatch], _ sql: any SQLDatabase, at date: Date) async throws {
        guard !batches.isEmpty else { return }
        try await sql.update("event_batches").set("reacted_at", to: Timestamp.text(date)).where("id", .in, batches.map(\.id)).run()
    }
}
