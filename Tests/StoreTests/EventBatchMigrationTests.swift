import Domain
import Foundation
import SQLKit
@testable import Store
import Testing

/// Moving from the single events watermark to the queue of event batches loses nothing: events the last
/// reaction had not reached are queued, those it had are not, and the old setting goes.
@Suite struct EventBatchMigrationTests {
    @Test func eventsPastTheWatermarkAreQueued() async throws {
        try await Fixture.with(households: 60) { f in
            let db = f.scratch.db
            let sql = MonitoringTests.sql(f)
            try await AddEventBatches().revert(on: db)
            let people = try await sql.raw("SELECT id, household_id, residence_region FROM members ORDER BY id LIMIT 40").all()
            let seen = people[0], unseen = try #require(people.first {
                try $0.decode(column: "household_id", as: UUID.self) != seen.decode(column: "household_id", as: UUID.self)
            })
            for (member, stamp) in [(seen, "2026-12-01T08:00:00.000Z"), (unseen, "2026-12-02T08:00:00.000Z")] {
                try await sql.insert(into: "events")
                    .columns("id", "fact_id", "household_id", "member_id", "residence_region", "kind", "occurred_on", "created_at", "dedupe_key")
                    .values(SQLBind(UUID()), SQLBind(UUID()), SQLBind(try member.decode(column: "household_id", as: UUID.self)),
                            SQLBind(try member.decode(column: "id", as: UUID.self)), SQLBind(try member.decode(column: "residence_region", as: String.self)),
                            SQLBind(FactKind.unemploymentRegistered.rawValue), SQLBind("2026-11-30"), SQLBind(stamp), SQLBind(UUID().uuidString))
                    .run()
            }
            try await SettingsStore(db).set(AddEventBatches.legacyWatermarkKey, "2026-12-01T12:00:00.000Z")

            try await AddEventBatches().prepare(on: db)
            let pending = try await EventBatch.pending(sql)
            #expect(pending.map(\.createdAt) == ["2026-12-02T08:00:00.000Z"])
            #expect(try await SettingsStore(db).get(AddEventBatches.legacyWatermarkKey) == nil)
            let reaction = try await MonitoringTests.monitor(f).reactToEvents(actor: Monitor.systemActor(triggeredBy: f.system))
            #expect(reaction.households == 1)
            #expect(try await EventBatch.pending(sql).isEmpty)
        }
    }
}
