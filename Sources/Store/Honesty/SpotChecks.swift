import Domain
import FluentKit
import Foundation
import SQLKit

/// A spot check or trace-back with its row's identity.
public struct SpotCheckRecord: Sendable, Equatable {
    public var id: UUID
    public var caseID: UUID
    public var householdID: UUID
    public var warningID: UUID?
    public var changeID: UUID?
    public var state: SpotCheckState
    /// The household head's name, in lists.
    public var headName: String?
}

public enum SpotCheckStoreError: Error, Equatable, Sendable {
    case notFound
    case workflow(SpotCheckError)
    public var chinese: String {
        switch self {
        case .notFound: return "未找到该核查，或不在您的辖区"
        case .workflow(let e): return e.chinese
        }
    }
}

/// What a draw did.
public struct SpotCheckDraw: Sendable, Equatable {
    public var candidates = 0
    public var drawn = 0
    public var tracedBack = 0

    public init(candidates: Int = 0, drawn: Int = 0, tracedBack: Int = 0) {
        (self.candidates, self.drawn, self.tracedBack) = (candidates, drawn, tracedBack)
    }
}

/// The honesty loop in the database: the draw (a share of the commitment cases decided in a period, at random) and
/// the trace-backs (every decided case a later warning touched); the result, which for a false declaration puts the
/// head on the dishonesty list and proposes stopping the enrolment in the same transaction; the honest record that
/// waives certificates next time. Scoped by the one jurisdiction filter; audited.
public struct SpotChecks: Sendable {
    let db: any Database
    let parameters: ParameterSet

    public init(_ db: any Database, parameters: ParameterSet) {
        self.db = db
        self.parameters = parameters
    }

    static let columns = ["id", "case_id", "household_id", "warning_id", "kind", "program", "status", "version", "residence_region", "registered_region",
                          "drawn_on", "finding", "recover_cents", "checked_by", "checked_on", "change_id"]

    /// Draws the region's `commitmentSpotCheckPercent` of the approved cases decided on a signed commitment between
    /// `from` and `to` (not drawn before), and opens a trace-back for every approved case whose household a warning
    /// was raised on after its decision. Running it again draws nothing twice.
    public func draw(from: LocalDate, to: LocalDate, actor: Actor, today: LocalDate, now: Date = Date(),
                     using generator: inout some RandomNumberGenerator) async throws -> SpotCheckDraw {
        guard actor.role == .countyReviewer || actor.role == .cityAdmin else { throw DomainError.forbidden }
        var result = SpotCheckDraw()
        let sql = db.sql
        // A function: a select builder is a reference, and each query adds its own conditions.
        func decided() -> SQLSelectBuilder { sql.select().columns(SQLColumn("id", table: "cases"), SQLColumn("household_id", table: "cases"), SQLColumn("program", table: "cases"),
                                           SQLColumn("residence_region", table: "cases"), SQLColumn("registered_region", table: "cases"))
            .from("cases").where(SQLColumn("status", table: "cases"), .equal, SQLBind(CaseStatus.approved.rawValue))
            .livingOrRegistered(in: actor.jurisdiction, table: "cases") }
        let candidates = try await decided()
            .where(SQLColumn("decided_on", table: "cases"), .greaterThanOrEqual, SQLBind(from.description))
            .where(SQLColumn("decided_on", table: "cases"), .lessThanOrEqual, SQLBind(to.description))
            .where(SQLRaw("EXISTS (SELECT 1 FROM case_events ev WHERE ev.case_id = cases.id AND ev.action = 'recordCommitment')"))
            .where(SQLRaw("NOT EXISTS (SELECT 1 FROM spot_checks s WHERE s.case_id = cases.id AND s.kind = 'random')"))
            .orderBy(SQLColumn("id", table: "cases")).all()
        result.candidates = candidates.count
        // The share is the county's (parameters are set for a county or above); a city-wide draw takes each county's.
        var byCounty: [RegionCode: [any SQLRow]] = [:]
        for r in candidates {
            let region = try RegionCode(try r.decode(column: "registered_region", as: String.self))
            byCounty[region.ancestor(at: .county) ?? region, default: []].append(r)
        }
        var rows: [[any SQLExpression]] = []
        for county in byCounty.keys.sorted(by: { $0.value < $1.value }) {
            guard case .integer(let percent) = try parameters.resolve("commitmentSpotCheckPercent", region: county, date: today).value else {
                throw PolicyError.wrongType(name: "commitmentSpotCheckPercent", expected: "整数")
            }
            for r in SpotCheckWorkflow.draw(byCounty[county] ?? [], percent: percent, using: &generator) {
                rows.append(try Self.row(r, kind: .random, warning: nil, today: today))
            }
        }
        result.drawn = rows.count
        // 问题倒查: a warning raised on the household after the case was decided.
        let traced = try await decided()
            .column(SQLColumn("id", table: "warnings"), as: "warning")
            .join("warnings", on: SQLColumn("household_id", table: "warnings"), .equal, SQLColumn("household_id", table: "cases"))
            .where(SQLColumn("raised_on", table: "warnings"), .greaterThan, SQLColumn("decided_on", table: "cases"))
            .where(SQLRaw("NOT EXISTS (SELECT 1 FROM spot_checks s WHERE s.case_id = cases.id AND s.kind = 'traceBack' AND s.warning_id = warnings.id)"))
            .all()
        for r in traced { rows.append(try Self.row(r, kind: .traceBack, warning: try r.decode(column: "warning", as: UUID.self), today: today)) }
        result.tracedBack = traced.count
        guard !rows.isEmpty else { return result }
        let (all, summary) = (rows, result)
        try await db.writeTransaction { tx in
            try await tx.sql.insertRows("spot_checks", ["id", "case_id", "household_id", "warning_id", "kind", "program", "status", "version",
                                                        "residence_region", "registered_region", "drawn_on"], all)
            try await AuditLog(tx).record(actor: actor, action: .drawSpotChecks, targetKind: "region", targetID: actor.jurisdiction.value,
                                          detail: "告知承诺事项随机抽查 \(summary.drawn) 件（\(from)–\(to) 审批的 \(summary.candidates) 件中），问题倒查 \(summary.tracedBack) 件",
                                          at: now)
        }
        return result
    }

