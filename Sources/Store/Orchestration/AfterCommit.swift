import Domain
import FluentKit
import Foundation

/// What follows a commit that recorded department events — an import, a confirmed link: payments held after a
/// death and the changed households screened again, at once. The one place that starts it: the upload page,
/// the review page, `jiuzhu import` and the demo all come through here with the monitoring setup they were
/// configured with, and the intake stores below never call up into monitoring.
public struct AfterCommit: Sendable {
    let db: any Database
    let monitoring: MonitoringSetup

    public init(_ db: any Database, monitoring: MonitoringSetup) {
        self.db = db
        self.monitoring = monitoring
    }

    /// Imports a file, then reacts to what it recorded. The reaction also runs when the file was imported before,
    /// so a crash between that commit and its reaction is caught up. A failed reaction does not undo the import:
    /// the report says so, and the next import or `jiuzhu screen` catches up.
    public func importFile(_ importer: FeedImporter, path: String, acceptPartial: Bool = false, now: Date = Date(),
                           progress: @escaping @Sendable (Int) -> Void = { _ in }, committed: @Sendable () -> Void = {}) async throws -> FeedImporter.Report {
        var report = try await importer.run(path: path, acceptPartial: acceptPartial, now: now, progress: progress)
        committed()
        (report.screening, report.screeningError) = await react(triggeredBy: importer.actor)
        return report
    }

    /// A reviewer's decision on a probable match; a confirmed one writes facts (a death among them), reacted to
    /// like an import's. Nil when the link is not in the reviewer's jurisdiction.
    public func decideLink(_ id: UUID, confirm: Bool, actor: Actor, now: Date = Date()) async throws -> Int? {
        let written = try await LinkReviewStore(db).decide(id, confirm: confirm, actor: actor, now: now)
        if confirm, written != nil {
            _ = try await Monitor(db, setup: monitoring).reactToEvents(actor: Monitor.systemActor(triggeredBy: actor))
        }
        return written
    }

    /// A payment verification's result; a failure is a fact of the household, reacted to like an import's (the
    /// warning is raised in its township at once). Returns whether it passed.
    public func recordPaymentCheck(_ id: UUID, check: PaymentCheck, parameters: ParameterSet, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> Bool {
        let passed = try await PaymentVerifications(db, parameters: parameters).record(id, check: check, actor: actor, today: today, now: now)
        if !passed { _ = await react(triggeredBy: actor) }
        return passed
    }

    func react(triggeredBy actor: Actor) async -> (ScreeningReport?, String?) {
        do {
            return (try await Monitor(db, setup: monitoring).reactToEvents(actor: Monitor.systemActor(triggeredBy: actor)), nil)
        } catch {
            return (nil, String(describing: error))
        }
    }
}
