import Domain
import FluentKit
import Foundation
import SQLKit

/// Applications from acceptance to decision. A case is seen by both townships it concerns and by the county that
/// decides it (its residence or its registration inside the reader's jurisdiction); the steps are the pure
/// `CaseWorkflow`'s, taken here in one transaction each with the version the person read, audited, and an approval
/// writes the enrolment in the same transaction.
public struct CaseStore: Sendable {
    let db: any Database
    let processes: CaseProcesses
    let calendar: WorkingCalendar
    let parameters: ParameterSet

    public init(_ db: any Database, processes: CaseProcesses, calendar: WorkingCalendar, parameters: ParameterSet) {
        self.db = db
        self.processes = processes
        self.calendar = calendar
        self.parameters = parameters
    }

    static let columns = ["id", "code", "status_token", "kind", "program", "channel", "status", "step", "version", "household_id", "member_id", "applicant_name",
                          "residence_region", "registered_region", "emergency_region", "applied_on", "accepted_on", "done_steps", "notice_from", "objection_pending",
                          "staff_relative", "spot_checked", "investigators", "extension_reason", "decision", "step_due_on", "step_due_provisional", "process_due_on",
                          "process_due_provisional", "snapshot", "assessment", "warning_id", "materials_requested_on", "help_request_id",
                          "paperwork_due_on", "paperwork_done_on"]

    /// What a list shows of a case (`summary`): not the household's snapshot, the assessment or the step records, which
    /// only the case's own page reads — a list sorts thousands of rows to show thirty, and narrow rows sort fast.
    static let summaryColumns = ["id", "code", "kind", "program", "channel", "status", "step", "version", "household_id", "member_id", "applicant_name",
                                 "residence_region", "registered_region", "emergency_region", "applied_on", "accepted_on", "decision", "step_due_on", "step_due_provisional",
                                 "process_due_on", "process_due_provisional", "paperwork_due_on", "paperwork_done_on"]

    /// The cases a person sees: those of households living or registered in the jurisdiction, and help first granted
    /// for an emergency that struck inside it, wherever the household is from [YC; LS].
    func visible(_ q: SQLSelectBuilder, _ actor: Actor) -> SQLSelectBuilder {
        q.where { w in
            w.where { $0.livingOrRegistered(in: actor.jurisdiction) }.orWhere { $0.within(actor.jurisdiction, column: "emergency_region") }
        }
    }

    func process(_ kind: CaseKind) throws -> CaseProcess {
        guard let p = processes[kind] else { throw DomainError.invalidData(file: "processes.json", reason: "没有 \(kind.rawValue) 的办理流程") }
        return p
    }

    // MARK: opening

