import Domain
import FluentKit
import Foundation
import SQLKit

public struct HelpRequestRecord: Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var name: String
    public var maskedID: String
    public var phone: String
    public var need: String
    public var channel: CaseChannel
    public var townshipRegion: String
    public var householdID: UUID?
    public var status: HelpRequestStatus
    public var createdAt: Date
    public var contactDueOn: LocalDate
    public var contactDueProvisional: Bool
    public var note: String?
    /// The application the request became.
    public var caseID: UUID?
}

/// Residents' online requests for help: taken from the public page (no account, rate-limited, audited by address),
/// listed for the township where they live with the day they must be contacted by, and handled there.
public struct HelpRequests: Sendable {
    let db: any Database
    let calendar: WorkingCalendar
    let parameters: ParameterSet

    public init(_ db: any Database, calendar: WorkingCalendar, parameters: ParameterSet) {
        self.db = db
        self.calendar = calendar
        self.parameters = parameters
    }

    /// Keeps the request and answers with its code and the day the township must call by. The ID number is matched
    /// exactly against the registry so the township sees the household at once; nothing is shown back but this.
    public func submit(_ form: HelpRequestForm, townships: [RegionCode], today: LocalDate, origin: String, now: Date = Date()) async throws -> (code: String, contactBy: Deadline) {
        try await record(form, channel: .online, townships: townships, today: today, actor: nil, origin: origin, now: now)
    }

    /// A call to the hotline, recorded by the staff member who took it, as a request the township then handles.
    public func recordCall(_ form: HelpRequestForm, townships: [RegionCode], today: LocalDate, actor: Actor, now: Date = Date()) async throws -> (code: String, contactBy: Deadline) {
        guard actor.may(.handleCases) else { throw DomainError.forbidden }
        return try await record(form, channel: .hotline, townships: townships, today: today, actor: actor, origin: actor.origin, now: now)
    }

    func record(_ form: HelpRequestForm, channel: CaseChannel, townships: [RegionCode], today: LocalDate, actor: Actor?, origin: String,
                now: Date) async throws -> (code: String, contactBy: Deadline) {
        let v = try form.validated(townships: townships)
        let days = try parameters.resolve("helpRequestContactWorkingDays", region: v.township, date: today)
        guard case .integer(let n) = days.value, n > 0 else { throw PolicyError.wrongType(name: "helpRequestContactWorkingDays", expected: "整数") }
        let due = calendar.deadline(workingDays: n, after: today)
        let code = "QZ-" + CaseCodes.code(kind: .dibao, on: today).dropFirst(3)
        let id = UUID()
        try await db.writeTransaction { tx in
            let cipher = try DataCipher.inUse()
            let household = try await tx.sql.select().column("household_id").from("members").where("national_id_index", .equal, cipher.blindIndex(v.id.value))
                .first()?.decode(column: "household_id", as: UUID.self)
            try await tx.sql.insert(into: "help_requests")
                .columns("id", "code", "name", "national_id_sealed", "phone_sealed", "phone_index", "phone_tail", "need", "channel", "township_region",
                         "household_id", "status", "created_at", "contact_due_on", "contact_due_provisional")
                .values(SQLBind(id), SQLBind(code), SQLBind(v.name), SQLBind(try cipher.seal(text: v.id.value)), SQLBind(try cipher.seal(text: v.phone)),
                        SQLBind(cipher.blindIndex(v.phone)), SQLBind(SealedColumns.tail(v.phone)), SQLBind(v.need), SQLBind(channel.rawValue),
                        SQLBind(v.township.value),
                        SQLBind(household), SQLBind(HelpRequestStatus.new.rawValue), SQLBind(Timestamp.text(now)), SQLBind(due.date.description),
                        SQLBind(due.provisional))
                .run()
            if let actor {
                try await AuditLog(tx).record(actor: actor, action: .helpRequest, targetKind: "helpRequest", targetID: id.uuidString.lowercased(),
                                              detail: "热线来电登记 \(code)，乡镇（街道）\(v.township.value)", at: now)
            } else {
                try await AuditLog(tx).recordPublic(action: .helpRequest, region: v.township, targetKind: "helpRequest", targetID: id.uuidString.lowercased(),
                                                    detail: "在线求助 \(code)，乡镇（街道）\(v.township.value)", origin: origin, at: now)
            }
        }
        return (code, due)
    }

