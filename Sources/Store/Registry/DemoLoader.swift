import Domain
import FluentKit
import Foundation
import SQLKit

/// Loads the demo city into the store, all in one transaction: either the whole city is there or none of it.
public struct DemoLoader: Sendable {
    public static let settingKey = "demo.households"
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    public enum Outcome: Equatable, Sendable {
        case generated(households: Int)
        case reused(households: Int)
    }

    /// Households per transaction batch; small enough to keep memory flat, large enough to amortise round trips.
    static let batchSize = 1_000

    public func load(city: DemoCity, reference: RegionReference, households count: Int, actor: Actor,
                     progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> Outcome {
        if let existing = try await SettingsStore(db).get(Self.settingKey), let n = Int(existing) {
            return .reused(households: n)
        }
        try await db.writeTransaction { tx in
            let writer = RegistryWriter(tx)
            try await writer.insert(regions: city.regions(reference: reference))
            var batch: [HouseholdBundle] = []
            batch.reserveCapacity(Self.batchSize)
            var done = 0
            for bundle in city.households(count: count) {
                batch.append(bundle)
                if batch.count == Self.batchSize {
                    try await writer.insert(batch)
                    done += batch.count
                    progress(done)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            try await writer.insert(batch)
            done += batch.count
            progress(done)
            try await SettingsStore(tx).set(Self.settingKey, String(count))
            try await SettingsStore(tx).set(RegistryStore.citySettingKey, city.city.code.value)
            try await AuditLog(tx).record(actor: actor, action: .generateDemo, targetKind: "registry", targetID: city.city.code.value,
                                          detail: "生成演示数据 \(count) 户（种子 \(city.seed)）")
        }
        // Fresh statistics let SQLite and PostgreSQL choose between the region and the name indexes.
        try await db.sql.raw("ANALYZE").run()
        return .generated(households: count)
    }
}
