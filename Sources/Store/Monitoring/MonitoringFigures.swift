import Domain
import FluentKit
import Foundation
import SQLKit

// The dashboard's figures, the ranking and the screening runs.
extension WarningStore {
    // MARK: figures and ranking

    public func figures(actor: Actor, today: LocalDate, catalogue: IndicatorCatalogue) async throws -> MonitoringFigures {
        try require(.viewWarnings, actor)
        var out = MonitoringFigures()
        let childDigits = actor.jurisdiction.level.child?.significantDigits ?? 12
        var subCounts: [String: Int] = [:]
        var days: [Int] = []
        var kinds: [String: Int] = [:], indicators: [String: Int] = [:], statuses: [String: Int] = [:]
        // One pass over the jurisdiction's warnings, a few columns each: the counts the charts need.
        for r in try await scoped(sql.select().columns("kind", "indicator", "status", "due_on", "raised_on", "disposed_on", "residence_region").from("warnings"),
                                  actor, includeRegistered: false).all() {
            let status = WarningStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .new
            out.total += 1
            if status.isPending { out.pending += 1 } else { out.handled += 1 }
            if WarningWorkflow.isOverdue(status: status, due: try LocalDate(try r.decode(column: "due_on", as: String.self)), today: today) { out.overdue += 1 }
            kinds[try r.decode(column: "kind", as: String.self), default: 0] += 1
            indicators[try r.decode(column: "indicator", as: String.self), default: 0] += 1
            statuses[status.rawValue, default: 0] += 1
            subCounts[String(try r.decode(column: "residence_region", as: String.self).prefix(childDigits)), default: 0] += 1
            if let d = try r.decode(column: "disposed_on", as: String?.self) {
                let raised = try LocalDate(try r.decode(column: "raised_on", as: String.self))
                let disposed = try LocalDate(d)
                days.append((try? calendar.workingDays(from: raised, to: disposed)) ?? (disposed.dayNumber - raised.dayNumber))
            }
        }
        out.byKind = WarningKind.allCases.map { .init(key: $0.rawValue, label: $0.chinese, count: kinds[$0.rawValue] ?? 0) }
        out.byStatus = WarningStatus.allCases.map { .init(key: $0.rawValue, label: $0.chinese, count: statuses[$0.rawValue] ?? 0) }
        out.byIndicator = indicators.map { .init(key: $0.key, label: catalogue[code: $0.key]?.name ?? $0.key, count: $0.value) }
            .sorted { ($0.count, $1.key) > ($1.count, $0.key) }
        let children = try await sql.select().columns("code", "name").from("regions").where("parent_code", .equal, actor.jurisdiction.value).orderBy("code").all()
        out.bySubRegion = try children.map { c in
            let code = try c.decode(column: "code", as: String.self)
            return .init(key: code, label: try c.decode(column: "name", as: String.self), count: subCounts[String(code.prefix(childDigits))] ?? 0)
        }
        let bands: [(String, ClosedRange<Int>)] = [("≤3天", 0...3), ("4–5天", 4...5), ("6–10天", 6...10), ("11–20天", 11...20), (">20天", 21...Int.max)]
        out.dispositionDays = bands.map { b in .init(key: b.0, label: b.0, count: days.filter { b.1.contains($0) }.count) }
        if !days.isEmpty { out.medianDispositionDays = days.sorted()[days.count / 2] }
        out.screenedHouseholds = try await sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("household_scores")
            .within(actor.jurisdiction)
            .first()?.decode(column: "n", as: Int.self) ?? 0
        out.lastScreening = try await sql.select().column("finished_at").from("screenings").where("finished_at", .isNot, SQLLiteral.null)
            .orderBy("finished_at", .descending).limit(1).first()?.decode(column: "finished_at", as: String.self)
        return out
    }