    /// The requests of the reader's township (or community's township), oldest due first; open ones unless `all`.
    /// With `phone` (a whole number, or its last four digits), a caller's requests of any status: the whole number is
    /// found by its blind index, the last four by the stored tail — the numbers themselves rest sealed.
    public func list(actor: Actor, all: Bool = false, phone: String? = nil, offset: Int = 0, limit: Int = 50) async throws -> (items: [HelpRequestRecord], total: Int) {
        guard actor.may(.handleCases) else { throw DomainError.forbidden }
        let area = Self.area(actor)
        let caller = try phone.map(Self.callerNumber)
        let cipher = try DataCipher.inUse()
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            let q = q.where { $0.within(area, column: "township_region") }
            if let caller {
                return caller.count == SealedColumns.tailLength ? q.where("phone_tail", .equal, caller) : q.where("phone_index", .equal, cipher.blindIndex(caller))
            }
            return all ? q : q.where("status", .in, [HelpRequestStatus.new.rawValue, HelpRequestStatus.contacted.rawValue])
        }
        let total = try await scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("help_requests")).first()?
            .decode(column: "n", as: Int.self) ?? 0
        let rows = try await scoped(db.sql.select().columns("id", "code", "name", "national_id_sealed", "phone_sealed", "need", "channel", "township_region", "household_id", "status",
                                                             "created_at", "contact_due_on", "contact_due_provisional", "note", "case_id").from("help_requests"))
            .orderBy("contact_due_on").orderBy("created_at").offset(offset).limit(limit).all()
        return (try rows.map { r in
            let raw = try cipher.open(try r.decode(column: "national_id_sealed", as: String.self))
            return HelpRequestRecord(id: try r.decode(column: "id", as: UUID.self), code: try r.decode(column: "code", as: String.self),
                                     name: try r.decode(column: "name", as: String.self),
                                     maskedID: (try? NationalID(raw).masked) ?? String(raw.prefix(6)) + "********",
                                     phone: try cipher.open(try r.decode(column: "phone_sealed", as: String.self)), need: try r.decode(column: "need", as: String.self),
                                     channel: CaseChannel(rawValue: try r.decode(column: "channel", as: String.self)) ?? .online,
                                     townshipRegion: try r.decode(column: "township_region", as: String.self),
                                     householdID: try r.decode(column: "household_id", as: UUID?.self),
                                     status: HelpRequestStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .new,
                                     createdAt: Timestamp.date(try r.decode(column: "created_at", as: String.self)) ?? .distantPast,
                                     contactDueOn: try LocalDate(try r.decode(column: "contact_due_on", as: String.self)),
                                     contactDueProvisional: try r.decode(column: "contact_due_provisional", as: Bool.self),
                                     note: try r.decode(column: "note", as: String?.self), caseID: try r.decode(column: "case_id", as: UUID?.self))
        }, total)
    }

    /// A number to look a caller up by: its digits, as a request keeps them (`HelpRequestForm.validated`), whole or the last four.
    static func callerNumber(_ typed: String) throws -> String {
        let digits = HelpRequestForm.phoneDigits(typed)
        guard digits.allSatisfy(\.isNumber), digits.count == SealedColumns.tailLength || HelpRequestForm.landlineDigits.contains(digits.count) else {
            throw CaseStoreError.workflow(.reasonRequired("来电号码（完整号码或后四位）"))
        }
        return digits
    }

    /// Whose requests a person handles: a coordinator's community lies inside a township, and they see that
    /// township's requests, to help call; everyone else their own jurisdiction.
    static func area(_ actor: Actor) -> RegionCode {
        actor.role == .coordinator ? (actor.jurisdiction.ancestor(at: .township) ?? actor.jurisdiction) : actor.jurisdiction
    }

    /// Records that the township called (`contacted`) or closed it, with a note. A request becomes `converted` only
    /// by opening its application (`CaseStore.open` with the request), so that it always points at a case.
    public func handle(_ id: UUID, to status: HelpRequestStatus, note: String, actor: Actor, now: Date = Date()) async throws {
        guard actor.may(.openCases) else { throw DomainError.forbidden }
        guard status == .contacted || status == .closed else { throw CaseStoreError.helpRequestUnavailable }
        let text = note.trimmingCharacters(in: .whitespacesAndNewlines)
        if status == .closed, text.isEmpty { throw CaseStoreError.workflow(.reasonRequired("办结说明")) }
        let area = Self.area(actor)
        try await db.writeTransaction { tx in
            let changed = try await tx.sql.update("help_requests").set("status", to: status.rawValue).set("note", to: text)
                .set("handled_by", to: actor.username).set("handled_at", to: Timestamp.text(now))
                .where("id", .equal, id).where { $0.within(area, column: "township_region") }.returning("id").all()
            guard !changed.isEmpty else { throw CaseStoreError.notFound }
            try await AuditLog(tx).record(actor: actor, action: .handleHelpRequest, targetKind: "helpRequest", targetID: id.uuidString.lowercased(),
                                          detail: "\(status.chinese)" + (text.isEmpty ? "" : "：\(text)"), at: now)
        }
    }
}
