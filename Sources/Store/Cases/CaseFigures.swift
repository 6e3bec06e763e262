import Domain
import FluentKit
import Foundation
import SQLKit

/// The figures of the applications in a jurisdiction: open cases by step and programme, overdue ones, and how
/// many working days decisions took, in all and by sub-region.
public struct CaseFigures: Sendable {
    public struct Area: Sendable {
        public var region: String
        public var open: Int
        public var overdue: Int
        public var decided: Int
        public var medianWorkingDays: Int?
    }
    public var openByStep: [CaseStep: Int]
    public var openByKind: [CaseKind: Int]
    public var approved: Int
    public var refused: Int
    public var overdue: Int
    /// The median of working days from acceptance to decision, over the decisions of the last year.
    public var medianWorkingDays: Int?
    /// Tekun decisions of the last year, and how many the county checked itself [TK 15–18].
    public var tekunDecided: Int = 0
    public var tekunSpotChecked: Int = 0
    /// Help first: grants whose paperwork is still to be done, and those past its deadline [LS].
    public var paperworkPending: Int = 0
    public var paperworkOverdue: Int = 0
    public var areas: [Area]
}

extension CaseStore {
    /// Counted in SQL: open cases grouped by step, programme and sub-region (a handful of rows whatever the number of
    /// cases), decisions by outcome; only the last year's decisions are read one by one, for their working days,
    /// which follow the holiday calendar and so are counted here.
    public func figures(actor: Actor, today: LocalDate) async throws -> CaseFigures {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        let childDigits = actor.jurisdiction.level.child?.significantDigits ?? 12
        // Help first counts where the emergency struck (the township that granted it), everything else where the household lives.
        let place = SQLFunction("COALESCE", args: SQLColumn("emergency_region"), SQLColumn("residence_region"))
        let area = SQLFunction("substr", args: place, SQLLiteral.numeric("1"), SQLLiteral.numeric("\(childDigits)"))
        let todayText = today.description
        let late: SQLQueryString = ("SUM(CASE WHEN step_due_on < \(bind: todayText) OR process_due_on < \(bind: todayText) THEN 1 ELSE 0 END)")
        let open = try await visible(db.sql.select().column("step").column("kind").column(area, as: "area")
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(late, as: "late")
            .from("cases").where("status", .equal, CaseStatus.open.rawValue), actor)
            .groupBy("step").groupBy("kind").groupBy(SQLColumn("area")).all()
        var figures = CaseFigures(openByStep: [:], openByKind: [:], approved: 0, refused: 0, overdue: 0, medianWorkingDays: nil, areas: [])
        var areas: [String: (open: Int, overdue: Int, days: [Int])] = [:]
        for r in open {
            let n = try r.decode(column: "n", as: Int.self)
            let overdue = try r.decode(column: "late", as: Int?.self) ?? 0
            if let step = try r.decode(column: "step", as: String?.self).flatMap(CaseStep.init(rawValue:)) { figures.openByStep[step, default: 0] += n }
            if let kind = CaseKind(rawValue: try r.decode(column: "kind", as: String.self)) { figures.openByKind[kind, default: 0] += n }
            figures.overdue += overdue
            let key = try r.decode(column: "area", as: String.self)
            areas[key, default: (0, 0, [])].open += n
            areas[key, default: (0, 0, [])].overdue += overdue
        }
        for r in try await visible(db.sql.select().column("status").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("cases")
            .where("status", .in, [CaseStatus.approved.rawValue, CaseStatus.refused.rawValue]), actor).groupBy("status").all() {
            let n = try r.decode(column: "n", as: Int.self)
            if try r.decode(column: "status", as: String.self) == CaseStatus.approved.rawValue { figures.approved = n } else { figures.refused = n }
        }
        let late2: SQLQueryString = "SUM(CASE WHEN paperwork_due_on < \(bind: todayText) THEN 1 ELSE 0 END)"
        if let r = try await visible(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(late2, as: "late").from("cases")
            .where("paperwork_due_on", .isNot, SQLLiteral.null).where("paperwork_done_on", .is, SQLLiteral.null), actor).first() {
            figures.paperworkPending = try r.decode(column: "n", as: Int.self)
            figures.paperworkOverdue = try r.decode(column: "late", as: Int?.self) ?? 0
        }
        // The last year's decisions of accepted cases: working days from acceptance to decision.
        var allDays: [Int] = []
        let decided = try await visible(db.sql.select().column("kind").column("spot_checked").column("accepted_on").column("decided_on").column(area, as: "area")
            .from("cases").where("status", .in, [CaseStatus.approved.rawValue, CaseStatus.refused.rawValue])
            .where("decided_on", .greaterThanOrEqual, today.adding(days: -365).description).where("accepted_on", .isNot, SQLLiteral.null), actor).all()
        for r in decided {
            guard let accepted = try? LocalDate(try r.decode(column: "accepted_on", as: String.self)),
                  let on = try? LocalDate(try r.decode(column: "decided_on", as: String.self)) else { continue }
            if try r.decode(column: "kind", as: String.self) == CaseKind.tekun.rawValue {
                figures.tekunDecided += 1
                if try r.decode(column: "spot_checked", as: Bool.self) { figures.tekunSpotChecked += 1 }
            }
            let days = calendar.elapsed(from: accepted, to: on).days
            allDays.append(days)
            areas[try r.decode(column: "area", as: String.self), default: (0, 0, [])].days.append(days)
        }
        func median(_ xs: [Int]) -> Int? { xs.isEmpty ? nil : xs.sorted()[xs.count / 2] }
        figures.medianWorkingDays = median(allDays)
        figures.areas = areas.map { k, v in
            CaseFigures.Area(region: k.padding(toLength: 12, withPad: "0", startingAt: 0), open: v.open, overdue: v.overdue, decided: v.days.count,
                             medianWorkingDays: median(v.days))
        }.sorted { $0.region < $1.region }
        return figures
    }
}