    /// Households of the jurisdiction by hardship score, hardest (highest) first.
    /// How many households have a score above zero: the length of the ranking.
    public func rankedCount(actor: Actor) async throws -> Int {
        try require(.viewHouseholds, actor)
        return try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("household_scores")
            .within(actor.jurisdiction).where("score", .greaterThan, 0).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func ranked(actor: Actor, offset: Int = 0, limit: Int = 50) async throws -> [RankedHousehold] {
        try require(.viewHouseholds, actor)
        let rows = try await sql.select().columns("household_id", "score", "dimensions").from("household_scores")
            .within(actor.jurisdiction)
            .where("score", .greaterThan, 0).orderBy("score", .descending).orderBy("household_id").offset(max(0, offset)).limit(limit).all()
        let ids = try rows.map { try $0.decode(column: "household_id", as: UUID.self) }
        let info = Dictionary(try await RegistryStore(db).summaries(ids).map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        var pending: [UUID: Int] = [:]
        if !ids.isEmpty {
            for w in try await sql.select().column("household_id").from("warnings").where("household_id", .in, ids)
                .where("status", .in, WarningStatus.allCases.filter(\.isPending).map(\.rawValue)).all() {
                pending[try w.decode(column: "household_id", as: UUID.self), default: 0] += 1
            }
        }
        return try rows.compactMap { row in
            let id = try row.decode(column: "household_id", as: UUID.self)
            guard let h = info[id] else { return nil }
            return RankedHousehold(household: h, score: try row.decode(column: "score", as: Int.self),
                                   dimensions: try JSONDecoder().decode([String: Int].self, from: Data(try row.decode(column: "dimensions", as: String.self).utf8)),
                                   pendingWarnings: pending[id] ?? 0)
        }
    }

    /// Screening runs, newest first.
    public func screenings(actor: Actor, limit: Int = 20) async throws -> [ScreeningRun] {
        try require(.viewWarnings, actor)
        let rows = try await sql.select().column("*").from("screenings").orderBy("started_at", .descending).limit(limit).all()
        let names = try await RegistryStore(db).regionNames(try rows.map { try $0.decode(column: "region", as: String.self) })
        return try rows.compactMap { r in
            let region = try r.decode(column: "region", as: String.self)
            // Runs over a wider area than the reader's show only if they cover it.
            guard let code = try? RegionCode(region), code.contains(actor.jurisdiction) || actor.covers(code) else { return nil }
            return ScreeningRun(id: try r.decode(column: "id", as: UUID.self), mode: try r.decode(column: "mode", as: String.self), region: region, regionName: names[region] ?? region,
                                startedAt: try r.decode(column: "started_at", as: String.self), finishedAt: try r.decode(column: "finished_at", as: String?.self),
                                username: try r.decode(column: "username", as: String.self), households: try r.decode(column: "households", as: Int.self),
                                raised: try r.decode(column: "raised", as: Int.self), updated: try r.decode(column: "updated", as: Int.self),
                                suppressed: try r.decode(column: "suppressed", as: Int.self), cleared: try r.decode(column: "cleared", as: Int.self),
                                holds: try r.decode(column: "holds", as: Int.self), planned: try r.decode(column: "planned", as: Int?.self),
                                failure: try r.decode(column: "failure", as: String?.self))
        }
    }
}

public struct ScreeningRun: Sendable, Codable, Equatable {
    public var id: UUID
    public var mode: String
    public var region: String
    public var regionName: String
    public var startedAt: String
    public var finishedAt: String?
    public var username: String
    public var households: Int
    public var raised: Int
    public var updated: Int
    public var suppressed: Int
    public var cleared: Int
    public var holds: Int
    /// Households the run set out to screen (`households` counts those done so far); nil for runs recorded before it was kept.
    public var planned: Int?
    /// Why it stopped before finishing.
    public var failure: String?

    /// Neither finished nor stopped: still running, or its process was killed (it then never finishes).
    public var isUnfinished: Bool { finishedAt == nil && failure == nil }
}
