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
    public var areas: [Area]
}

extension CaseStore {
    public func figures(actor: Actor, today: LocalDate) async throws -> CaseFigures {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        let childDigits = actor.jurisdiction.level.child?.significantDigits ?? 12
        let rows = try await visible(db.sql.select().columns("kind", "step", "status", "residence_region", "accepted_on", "decision", "step_due_on", "process_due_on",
                                                             "spot_checked")
            .from("cases"), actor).all()
        var figures = CaseFigures(openByStep: [:], openByKind: [:], approved: 0, refused: 0, overdue: 0, medianWorkingDays: nil, areas: [])
        var areas: [String: (open: Int, overdue: Int, days: [Int])] = [:]
        var allDays: [Int] = []
        let yearAgo = today.adding(days: -365)
        let decoder = JSONDecoder()
        let todayText = today.description
        for r in rows {
            let status = CaseStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .open
            let area = String(try r.decode(column: "residence_region", as: String.self).prefix(childDigits))
            var a = areas[area] ?? (0, 0, [])
            if status == .open {
                if let step = try r.decode(column: "step", as: String?.self).flatMap(CaseStep.init(rawValue:)) { figures.openByStep[step, default: 0] += 1 }
                if let kind = CaseKind(rawValue: try r.decode(column: "kind", as: String.self)) { figures.openByKind[kind, default: 0] += 1 }
                a.open += 1
                let stepDue = try r.decode(column: "step_due_on", as: String?.self)
                let processDue = try r.decode(column: "process_due_on", as: String?.self)
                let late = (stepDue.map { $0 < todayText } ?? false) || (processDue.map { $0 < todayText } ?? false)
                if late { figures.overdue += 1; a.overdue += 1 }
            } else if status == .approved || status == .refused {
                if status == .approved { figures.approved += 1 } else { figures.refused += 1 }
                if let accepted = try r.decode(column: "accepted_on", as: String?.self).flatMap({ try? LocalDate($0) }),
                   let decision = try r.decode(column: "decision", as: String?.self).flatMap({ try? decoder.decode(CaseDecision.self, from: Data($0.utf8)) }),
                   decision.on >= yearAgo {
                    if try r.decode(column: "kind", as: String.self) == CaseKind.tekun.rawValue {
                        figures.tekunDecided += 1
                        if try r.decode(column: "spot_checked", as: Bool.self) { figures.tekunSpotChecked += 1 }
                    }
                    let days = calendar.elapsed(from: accepted, to: decision.on).days
                    allDays.append(days)
                    a.days.append(days)
                }
            }
            areas[area] = a
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
