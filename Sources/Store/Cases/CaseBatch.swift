import Domain
import FluentKit
import Foundation
import SQLKit

extension CaseStore {
    /// Many warnings turned into applications at once (a township acting on a screening's findings): one transaction,
    /// rows written in batches, each case audited. A household that already has an open case of the kind gets no
    /// second one, so running the same batch twice changes nothing. Returns the new cases' IDs.
    public func openFromWarnings(_ warningIDs: [UUID], kind: CaseKind, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> [UUID] {
        try await openBatch(warningIDs, from: "warnings", kind: kind, channel: .warning, actor: actor, today: today, now: now)
    }

    /// Many households' applications at once (e.g. a campaign of window applications); as `openFromWarnings`.
    public func openForHouseholds(_ householdIDs: [UUID], kind: CaseKind, channel: CaseChannel, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> [UUID] {
        try await openBatch(householdIDs, from: "households", kind: kind, channel: channel, actor: actor, today: today, now: now)
    }

    /// `ids` are rows of `table` (warnings or households); both carry the household's two regions.
    func openBatch(_ ids: [UUID], from table: String, kind: CaseKind, channel: CaseChannel, actor: Actor, today: LocalDate, now: Date) async throws -> [UUID] {
        guard actor.may(.openCases) else { throw DomainError.forbidden }
        let process = try process(kind)
        let stamp = Timestamp.text(now)
        let fromWarnings = table == "warnings"
        return try await db.writeTransaction { tx in
            var created: [UUID] = []
            var cases: [[any SQLExpression]] = []
            var events: [[any SQLExpression]] = []
            var audits: [AuditDraft] = []
            var columns: [String] = []
            var taken = Set<UUID>()
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min(ids.count, $0 + 500)]) }) {
                let household: any SQLExpression = fromWarnings ? SQLColumn("household_id") : SQLAlias(SQLColumn("id"), as: SQLIdentifier("household_id"))
                let warnings = try await tx.sql.select().columns([SQLColumn("id"), household, SQLColumn("residence_region"), SQLColumn("registered_region")])
                    .from(table).where("id", .in, chunk).where { $0.within(actor.jurisdiction) }.all()
                let households = try warnings.map { try $0.decode(column: "household_id", as: UUID.self) }
                guard !households.isEmpty else { continue }
                let open = Set(try await tx.sql.select().column("household_id").from("cases").where("household_id", .in, households)
                    .where("kind", .equal, kind.rawValue).where("status", .equal, CaseStatus.open.rawValue).all()
                    .map { try $0.decode(column: "household_id", as: UUID.self) })
                var heads: [UUID: String] = [:]
                for r in try await tx.sql.select().columns("household_id", "name").from("members").where("household_id", .in, households)
                    .where("relation", .equal, Relation.head.rawValue).all() {
                    heads[try r.decode(column: "household_id", as: UUID.self)] = try r.decode(column: "name", as: String.self)
                }
                for w in warnings {
                    let hid = try w.decode(column: "household_id", as: UUID.self)
                    guard !open.contains(hid), taken.insert(hid).inserted else { continue }
                    let state = CaseState(kind: kind, residenceRegion: try RegionCode(try w.decode(column: "residence_region", as: String.self)),
                                          registrationRegion: try RegionCode(try w.decode(column: "registered_region", as: String.self)), appliedOn: today)
                    let id = UUID()
                    let warning: UUID? = fromWarnings ? try w.decode(column: "id", as: UUID.self) : nil
                    var row = Self.values(state, process: process, calendar: calendar, today: today)
                    let fixed: [String: SQLBind] = [
                        "id": SQLBind(id), "code": SQLBind(CaseCodes.code(kind: kind, on: today)), "status_token": SQLBind(CaseCodes.token()),
                        "kind": SQLBind(kind.rawValue), "program": SQLBind(process.program.rawValue), "channel": SQLBind(channel.rawValue),
                        "household_id": SQLBind(hid), "member_id": SQLBind(nil as UUID?), "applicant_name": SQLBind(heads[hid] ?? "户主"),
                        "residence_region": SQLBind(state.residenceRegion.value), "registered_region": SQLBind(state.registrationRegion.value),
                        "applied_on": SQLBind(today.description), "snapshot": SQLBind(nil as String?), "assessment": SQLBind(nil as String?),
                        "warning_id": SQLBind(warning), "note": SQLBind(fromWarnings ? "预警转为申请" : ""), "created_by": SQLBind(actor.username),
                        "created_at": SQLBind(stamp), "updated_at": SQLBind(stamp),
                    ]
                    row.merge(fixed) { $1 }
                    if columns.isEmpty { columns = row.keys.sorted() }
                    cases.append(columns.map { row[$0]! })
                    events.append([SQLBind(UUID()), SQLBind(id), SQLBind(stamp), SQLBind(today.description), SQLBind(actor.username), SQLBind(actor.role.rawValue),
                                   SQLBind(CaseActionKind.open.rawValue), SQLBind(nil as String?), SQLBind("\(channel.chinese)：\(process.title)")])
                    audits.append(AuditDraft(actor: actor, action: .openCase, targetKind: "case", targetID: id.uuidString.lowercased(),
                                             detail: "\(channel.chinese)：\(process.title)，居住地 \(state.residenceRegion.value)", at: now))
                    created.append(id)
                }
            }
            try await tx.sql.insertRows("cases", columns, cases)
            try await tx.sql.insertRows("case_events", ["id", "case_id", "at", "on_day", "username", "role", "action", "step", "note"], events)
            try await AuditLog(tx).record(audits)
            return created
        }
    }
}
