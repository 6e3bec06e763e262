import Domain
import FluentKit
import Foundation
import SQLKit

// Home visits: the tasks a verification opens, and what the coordinator found.
extension WarningStore {
    // MARK: home visits

    /// The longest findings a visit keeps: a page of notes, which the form states and the store enforces.
    public static let findingsLimit = 1_000

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
        guard !findings.trimmed.isEmpty else { throw WarningActionError.findingsRequired }
        guard findings.trimmed.count <= Self.findingsLimit else { throw WarningActionError.findingsTooLong(limit: Self.findingsLimit) }
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

}
