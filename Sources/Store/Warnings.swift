import Domain
import FluentKit
import Foundation
import SQLKit

/// One line of the warning inbox. The ID number is masked, as in every list.
public struct WarningSummary: Sendable, Codable, Equatable {
    public var id: UUID
    public var householdID: UUID
    public var headName: String
    public var headMaskedID: String
    public var indicator: String
    public var title: String
    public var kind: WarningKind
    public var severity: Severity
    public var status: WarningStatus
    public var score: Int
    public var raisedOn: LocalDate
    public var dueOn: LocalDate
    public var overdue: Bool
    /// A later screening no longer finds the condition (e.g. the household was enrolled meanwhile).
    public var clearedOn: LocalDate?
    public var assignee: String?
    public var residenceRegion: String
    public var residenceRegionName: String
    /// The household lives elsewhere and is registered in the reader's jurisdiction: shown for information (apply-anywhere).
    public var forInformation: Bool
}

public struct WarningActionRecord: Sendable, Codable, Equatable {
    public var at: String
    public var username: String
    public var action: String
    public var from: WarningStatus
    public var to: WarningStatus
    public var note: String
}

public struct HomeVisitRecord: Sendable, Codable, Equatable {
    public var id: UUID
    public var warningID: UUID
    public var householdID: UUID
    public var headName: String
    public var address: String
    public var title: String
    public var status: String
    public var dueOn: LocalDate
    public var createdBy: String
    public var findings: String?
    public var doneBy: String?
    public var doneAt: String?
}

public struct WarningDetail: Sendable {
    public var summary: WarningSummary
    public var indicator: Indicator?
    public var evidence: [Evidence]
    public var actions: [WarningActionRecord]
    public var visits: [HomeVisitRecord]
    public var outcome: DispositionOutcome?
    public var reason: String?
    public var disposedOn: LocalDate?
    public var registeredRegion: String
    /// The latest hardship score's breakdown for the household.
    public var score: HardshipScore?
    public var mayAct: Bool
}

public struct WarningFilter: Sendable, Equatable {
    public var indicator: String?
    public var kind: WarningKind?
    public var severity: Severity?
    public var status: WarningStatus?
    /// Only pending warnings past their deadline.
    public var overdueOnly = false
    /// Also warnings for households registered in the jurisdiction but living elsewhere.
    public var includeRegistered = false
    public var limit = 50
    public var offset = 0

    public init(indicator: String? = nil, kind: WarningKind? = nil, severity: Severity? = nil, status: WarningStatus? = nil,
                overdueOnly: Bool = false, includeRegistered: Bool = false, limit: Int = 50, offset: Int = 0) {
        self.indicator = indicator
        self.kind = kind
        self.severity = severity
        self.status = status
        self.overdueOnly = overdueOnly
        self.includeRegistered = includeRegistered
        self.limit = limit
        self.offset = offset
    }
}

/// The monitoring dashboard's figures for one jurisdiction.
public struct MonitoringFigures: Sendable, Codable, Equatable {
    public struct Count: Sendable, Codable, Equatable {
        public var key: String
        public var label: String
        public var count: Int
    }
    public var total = 0
    public var pending = 0
    public var handled = 0
    public var overdue = 0
    public var byKind: [Count] = []
    public var byIndicator: [Count] = []
    public var bySubRegion: [Count] = []
    public var byStatus: [Count] = []
    /// Working days from raised to disposed, in bands (≤3, 4–5, 6–10, 11–20, >20).
    public var dispositionDays: [Count] = []
    public var medianDispositionDays: Int?
    /// Households screened and the latest screening run.
    public var screenedHouseholds = 0
    public var lastScreening: String?
}

public struct RankedHousehold: Sendable, Codable, Equatable {
    public var household: HouseholdSummary
    public var score: Int
    public var dimensions: [String: Int]
    public var pendingWarnings: Int
}

