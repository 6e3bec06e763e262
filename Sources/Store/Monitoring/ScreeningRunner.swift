import Domain
import FluentKit
import Foundation
import SQLKit

/// Screening (筛查): runs the catalogue over households and keeps the warnings, scores and payment holds
/// in step. Idempotent: an open warning for the same household and indicator is updated, never duplicated,
/// and a finding on facts that a handled warning already covered is not raised again.
public struct Monitor: Sendable {
    let db: any Database
    let setup: MonitoringSetup
    let now: @Sendable () -> Date
    let batchSize: Int

    /// `batchSize`: households read, evaluated and written together (tests make it small to run many batches).
    public init(_ db: any Database, setup: MonitoringSetup, now: @escaping @Sendable () -> Date = Date.init, batchSize: Int = Monitor.batch) {
        self.db = db
        self.setup = setup
        self.now = now
        self.batchSize = max(1, batchSize)
    }

    var sql: any SQLDatabase { db.sql }
    var today: LocalDate { LocalDate(now(), timeZone: .china) }

    /// Who the automatic reaction to an import or a confirmed link acts as, in the audit log.
    public static func systemActor(triggeredBy actor: Actor) -> Actor {
        Actor(userID: nil, username: "monitor", role: actor.role, jurisdiction: actor.jurisdiction, origin: "event:\(actor.username)")
    }

    /// Households per batch: each batch costs a page query, five reads and a write transaction whatever its size;
    /// 2,000 ran a 1M-person screening a few per cent faster than 1,000, and holds a few MB.
    public static let batch = 2_000
    /// Batches being read at once, each on its own connection.
    static let readsAhead = 2
    /// Batches between updates of a run's counts in its screening record (a page shows how far it has got):
    /// one small UPDATE per 20,000 households.
    public static let progressRecordEvery = 10
    /// An event reaction this large follows a bulk import, whose rows the planner's statistics do not know yet.
    static let refreshStatisticsFrom = 10_000

    // MARK: runs

    /// Every household living in `region` (`since`: only those with events recorded since then).
    /// `id`: the run's ID in the screening records (a page that starts a run in the background links to it).
    public func screen(region: RegionCode, since: Date? = nil, actor: Actor, id: UUID = UUID(),
                       progress: @Sendable (_ done: Int, _ total: Int) -> Void = { _, _ in }) async throws -> ScreeningReport {
        // The city's tuning of the weights, as it stands when the run starts.
        try await Monitor(db, setup: try await setup.tuned(from: db), now: now, batchSize: batchSize)
            .runScreen(region: region, since: since, actor: actor, id: id, progress: progress)
    }

    func runScreen(region: RegionCode, since: Date?, actor: Actor, id: UUID, progress: @Sendable (_ done: Int, _ total: Int) -> Void) async throws -> ScreeningReport {
        guard actor.may(.handleWarnings) || actor.role == .cityAdmin else { throw DomainError.forbidden }
        guard actor.covers(region) else { throw DomainError.forbidden }
        var report = ScreeningReport(id: id, mode: since == nil ? .full : .incremental, region: region.value)
        let started = now()
        if let since {
            let ids = try await sql.select().distinct().column("household_id").from("events")
                .where("created_at", .greaterThanOrEqual, Timestamp.text(since))
                .within(region)
                .all().map { try $0.decode(column: "household_id", as: UUID.self) }
            try await begin(report, actor: actor, at: started, planned: ids.count)
            try await recordingFailure(of: report) { try await screen(ids, report: &report, progress: progress) }
        } else {
            let total = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("households")
                .within(region)
                .first()?.decode(column: "n", as: Int.self) ?? 0
            try await begin(report, actor: actor, at: started, planned: total)
            // Pages in (residence, id) order through the index on both: a page costs the same at the end of a
            // city as at its start (ordering by id alone made every page sort the whole region).
            // The page reads the households' own rows too, so a batch's read need not look each one up again.
            let columns = ProfileLoader.household.columns
            let batchSize = self.batchSize
            @Sendable func page(after: PageCursor?, reading sql: any SQLDatabase) async throws -> (Batch, PageCursor?) {
                let inside = Jurisdiction.condition(region, firstPlaceholder: 1)
                var text = "SELECT \(columns.joined(separator: ", ")) FROM households WHERE " + inside.text
                var binds = inside.binds
                if let after {
                    text += " AND (residence_region, id) > ($3, $4)"
                    binds += [.text(after.region), .uuid(after.id)]
                }
                let households = try await BulkRead.rows(sql, ProfileLoader.household, query: text + " ORDER BY residence_region, id LIMIT \(batchSize)", binds)
                return (Batch(households: households), households.last.map { PageCursor(region: $0.residenceRegion.value, id: $0.id.rawValue) })
            }
            try await recordingFailure(of: report) {
                try await refreshStatistics()
                try await pipeline(start: nil, total: total, report: &report, progress: progress, page: page)
            }
        }
        report.seconds = now().timeIntervalSince(started)
        try await finish(report)
        try await AuditLog(db).record(actor: actor, action: .screening, targetKind: "region", targetID: region.value,
                                      detail: "预警筛查（\(report.mode == .full ? "全量" : "增量")）：\(report.households)户，新预警\(report.raised)条")
        return report
    }

