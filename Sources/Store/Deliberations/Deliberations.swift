import Domain
import FluentKit
import Foundation
import SQLKit

/// A deliberation with its row's identity.
public struct DeliberationRecord: Sendable, Equatable {
    public var id: UUID
    public var householdID: UUID
    public var caseID: UUID?
    public var warningID: UUID?
    public var state: DeliberationState
    public var decidedOn: LocalDate?
    /// The household head's name, in lists of open deliberations (not in the precedent list).
    public var headName: String?
}

public enum DeliberationStoreError: Error, Equatable, Sendable {
    case notFound
    case workflow(DeliberationError)
    public var chinese: String {
        switch self {
        case .notFound: return "未找到该家庭或一事一议，或不在您的辖区"
        case .workflow(let e): return e.chinese
        }
    }
}

/// 一事一议 in the database: opened for a household of the jurisdiction, a meeting recorded at each level in a
/// transaction with its version check, a monthly decision enrolling the household in the same transaction; the
/// decided ones are the precedent list, searchable by situation. Scoped by the one jurisdiction filter; audited.
public struct Deliberations: Sendable {
    let db: any Database
    let parameters: ParameterSet
    public let levels: DeliberationLevels

    public init(_ db: any Database, parameters: ParameterSet, levels: DeliberationLevels) {
        self.db = db
        self.parameters = parameters
        self.levels = levels
    }

    static let columns = ["id", "household_id", "case_id", "warning_id", "source", "situation", "tags", "level", "status", "version", "residence_region",
                          "registered_region", "opened_by", "opened_on", "decided_on", "meetings"]

    public struct Origin: Sendable {
        public var caseID: UUID?
        public var warningID: UUID?
        public init(caseID: UUID? = nil, warningID: UUID? = nil) {
            self.caseID = caseID
            self.warningID = warningID
        }
    }

    public func open(household: UUID, situation: String, tags: [String], origin: Origin = Origin(), actor: Actor, today: LocalDate,
                     now: Date = Date()) async throws -> UUID {
        let id = UUID()
        try await db.writeTransaction { tx in
            guard let h = try await tx.sql.select().columns("residence_region", "registered_region").from("households").where("id", .equal, household)
                .livingOrRegistered(in: actor.jurisdiction).first() else { throw DeliberationStoreError.notFound }
            let source: DeliberationSource = origin.caseID != nil ? .caseFile : origin.warningID != nil ? .warning : .staff
            let state: DeliberationState
            do {
                state = try DeliberationWorkflow.open(situation: situation, tags: tags, source: source,
                                                      residence: try RegionCode(try h.decode(column: "residence_region", as: String.self)),
                                                      registration: try RegionCode(try h.decode(column: "registered_region", as: String.self)),
                                                      levels: levels, by: actor, on: today)
            } catch let e as DeliberationError { throw DeliberationStoreError.workflow(e) }
            try await tx.sql.insert(into: "deliberations").columns(Self.columns)
                .values(SQLBind(id), SQLBind(household), SQLBind(origin.caseID), SQLBind(origin.warningID), SQLBind(source.rawValue), SQLBind(state.situation),
                        SQLBind(Self.tagText(state.tags)), SQLBind(state.level.rawValue), SQLBind(state.status.rawValue), SQLBind(state.version),
                        SQLBind(state.residenceRegion.value), SQLBind(state.registrationRegion.value), SQLBind(actor.username), SQLBind(today.description),
                        SQLBind(nil as String?), SQLBind("[]"))
                .run()
            try await AuditLog(tx).record(actor: actor, action: .openDeliberation, targetKind: "deliberation", targetID: id.uuidString.lowercased(),
                                          detail: "提请一事一议（\(state.level.chinese)）：\(state.situation)", at: now)
        }
        return id
    }

    /// Tags stored between commas, so that one can be found with LIKE '%,tag,%'.
    static func tagText(_ tags: [String]) -> String { "," + tags.joined(separator: ",") + "," }

    /// A level's meeting: its record is added, and the deliberation goes up a level or is decided. A monthly
    /// decision enrols the household from the month the rules give, in the same transaction.
    public func recordMeeting(_ id: UUID, _ meeting: DeliberationMeeting, expectedVersion: Int, actor: Actor, today: LocalDate,
                              now: Date = Date()) async throws {
        try await db.writeTransaction { tx in
            guard let row = try await tx.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("deliberations").where("id", .equal, id)
                .livingOrRegistered(in: actor.jurisdiction).first() else { throw DeliberationStoreError.notFound }
            let record = try Self.record(row)
            let s = record.state
            let limit = try levels.rule(s.level)?.limitParameter.map { name in
                try parameters.resolve(name, region: s.residenceRegion, date: today).amount?.value
            } ?? nil
            let next: DeliberationState
            do {
                next = try DeliberationWorkflow.record(meeting, on: s, expectedVersion: expectedVersion, levels: levels, limitCents: limit, by: actor, today: today)
            } catch let e as DeliberationError { throw DeliberationStoreError.workflow(e) }
            let decided = next.status != .open
            let changed = try await tx.sql.update("deliberations").set("level", to: next.level.rawValue).set("status", to: next.status.rawValue)
                .set("version", to: next.version).set("meetings", to: try StoredJSON.text(next.meetings))
                .set("decided_on", to: decided ? today.description : nil).set("amount_cents", to: decided ? next.decision?.outcome.amountCents : nil)
                .where("id", .equal, id).where("version", .equal, expectedVersion).returning("id").all()
            guard !changed.isEmpty else { throw DeliberationStoreError.workflow(.staleVersion) }
            if case .monthly(let program, let amount)? = next.decision?.outcome {
                // From the decision date where the region's rule says so, else from the month after [DB 24–25; YC].
                let fromDecision = try parameters.resolve("benefitFromDecisionDate", region: s.registrationRegion, date: today).value == .flag(true)
                try await Enrolling.enrol(tx, program: program, household: record.householdID, member: nil, residence: s.residenceRegion, amountCents: amount,
                                          since: fromDecision ? today : today.firstOfNextMonth, today: today)
            }
            let m = next.meetings.last!
            try await AuditLog(tx).record(actor: actor, action: .recordDeliberation, targetKind: "deliberation", targetID: id.uuidString.lowercased(),
                                          detail: "\(m.level.chinese)议事（\(m.participants.count) 人）：\(m.outcome.chinese)", at: now)
        }
    }

