import Domain
import FluentKit
import Foundation
import SQLKit

/// A periodic review with its row's identity.
public struct ReviewRecord: Sendable, Equatable {
    public var id: UUID
    public var enrolmentID: UUID
    public var householdID: UUID
    public var changeID: UUID?
    public var state: ReviewState
    /// The household head's name, in lists (names, not codes).
    public var headName: String?
}

public enum ReviewStoreError: Error, Equatable, Sendable {
    case notFound
    case workflow(ReviewError)
    public var chinese: String {
        switch self {
        case .notFound: return "未找到该核查任务，或不在您的辖区"
        case .workflow(let e): return e.chinese
        }
    }
}

/// What a run of the schedule did.
public struct ReviewRun: Sendable, Equatable {
    /// Enrolments in force that a cycle applies to and that had no open review.
    public var examined = 0
    public var opened = 0
    /// Enrolments whose gradual exit ended, stopped by this run.
    public var exitsEnded = 0
    /// Where the time went: reading the enrolments and their flags, deciding, writing the reviews.
    public var readSeconds = 0.0
    public var decideSeconds = 0.0
    public var writeSeconds = 0.0

    public init(examined: Int = 0, opened: Int = 0, exitsEnded: Int = 0) {
        (self.examined, self.opened, self.exitsEnded) = (examined, opened, exitsEnded)
    }
}

/// 定期核查 in the database: the schedule opens a review for each enrolment in force that a cycle makes due
/// (`openDue`, daily from cron like screening), the township confirms it or proposes a change, and the dashboard
/// counts those due and overdue. Every query goes through the one jurisdiction filter; every change is audited.
public struct Reviews: Sendable {
    let db: any Database
    let parameters: ParameterSet
    public let cycles: ReviewCycles

    public init(_ db: any Database, parameters: ParameterSet, cycles: ReviewCycles) {
        self.db = db
        self.parameters = parameters
        self.cycles = cycles
    }

    static let columns = ["id", "enrolment_id", "household_id", "program", "cycle", "due_on", "opened_on", "status", "version", "residence_region",
                          "registered_region", "conclusion", "done_by", "done_on", "change_id"]
    /// Gradual exits whose months are over stop by themselves, each audited; the change that set the exit is the
    /// household's notice (its page prints it).
    func endGradualExits(actor: Actor, today: LocalDate, now: Date) async throws -> Int {
        try await db.writeTransaction { tx in
            let ended = try await tx.sql.update("enrolments").set("status", to: EnrolmentStatus.ended.rawValue)
                .set(SQLIdentifier("status_changed_on"), to: SQLColumn("exit_ends_on"))
                .where("status", .equal, EnrolmentStatus.active.rawValue).where("exit_ends_on", .isNot, SQLLiteral.null)
                .where("exit_ends_on", .lessThanOrEqual, today.description)
                .where("household_id", .in, SQLGroupExpression(tx.sql.select().column("id").from("households").livingOrRegistered(in: actor.jurisdiction).query))
                .returning("id", "household_id", "exit_ends_on").all()
            for r in ended {
                try await AuditLog(tx).record(actor: actor, action: .gradualExitEnded, targetKind: "enrolment",
                                              targetID: try r.decode(column: "id", as: UUID.self).uuidString.lowercased(),
                                              detail: "渐退期满，自 \(try r.decode(column: "exit_ends_on", as: String.self)) 起停发 [DB 33]", at: now)
            }
            return ended.count
        }
    }

    public enum Filter: String, Sendable, CaseIterable {
        case open, overdue, done
    }

