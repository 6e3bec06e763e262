import Domain
import FluentKit
import Foundation
import SQLKit

/// What monitoring needs besides the database: the indicator catalogue with the policy calculator, and the
/// holiday calendar for handling deadlines.
public struct MonitoringSetup: Sendable {
    public let screener: Screener
    public let calendar: WorkingCalendar

    public init(screener: Screener, calendar: WorkingCalendar) {
        self.screener = screener
        self.calendar = calendar
    }

    /// The shipped catalogue, policy parameters and calendar (tests and benchmarks; an installation's come from its configuration).
    public static func bundled() throws -> MonitoringSetup {
        MonitoringSetup(screener: Screener(catalogue: try IndicatorCatalogue.bundled(), calculator: PolicyCalculator(parameters: try ParameterSet.bundled())),
                        calendar: try WorkingCalendar.bundled())
    }
}

/// One screening run's counts, as the report page and the command line show them.
public struct ScreeningReport: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable { case full, incremental, event }
    public var id: UUID
    public var mode: Mode
    public var region: String
    public var households = 0
    /// New warnings.
    public var raised = 0
    /// Open warnings whose evidence or score changed.
    public var updated = 0
    /// Findings not raised again because a warning on the same facts was already handled.
    public var suppressed = 0
    /// Open warnings whose condition no longer holds.
    public var cleared = 0
    /// Payments put on hold after an exact or confirmed death record.
    public var holds = 0
    public var seconds = 0.0
    /// Where the time went, for `jiuzhu bench screen`; not stored.
    public var phases = Phases()

    /// Seconds spent waiting for reads (the part not hidden behind evaluation), evaluating, comparing with the
    /// existing warnings and encoding, and writing.
    public struct Phases: Sendable, Codable, Equatable {
        public var waitingForReads = 0.0
        public var evaluating = 0.0
        public var reconciling = 0.0
        public var writing = 0.0
        public var description: String {
            String(format: "reads waited %.1f s, evaluating %.1f s, reconciling %.1f s, writing %.1f s", waitingForReads, evaluating, reconciling, writing)
        }
    }

    enum CodingKeys: String, CodingKey { case id, mode, region, households, raised, updated, suppressed, cleared, holds, seconds }
}

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

    private func runScreen(region: RegionCode, since: Date?, actor: Actor, id: UUID, progress: @Sendable (_ done: Int, _ total: Int) -> Void) async throws -> ScreeningReport {
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

    private func runReaction(actor: Actor) async throws -> ScreeningReport {
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
            report.holds = try await holdPayments(afterDeaths: deaths, actor: actor)
            try await screen(households, report: &report, progress: { _, _ in })
        }
        report.seconds = now().timeIntervalSince(started)
        try await finish(report)
        try await db.serialisingWrites { try await EventBatch.markReacted(batches, sql, at: now()) }
        return report
    }

    private func screen(_ ids: [UUID], report: inout ScreeningReport, progress: @Sendable (Int, Int) -> Void) async throws {
        if ids.count >= Self.refreshStatisticsFrom { try await refreshStatistics() }
        let batches = stride(from: 0, to: ids.count, by: batchSize).map { Array(ids[$0..<min(ids.count, $0 + batchSize)]) }
        try await pipeline(start: 0, total: ids.count, report: &report, progress: progress) { (i: Int?, _) in
            let i = i ?? 0
            guard i < batches.count else { return (Batch(ids: []), nil) }
            return (Batch(ids: batches[i]), i + 1)
        }
    }

    /// Batch after batch, with the next batches read while this one is evaluated: reading (the database's work
    /// and decoding its rows) takes longer than evaluating, so two reads are in flight at once, on two
    /// connections, and a batch's writes also go on while the next batch is evaluated (one write at a time,
    /// in order). PostgreSQL's pool has the connections. A SQLite file gets two of its own for reading, beside
    /// the pooled one that writes; where it cannot (not in write-ahead-log mode) one read is ahead, on the pooled
    /// connection, and writing waits for it. Reading ahead is safe because batches never share a household.
    /// `page` gives a batch (its household IDs, and their rows when the page read them, through the database it
    /// is given) and where the next batch starts; an empty batch ends the run.
    private func pipeline<Cursor: Sendable>(start: Cursor?, total: Int, report: inout ScreeningReport, progress: @Sendable (Int, Int) -> Void,
                                            page: @escaping @Sendable (Cursor?, any SQLDatabase) async throws -> (Batch, Cursor?)) async throws {
        // Inside a caller's transaction, other connections would not see what it wrote.
        let side = db.inTransaction ? [] : try await SQLiteReadConnection.open(Self.readsAhead, beside: sql)
        do {
            let readers: [any SQLDatabase] = side.isEmpty ? [sql] : side
            let overlapping = BulkJSON.isPostgres(sql) || !side.isEmpty
            try await pipeline(readers: readers, readsAhead: overlapping ? Self.readsAhead : 1, overlapWrites: overlapping, start: start, total: total,
                               report: &report, progress: progress, page: page)
        } catch {
            for reader in side { await reader.close() }
            throw error
        }
        for reader in side { await reader.close() }
    }

    /// `readers`: the read `i` uses `readers[i % readers.count]`, which the read `i - readsAhead` has finished with.
    private func pipeline<Cursor: Sendable>(readers: [any SQLDatabase], readsAhead: Int, overlapWrites: Bool, start: Cursor?, total: Int,
                                            report: inout ScreeningReport, progress: @Sendable (Int, Int) -> Void,
                                            page: @escaping @Sendable (Cursor?, any SQLDatabase) async throws -> (Batch, Cursor?)) async throws {
        let clock = ContinuousClock()
        var cache = StandardsCache()
        var reads: [Task<Loaded, any Error>] = []
        var writing: Task<Void, any Error>?
        var started = 0
        var cursor = start
        var more = true
        var t = clock.now
        var batches = 0
        // A run that stops (cancelled, or an error) lets the batch being written finish first, so that when it
        // returns the database holds whole batches only and nothing is still writing.
        do {
            while true {
                // A run started from a page is cancelled when the server stops; it ends between batches.
                try Task.checkCancellation()
                while more && reads.count < readsAhead {
                    let reader = readers[started % readers.count]
                    let (batch, next) = try await page(cursor, reader)
                    cursor = next
                    if batch.ids.isEmpty || next == nil { more = false }
                    if !batch.ids.isEmpty {
                        reads.append(Task { try await Loaded.read(batch, reader) })
                        started += 1
                    }
                }
                guard !reads.isEmpty else { break }
                let current = try await reads.removeFirst().value
                report.phases.waitingForReads += (clock.now - t).seconds
                t = clock.now
                let results = try evaluate(current.profiles, cache: &cache)
                report.phases.evaluating += (clock.now - t).seconds
                let writes = try reconcile(current, results, report: &report)
                t = clock.now
                try await writing?.value
                if overlapWrites {
                    writing = Task { [self] in try await write(writes) }
                } else {
                    for r in reads { _ = try await r.value }
                    report.phases.waitingForReads += (clock.now - t).seconds
                    t = clock.now
                    try await write(writes)
                }
                report.phases.writing += (clock.now - t).seconds
                progress(report.households, total)
                batches += 1
                if batches % Self.progressRecordEvery == 0 { try await record(report, finished: false) }
                t = clock.now
            }
        } catch {
            // The reads too: their connections are closed next.
            for r in reads { r.cancel() }
            for r in reads { _ = try? await r.value }
            _ = try? await writing?.value
            throw error
        }
        t = clock.now
        try await writing?.value
        writing = nil
        report.phases.writing += (clock.now - t).seconds
    }

    /// PostgreSQL plans the batch reads from its table statistics. Right after a bulk load (the demo generator,
    /// a large import) they still describe nearly empty tables, and each batch's read became a scan of every
    /// fact: the first tenth of a fresh 1M-person screening took 69 s, the other nine tenths 40 s. ANALYZE
    /// samples a fixed number of rows per table, about a second of PostgreSQL's time at any size. Only tables
    /// never analysed or with more than a tenth of their rows changed since are analysed again: the threshold
    /// PostgreSQL's own autovacuum uses, so a screening repeated on an unchanged registry spends nothing here.
    /// SQLite needs none.
    private func refreshStatistics() async throws {
        guard BulkJSON.isPostgres(sql) else { return }
        let stale = try await sql.raw("""
            SELECT relname FROM pg_stat_user_tables
            WHERE relname IN ('households', 'members', 'facts', 'enrolments', 'warnings')
              AND ((last_analyze IS NULL AND last_autoanalyze IS NULL) OR n_mod_since_analyze > 0.1 * GREATEST(n_live_tup, 1))
            ORDER BY relname
            """).all().map { try $0.decode(column: "relname", as: String.self) }
        guard !stale.isEmpty else { return }
        try await sql.raw(SQLQueryString(stringLiteral: "ANALYZE " + stale.joined(separator: ", "))).run()
    }

    /// A batch's households: their IDs, and their rows when the page that found them read those too.
    struct Batch: Sendable {
        var ids: [UUID]
        var households: [Household]?
        init(ids: [UUID]) { self.ids = ids }
        init(households: [Household]) {
            self.ids = households.map(\.id.rawValue)
            self.households = households
        }
    }

    struct PageCursor: Sendable {
        var region: String
        var id: UUID
    }

    /// A batch as read: the households' profiles and the warnings they already have. Reading both ahead is
    /// safe because batches never share a household, so this run's writes for one batch cannot change another's.
    struct Loaded: Sendable {
        var ids: [UUID]
        var profiles: [HouseholdProfile]
        var warnings: [UUID: [ExistingWarning]]
        var scores: [UUID: StoredScore]

        static func read(_ batch: Batch, _ sql: any SQLDatabase) async throws -> Loaded {
            let ids = batch.ids
            let profiles = try await ProfileLoader(sql: sql).load(ids, households: batch.households)
            var warnings: [UUID: [ExistingWarning]] = [:]
            for (household, w) in try await BulkRead.rows(sql, ExistingWarning.shape, from: "warnings", where: "household_id", in: ids) {
                warnings[household, default: []].append(w)
            }
            var scores: [UUID: StoredScore] = [:]
            scores.reserveCapacity(ids.count)
            for (household, s) in try await BulkRead.rows(sql, StoredScore.shape, from: "household_scores", where: "household_id", in: ids) {
                scores[household] = s
            }
            return Loaded(ids: ids, profiles: profiles, warnings: warnings, scores: scores)
        }
    }

    /// A household's score as the last screening that changed it wrote it. Its dimensions are the sums of its
    /// contributions' points, so they are not read back to compare.
    struct StoredScore: Sendable, Equatable {
        var region: String
        var score: Int64
        var contributions: String

        static let shape = RowShape<(UUID, StoredScore)>(columns: ["household_id", "residence_region", "score", "contributions"], byName: { r in
            (try r.uuid("household_id"), StoredScore(region: try r.text("residence_region"), score: try r.int64("score"), contributions: try r.text("contributions")))
        }, byPosition: { c in
            (try c.uuid(), StoredScore(region: try c.text(), score: try c.int64(), contributions: try c.text()))
        })
    }

    struct ExistingWarning: Sendable {
        var id: UUID
        var indicator: String
        var status: WarningStatus
        var fingerprint: String
        var cleared: Bool
        var score: Int

        /// With the household it belongs to.
        static let shape = RowShape<(UUID, ExistingWarning)>(columns: ["id", "household_id", "indicator", "status", "fingerprint", "cleared_on", "score"],
                                                             byName: { r in
            try make(id: r.uuid("id"), household: r.uuid("household_id"), indicator: r.text("indicator"), status: r.text("status"),
                     fingerprint: r.text("fingerprint"), clearedOn: r.optionalText("cleared_on"), score: r.int64("score"))
        }, byPosition: { c in
            try make(id: c.uuid(), household: c.uuid(), indicator: c.text(), status: c.text(), fingerprint: c.text(), clearedOn: c.optionalText(),
                     score: c.int64())
        })
        static func make(id: UUID, household: UUID, indicator: String, status: String, fingerprint: String, clearedOn: String?,
                         score: Int64) -> (UUID, ExistingWarning) {
            (household, ExistingWarning(id: id, indicator: indicator, status: WarningStatus(rawValue: status) ?? .new, fingerprint: fingerprint,
                                        cleared: clearedOn != nil, score: Int(score)))
        }
    }

    /// Standards per residence region, resolved once per county (parameters are never set below a county).
    struct StandardsCache {
        var byRegion: [RegionCode: Standards] = [:]
        var byCounty: [RegionCode: Standards] = [:]

        mutating func get(_ region: RegionCode, date: LocalDate, calculator: PolicyCalculator) throws -> Standards {
            if let s = byRegion[region] { return s }
            let county = region.level > .county ? (region.ancestor(at: .county) ?? region) : region
            let s = try byCounty[county] ?? calculator.standards(region: county, date: date)
            byCounty[county] = s
            byRegion[region] = s
            return s
        }
    }

    /// The catalogue over each household, on every core. Pure: no database.
    func evaluate(_ profiles: [HouseholdProfile], cache: inout StandardsCache) throws -> [HouseholdScreening] {
        let date = today
        var standards: [Standards] = []
        standards.reserveCapacity(profiles.count)
        for p in profiles { standards.append(try cache.get(p.household.residenceRegion, date: date, calculator: setup.screener.calculator)) }
        let screener = setup.screener
        let work = Array(zip(profiles, standards))
        return try Parallel.map(work) { p, s in try screener.screen(p, on: date, standards: s, scoreOnlyEvidence: false) }
    }

    private func begin(_ r: ScreeningReport, actor: Actor, at: Date, planned: Int) async throws {
        try await db.serialisingWrites {
            try await sql.insert(into: "screenings")
                .columns("id", "mode", "region", "started_at", "username", "households", "raised", "updated", "suppressed", "cleared", "holds", "planned")
                .values(SQLBind(r.id), SQLBind(r.mode.rawValue), SQLBind(r.region), SQLBind(Timestamp.text(at)), SQLBind(actor.username),
                        SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(planned)).run()
        }
    }

    /// The counts so far; with `finished`, the run's end too.
    private func record(_ r: ScreeningReport, finished: Bool) async throws {
        var u = sql.update("screenings").set("households", to: r.households)
            .set("raised", to: r.raised).set("updated", to: r.updated).set("suppressed", to: r.suppressed).set("cleared", to: r.cleared)
            .set("holds", to: r.holds)
        if finished { u = u.set("finished_at", to: Timestamp.text(now())) }
        try await db.serialisingWrites { try await u.where("id", .equal, r.id).run() }
    }

    private func finish(_ r: ScreeningReport) async throws { try await record(r, finished: true) }

    /// A run that stops part-way (cancelled when the server stops, or a database error) says so in its record,
    /// so the screening records do not show it as still running. What it wrote before stopping stands: each
    /// batch is whole, and running the screening again completes it.
    private func recordingFailure(of r: ScreeningReport, _ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch {
            let reason = error is CancellationError ? "已中断（服务停止或被取消）" : String(String(describing: error).prefix(500))
            try? await db.serialisingWrites { try await sql.update("screenings").set("failure", to: reason).where("id", .equal, r.id).run() }
            throw error
        }
    }

    // MARK: one batch

    /// Compares a batch's findings with its existing warnings: what to insert, update, clear, and the scores.
    func reconcile(_ loaded: Loaded, _ results: [HouseholdScreening], report: inout ScreeningReport) throws -> BatchWrites {
        let profiles = loaded.profiles
        let date = today
        let existing = loaded.warnings
        let clock = ContinuousClock()
        let t = clock.now
        let stamp = Timestamp.text(now())
        var inserts: [[BulkJSON.Value]] = []
        var scoreRows: [[BulkJSON.Value]] = []
        var updates: [(UUID, String, String, Int)] = []
        var clears: [UUID] = []
        var unclears: [UUID] = []
        // Every warning raised today with the same deadline falls due on the same day.
        var dueOn: [Int: LocalDate] = [:]
        var newIDs = TimeOrderedUUIDs()
        for (p, s) in zip(profiles, results) {
            let hid = p.household.id.rawValue
            let mine = existing[hid] ?? []
            var firedCodes = Set<String>()
            for f in s.findings {
                firedCodes.insert(f.indicator.code)
                let print = f.fingerprint
                if let open = mine.first(where: { $0.indicator == f.indicator.code && $0.status.isPending }) {
                    if open.fingerprint != print || open.score != s.score.total {
                        updates.append((open.id, print, EvidenceJSON.encode(f.evidence), s.score.total))
                        report.updated += 1
                    }
                    if open.cleared { unclears.append(open.id) }
                } else if mine.contains(where: { $0.indicator == f.indicator.code && !$0.status.isPending && $0.fingerprint == print }) {
                    // Handled already on these very facts (e.g. verified, no action needed): wait until they change.
                    report.suppressed += 1
                } else {
                    let days = f.indicator.deadlineWorkingDays
                    let due = dueOn[days] ?? WarningWorkflow.dueDate(raised: date, workingDays: days, calendar: setup.calendar)
                    dueOn[days] = due
                    inserts.append([.of(newIDs.next()), .of(hid), .text(f.indicator.code), .text(f.indicator.kind.rawValue), .text(f.indicator.severity.rawValue),
                                    .text(f.indicator.dimension.rawValue), .text(p.household.residenceRegion.value), .text(p.household.registeredRegion.value),
                                    .text(f.indicator.name), .int(Int64(s.score.total)), .text(print), .text(EvidenceJSON.encode(f.evidence)), .text(due.description)])
                    report.raised += 1
                }
            }
            for w in mine where w.status.isPending && !w.cleared && !firedCodes.contains(w.indicator) {
                clears.append(w.id)
                report.cleared += 1
            }
            // A score is sent when it changes: a monthly screening finds most households as they were, and each
            // unchanged row was encoded, sent and parsed for the upsert to find it unchanged (and skip it) there.
            let score = StoredScore(region: p.household.residenceRegion.value, score: Int64(s.score.total), contributions: ScoreJSON.contributions(s.score))
            if loaded.scores[hid] != score {
                scoreRows.append([.of(hid), .text(score.region), .int(score.score), .text(ScoreJSON.dimensions(s.score)), .text(score.contributions)])
            }
        }
        report.households += profiles.count
        report.phases.reconciling += (clock.now - t).seconds
        return BatchWrites(inserts: inserts, updates: updates, clears: clears, unclears: unclears, scores: scoreRows,
                           date: date, stamp: stamp, screeningID: report.id)
    }

    struct BatchWrites: Sendable {
        var inserts: [[BulkJSON.Value]]
        var updates: [(UUID, String, String, Int)]
        var clears: [UUID]
        var unclears: [UUID]
        var scores: [[BulkJSON.Value]]
        var date: LocalDate
        var stamp: String
        var screeningID: UUID
    }

    /// A batch's writes, in one transaction.
    private func write(_ w: BatchWrites) async throws {
        let (inserts, updates, clears, unclears, scoreRows) = (w.inserts, w.updates, w.clears, w.unclears, w.scores)
        let (date, stamp, screeningID) = (w.date, w.stamp, w.screeningID)
        try await db.writeTransaction { tx in
            let sql = tx.sql
            typealias C = BulkJSON.Column
            try await BulkJSON.insert(sql, into: "warnings", [
                C(name: "id", source: .row(0), type: "uuid"), C(name: "household_id", source: .row(1), type: "uuid"),
                C(name: "indicator", source: .row(2), type: "text"), C(name: "kind", source: .row(3), type: "text"),
                C(name: "severity", source: .row(4), type: "text"), C(name: "dimension", source: .row(5), type: "text"),
                C(name: "residence_region", source: .row(6), type: "text"), C(name: "registered_region", source: .row(7), type: "text"),
                C(name: "title", source: .row(8), type: "text"), C(name: "status", source: .constant(.text(WarningStatus.new.rawValue)), type: "text"),
                C(name: "score", source: .row(9), type: "bigint"), C(name: "fingerprint", source: .row(10), type: "text"),
                C(name: "evidence", source: .row(11), type: "text"), C(name: "raised_on", source: .constant(.text(date.description)), type: "text"),
                C(name: "due_on", source: .row(12), type: "text"), C(name: "updated_at", source: .constant(.text(stamp)), type: "text"),
                C(name: "screening_id", source: .constant(.of(screeningID)), type: "uuid"),
            ], rows: inserts)
            try await BulkJSON.update(sql, "warnings", key: C(name: "id", source: .row(0), type: "uuid"), [
                C(name: "fingerprint", source: .row(1), type: "text"), C(name: "evidence", source: .row(2), type: "text"),
                C(name: "score", source: .row(3), type: "bigint"), C(name: "updated_at", source: .constant(.text(stamp)), type: "text"),
            ], rows: updates.map { [.of($0.0), .text($0.1), .text($0.2), .int(Int64($0.3))] })
            if !clears.isEmpty {
                try await sql.update("warnings").set("cleared_on", to: date.description).set("updated_at", to: stamp).where("id", .in, clears).run()
            }
            if !unclears.isEmpty {
                try await sql.update("warnings").set("cleared_on", to: SQLLiteral.null).set("updated_at", to: stamp).where("id", .in, unclears).run()
            }
            try await BulkJSON.insert(sql, into: "household_scores", [
                C(name: "household_id", source: .row(0), type: "uuid"), C(name: "residence_region", source: .row(1), type: "text"),
                C(name: "score", source: .row(2), type: "bigint"), C(name: "dimensions", source: .row(3), type: "text"),
                C(name: "contributions", source: .row(4), type: "text"), C(name: "screened_on", source: .constant(.text(date.description)), type: "text"),
            ], rows: scoreRows, skippingConflictsOn: ["household_id"], updating: ["residence_region", "score", "dimensions", "contributions", "screened_on"])
        }
    }

    // MARK: payment holds

    /// An exact-ID or human-confirmed death record (the only kinds that become facts, #4) holds that person's
    /// payments at once: their own enrolments, and a household payment when they were its only living member.
    /// A household payment that still supports others keeps going, and the paid-after-death warning asks
    /// for the amount to be adjusted.
    func holdPayments(afterDeaths factIDs: [UUID], actor: Actor) async throws -> Int {
        guard !factIDs.isEmpty else { return 0 }
        var held = 0
        for f in try await sql.select().columns("id", "household_id", "member_id", "valid_from").from("facts")
            .where("id", .in, factIDs).where("kind", .equal, FactKind.death.rawValue).all() {
            guard let member = try f.decode(column: "member_id", as: UUID?.self) else { continue }
            let factID = try f.decode(column: "id", as: UUID.self)
            let household = try f.decode(column: "household_id", as: UUID.self)
            let died = try f.decode(column: "valid_from", as: String.self)
            let members = try await sql.select().column("id").from("members").where("household_id", .equal, household).all()
                .map { try $0.decode(column: "id", as: UUID.self) }
            let deadAlready = Set(try await sql.select().column("member_id").from("facts").where("household_id", .equal, household)
                .where("kind", .equal, FactKind.death.rawValue).all().compactMap { try $0.decode(column: "member_id", as: UUID?.self) })
            let nobodyLeft = members.allSatisfy { deadAlready.contains($0) }
            for e in try await sql.select().columns("id", "member_id", "residence_region", "program").from("enrolments")
                .where("household_id", .equal, household).where("status", .equal, EnrolmentStatus.active.rawValue).all() {
                let payee = try e.decode(column: "member_id", as: UUID?.self)
                guard payee == member || (payee == nil && nobodyLeft) else { continue }
                let enrolment = try e.decode(column: "id", as: UUID.self)
                let program = Program(rawValue: try e.decode(column: "program", as: String.self))?.chinese ?? "救助"
                let newHold = try await db.writeTransaction { tx -> Bool in
                    // A death is held once: a hold the county has since released (its enrolment active again)
                    // is not put back by the same death record being reacted to again.
                    guard try await tx.sql.select().column("id").from("payment_holds").where("enrolment_id", .equal, enrolment)
                        .where("fact_id", .equal, factID).first() == nil else { return false }
                    try await tx.sql.insert(into: "payment_holds")
                        .columns("id", "enrolment_id", "household_id", "member_id", "residence_region", "fact_id", "reason", "created_at")
                        .values(SQLBind(UUID()), SQLBind(enrolment), SQLBind(household), SQLBind(member),
                                SQLBind(try e.decode(column: "residence_region", as: String.self)), SQLBind(factID),
                                SQLBind("死亡记录（\(died)）：暂停发放\(program)"), SQLBind(Timestamp.text(now())))
                        .ignoringConflicts(with: ["enrolment_id", "fact_id"]).run()
                    try await tx.sql.update("enrolments").set("status", to: EnrolmentStatus.suspended.rawValue)
                        .set("status_changed_on", to: today.description).where("id", .equal, enrolment).run()
                    try await AuditLog(tx).record(actor: actor, action: .holdPayment, targetKind: "enrolment", targetID: enrolment.uuidString.lowercased(),
                                                  detail: "死亡记录（\(died)）：暂停发放\(program)")
                    return true
                }
                if newHold { held += 1 }
            }
        }
        return held
    }
}