    /// Opens a case for a household whose residence or registration is in the actor's jurisdiction: the township
    /// window where it lives or where it is registered [YC], or a coordinator on its behalf [DB 6].
    public func open(_ new: NewCase, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> CaseSummary {
        guard actor.may(.openCases) else { throw DomainError.forbidden }
        let name = new.applicantName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CaseStoreError.applicantNameRequired }
        let process = try process(new.kind)
        if process.program == .tekun && new.memberID == nil { throw CaseStoreError.memberRequired }
        let emergency = try await emergencyPlace(new, process, actor: actor)
        let id = UUID()
        try await db.writeTransaction { tx in
            // Help first is for anyone the emergency struck inside the jurisdiction, whatever their residence or
            // registration [LS; ZX 48]; every other application for a household living or registered here [YC].
            let households = tx.sql.select().columns("registered_region", "residence_region").from("households").where("id", .equal, new.householdID)
            guard let h = try await (emergency == nil ? households.livingOrRegistered(in: actor.jurisdiction) : households).first()
            else { throw CaseStoreError.notFound }
            if let m = new.memberID {
                guard try await tx.sql.select().column("id").from("members").where("id", .equal, m).where("household_id", .equal, new.householdID).first() != nil
                else { throw CaseStoreError.notFound }
            }
            let state = CaseState(kind: new.kind, residenceRegion: try RegionCode(try h.decode(column: "residence_region", as: String.self)),
                                  registrationRegion: try RegionCode(try h.decode(column: "registered_region", as: String.self)),
                                  emergencyRegion: emergency, appliedOn: today, staffRelative: new.staffRelative)
            let stamp = Timestamp.text(now)
            var row = Self.values(state, process: process, calendar: calendar, today: today)
            row["id"] = SQLBind(id)
            row["code"] = SQLBind(CaseCodes.code(kind: new.kind, on: today))
            row["status_token"] = SQLBind(CaseCodes.token())
            row["kind"] = SQLBind(new.kind.rawValue)
            row["program"] = SQLBind(process.program.rawValue)
            row["channel"] = SQLBind(new.channel.rawValue)
            row["household_id"] = SQLBind(new.householdID)
            row["member_id"] = SQLBind(new.memberID)
            row["applicant_name"] = SQLBind(name)
            row["residence_region"] = SQLBind(state.residenceRegion.value)
            row["registered_region"] = SQLBind(state.registrationRegion.value)
            row["emergency_region"] = SQLBind(emergency?.value)
            row["applied_on"] = SQLBind(today.description)
            row["snapshot"] = SQLBind(new.snapshot)
            row["assessment"] = SQLBind(new.assessment)
            row["warning_id"] = SQLBind(new.warningID)
            row["help_request_id"] = SQLBind(new.helpRequestID)
            row["note"] = SQLBind(new.note)
            row["created_by"] = SQLBind(actor.username)
            row["created_at"] = SQLBind(stamp)
            row["updated_at"] = SQLBind(stamp)
            let keys = row.keys.sorted()
            try await tx.sql.insert(into: "cases").columns(keys).values(keys.map { row[$0]! }).run()
            try await Self.event(tx, id, actor, today, now, action: CaseActionKind.open.rawValue, step: nil,
                                 note: "\(new.channel.chinese)：\(process.title)" + (new.note.isEmpty ? "" : "（\(new.note)）"))
            if let request = new.helpRequestID {
                // The request this application answers is closed with it, in the same transaction: the township's list of
                // whom to call no longer shows it, and the request points at the case.
                let changed = try await tx.sql.update("help_requests").set("status", to: HelpRequestStatus.converted.rawValue).set("case_id", to: id)
                    .set("note", to: "转为\(process.title)申请").set("handled_by", to: actor.username).set("handled_at", to: stamp)
                    .where("id", .equal, request).where("household_id", .equal, new.householdID)
                    .where("status", .in, [HelpRequestStatus.new.rawValue, HelpRequestStatus.contacted.rawValue])
                    .where { $0.within(HelpRequests.area(actor), column: "township_region") }.returning("id").all()
                guard !changed.isEmpty else { throw CaseStoreError.helpRequestUnavailable }
                try await AuditLog(tx).record(actor: actor, action: .handleHelpRequest, targetKind: "helpRequest", targetID: request.uuidString.lowercased(),
                                              detail: "\(HelpRequestStatus.converted.chinese)：\(process.title)", at: now)
            }
            try await AuditLog(tx).record(actor: actor, action: .openCase, targetKind: "case", targetID: id.uuidString.lowercased(),
                                          detail: "\(new.channel.chinese)：\(process.title)，申请人 \(name)，居住地 \(state.residenceRegion.value)"
                                            + (emergency.map { "，急难发生地 \($0.value)" } ?? ""), at: now)
        }
        guard let s = try await summary(id, actor: actor) else { throw CaseStoreError.notFound }
        return s
    }