public enum WarningActionError: Error, Equatable, CustomStringConvertible {
    case workflow(WorkflowError)
    public var description: String {
        switch self { case .workflow(let e): return e.description }
    }
    public var chinese: String {
        switch self { case .workflow(let e): return e.chinese }
    }
}

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

    private func require(_ p: Permission, _ actor: Actor) throws {
        guard actor.may(p) else { throw DomainError.forbidden }
    }

    private func scoped(_ q: SQLSelectBuilder, _ actor: Actor, includeRegistered: Bool) -> SQLSelectBuilder {
        return q.where { w in
            var w = w.where { $0.within(actor.jurisdiction) }
            if includeRegistered {
                w = w.orWhere { $0.within(actor.jurisdiction, column: "registered_region") }
            }
            return w
        }
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
        try await AuditLog(db).record(actor: actor, action: .readWarning, targetKind: "warning", targetID: id.uuidString.lowercased(),
                                      detail: "查看预警：\(summary.title)")
        return WarningDetail(summary: summary, indicator: catalogue[code: summary.indicator], evidence: evidence, actions: actions,
                             visits: try await visits(where: { $0.where("warning_id", .equal, id) }),
                             outcome: try row.decode(column: "outcome", as: String?.self).flatMap(DispositionOutcome.init(rawValue:)),
                             reason: try row.decode(column: "reason", as: String?.self),
                             disposedOn: try row.decode(column: "disposed_on", as: String?.self).map { try LocalDate($0) },
                             registeredRegion: try row.decode(column: "registered_region", as: String.self), score: score,
                             mayAct: actor.may(.handleWarnings) && !summary.forInformation)
    }

    /// Applies a handling step. Only where the household lives; the registration place is informed, not in charge.
    /// Returns the new status, or nil when the warning is not in the actor's jurisdiction.
    public func act(_ id: UUID, _ action: WarningAction, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> WarningStatus? {
        try require(.handleWarnings, actor)
        return try await db.writeTransaction { tx -> WarningStatus? in
            guard let row = try await tx.sql.select().columns("status", "household_id", "residence_region", "title").from("warnings").where("id", .equal, id)
                .within(actor.jurisdiction)
                .first() else { return nil }
            let from = WarningStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .new
            let to: WarningStatus
            do { to = try WarningWorkflow.next(from, action) } catch let e as WorkflowError { throw WarningActionError.workflow(e) }
            let stamp = Timestamp.text(now)
            var update = tx.sql.update("warnings").set("status", to: to.rawValue).set("updated_at", to: stamp)
            var note = ""
            switch action {
            case .assign(let who):
                update = update.set("assignee", to: who.trimmed)
                note = who.trimmed
            case .startVerification:
                let due = WarningWorkflow.dueDate(raised: today, workingDays: visitWorkingDays, calendar: calendar)
                try await tx.sql.insert(into: "home_visits")
                    .columns("id", "warning_id", "household_id", "residence_region", "status", "created_at", "created_by", "due_on")
                    .values(SQLBind(UUID()), SQLBind(id), SQLBind(try row.decode(column: "household_id", as: UUID.self)),
                            SQLBind(try row.decode(column: "residence_region", as: String.self)), SQLBind("open"), SQLBind(stamp),
                            SQLBind(actor.username), SQLBind(due.description)).run()
                note = "入户核实，期限 \(due)"
            case .dispose(let outcome, let reason):
                update = update.set("outcome", to: outcome.rawValue).set("reason", to: reason.trimmed).set("disposed_on", to: today.description)
                note = "\(outcome.chinese)：\(reason.trimmed)"
            case .close:
                update = update.set("closed_on", to: today.description)
            }
            try await update.where("id", .equal, id).run()
            try await tx.sql.insert(into: "warning_actions").columns("id", "warning_id", "at", "username", "role", "action", "from_status", "to_status", "note")
                .values(SQLBind(UUID()), SQLBind(id), SQLBind(stamp), SQLBind(actor.username), SQLBind(actor.role.rawValue), SQLBind(action.name),
                        SQLBind(from.rawValue), SQLBind(to.rawValue), SQLBind(note)).run()
            try await AuditLog(tx).record(actor: actor, action: .handleWarning, targetKind: "warning", targetID: id.uuidString.lowercased(),
                                          detail: "\(try row.decode(column: "title", as: String.self))：\(action.chinese)\(note.isEmpty ? "" : "（\(note)）")", at: now)
            return to
        }
    }

    // MARK: home visits

    func visits(where filter: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [HomeVisitRecord] {
        let rows = try await filter(sql.select().columns(SQLColumn("id", table: "home_visits"), SQLColumn("warning_id", table: "home_visits"),
                                                         SQLColumn("household_id", table: "home_visits"), SQLColumn("status", table: "home_visits"),
                                                         SQLColumn("due_on", table: "home_visits"), SQLColumn("created_by", table: "home_visits"),
                                                         SQLColumn("findings", table: "home_visits"), SQLColumn("done_by", table: "home_visits"),
                                                         SQLColumn("done_at", table: "home_visits"), SQLColumn("title", table: "warnings"))
            .from("home_visits").join("warnings", on: SQLColumn("id", table: "warnings"), .equal, SQLColumn("warning_id", table: "home_visits")))
            .orderBy(SQLColumn("due_on", table: "home_visits")).limit(200).all()
        let ids = try rows.map { try $0.decode(column: "household_id", as: UUID.self) }
        let info = Dictionary(try await RegistryStore(db).summaries(Array(Set(ids))).map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        return try rows.map { r in
            let hid = try r.decode(column: "household_id", as: UUID.self)
            return HomeVisitRecord(id: try r.decode(column: "id", as: UUID.self), warningID: try r.decode(column: "warning_id", as: UUID.self),
                                   householdID: hid, headName: info[hid]?.headName ?? "", address: info[hid]?.address ?? "",
                                   title: try r.decode(column: "title", as: String.self), status: try r.decode(column: "status", as: String.self),
                                   dueOn: try LocalDate(try r.decode(column: "due_on", as: String.self)),
                                   createdBy: try r.decode(column: "created_by", as: String.self),
                                   findings: try r.decode(column: "findings", as: String?.self), doneBy: try r.decode(column: "done_by", as: String?.self),
                                   doneAt: try r.decode(column: "done_at", as: String?.self))
        }
    }

    /// The open home-visit tasks where the actor works (a coordinator: their community).
    public func openVisits(actor: Actor) async throws -> [HomeVisitRecord] {
        try require(.viewWarnings, actor)
        return try await visits { q in
            q.within(actor.jurisdiction, table: "home_visits")
                .where(SQLColumn("status", table: "home_visits"), .equal, SQLBind("open"))
        }
    }

    /// Records what the visit found; the warning stays "verifying" until the township disposes of it.
    /// False when the visit is not open or not in the actor's jurisdiction.
    public func completeVisit(_ id: UUID, findings: String, actor: Actor, now: Date = Date()) async throws -> Bool {
        try require(.recordVisits, actor)
        guard !findings.trimmed.isEmpty else { throw WarningActionError.workflow(.reasonRequired) }
        return try await db.writeTransaction { tx -> Bool in
            guard let v = try await tx.sql.select().columns("warning_id").from("home_visits").where("id", .equal, id).where("status", .equal, "open")
                .within(actor.jurisdiction).first() else { return false }
            let stamp = Timestamp.text(now)
            try await tx.sql.update("home_visits").set("status", to: "done").set("findings", to: findings.trimmed).set("done_by", to: actor.username)
                .set("done_at", to: stamp).where("id", .equal, id).run()
            let warning = try v.decode(column: "warning_id", as: UUID.self)
            try await tx.sql.insert(into: "warning_actions").columns("id", "warning_id", "at", "username", "role", "action", "from_status", "to_status", "note")
                .values(SQLBind(UUID()), SQLBind(warning), SQLBind(stamp), SQLBind(actor.username), SQLBind(actor.role.rawValue), SQLBind("visit"),
                        SQLBind(WarningStatus.verifying.rawValue), SQLBind(WarningStatus.verifying.rawValue), SQLBind("入户核实：\(findings.trimmed)")).run()
            try await AuditLog(tx).record(actor: actor, action: .recordVisit, targetKind: "warning", targetID: warning.uuidString.lowercased(),
                                          detail: "入户核实结果已登记", at: now)
            return true
        }
    }

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
    public func ranked(actor: Actor, limit: Int = 50) async throws -> [RankedHousehold] {
        try require(.viewHouseholds, actor)
        let rows = try await sql.select().columns("household_id", "score", "dimensions").from("household_scores")
            .within(actor.jurisdiction)
            .where("score", .greaterThan, 0).orderBy("score", .descending).orderBy("household_id").limit(limit).all()
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
        return try await sql.select().column("*").from("screenings").orderBy("started_at", .descending).limit(limit).all().compactMap { r in
            let region = try r.decode(column: "region", as: String.self)
            // Runs over a wider area than the reader's show only if they cover it.
            guard let code = try? RegionCode(region), code.contains(actor.jurisdiction) || actor.covers(code) else { return nil }
            return ScreeningRun(id: try r.decode(column: "id", as: UUID.self), mode: try r.decode(column: "mode", as: String.self), region: region,
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
