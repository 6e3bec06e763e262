import Domain
import FluentKit
import Foundation
import SQLKit

/// A change to an enrolment with its row's identity.
public struct EnrolmentChangeRecord: Sendable, Equatable {
    public var id: UUID
    public var enrolmentID: UUID
    public var householdID: UUID
    public var warningID: UUID?
    public var reviewID: UUID?
    public var state: EnrolmentChangeState
    /// The calculator's assessment of the household when the change was proposed (JSON of `Assessment`).
    public var assessment: String?
}

public enum ChangeStoreError: Error, Equatable, Sendable {
    case notFound
    case workflow(ChangeError)
    public var chinese: String {
        switch self {
        case .notFound: return "未找到该救助或变更，或不在您的辖区"
        case .workflow(let e): return e.chinese
        }
    }
}

/// 增发 / 减发 / 停发 in the database: proposed by the township on an enrolment in force (seen by both townships of
/// the household and its county), decided by the county of registration; an approval changes the enrolment — its
/// amount, or its end — and records any amount to recover, in one transaction with the decision, audited.
public struct EnrolmentChanges: Sendable {
    /// A recovery still owed: the payroll deducts from those (`recoveries.status`).
    static let openRecovery = "open"

    let db: any Database
    let parameters: ParameterSet

    public init(_ db: any Database, parameters: ParameterSet) {
        self.db = db
        self.parameters = parameters
    }

    static let columns = ["id", "enrolment_id", "household_id", "program", "current_cents", "new_cents", "effective_on", "reasons", "articles", "source",
                          "warning_id", "status", "version", "proposed_by", "proposed_on", "residence_region", "registered_region", "notice_from",
                          "decided_by", "decided_on", "assessment", "exit_months", "review_id"]

    /// Where a proposal came from besides its source: the warning, or the periodic review (which it ends, with its version).
    public struct Origin: Sendable {
        public var warningID: UUID?
        public var review: (id: UUID, version: Int)?
        public init(warningID: UUID? = nil, review: (id: UUID, version: Int)? = nil) {
            self.warningID = warningID
            self.review = review
        }
    }

    /// `exitMonths`: a gradual exit (the amount goes on for these months, then stops), within `gradualExitMonths` [DB 33].
    public func propose(enrolment: UUID, newCents: Int64, effectiveOn: LocalDate, reasons: [String], articles: [String], source: ChangeSource,
                        origin: Origin = Origin(), exitMonths: Int? = nil, assessment: String? = nil, actor: Actor, today: LocalDate,
                        now: Date = Date()) async throws -> UUID {
        guard actor.may(.handleCases) else { throw DomainError.forbidden }
        let id = UUID()
        do {
            try await insertProposal(id, enrolment: enrolment, newCents: newCents, effectiveOn: effectiveOn, reasons: reasons, articles: articles,
                                     source: source, origin: origin, exitMonths: exitMonths, assessment: assessment, actor: actor, today: today, now: now)
        } catch let e as ChangeStoreError {
            throw e
        } catch {
            // Two proposals at once on one enrolment: the unique index stops the second, which is told why, not given a 500.
            if try await db.sql.select().column("id").from("enrolment_changes").where("enrolment_id", .equal, enrolment)
                .where("status", .equal, ChangeStatus.proposed.rawValue).first() != nil { throw ChangeStoreError.workflow(.pendingExists) }
            throw error
        }
        return id
    }

    func insertProposal(_ id: UUID, enrolment: UUID, newCents: Int64, effectiveOn: LocalDate, reasons: [String], articles: [String], source: ChangeSource,
                        origin: Origin, exitMonths: Int?, assessment: String?, actor: Actor, today: LocalDate, now: Date) async throws {
        try await db.writeTransaction { tx in
            try await self.insertProposal(id, in: tx, enrolment: enrolment, newCents: newCents, effectiveOn: effectiveOn, reasons: reasons, articles: articles,
                                          source: source, origin: origin, exitMonths: exitMonths, assessment: assessment, actor: actor, today: today, now: now)
        }
    }