    static func row(_ r: any SQLRow, kind: SpotCheckKind, warning: UUID?, today: LocalDate) throws -> [any SQLExpression] {
        [SQLBind(UUID()), SQLBind(try r.decode(column: "id", as: UUID.self)), SQLBind(try r.decode(column: "household_id", as: UUID.self)), SQLBind(warning),
         SQLBind(kind.rawValue), SQLBind(try r.decode(column: "program", as: String.self)), SQLBind(SpotCheckStatus.open.rawValue), SQLBind(1),
         SQLBind(try r.decode(column: "residence_region", as: String.self)), SQLBind(try r.decode(column: "registered_region", as: String.self)),
         SQLBind(today.description)]
    }

    /// The check's result. A false declaration, in the same transaction: the head goes on the dishonesty list with
    /// the finding as its basis, and stopping the household's enrolment of the programme goes to the county as a
    /// change, with the amount to recover in its reasons [DB 23; DD].
    public func record(_ id: UUID, truthful: Bool, finding: String, recoverCents: Int64?, expectedVersion: Int, actor: Actor, today: LocalDate,
                       now: Date = Date()) async throws {
        try await db.writeTransaction { tx in
            guard let row = try await tx.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("spot_checks").where("id", .equal, id)
                .livingOrRegistered(in: actor.jurisdiction).first() else { throw SpotCheckStoreError.notFound }
            let record = try Self.record(row)
            let next: SpotCheckState
            do {
                next = try SpotCheckWorkflow.record(record.state, truthful: truthful, finding: finding, recoverCents: recoverCents,
                                                    expectedVersion: expectedVersion, by: actor, on: today)
            } catch let e as SpotCheckError { throw SpotCheckStoreError.workflow(e) }
            var changeID: UUID?
            if next.status == .falseDeclaration {
                if let head = try await tx.sql.select().columns("id", "name", "national_id_sealed").from("members")
                    .where("household_id", .equal, record.householdID).where("relation", .equal, Relation.head.rawValue).first() {
                    try await tx.sql.insert(into: "dishonesty_list")
                        .columns("id", "household_id", "member_id", "name", "national_id_sealed", "basis", "listed_on", "spot_check_id", "residence_region", "registered_region")
                        .values(SQLBind(UUID()), SQLBind(record.householdID), SQLBind(try head.decode(column: "id", as: UUID.self)),
                                SQLBind(try head.decode(column: "name", as: String.self)), SQLBind(try head.decode(column: "national_id_sealed", as: String.self)),
                                SQLBind("\(next.kind.chinese)发现虚假申报：\(next.finding ?? "")"), SQLBind(today.description), SQLBind(id),
                                SQLBind(next.residenceRegion.value), SQLBind(next.registrationRegion.value))
                        .run()
                }
                if let enrolment = try await tx.sql.select().column("id").from("enrolments").where("household_id", .equal, record.householdID)
                    .where("program", .equal, next.program.rawValue).where("status", .equal, EnrolmentStatus.active.rawValue).first()?
                    .decode(column: "id", as: UUID.self),
                   try await tx.sql.select().column("id").from("enrolment_changes").where("enrolment_id", .equal, enrolment)
                    .where("status", .equal, ChangeStatus.proposed.rawValue).first() == nil, actor.role == .townshipOfficer {
                    let change = UUID()
                    let recover = next.recoverCents.map { "；应追回 \(Cents($0).yuanText)" } ?? ""
                    try await EnrolmentChanges(tx, parameters: parameters).insertProposal(
                        change, in: tx, enrolment: enrolment, newCents: 0, effectiveOn: today.firstOfNextMonth,
                        reasons: ["\(next.kind.chinese)发现虚假申报：\(next.finding ?? "")\(recover)"], articles: ["DB 23", "DD"], source: .honesty,
                        origin: .init(), exitMonths: nil, assessment: nil, actor: actor, today: today, now: now)
                    changeID = change
                }
            }
            let changed = try await tx.sql.update("spot_checks").set("status", to: next.status.rawValue).set("version", to: next.version)
                .set("finding", to: next.finding).set("recover_cents", to: next.recoverCents).set("checked_by", to: next.checkedBy)
                .set("checked_on", to: next.checkedOn?.description).set("change_id", to: changeID)
                .where("id", .equal, id).where("version", .equal, expectedVersion).returning("id").all()
            guard !changed.isEmpty else { throw SpotCheckStoreError.workflow(.staleVersion) }
            try await AuditLog(tx).record(actor: actor, action: .recordSpotCheck, targetKind: "spotCheck", targetID: id.uuidString.lowercased(),
                                          detail: "\(next.kind.chinese)：\(next.status.chinese)。\(next.finding ?? "")", at: now)
        }
    }