    /// The reviews the reader sees, the earliest due first (or the latest done), with the total.
    public func list(actor: Actor, filter: Filter, today: LocalDate, offset: Int, limit: Int) async throws -> (items: [ReviewRecord], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            let q = q.from("reviews").livingOrRegistered(in: actor.jurisdiction)
            switch filter {
            case .open: return q.where("status", .equal, ReviewStatus.open.rawValue)
            case .overdue: return q.where("status", .equal, ReviewStatus.open.rawValue).where("due_on", .lessThan, today.description)
            case .done: return q.where("status", .notEqual, ReviewStatus.open.rawValue)
            }
        }
        async let count = scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()
        var q = scoped(db.sql.select().columns(Self.columns.map { SQLColumn($0) })
            .headName(of: "reviews"))
        q = filter == .done ? q.orderBy("done_on", .descending) : q.orderBy("due_on")
        let rows = try await q.orderBy("id").offset(offset).limit(limit).all()
        let items = try rows.map { r in
            var record = try Self.record(r)
            record.headName = try r.decode(column: "head_name", as: String?.self)
            return record
        }
        return (items, try await count?.decode(column: "n", as: Int.self) ?? 0)
    }

    /// One review, audited as a read.
    public func detail(_ id: UUID, actor: Actor) async throws -> ReviewRecord? {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard let row = try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("reviews").where("id", .equal, id)
            .livingOrRegistered(in: actor.jurisdiction).first() else { return nil }
        try await AuditLog(db).record(actor: actor, action: .readReview, targetKind: "review", targetID: id.uuidString.lowercased(), detail: "查看定期核查")
        return try Self.record(row)
    }

    /// The household still qualifies at its amount: the review ends with its conclusion, and the next cycle counts from today.
    public func `continue`(_ id: UUID, conclusion: String, expectedVersion: Int, actor: Actor, today: LocalDate, now: Date = Date()) async throws {
        guard actor.may(.handleCases) else { throw DomainError.forbidden }
        try await db.writeTransaction { tx in
            let (record, next) = try await Self.transition(id, tx: tx, actor: actor) { s throws(ReviewError) in
                try ReviewWorkflow.continue(s, conclusion: conclusion, expectedVersion: expectedVersion, by: actor, on: today)
            }
            try await Self.write(next, of: record, changeID: nil, tx: tx, actor: actor, today: today, now: now, detail: "继续保障：\(next.conclusion ?? "")")
        }
    }

    /// The review became a change proposal (the change store calls this in the proposal's transaction).
    static func changeProposed(_ id: UUID, changeID: UUID, expectedVersion: Int, enrolment: UUID, tx: any Database, actor: Actor, today: LocalDate,
                               now: Date) async throws {
        let (record, next) = try await transition(id, tx: tx, actor: actor) { s throws(ReviewError) in
            try ReviewWorkflow.changeProposed(s, expectedVersion: expectedVersion, by: actor, on: today)
        }
        guard record.enrolmentID == enrolment else { throw ReviewStoreError.notFound }
        try await write(next, of: record, changeID: changeID, tx: tx, actor: actor, today: today, now: now, detail: "核查后提出救助变更")
    }

    static func transition(_ id: UUID, tx: any Database, actor: Actor,
                           _ step: (ReviewState) throws(ReviewError) -> ReviewState) async throws -> (ReviewRecord, ReviewState) {
        guard let row = try await tx.sql.select().columns(columns.map { SQLColumn($0) }).from("reviews").where("id", .equal, id)
            .livingOrRegistered(in: actor.jurisdiction).first() else { throw ReviewStoreError.notFound }
        let record = try Self.record(row)
        do { return (record, try step(record.state)) } catch { throw ReviewStoreError.workflow(error) }
    }

    static func write(_ next: ReviewState, of record: ReviewRecord, changeID: UUID?, tx: any Database, actor: Actor, today: LocalDate, now: Date,
                      detail: String) async throws {
        let changed = try await tx.sql.update("reviews").set("status", to: next.status.rawValue).set("version", to: next.version)
            .set("conclusion", to: next.conclusion).set("done_by", to: next.doneBy).set("done_on", to: next.doneOn?.description)
            .set("change_id", to: changeID)
            .where("id", .equal, record.id).where("version", .equal, record.state.version).returning("id").all()
        guard !changed.isEmpty else { throw ReviewStoreError.workflow(.staleVersion) }
        try await tx.sql.update("enrolments").set("last_reviewed_on", to: today.description).where("id", .equal, record.enrolmentID).run()
        try await AuditLog(tx).record(actor: actor, action: .reviewEnrolment, targetKind: "review", targetID: record.id.uuidString.lowercased(),
                                      detail: detail, at: now)
    }

    /// Open reviews and how many are past their due date, in the reader's jurisdiction.
    public func counts(actor: Actor, today: LocalDate) async throws -> (open: Int, overdue: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        let late: SQLQueryString = "SUM(CASE WHEN due_on < \(bind: today.description) THEN 1 ELSE 0 END)"
        guard let r = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(late, as: "late").from("reviews")
            .where("status", .equal, ReviewStatus.open.rawValue).livingOrRegistered(in: actor.jurisdiction).first() else { return (0, 0) }
        return (try r.decode(column: "n", as: Int.self), try r.decode(column: "late", as: Int?.self) ?? 0)
    }

    static func record(_ r: any SQLRow) throws -> ReviewRecord {
        func text(_ c: String) throws -> String { try r.decode(column: c, as: String.self) }
        let state = ReviewState(program: Program(rawValue: try text("program")) ?? .dibao, cycleID: try text("cycle"), dueOn: try LocalDate(try text("due_on")),
                                openedOn: try LocalDate(try text("opened_on")), status: ReviewStatus(rawValue: try text("status")) ?? .open,
                                version: try r.decode(column: "version", as: Int.self), residenceRegion: try RegionCode(try text("residence_region")),
                                registrationRegion: try RegionCode(try text("registered_region")),
                                conclusion: try r.decode(column: "conclusion", as: String?.self), doneBy: try r.decode(column: "done_by", as: String?.self),
                                doneOn: try r.decode(column: "done_on", as: String?.self).map { try LocalDate($0) })
        return ReviewRecord(id: try r.decode(column: "id", as: UUID.self), enrolmentID: try r.decode(column: "enrolment_id", as: UUID.self),
                            householdID: try r.decode(column: "household_id", as: UUID.self), changeID: try r.decode(column: "change_id", as: UUID?.self),
                            state: state)
    }
}