    /// The proposal inside a caller's transaction (a spot check that found a false declaration stops the enrolment
    /// in the same transaction as its finding).
    func insertProposal(_ id: UUID, in tx: any Database, enrolment: UUID, newCents: Int64, effectiveOn: LocalDate, reasons: [String], articles: [String],
                        source: ChangeSource, origin: Origin, exitMonths: Int?, assessment: String?, actor: Actor, today: LocalDate, now: Date) async throws {
        do {
            let query = tx.sql.select()
                .column(SQLColumn("household_id", table: "enrolments")).column(SQLColumn("program", table: "enrolments"))
                .column(SQLColumn("monthly_amount_cents", table: "enrolments"))
                .column(SQLColumn("residence_region", table: "households")).column(SQLColumn("registered_region", table: "households"))
                .from("enrolments").join("households", on: SQLColumn("household_id", table: "enrolments"), .equal, SQLColumn("id", table: "households"))
                .where(SQLColumn("id", table: "enrolments"), .equal, SQLBind(enrolment))
                .where(SQLColumn("status", table: "enrolments"), .equal, SQLBind(EnrolmentStatus.active.rawValue))
                .livingOrRegistered(in: actor.jurisdiction, table: "households")
            guard let row = try await query.first() else { throw ChangeStoreError.notFound }
            // One change at a time on an enrolment: the county decides on one proposal, not two that contradict each other.
            guard try await tx.sql.select().column("id").from("enrolment_changes").where("enrolment_id", .equal, enrolment)
                .where("status", .equal, ChangeStatus.proposed.rawValue).first() == nil else { throw ChangeStoreError.workflow(.pendingExists) }
            let residence = try RegionCode(try row.decode(column: "residence_region", as: String.self))
            let gradualExit = try exitMonths.map { GradualExit(months: $0, maxMonths: try self.maxExitMonths(residence, today: today)) }
            let state: EnrolmentChangeState
            do {
                state = try ChangeWorkflow.propose(program: Program(rawValue: try row.decode(column: "program", as: String.self)) ?? .dibao,
                                                   currentCents: try row.decode(column: "monthly_amount_cents", as: Int64.self), newCents: newCents,
                                                   effectiveOn: effectiveOn, reasons: reasons, articles: articles, source: source,
                                                   residence: residence,
                                                   registration: try RegionCode(try row.decode(column: "registered_region", as: String.self)),
                                                   by: actor, on: today, gradualExit: gradualExit)
            } catch let e as ChangeError { throw ChangeStoreError.workflow(e) }
            try await tx.sql.insert(into: "enrolment_changes").columns(Self.columns)
                .values(SQLBind(id), SQLBind(enrolment), SQLBind(try row.decode(column: "household_id", as: UUID.self)), SQLBind(state.program.rawValue),
                        SQLBind(state.currentCents), SQLBind(state.newCents), SQLBind(state.effectiveOn.description),
                        SQLBind(state.reasons.joined(separator: "\n")), SQLBind(state.articles.joined(separator: "、")), SQLBind(source.rawValue),
                        SQLBind(origin.warningID), SQLBind(state.status.rawValue), SQLBind(state.version), SQLBind(actor.username), SQLBind(today.description),
                        SQLBind(state.residenceRegion.value), SQLBind(state.registrationRegion.value), SQLBind(state.noticeFrom?.description),
                        SQLBind(nil as String?), SQLBind(nil as String?), SQLBind(assessment), SQLBind(state.exitMonths), SQLBind(origin.review?.id))
                .run()
            if let review = origin.review {
                try await Reviews.changeProposed(review.id, changeID: id, expectedVersion: review.version, enrolment: enrolment, tx: tx, actor: actor,
                                                 today: today, now: now)
            }
            try await AuditLog(tx).record(actor: actor, action: .proposeChange, targetKind: "enrolmentChange", targetID: id.uuidString.lowercased(),
                                          detail: "\(state.kind.chinese)：\(state.program.chinese) \(Cents(state.currentCents).yuanText) → \(Cents(state.newCents).yuanText)，"
                                            + "自 \(state.effectiveOn) 起" + (state.exitMonths.map { "，渐退 \($0) 个月" } ?? "") + "（\(source.chinese)）", at: now)
        }
    }

    /// The longest gradual exit the region allows [DB 33].
    func maxExitMonths(_ region: RegionCode, today: LocalDate) throws -> Int {
        guard case .integer(let n) = try parameters.resolve("gradualExitMonths", region: region, date: today).value else {
            throw PolicyError.wrongType(name: "gradualExitMonths", expected: "整数")
        }
        return n
    }