    /// Reacts to what imports and confirmed links recorded since the last reaction: holds payments after an
    /// exact or confirmed death, then re-screens every household with a new event. Run after each import and
    /// each confirmed link; running it again finds nothing new to do.
    public func reactToEvents(actor: Actor) async throws -> ScreeningReport {
        try await Monitor(db, setup: try await setup.tuned(from: db), now: now, batchSize: batchSize).runReaction(actor: actor)
    }

    func runReaction(actor: Actor) async throws -> ScreeningReport {
        var report = ScreeningReport(id: UUID(), mode: .event, region: actor.jurisdiction.value)
        let started = now()
        let batches = try await EventBatch.pending(sql)
        guard !batches.isEmpty else { return report }
        // Asked of the database in two small questions rather than reading every event row: a million-row
        // import records a million events, and holding their rows cost gigabytes. A batch's events carry its
        // time, found through the index on it.
        let stamps = Array(Set(batches.map(\.createdAt)))
        let households = try await sql.select().distinct().column("household_id").from("events").where("created_at", .in, stamps).all()
            .map { try $0.decode(column: "household_id", as: UUID.self) }
        let deaths = try await sql.select().column("fact_id").from("events").where("created_at", .in, stamps)
            .where("kind", .equal, FactKind.death.rawValue).all()
            .map { try $0.decode(column: "fact_id", as: UUID.self) }
        guard !households.isEmpty else {
            try await db.serialisingWrites { try await EventBatch.markReacted(batches, sql, at: now()) }
            return report
        }
        try await begin(report, actor: actor, at: started, planned: households.count)
        try await recordingFailure(of: report) {
            report.holds = try await PaymentHoldStore(db).place(afterDeaths: deaths, actor: actor, now: now())
            try await screen(households, report: &report, progress: { _, _ in })
        }
        report.seconds = now().timeIntervalSince(started)
        try await finish(report)
        try await db.serialisingWrites { try await EventBatch.markReacted(batches, sql, at: now()) }
        return report
    }

    func screen(_ ids: [UUID], report: inout ScreeningReport, progress: @Sendable (Int, Int) -> Void) async throws {
        if ids.count >= Self.refreshStatisticsFrom { try await refreshStatistics() }
        let batches = stride(from: 0, to: ids.count, by: batchSize).map { Array(ids[$0..<min(ids.count, $0 + batchSize)]) }
        try await pipeline(start: 0, total: ids.count, report: &report, progress: progress) { (i: Int?, _) in
            let i = i ?? 0
            guard i < batches.count else { return (Batch(ids: []), nil) }
            return (Batch(ids: batches[i]), i + 1)
        }
    }

}