    /// The columns that follow from the state: where it stands, whose task it is, and its deadlines.
    static func values(_ s: CaseState, process: CaseProcess, calendar: WorkingCalendar, today: LocalDate) -> [String: SQLBind] {
        let clock = CaseClock(s, process: process, calendar: calendar, today: today)
        let task = CaseWorkflow.task(s, process)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let done = Dictionary(uniqueKeysWithValues: s.done.map { ($0.key.rawValue, $0.value.description) })
        return [
            "status": SQLBind(s.status.rawValue), "step": SQLBind(s.step?.rawValue), "version": SQLBind(s.version),
            "accepted_on": SQLBind(s.acceptedOn?.description),
            "done_steps": SQLBind(String(decoding: (try? encoder.encode(done)) ?? Data("{}".utf8), as: UTF8.self)),
            "notice_from": SQLBind(s.noticeFrom?.description), "objection_pending": SQLBind(s.objectionPending), "staff_relative": SQLBind(s.staffRelative),
            "spot_checked": SQLBind(s.spotChecked), "materials_requested_on": SQLBind(s.materialsRequestedOn?.description),
            "decided_on": SQLBind(s.decision?.on.description),
            "paperwork_due_on": SQLBind(s.paperworkDueOn?.description), "paperwork_done_on": SQLBind(s.paperworkDoneOn?.description),
            "investigators": SQLBind(String(decoding: (try? encoder.encode(s.investigators)) ?? Data("[]".utf8), as: UTF8.self)),
            "extension_reason": SQLBind(s.extensionReason),
            "decision": SQLBind(s.decision.flatMap { try? encoder.encode($0) }.map { String(decoding: $0, as: UTF8.self) }),
            "task_region": SQLBind(task?.regions.first?.value), "task_region2": SQLBind(task.flatMap { $0.regions.count > 1 ? $0.regions[1].value : nil }),
            "task_roles": SQLBind(task.map { "," + $0.roles.map(\.rawValue).joined(separator: ",") + "," }),
            "step_due_on": SQLBind(clock.stepDue?.date.description), "step_due_provisional": SQLBind(clock.stepDue?.provisional ?? false),
            "process_due_on": SQLBind(clock.processDue?.date.description), "process_due_provisional": SQLBind(clock.processDue?.provisional ?? false),
        ]
    }

    static func event(_ tx: any Database, _ id: UUID, _ actor: Actor, _ today: LocalDate, _ now: Date, action: String, step: CaseStep?, note: String,
                      record: CaseRecord? = nil) async throws {
        let json = try record.map(StoredJSON.text)
        try await tx.sql.insert(into: "case_events").columns("id", "case_id", "at", "on_day", "username", "role", "action", "step", "note", "record")
            .values(SQLBind(UUID()), SQLBind(id), SQLBind(Timestamp.text(now)), SQLBind(today.description), SQLBind(actor.username),
                    SQLBind(actor.role.rawValue), SQLBind(action), SQLBind(step?.rawValue), SQLBind(note), SQLBind(json)).run()
    }

    // MARK: acting

    /// Takes one step on the version the person read. Someone else's change since then → `staleVersion`, nothing
    /// written. An approval creates the enrolment (or changes the amount of the one in force) in the same transaction.
    /// `assessment`: the calculator's view attached to this step (the first review's opinion rests on it), kept with the case.
    public func act(_ id: UUID, _ action: CaseAction, expectedVersion: Int, actor: Actor, today: LocalDate, assessment: String? = nil,
                    now: Date = Date()) async throws -> CaseSummary {
        guard actor.may(.handleCases) else { throw DomainError.forbidden }
        try await db.writeTransaction { tx in
            guard let row = try await visible(tx.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("cases").where("id", .equal, id), actor).first()
            else { throw CaseStoreError.notFound }
            let state = try Self.state(row)
            let process = try process(state.kind)
            // 守信激励: only the acceptance step asks for certificates.
            let honest = state.step == .acceptance ? try await SpotChecks.hasHonestRecord(try row.decode(column: "household_id", as: UUID.self), in: tx) : false
            let context = try CaseContext.resolve(process, state, household: try Self.household(row), parameters: parameters, calendar: calendar, on: today,
                                                  honestRecord: honest)
            let (next, note): (CaseState, String)
            do {
                (next, note) = try CaseWorkflow.apply(action, to: state, expectedVersion: expectedVersion, by: actor, on: today, process: process,
                                                      context: context)
            } catch let e as CaseError { throw CaseStoreError.workflow(e) }
            var update = tx.sql.update("cases")
            for (k, v) in Self.values(next, process: process, calendar: calendar, today: today) { update = update.set(SQLIdentifier(k), to: v) }
            // The version in the WHERE makes two writers who read the same version exclusive on PostgreSQL too (the
            // second, after the first commits, matches no row).
            if let assessment { update = update.set("assessment", to: assessment) }
            let changed = try await update.set("updated_at", to: Timestamp.text(now)).where("id", .equal, id).where("version", .equal, expectedVersion)
                .returning("id").all()
            guard !changed.isEmpty else { throw CaseStoreError.workflow(.staleVersion(current: state.version + 1)) }
            try await Self.event(tx, id, actor, today, now, action: action.name, step: state.step, note: note, record: action.record)
            // Help first granted by the township: drawn from its reserve fund in the same transaction, refused over the balance.
            if next.status == .approved, state.status == .open, let decision = next.decision, process.fastTrack?.fromReserveFund == true,
               actor.role == .townshipOfficer, let township = next.grantingRegion.ancestor(at: .township) {
                do {
                    try await ReserveFunds.draw(tx, township: township, amount: Cents(decision.amountCents), caseID: id,
                                                note: "\(try row.decode(column: "code", as: String.self))，领款人 \(decision.payee ?? "")", actor: actor, now: now)
                } catch let e as ReserveFundError { throw CaseStoreError.reserveFund(e) }
            }
            if next.status == .approved, state.status == .open, let decision = next.decision {
                try await Enrolling.enrol(tx, process: process, household: try row.decode(column: "household_id", as: UUID.self),
                                          member: try row.decode(column: "member_id", as: UUID?.self), residence: next.residenceRegion,
                                          decision: decision, today: today)
            }
            try await AuditLog(tx).record(actor: actor, action: .actOnCase, targetKind: "case", targetID: id.uuidString.lowercased(),
                                          detail: "\(try row.decode(column: "code", as: String.self))：\(action.chinese)" + (note.isEmpty ? "" : "（\(note)）"), at: now)
        }
        guard let s = try await summary(id, actor: actor) else { throw CaseStoreError.notFound }
        return s
    }