/// Whole household profiles for a list of IDs, for system work (screening) that writes one audit entry per run.
struct ProfileLoader {
    let sql: any SQLDatabase

    static let memberColumns = ["id", "household_id", "relation", "national_id", "name", "sex", "birth_date", "disability_category",
                                "disability_grade", "illnesses", "work_capacity", "employment", "schooling"]
    static let factColumns = ["id", "household_id", "member_id", "kind", "amount_cents", "basis", "valid_from", "valid_to",
                              "source_department", "received_at", "reference", "note"]
    static let enrolmentColumns = ["id", "household_id", "member_id", "program", "since", "monthly_amount_cents", "status", "status_changed_on"]

    // The positional decoders take the cells in the order of these columns; `RowShapeTests` reads the same rows both ways.
    static let member = RowShape<Member>(columns: memberColumns, byName: { try RowDecoding.member($0) }, byPosition: { c in
        try RowDecoding.member(id: c.uuid(), household: c.uuid(), relation: c.text(), nationalID: c.text(), name: c.text(), sex: c.text(),
                               birthDate: c.text(), disabilityCategory: c.optionalText(), disabilityGrade: c.optionalInt64(), illnesses: c.text(),
                               workCapacity: c.text(), employment: c.text(), schooling: c.text())
    })
    static let fact = RowShape<Fact>(columns: factColumns, byName: { try RowDecoding.fact($0) }, byPosition: { c in
        try RowDecoding.fact(id: c.uuid(), household: c.uuid(), member: c.optionalUUID(), kind: c.text(), amount: c.optionalInt64(),
                             basis: c.optionalText(), validFrom: c.text(), validTo: c.optionalText(), department: c.text(), receivedAt: c.text(),
                             reference: c.text(), note: c.text())
    })
    static let enrolment = RowShape<Enrolment>(columns: enrolmentColumns, byName: { try RowDecoding.enrolment($0) }, byPosition: { c in
        try RowDecoding.enrolment(id: c.uuid(), household: c.uuid(), member: c.optionalUUID(), program: c.text(), since: c.text(),
                                  monthlyAmount: c.int64(), status: c.text(), statusChangedOn: c.optionalText())
    })
    static let household = RowShape<Household>(columns: ["id", "registered_region", "residence_region", "address"], byName: { r in
        try household(id: r.uuid("id"), registered: r.text("registered_region"), residence: r.text("residence_region"), address: r.text("address"))
    }, byPosition: { c in
        try household(id: c.uuid(), registered: c.text(), residence: c.text(), address: c.text())
    })
    static func household(id: UUID, registered: String, residence: String, address: String) throws -> Household {
        Household(id: Household.ID(id), registeredRegion: try RegionCode(registered), residenceRegion: try RegionCode(residence), address: address)
    }

