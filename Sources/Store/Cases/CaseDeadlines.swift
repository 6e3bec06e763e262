import Domain
import FluentKit
import Foundation
import SQLKit

/// After a holiday year is loaded: open cases whose deadlines were counted through a year without holiday data
/// (weekdays only, shown as provisional) are counted again on the calendar now in use.
public struct CaseDeadlines: Sendable {
    let db: any Database
    let processes: CaseProcesses
    let calendar: WorkingCalendar

    public init(_ db: any Database, processes: CaseProcesses, calendar: WorkingCalendar) {
        self.db = db
        self.processes = processes
        self.calendar = calendar
    }

    /// Returns how many cases' deadlines moved or stopped being provisional. Each gets a line in its timeline.
    public func recompute(actor: Actor, today: LocalDate, now: Date = Date()) async throws -> Int {
        guard actor.may(.manageCalendar) else { throw DomainError.forbidden }
        return try await db.writeTransaction { tx in
            let rows = try await tx.sql.select().columns(CaseStore.columns.map { SQLColumn($0) }).from("cases")
                .where("status", .equal, CaseStatus.open.rawValue)
                .where { $0.where("step_due_provisional", .equal, true).orWhere("process_due_provisional", .equal, true) }
                .livingOrRegistered(in: actor.jurisdiction)
                .all()
            var moved = 0
            for row in rows {
                let state = try CaseStore.state(row)
                guard let process = processes[state.kind] else { continue }
                let before = try CaseStore.summary(row)
                let clock = CaseClock(state, process: process, calendar: calendar, today: today)
                guard clock.stepDue?.date != before.stepDueOn || clock.processDue?.date != before.processDueOn
                        || (clock.stepDue?.provisional ?? false) != before.stepDueProvisional
                        || (clock.processDue?.provisional ?? false) != before.processDueProvisional else { continue }
                let id = try row.decode(column: "id", as: UUID.self)
                try await tx.sql.update("cases")
                    .set("step_due_on", to: clock.stepDue?.date.description).set("step_due_provisional", to: clock.stepDue?.provisional ?? false)
                    .set("process_due_on", to: clock.processDue?.date.description).set("process_due_provisional", to: clock.processDue?.provisional ?? false)
                    .where("id", .equal, id).run()
                try await CaseStore.event(tx, id, actor, today, now, action: "recomputeDeadline", step: state.step,
                                          note: "按新载入的节假日安排重算期限：办结期限 \(before.processDueOn?.description ?? "—") → \(clock.processDue?.date.description ?? "—")")
                moved += 1
            }
            return moved
        }
    }
}
