import Domain
import FluentKit
import Foundation
import SQLKit

// Handling a warning: each step checked by the workflow, recorded and audited.
extension WarningStore {
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

}