    /// `households`: the households' own rows when the caller has read them already (in any order).
    func load(_ ids: [UUID], households known: [Household]? = nil) async throws -> [HouseholdProfile] {
        guard !ids.isEmpty else { return [] }
        var members: [UUID: [Member]] = [:], facts: [UUID: [Fact]] = [:], enrolments: [UUID: [Enrolment]] = [:]
        for m in try await BulkRead.rows(sql, Self.member, from: "members", where: "household_id", in: ids) {
            members[m.householdID.rawValue, default: []].append(m)
        }
        for f in try await BulkRead.rows(sql, Self.fact, from: "facts", where: "household_id", in: ids) {
            facts[f.householdID.rawValue, default: []].append(f)
        }
        for e in try await BulkRead.rows(sql, Self.enrolment, from: "enrolments", where: "household_id", in: ids) {
            enrolments[e.householdID.rawValue, default: []].append(e)
        }
        let households: [Household]
        if let known { households = known } else { households = try await BulkRead.rows(sql, Self.household, from: "households", where: "id", in: ids) }
        // In the order asked for (the caller pages in that order).
        let byID = Dictionary(households.map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { id in
            byID[id].map { h in
                HouseholdProfile(household: h, registeredRegionName: "", residenceRegionName: "", members: members[id] ?? [],
                                 facts: facts[id] ?? [], enrolments: enrolments[id] ?? [])
            }
        }
    }
}

/// Which screenings the schedule says are due: each level's regions in the city whose last full screening
/// fell in an earlier period (a month, a quarter) than today.
public struct ScreeningPlan: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    public func due(_ schedules: [ScreeningSchedule], city: RegionCode, today: LocalDate) async throws -> [RegionCode] {
        var out: [RegionCode] = []
        for s in schedules {
            var regions: [RegionCode] = []
            if s.regionLevel <= city.level {
                regions = [city]
            } else {
                regions = try await db.sql.select().column("code").from("regions")
                    .within(city, column: "code")
                    .where("level", .equal, s.regionLevel.rawValue).orderBy("code").all()
                    .map { try RegionCode(try $0.decode(column: "code", as: String.self)) }
            }
            for region in regions {
                let last = try await db.sql.select().column("started_at").from("screenings").where("region", .equal, region.value)
                    .where("mode", .equal, ScreeningReport.Mode.full.rawValue).where("finished_at", .isNot, SQLLiteral.null)
                    .orderBy("started_at", .descending).limit(1).first()
                    .flatMap { Timestamp.date(try $0.decode(column: "started_at", as: String.self)) }
                    .map { LocalDate($0, timeZone: .china) }
                if s.isDue(lastRun: last, today: today), !out.contains(region) { out.append(region) }
            }
        }
        return out
    }
}

