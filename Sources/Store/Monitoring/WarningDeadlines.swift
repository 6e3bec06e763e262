import Domain
import FluentKit
import Foundation
import SQLKit

extension WarningStore {
    /// After a holiday year is loaded: the pending warnings and open home visits whose deadline falls in that year
    /// or later were counted with weekdays only (no holidays known); they are counted again on the calendar now in
    /// use. Returns how many deadlines moved. Each move is in the warning's history.
    public func recomputeDeadlines(fromYear year: Int, catalogue: IndicatorCatalogue, actor: Actor, now: Date = Date()) async throws -> Int {
        guard actor.may(.manageCalendar) else { throw DomainError.forbidden }
        let first = "\(year)-01-01"
        let pending = [WarningStatus.new, .assigned, .verifying].map(\.rawValue)
        return try await db.writeTransaction { tx in
            var moved = 0
            let stamp = Timestamp.text(now)
            let rows = try await tx.sql.select().columns("id", "indicator", "status", "raised_on", "due_on").from("warnings")
                .where("status", .in, pending).where("due_on", .greaterThanOrEqual, first)
                .where { $0.within(actor.jurisdiction) }.all()
            for r in rows {
                guard let days = catalogue[code: try r.decode(column: "indicator", as: String.self)]?.deadlineWorkingDays else { continue }
                let raised = try LocalDate(try r.decode(column: "raised_on", as: String.self))
                let old = try r.decode(column: "due_on", as: String.self)
                let due = calendar.deadline(workingDays: days, after: raised).date.description
                guard due != old else { continue }
                let id = try r.decode(column: "id", as: UUID.self)
                try await tx.sql.update("warnings").set("due_on", to: due).where("id", .equal, id).run()
                try await tx.sql.insert(into: "warning_actions").columns("id", "warning_id", "at", "username", "role", "action", "from_status", "to_status", "note")
                    .values(SQLBind(UUID()), SQLBind(id), SQLBind(stamp), SQLBind(actor.username), SQLBind(actor.role.rawValue), SQLBind("recomputeDeadline"),
                            SQLBind(try r.decode(column: "status", as: String.self)), SQLBind(try r.decode(column: "status", as: String.self)),
                            SQLBind("按 \(year) 年节假日安排重算期限：\(old) → \(due)")).run()
                moved += 1
            }
            let visits = try await tx.sql.select().columns("id", "created_at", "due_on").from("home_visits")
                .where("status", .equal, "open").where("due_on", .greaterThanOrEqual, first)
                .where { $0.within(actor.jurisdiction) }.all()
            for v in visits {
                guard let created = Timestamp.date(try v.decode(column: "created_at", as: String.self)) else { continue }
                let due = calendar.deadline(workingDays: visitWorkingDays, after: LocalDate(created, timeZone: .china)).date.description
                guard due != (try v.decode(column: "due_on", as: String.self)) else { continue }
                try await tx.sql.update("home_visits").set("due_on", to: due).where("id", .equal, try v.decode(column: "id", as: UUID.self)).run()
                moved += 1
            }
            return moved
        }
    }
}
