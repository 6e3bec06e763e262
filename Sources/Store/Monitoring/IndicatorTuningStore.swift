import Domain
import FluentKit
import Foundation
import SQLKit

/// The city's tuning of indicator weights, kept in the settings table. Every change is audited with the
/// values before and after; screenings read the tuning at the start of each run.
public struct IndicatorTuningStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    static let key = "monitoring.tuning"

    public func current() async throws -> IndicatorTuning {
        guard let text = try await SettingsStore(db).get(Self.key) else { return IndicatorTuning() }
        return try JSONDecoder().decode(IndicatorTuning.self, from: Data(text.utf8))
    }

    /// Sets one indicator's points, severity and deadline (city administrators only). Returns the tuned catalogue.
    @discardableResult
    public func tune(_ code: String, to change: IndicatorTuning.Change, catalogue: IndicatorCatalogue, actor: Actor) async throws -> IndicatorCatalogue {
        guard actor.may(.tuneIndicators) else { throw DomainError.forbidden }
        var tuning = try await current()
        let before = try catalogue.applying(tuning)[code: code]
        tuning.changes[code] = change
        let tuned = try catalogue.applying(tuning)
        guard let after = tuned[code: code], let before else { throw DomainError.notFound }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let text = String(decoding: try encoder.encode(tuning), as: UTF8.self)
        try await db.writeTransaction { tx in
            try await SettingsStore(tx).set(Self.key, text)
            try await AuditLog(tx).record(actor: actor, action: .tuneIndicators, targetKind: "indicator", targetID: code,
                                          detail: "\(code) \(after.name)：分值 \(before.points)→\(after.points)，程度 \(before.severity.chinese)→\(after.severity.chinese)，" +
                                                  "处置时限 \(before.deadlineWorkingDays)→\(after.deadlineWorkingDays)个工作日")
        }
        return tuned
    }
}

extension MonitoringSetup {
    /// This setup with the city's tuning from the database applied.
    public func tuned(from db: any Database) async throws -> MonitoringSetup {
        let tuning = try await IndicatorTuningStore(db).current()
        guard !tuning.changes.isEmpty else { return self }
        return MonitoringSetup(screener: Screener(catalogue: try screener.catalogue.applying(tuning), calculator: screener.calculator), calendars: calendars)
    }
}