extension Duration {
    /// Seconds as a Double, for reports.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// A score's JSON as `JSONEncoder` with sorted keys writes it, built directly: every household's score is
/// written on every screening, and Foundation's encoder was a sixth of a full screening.
enum ScoreJSON {
    static func dimensions(_ score: HardshipScore) -> String {
        var out = "{"
        for (i, (d, v)) in score.byDimension.sorted(by: { $0.key.rawValue < $1.key.rawValue }).enumerated() {
            if i > 0 { out += "," }
            BulkJSON.appendQuoted(d.rawValue, to: &out)
            out += ":" + String(v)
        }
        return out + "}"
    }

    static func contributions(_ score: HardshipScore) -> String {
        var out = "["
        for (i, c) in score.contributions.enumerated() {
            if i > 0 { out += "," }
            out += "{\"code\":"
            BulkJSON.appendQuoted(c.code, to: &out)
            out += ",\"dimension\":"
            BulkJSON.appendQuoted(c.dimension.rawValue, to: &out)
            out += ",\"name\":"
            BulkJSON.appendQuoted(c.name, to: &out)
            out += ",\"points\":" + String(c.points) + "}"
        }
        return out + "]"
    }
}

/// A warning's evidence as JSON, built directly like `ScoreJSON`: every new or changed warning carries it, and
/// Foundation's encoder was a fifth of the screening that follows a 100,000-row feed. Keys sorted, absent
/// values left out, as `JSONEncoder` writes them; `JSONDecoder` reads it back to the same evidence (tested).
enum EvidenceJSON {
    static func encode(_ evidence: [Evidence]) -> String {
        var out = "["
        for (i, e) in evidence.enumerated() {
            out += i == 0 ? "{" : ",{"
            var first = true
            func field(_ name: String, _ value: String?) {
                guard let value else { return }
                out += first ? "\"" : ",\""
                first = false
                out += name + "\":"
                BulkJSON.appendQuoted(value, to: &out)
            }
            field("date", e.date?.description)
            field("department", e.department?.rawValue)
            field("factID", e.factID)
            field("key", e.key)
            field("reference", e.reference)
            field("text", e.text)
            out += "}"
        }
        return out + "]"
    }
}
