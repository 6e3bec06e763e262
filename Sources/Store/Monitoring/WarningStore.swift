import Domain
import FluentKit
import Foundation
import SQLKit

/// Warnings, scoped to the reader's jurisdiction here in the store: where the household lives, or for
/// information where it is registered. Reading a warning's detail and every action on it are audited.
public struct WarningStore: Sendable {
    let db: any Database
    let calendar: WorkingCalendar
    let visitWorkingDays: Int
    public init(_ db: any Database, setup: MonitoringSetup) {
        self.db = db
        calendar = setup.calendar
        visitWorkingDays = setup.screener.catalogue.verificationWorkingDays
    }

    var sql: any SQLDatabase { db.sql }

    func require(_ p: Permission, _ actor: Actor) throws {
        guard actor.may(p) else { throw DomainError.forbidden }
    }

    func scoped(_ q: SQLSelectBuilder, _ actor: Actor, includeRegistered: Bool) -> SQLSelectBuilder {
        includeRegistered ? q.livingOrRegistered(in: actor.jurisdiction) : q.within(actor.jurisdiction)
    }

    static let columns = ["id", "household_id", "indicator", "title", "kind", "severity", "status", "score", "raised_on", "due_on",
                          "cleared_on", "assignee", "residence_region", "registered_region"]