    // MARK: reading

    /// The household as the case recorded it, with what the home visit found (the home's condition, the applicant's
    /// self-care), for the first review that re-assesses it; the step itself is audited, so this read adds no entry.
    public func verifiedHousehold(_ id: UUID, actor: Actor) async throws -> AssessmentRequest? {
        guard let (row, household) = try await recorded(id, actor: actor) else { return nil }
        let visit = try await db.sql.select().column("record").from("case_events").where("case_id", .equal, id).where("action", .equal, "recordVisit")
            .orderBy("at", .descending).first()?.decode(column: "record", as: String?.self).flatMap(Self.record)
        guard case .visit(let v)? = visit else { return household }
        return v.applied(to: household, applicant: try row.decode(column: "member_id", as: UUID?.self)?.description)
    }

    /// The household as the case recorded it when it was opened (the registry's facts with their sources and dates),
    /// for the form of a step that works from it (who signs, the verification report's items).
    public func household(_ id: UUID, actor: Actor) async throws -> AssessmentRequest? {
        try await recorded(id, actor: actor)?.1
    }

    func recorded(_ id: UUID, actor: Actor) async throws -> (any SQLRow, AssessmentRequest)? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard let row = try await visible(db.sql.select().columns("snapshot", "member_id").from("cases").where("id", .equal, id), actor).first(),
              let household = try Self.household(row) else { return nil }
        return (row, household)
    }

    static func household(_ row: any SQLRow) throws -> AssessmentRequest? {
        try row.decode(column: "snapshot", as: String?.self).flatMap { try? JSONDecoder().decode(AssessmentRequest.self, from: Data($0.utf8)) }
    }

    static func record(_ json: String) -> CaseRecord? { try? JSONDecoder().decode(CaseRecord.self, from: Data(json.utf8)) }

    public func summary(_ id: UUID, actor: Actor) async throws -> CaseSummary? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        return try await visible(db.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("cases").where("id", .equal, id), actor).first().map(Self.summary)
    }

    /// A case's page: audited as a read, like a profile.
    public func detail(_ id: UUID, actor: Actor, today: LocalDate) async throws -> CaseDetail? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard let row = try await visible(db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("cases").where("id", .equal, id), actor).first()
        else { return nil }
        let state = try Self.state(row)
        let process = try process(state.kind)
        let events = try await db.sql.select().columns("at", "on_day", "username", "role", "action", "step", "note", "record").from("case_events")
            .where("case_id", .equal, id).orderBy("at").all().map { e in
                CaseEventRecord(at: Timestamp.date(try e.decode(column: "at", as: String.self)) ?? .distantPast,
                                onDay: try LocalDate(try e.decode(column: "on_day", as: String.self)), username: try e.decode(column: "username", as: String.self),
                                role: Role(rawValue: try e.decode(column: "role", as: String.self)) ?? .auditor,
                                action: try e.decode(column: "action", as: String.self),
                                step: try e.decode(column: "step", as: String?.self).flatMap(CaseStep.init(rawValue:)), note: try e.decode(column: "note", as: String.self),
                                record: try e.decode(column: "record", as: String?.self).flatMap(Self.record))
            }
        let summary = try Self.summary(row)
        let household = try Self.household(row)
        let honest = state.step == .acceptance ? try await SpotChecks.hasHonestRecord(try row.decode(column: "household_id", as: UUID.self), in: db) : false
        let context = try CaseContext.resolve(process, state, household: household, parameters: parameters, calendar: calendar, on: today, honestRecord: honest)
        let minimal = RegistrationPlaceView.caseIsMinimal(actor: actor, state: state, process: process)
        try await AuditLog(db).record(actor: actor, action: .readCase, targetKind: "case", targetID: id.uuidString.lowercased(),
                                      detail: "查看申请 \(summary.code)\(minimal ? "（无办理环节，最少信息）" : "")")
        return CaseDetail(summary: summary, state: state, process: process, clock: CaseClock(state, process: process, calendar: calendar, today: today),
                          events: minimal ? events.map { var e = $0; e.note = ""; e.record = nil; return e } : events,
                          snapshot: minimal ? nil : try row.decode(column: "snapshot", as: String?.self), household: minimal ? nil : household,
                          assessment: minimal ? nil : try row.decode(column: "assessment", as: String?.self),
                          isTask: CaseWorkflow.isTask(of: actor, state, process, delegationLimit: context.delegationLimit), context: context,
                          statusToken: try row.decode(column: "status_token", as: String.self), warningID: try row.decode(column: "warning_id", as: UUID?.self),
                          minimal: minimal)
    }

    /// An inbox: the reader's own tasks by default (the step is theirs: their role, their office), due soonest first;
    /// or every case they can see. With the total, for the page's count.
    public func inbox(actor: Actor, filter: CaseFilter, today: LocalDate, offset: Int, limit: Int) async throws -> (items: [CaseSummary], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            var q = q
            if filter.tasksOnly {
                // Whose task is in the task columns, set for an open case's step and for help first's paperwork after the grant.
                q = q.where("task_roles", .like, "%,\(actor.role.rawValue),%")
                    .where { w in w.where { $0.within(actor.jurisdiction, column: "task_region") }.orWhere { $0.within(actor.jurisdiction, column: "task_region2") } }
            } else {
                q = visible(q, actor)
            }
            if let s = filter.status { q = q.where("status", .equal, s.rawValue) }
            if let k = filter.kind { q = q.where("kind", .equal, k.rawValue) }
            if let st = filter.step { q = q.where("step", .equal, st.rawValue) }
            if filter.overdueOnly {
                let t = today.description
                q = q.where { w in
                    w.where { $0.where("status", .equal, CaseStatus.open.rawValue).where { $0.where("step_due_on", .lessThan, t).orWhere("process_due_on", .lessThan, t) } }
                        .orWhere { $0.where("paperwork_due_on", .lessThan, t).where("paperwork_done_on", .is, SQLLiteral.null) }
                }
            }
            return q
        }
        // The count and the page at once: on PostgreSQL they run on two pooled connections.
        async let counted = scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("cases")).first()
        async let page = scoped(db.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("cases"))
            .orderBy(SQLRaw("COALESCE(step_due_on, process_due_on, '9999-12-31')")).orderBy("applied_on").orderBy("id")
            .offset(offset).limit(limit).all()
        let (count, rows) = try await (counted, page)
        return (try rows.map(Self.summary), try count?.decode(column: "n", as: Int.self) ?? 0)
    }

    // MARK: rows

    static func summary(_ r: any SQLRow) throws -> CaseSummary {
        let decoder = JSONDecoder()
        return CaseSummary(id: try r.decode(column: "id", as: UUID.self), code: try r.decode(column: "code", as: String.self),
                           kind: CaseKind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .dibao,
                           program: Program(rawValue: try r.decode(column: "program", as: String.self)) ?? .dibao,
                           channel: CaseChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .window,
                           status: CaseStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .open,
                           step: try r.decode(column: "step", as: String?.self).flatMap(CaseStep.init(rawValue:)),
                           version: try r.decode(column: "version", as: Int.self), householdID: try r.decode(column: "household_id", as: UUID.self),
                           memberID: try r.decode(column: "member_id", as: UUID?.self), applicantName: try r.decode(column: "applicant_name", as: String.self),
                           residenceRegion: try r.decode(column: "residence_region", as: String.self),
                           registeredRegion: try r.decode(column: "registered_region", as: String.self),
                           emergencyRegion: try r.decode(column: "emergency_region", as: String?.self),
                           appliedOn: try LocalDate(try r.decode(column: "applied_on", as: String.self)),
                           acceptedOn: try r.decode(column: "accepted_on", as: String?.self).map { try LocalDate($0) },
                           stepDueOn: try r.decode(column: "step_due_on", as: String?.self).map { try LocalDate($0) },
                           stepDueProvisional: try r.decode(column: "step_due_provisional", as: Bool.self),
                           processDueOn: try r.decode(column: "process_due_on", as: String?.self).map { try LocalDate($0) },
                           processDueProvisional: try r.decode(column: "process_due_provisional", as: Bool.self),
                           decision: try r.decode(column: "decision", as: String?.self).flatMap { try? decoder.decode(CaseDecision.self, from: Data($0.utf8)) },
                           paperworkDueOn: try r.decode(column: "paperwork_due_on", as: String?.self).map { try LocalDate($0) },
                           paperworkDone: try r.decode(column: "paperwork_done_on", as: String?.self) != nil)
    }

    static func state(_ r: any SQLRow) throws -> CaseState {
        let summary = try summary(r)
        var s = CaseState(kind: summary.kind, residenceRegion: try RegionCode(summary.residenceRegion), registrationRegion: try RegionCode(summary.registeredRegion),
                          emergencyRegion: try summary.emergencyRegion.map { try RegionCode($0) }, appliedOn: summary.appliedOn, staffRelative: try r.decode(column: "staff_relative", as: Bool.self))
        s.status = summary.status
        s.step = summary.step
        s.version = summary.version
        let done = (try? JSONDecoder().decode([String: String].self, from: Data(try r.decode(column: "done_steps", as: String.self).utf8))) ?? [:]
        s.done = Dictionary(uniqueKeysWithValues: try done.compactMap { k, v in try CaseStep(rawValue: k).map { ($0, try LocalDate(v)) } })
        s.investigators = (try? JSONDecoder().decode([String].self, from: Data(try r.decode(column: "investigators", as: String.self).utf8))) ?? []
        s.extensionReason = try r.decode(column: "extension_reason", as: String?.self)
        s.noticeFrom = try r.decode(column: "notice_from", as: String?.self).map { try LocalDate($0) }
        s.objectionPending = try r.decode(column: "objection_pending", as: Bool.self)
        s.spotChecked = try r.decode(column: "spot_checked", as: Bool.self)
        s.materialsRequestedOn = try r.decode(column: "materials_requested_on", as: String?.self).map { try LocalDate($0) }
        s.paperworkDueOn = summary.paperworkDueOn
        s.paperworkDoneOn = try r.decode(column: "paperwork_done_on", as: String?.self).map { try LocalDate($0) }
        s.decision = summary.decision
        return s
    }
}

/// Case codes people read out and tokens no one can guess.
enum CaseCodes {
    /// Crockford's base-32 without the letters people misread (I, L, O, U).
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// "DB-2503-7K3QX2M8": the programme, the year and month, and 40 random bits (the database's unique index
    /// catches the rare repeat).
    static func code(kind: CaseKind, on day: LocalDate) -> String {
        let prefix: String = {
            switch kind {
            case .dibao: return "DB"
            case .tekun: return "TK"
            case .nearDibao: return "BY"
            case .expenditureHardship: return "GX"
            case .temporaryExpenditure, .temporaryEmergency: return "LS"
            }
        }()
        var n = UInt64.random(in: 0..<(1 << 40))
        var chars: [Character] = []
        for _ in 0..<8 { chars.append(alphabet[Int(n & 31)]); n >>= 5 }
        return "\(prefix)-\(String(day.year % 100).leftPadded(2))\(String(day.month).leftPadded(2))-\(String(chars))"
    }

    /// 128 random bits for the resident's status page link.
    static func token() -> String {
        (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16).leftPadded(16) }.joined()
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