    public enum Filter: String, Sendable, CaseIterable {
        /// Waiting for a meeting.
        case open
        /// The precedent list: decided ones.
        case decided
    }

    /// Open deliberations (oldest first) or decided ones (newest first), matching `text` in the situation and
    /// `tag`; with the total.
    public func list(actor: Actor, filter: Filter, text: String? = nil, tag: String? = nil, offset: Int, limit: Int) async throws
        -> (items: [DeliberationRecord], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            var q = q.from("deliberations").livingOrRegistered(in: actor.jurisdiction)
            q = filter == .open ? q.where("status", .equal, DeliberationStatus.open.rawValue) : q.where("status", .notEqual, DeliberationStatus.open.rawValue)
            if let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty { q = q.where("situation", .like, "%" + Self.likeEscaped(t) + "%") }
            if let tag, levels.situation(tag) != nil { q = q.where("tags", .like, "%," + tag + ",%") }
            return q
        }
        async let count = scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()
        var q = scoped(db.sql.select().columns(Self.columns.map { SQLColumn($0) }))
        if filter == .open {
            q = q.headName(of: "deliberations").orderBy("opened_on")
        } else {
            q = q.orderBy("decided_on", .descending)
        }
        let rows = try await q.orderBy("id").offset(offset).limit(limit).all()
        let items = try rows.map { r in
            var record = try Self.record(r)
            if filter == .open { record.headName = try r.decode(column: "head_name", as: String?.self) }
            return record
        }
        try await AuditLog(db).record(actor: actor, action: .readDeliberation, targetKind: "deliberations", targetID: filter.rawValue,
                                      detail: filter == .open ? "查看待议事项" : "查阅一事一议先例" + (text.map { "：\($0)" } ?? ""))
        return (items, try await count?.decode(column: "n", as: Int.self) ?? 0)
    }

    /// `%` and `_` typed in a search are themselves, not wildcards (SQLite and PostgreSQL both take `\` by default
    /// only in PostgreSQL, so they are dropped instead).
    static func likeEscaped(_ s: String) -> String { s.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") }

    /// How many decided deliberations each situation has, in the reader's jurisdiction: a situation decided again
    /// and again is a candidate for a rule change.
    public func decidedBySituation(actor: Actor) async throws -> [String: (approved: Int, refused: Int)] {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        let rows = try await db.sql.select().columns("tags", "status").from("deliberations").livingOrRegistered(in: actor.jurisdiction)
            .where("status", .notEqual, DeliberationStatus.open.rawValue).all()
        var out: [String: (approved: Int, refused: Int)] = [:]
        for r in rows {
            let approved = try r.decode(column: "status", as: String.self) == DeliberationStatus.approved.rawValue
            for t in try r.decode(column: "tags", as: String.self).split(separator: ",") {
                var c = out[String(t)] ?? (0, 0)
                if approved { c.approved += 1 } else { c.refused += 1 }
                out[String(t)] = c
            }
        }
        return out
    }

    /// One deliberation, audited as a read.
    public func detail(_ id: UUID, actor: Actor) async throws -> DeliberationRecord? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard let row = try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("deliberations").where("id", .equal, id)
            .livingOrRegistered(in: actor.jurisdiction).first() else { return nil }
        try await AuditLog(db).record(actor: actor, action: .readDeliberation, targetKind: "deliberation", targetID: id.uuidString.lowercased(), detail: "查看一事一议")
        return try Self.record(row)
    }

    static func record(_ r: any SQLRow) throws -> DeliberationRecord {
        func text(_ c: String) throws -> String { try r.decode(column: c, as: String.self) }
        let meetings = try JSONDecoder().decode([DeliberationMeeting].self, from: Data(try text("meetings").utf8))
        let state = DeliberationState(situation: try text("situation"), tags: try text("tags").split(separator: ",").map(String.init),
                                      source: DeliberationSource(rawValue: try text("source")) ?? .staff,
                                      level: DeliberationLevel(rawValue: try text("level")) ?? .township,
                                      status: DeliberationStatus(rawValue: try text("status")) ?? .open, version: try r.decode(column: "version", as: Int.self),
                                      residenceRegion: try RegionCode(try text("residence_region")), registrationRegion: try RegionCode(try text("registered_region")),
                                      openedBy: try text("opened_by"), openedOn: try LocalDate(try text("opened_on")), meetings: meetings)
        return DeliberationRecord(id: try r.decode(column: "id", as: UUID.self), householdID: try r.decode(column: "household_id", as: UUID.self),
                                  caseID: try r.decode(column: "case_id", as: UUID?.self), warningID: try r.decode(column: "warning_id", as: UUID?.self),
                                  state: state, decidedOn: try r.decode(column: "decided_on", as: String?.self).map { try LocalDate($0) })
    }
}