    public enum Filter: String, Sendable, CaseIterable {
        case open, done
    }

    public func list(actor: Actor, filter: Filter, offset: Int, limit: Int) async throws -> (items: [SpotCheckRecord], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            let q = q.from("spot_checks").livingOrRegistered(in: actor.jurisdiction)
            return filter == .open ? q.where("status", .equal, SpotCheckStatus.open.rawValue) : q.where("status", .notEqual, SpotCheckStatus.open.rawValue)
        }
        async let count = scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()
        let rows = try await scoped(db.sql.select().columns(Self.columns.map { SQLColumn($0) })
            .headName(of: "spot_checks"))
            .orderBy(filter == .open ? "drawn_on" : "checked_on", filter == .open ? .ascending : .descending).orderBy("id").offset(offset).limit(limit).all()
        let items = try rows.map { r in
            var record = try Self.record(r)
            record.headName = try r.decode(column: "head_name", as: String?.self)
            return record
        }
        return (items, try await count?.decode(column: "n", as: Int.self) ?? 0)
    }

    public func detail(_ id: UUID, actor: Actor) async throws -> SpotCheckRecord? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard let row = try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("spot_checks").where("id", .equal, id)
            .livingOrRegistered(in: actor.jurisdiction).first() else { return nil }
        try await AuditLog(db).record(actor: actor, action: .readSpotCheck, targetKind: "spotCheck", targetID: id.uuidString.lowercased(), detail: "查看抽查")
        return try Self.record(row)
    }

    /// The amount to recover that a check recorded for the stop it proposed, with its basis: what the county's decision
    /// on that change starts from.
    public func recovery(forChange change: UUID, actor: Actor) async throws -> Recovery? {
        guard let r = try await db.sql.select().columns("recover_cents", "finding", "kind").from("spot_checks").where("change_id", .equal, change)
            .livingOrRegistered(in: actor.jurisdiction).first(), let cents = try r.decode(column: "recover_cents", as: Int64?.self) else { return nil }
        let kind = SpotCheckKind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .random
        return Recovery(amountCents: cents, basis: "\(kind.chinese)发现虚假申报：\(try r.decode(column: "finding", as: String?.self) ?? "")")
    }

    /// 守信激励: a truthful check on file and no entry on the dishonesty list.
    public static func hasHonestRecord(_ household: UUID, in db: any Database) async throws -> Bool {
        let sql = db.sql
        guard try await sql.select().column("id").from("dishonesty_list").where("household_id", .equal, household).first() == nil else { return false }
        return try await sql.select().column("id").from("spot_checks").where("household_id", .equal, household)
            .where("status", .equal, SpotCheckStatus.truthful.rawValue).first() != nil
    }

    static func record(_ r: any SQLRow) throws -> SpotCheckRecord {
        func text(_ c: String) throws -> String { try r.decode(column: c, as: String.self) }
        let state = SpotCheckState(kind: SpotCheckKind(rawValue: try text("kind")) ?? .random, status: SpotCheckStatus(rawValue: try text("status")) ?? .open,
                                   version: try r.decode(column: "version", as: Int.self), program: Program(rawValue: try text("program")) ?? .dibao,
                                   residenceRegion: try RegionCode(try text("residence_region")), registrationRegion: try RegionCode(try text("registered_region")),
                                   drawnOn: try LocalDate(try text("drawn_on")), finding: try r.decode(column: "finding", as: String?.self),
                                   recoverCents: try r.decode(column: "recover_cents", as: Int64?.self), checkedBy: try r.decode(column: "checked_by", as: String?.self),
                                   checkedOn: try r.decode(column: "checked_on", as: String?.self).map { try LocalDate($0) })
        return SpotCheckRecord(id: try r.decode(column: "id", as: UUID.self), caseID: try r.decode(column: "case_id", as: UUID.self),
                               householdID: try r.decode(column: "household_id", as: UUID.self), warningID: try r.decode(column: "warning_id", as: UUID?.self),
                               changeID: try r.decode(column: "change_id", as: UUID?.self), state: state)
    }
}