    public func decide(_ id: UUID, approve: Bool, recovery: Recovery?, expectedVersion: Int, actor: Actor, today: LocalDate, now: Date = Date()) async throws {
        guard actor.may(.handleCases) else { throw DomainError.forbidden }
        try await db.writeTransaction { tx in
            guard let row = try await tx.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("enrolment_changes").where("id", .equal, id)
                .livingOrRegistered(in: actor.jurisdiction).first() else { throw ChangeStoreError.notFound }
            let record = try Self.record(row)
            let days = try parameters.resolve("tekunTerminationNoticeDays", region: record.state.registrationRegion, date: today)
            guard case .integer(let noticeDays) = days.value else { throw PolicyError.wrongType(name: "tekunTerminationNoticeDays", expected: "整数") }
            let next: EnrolmentChangeState
            do {
                next = try ChangeWorkflow.decide(approve: approve, recovery: recovery, state: record.state, expectedVersion: expectedVersion, by: actor,
                                                 on: today, noticeDays: noticeDays)
            } catch let e as ChangeError { throw ChangeStoreError.workflow(e) }
            let changed = try await tx.sql.update("enrolment_changes").set("status", to: next.status.rawValue).set("version", to: next.version)
                .set("decided_by", to: actor.username).set("decided_on", to: today.description)
                .where("id", .equal, id).where("version", .equal, expectedVersion).returning("id").all()
            guard !changed.isEmpty else { throw ChangeStoreError.workflow(.staleVersion) }
            if next.status == .approved {
                var update = tx.sql.update("enrolments").set("status_changed_on", to: next.effectiveOn.description)
                switch next.kind {
                case .stop: update = update.set("status", to: EnrolmentStatus.ended.rawValue)
                // In force at its amount until the exit ends; the schedule's run stops it then (`Reviews.openDue`).
                case .gradualExit: update = update.set("exit_ends_on", to: next.exitEndsOn?.description)
                case .increase, .decrease: update = update.set("monthly_amount_cents", to: next.newCents)
                }
                try await update.where("id", .equal, record.enrolmentID).where("status", .equal, EnrolmentStatus.active.rawValue).run()
                if let r = next.recovery {
                    try await tx.sql.insert(into: "recoveries")
                        .columns("id", "household_id", "enrolment_id", "change_id", "residence_region", "amount_cents", "basis", "status", "created_on")
                        .values(SQLBind(UUID()), SQLBind(record.householdID), SQLBind(record.enrolmentID), SQLBind(id), SQLBind(next.residenceRegion.value),
                                SQLBind(r.amountCents), SQLBind(r.basis.trimmingCharacters(in: .whitespacesAndNewlines)), SQLBind(Self.openRecovery), SQLBind(today.description))
                        .run()
                }
            }
            try await AuditLog(tx).record(actor: actor, action: .decideChange, targetKind: "enrolmentChange", targetID: id.uuidString.lowercased(),
                                          detail: (approve ? "决定\(next.kind.chinese)" : "不予变更") + "：\(Cents(next.currentCents).yuanText) → \(Cents(next.newCents).yuanText)"
                                            + (next.recovery.map { "；应追回 \(Cents($0.amountCents).yuanText)（\($0.basis)）" } ?? ""), at: now)
        }
    }

    /// The changes the reader sees: waiting for a decision first (the county's tasks), newest first; with the total.
    public func list(actor: Actor, pendingOnly: Bool, offset: Int, limit: Int) async throws -> (items: [EnrolmentChangeRecord], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            let q = q.livingOrRegistered(in: actor.jurisdiction)
            return pendingOnly ? q.where("status", .equal, ChangeStatus.proposed.rawValue) : q
        }
        let total = try await scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("enrolment_changes")).first()?
            .decode(column: "n", as: Int.self) ?? 0
        let rows = try await scoped(db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("enrolment_changes"))
            .orderBy("status", .descending).orderBy("proposed_on", .descending).orderBy("id").offset(offset).limit(limit).all()
        return (try rows.map(Self.record), total)
    }

    /// One change, audited as a read.
    public func detail(_ id: UUID, actor: Actor) async throws -> EnrolmentChangeRecord? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard let row = try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("enrolment_changes").where("id", .equal, id)
            .livingOrRegistered(in: actor.jurisdiction).first() else { return nil }
        try await AuditLog(db).record(actor: actor, action: .readCase, targetKind: "enrolmentChange", targetID: id.uuidString.lowercased(), detail: "查看救助变更")
        var record = try Self.record(row)
        if let r = try await db.sql.select().columns("amount_cents", "basis").from("recoveries").where("change_id", .equal, id).first() {
            record.state.recovery = Recovery(amountCents: try r.decode(column: "amount_cents", as: Int64.self), basis: try r.decode(column: "basis", as: String.self))
        }
        return record
    }

    static func record(_ r: any SQLRow) throws -> EnrolmentChangeRecord {
        func text(_ c: String) throws -> String { try r.decode(column: c, as: String.self) }
        func date(_ c: String) throws -> LocalDate? { try r.decode(column: c, as: String?.self).map { try LocalDate($0) } }
        let state = EnrolmentChangeState(
            program: Program(rawValue: try text("program")) ?? .dibao, currentCents: try r.decode(column: "current_cents", as: Int64.self),
            newCents: try r.decode(column: "new_cents", as: Int64.self), effectiveOn: try LocalDate(try text("effective_on")),
            reasons: try text("reasons").split(separator: "\n").map(String.init), articles: try text("articles").split(separator: "、").map(String.init),
            source: ChangeSource(rawValue: try text("source")) ?? .staff, status: ChangeStatus(rawValue: try text("status")) ?? .proposed,
            version: try r.decode(column: "version", as: Int.self), proposedBy: try text("proposed_by"), proposedOn: try LocalDate(try text("proposed_on")),
            residenceRegion: try RegionCode(try text("residence_region")), registrationRegion: try RegionCode(try text("registered_region")),
            noticeFrom: try date("notice_from"), decidedBy: try r.decode(column: "decided_by", as: String?.self), decidedOn: try date("decided_on"), recovery: nil,
            exitMonths: try r.decode(column: "exit_months", as: Int?.self))
        return EnrolmentChangeRecord(id: try r.decode(column: "id", as: UUID.self), enrolmentID: try r.decode(column: "enrolment_id", as: UUID.self),
                                     householdID: try r.decode(column: "household_id", as: UUID.self), warningID: try r.decode(column: "warning_id", as: UUID?.self),
                                     reviewID: try r.decode(column: "review_id", as: UUID?.self),
                                     state: state, assessment: try r.decode(column: "assessment", as: String?.self))
    }
}