    public func inbox(_ f: WarningFilter, actor: Actor, today: LocalDate) async throws -> (items: [WarningSummary], total: Int) {
        try require(.viewWarnings, actor)
        func filtered(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            var q = scoped(q, actor, includeRegistered: f.includeRegistered)
            if let i = f.indicator { q = q.where("indicator", .equal, i) }
            if let k = f.kind { q = q.where("kind", .equal, k.rawValue) }
            if let s = f.severity { q = q.where("severity", .equal, s.rawValue) }
            if let s = f.status { q = q.where("status", .equal, s.rawValue) }
            // A part of the jurisdiction narrows it; a region outside it selects nothing rather than widening it.
            if let r = f.region { q = actor.covers(r) ? q.within(r) : q.where(SQLLiteral.boolean(false)) }
            if let d = f.raisedFrom { q = q.where("raised_on", .greaterThanOrEqual, d.description) }
            if let d = f.raisedTo { q = q.where("raised_on", .lessThanOrEqual, d.description) }
            if f.overdueOnly {
                q = q.where("status", .in, WarningStatus.allCases.filter(\.isPending).map(\.rawValue)).where("due_on", .lessThan, today.description)
            }
            return q
        }
        let total = try await filtered(sql.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n").from("warnings"))
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await filtered(sql.select().columns(Self.columns.map { SQLColumn($0) }).from("warnings"))
            // Hardest first among the pending: overdue, then severity and score.
            .orderBy(SQLRaw("CASE WHEN status IN ('new','assigned','verifying') THEN 0 ELSE 1 END"))
            .orderBy(SQLRaw("CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END"))
            .orderBy("due_on").orderBy("score", .descending).orderBy("id")
            .limit(f.limit).offset(f.offset).all()
        return (try await summaries(rows, actor: actor, today: today), total)
    }

    func summaries(_ rows: [any SQLRow], actor: Actor, today: LocalDate) async throws -> [WarningSummary] {
        let households = try rows.map { try $0.decode(column: "household_id", as: UUID.self) }
        let info = Dictionary(try await RegistryStore(db).summaries(Array(Set(households))).map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        return try rows.map { r in
            let hid = try r.decode(column: "household_id", as: UUID.self)
            let status = WarningStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .new
            let due = try LocalDate(try r.decode(column: "due_on", as: String.self))
            let residence = try r.decode(column: "residence_region", as: String.self)
            return WarningSummary(
                id: try r.decode(column: "id", as: UUID.self), householdID: hid, headName: info[hid]?.headName ?? "",
                headMaskedID: info[hid]?.headMaskedID ?? "", indicator: try r.decode(column: "indicator", as: String.self),
                title: try r.decode(column: "title", as: String.self),
                kind: WarningKind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .hardship,
                severity: Severity(rawValue: try r.decode(column: "severity", as: String.self)) ?? .low, status: status,
                score: try r.decode(column: "score", as: Int.self), raisedOn: try LocalDate(try r.decode(column: "raised_on", as: String.self)),
                dueOn: due, overdue: WarningWorkflow.isOverdue(status: status, due: due, today: today),
                clearedOn: try r.decode(column: "cleared_on", as: String?.self).map { try LocalDate($0) },
                assignee: try r.decode(column: "assignee", as: String?.self), residenceRegion: residence,
                residenceRegionName: info[hid]?.residenceRegionName ?? residence,
                forInformation: (try? RegionCode(residence)).map { !actor.covers($0) } ?? true)
        }
    }

    /// One warning with its evidence, history, home visits and the household's score. Nil outside the jurisdiction.
    /// Where the warning's household lives, if it is in the actor's jurisdiction (not a read of the warning: not audited).
    public func residence(of id: UUID, actor: Actor) async throws -> RegionCode? {
        try await sql.select().column("residence_region").from("warnings").where("id", .equal, id).within(actor.jurisdiction).first()
            .flatMap { try? RegionCode(try $0.decode(column: "residence_region", as: String.self)) }
    }

    public func detail(_ id: UUID, actor: Actor, today: LocalDate, catalogue: IndicatorCatalogue) async throws -> WarningDetail? {
        try require(.viewWarnings, actor)
        guard let row = try await scoped(sql.select().columns((Self.columns + ["evidence", "outcome", "reason", "disposed_on"]).map { SQLColumn($0) })
            .from("warnings").where("id", .equal, id), actor, includeRegistered: true).first() else { return nil }
        let summary = try await summaries([row], actor: actor, today: today)[0]
        let evidence = try JSONDecoder().decode([Evidence].self, from: Data(try row.decode(column: "evidence", as: String.self).utf8))
        let actions = try await sql.select().columns("at", "username", "action", "from_status", "to_status", "note").from("warning_actions")
            .where("warning_id", .equal, id).orderBy("at").all().map { r in
                WarningActionRecord(at: try r.decode(column: "at", as: String.self), username: try r.decode(column: "username", as: String.self),
                                    action: try r.decode(column: "action", as: String.self),
                                    from: WarningStatus(rawValue: try r.decode(column: "from_status", as: String.self)) ?? .new,
                                    to: WarningStatus(rawValue: try r.decode(column: "to_status", as: String.self)) ?? .new,
                                    note: try r.decode(column: "note", as: String.self))
            }
        var score: HardshipScore?
        if let s = try await sql.select().columns("score", "dimensions", "contributions").from("household_scores")
            .where("household_id", .equal, summary.householdID).first() {
            let dims = try JSONDecoder().decode([String: Int].self, from: Data(try s.decode(column: "dimensions", as: String.self).utf8))
            score = HardshipScore(total: try s.decode(column: "score", as: Int.self), maximum: catalogue.maximumScore,
                                  byDimension: Dictionary(uniqueKeysWithValues: dims.compactMap { k, v in MonitoringDimension(rawValue: k).map { ($0, v) } }),
                                  contributions: try JSONDecoder().decode([HardshipScore.Contribution].self,
                                                                          from: Data(try s.decode(column: "contributions", as: String.self).utf8)))
        }
        let registered = try row.decode(column: "registered_region", as: String.self)
        let registeredName = try await RegistryStore(db).regionNames([registered])[registered] ?? registered
        let minimal = RegistrationPlaceView.warningIsMinimal(actor: actor, residence: try RegionCode(summary.residenceRegion))
        try await AuditLog(db).record(actor: actor, action: .readWarning, targetKind: "warning", targetID: id.uuidString.lowercased(),
                                      detail: "查看预警：\(summary.title)\(minimal ? "（户籍地知会，最少信息）" : "")")
        if minimal {
            let household = try await RegistryStore(db).summaries([summary.householdID]).first
            return WarningDetail(summary: summary, indicator: catalogue[code: summary.indicator], evidence: [],
                                 actions: actions.map { var a = $0; a.note = ""; return a }, visits: [], outcome: nil, reason: nil, disposedOn: nil,
                                 registeredRegion: registered, registeredRegionName: registeredName,
                                 score: nil, mayAct: false, minimal: true, householdSize: household?.memberCount, programs: household?.programs ?? [])
        }
        return WarningDetail(summary: summary, indicator: catalogue[code: summary.indicator], evidence: evidence, actions: actions,
                             visits: try await visits(where: { $0.where("warning_id", .equal, id) }),
                             outcome: try row.decode(column: "outcome", as: String?.self).flatMap(DispositionOutcome.init(rawValue:)),
                             reason: try row.decode(column: "reason", as: String?.self),
                             disposedOn: try row.decode(column: "disposed_on", as: String?.self).map { try LocalDate($0) },
                             registeredRegion: registered, registeredRegionName: registeredName,
                             score: score,
                             mayAct: actor.may(.handleWarnings) && !summary.forInformation)
    }

}
