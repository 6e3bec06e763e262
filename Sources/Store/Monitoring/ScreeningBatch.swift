import Domain
import FluentKit
import Foundation
import SQLKit

// A batch: what is read for it, its evaluation, and what it writes.
extension Monitor {
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

}

// A batch compared with its warnings, and written.
extension Monitor {
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
    func write(_ w: BatchWrites) async throws {
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

}
