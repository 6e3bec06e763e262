import Domain
import FluentKit
import Foundation
import SQLKit

/// A payment put on hold after a death record (#5), as staff see it on the household's profile.
public struct PaymentHold: Sendable, Equatable {
    public var id: UUID
    public var enrolmentID: UUID
    public var householdID: UUID
    public var memberID: UUID
    public var program: Program?
    public var reason: String
    public var createdAt: String
    public var releasedAt: String?
    public var releasedBy: String?
    public var releaseReason: String?

    public var isReleased: Bool { releasedAt != nil }
}

/// Payment holds, scoped to where the household lives: placed and released here, in one place. A hold is placed by the system the moment an exact-ID
/// (or human-confirmed) death record arrives; releasing it — the record was wrong, or a survivor's share must
/// go on — is a person's decision with a reason, and it is audited. Releasing puts the enrolment back to
/// active only when no other hold remains on it; it never touches the death record itself.
public struct PaymentHoldStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    static let columns = ["id", "enrolment_id", "household_id", "member_id", "reason", "created_at", "released_at", "released_by", "release_reason"]

    /// The household's holds, newest first; empty outside the actor's jurisdiction.
    public func holds(household: UUID, actor: Actor) async throws -> [PaymentHold] {
        guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
        let rows = try await db.sql.select().columns(Self.columns.map { SQLColumn($0, table: "payment_holds") } + [SQLColumn("program", table: "enrolments")])
            .from("payment_holds")
            .join("enrolments", on: SQLColumn("id", table: "enrolments"), .equal, SQLColumn("enrolment_id", table: "payment_holds"))
            .where(SQLColumn("household_id", table: "payment_holds"), .equal, SQLBind(household))
            .within(actor.jurisdiction, table: "payment_holds")
            .orderBy(SQLColumn("created_at", table: "payment_holds"), SQLDirection.descending).all()
        return try rows.map { row in
            PaymentHold(id: try row.decode(column: "id", as: UUID.self), enrolmentID: try row.decode(column: "enrolment_id", as: UUID.self),
                        householdID: try row.decode(column: "household_id", as: UUID.self), memberID: try row.decode(column: "member_id", as: UUID.self),
                        program: Program(rawValue: try row.decode(column: "program", as: String.self)), reason: try row.decode(column: "reason", as: String.self),
                        createdAt: try row.decode(column: "created_at", as: String.self), releasedAt: try row.decode(column: "released_at", as: String?.self),
                        releasedBy: try row.decode(column: "released_by", as: String?.self),
                        releaseReason: try row.decode(column: "release_reason", as: String?.self))
        }
    }

    // MARK: placing

    /// An exact-ID or human-confirmed death record (the only kinds that become facts, #4) holds that person's
    /// payments at once: their own enrolments, and a household payment when they were its only living member.
    /// A household payment that still supports others keeps going, and the paid-after-death warning asks
    /// for the amount to be adjusted.
    func place(afterDeaths factIDs: [UUID], actor: Actor, now: Date) async throws -> Int {
        let sql = db.sql
        let today = LocalDate(now, timeZone: .china)
        guard !factIDs.isEmpty else { return 0 }
        var held = 0
        for f in try await sql.select().columns("id", "household_id", "member_id", "valid_from").from("facts")
            .where("id", .in, factIDs).where("kind", .equal, FactKind.death.rawValue).all() {
            guard let member = try f.decode(column: "member_id", as: UUID?.self) else { continue }
            let factID = try f.decode(column: "id", as: UUID.self)
            let household = try f.decode(column: "household_id", as: UUID.self)
            let died = try f.decode(column: "valid_from", as: String.self)
            let members = try await sql.select().column("id").from("members").where("household_id", .equal, household).all()
                .map { try $0.decode(column: "id", as: UUID.self) }
            let deadAlready = Set(try await sql.select().column("member_id").from("facts").where("household_id", .equal, household)
                .where("kind", .equal, FactKind.death.rawValue).all().compactMap { try $0.decode(column: "member_id", as: UUID?.self) })
            let nobodyLeft = members.allSatisfy { deadAlready.contains($0) }
            for e in try await sql.select().columns("id", "member_id", "residence_region", "program").from("enrolments")
                .where("household_id", .equal, household).where("status", .equal, EnrolmentStatus.active.rawValue).all() {
                let payee = try e.decode(column: "member_id", as: UUID?.self)
                guard payee == member || (payee == nil && nobodyLeft) else { continue }
                let enrolment = try e.decode(column: "id", as: UUID.self)
                let program = Program(rawValue: try e.decode(column: "program", as: String.self))?.chinese ?? "救助"
                let newHold = try await db.writeTransaction { tx -> Bool in
                    // A death is held once: a hold the county has since released (its enrolment active again)
                    // is not put back by the same death record being reacted to again.
                    guard try await tx.sql.select().column("id").from("payment_holds").where("enrolment_id", .equal, enrolment)
                        .where("fact_id", .equal, factID).first() == nil else { return false }
                    try await tx.sql.insert(into: "payment_holds")
                        .columns("id", "enrolment_id", "household_id", "member_id", "residence_region", "fact_id", "reason", "created_at")
                        .values(SQLBind(UUID()), SQLBind(enrolment), SQLBind(household), SQLBind(member),
                                SQLBind(try e.decode(column: "residence_region", as: String.self)), SQLBind(factID),
                                SQLBind("死亡记录（\(died)）：暂停发放\(program)"), SQLBind(Timestamp.text(now)))
                        .ignoringConflicts(with: ["enrolment_id", "fact_id"]).run()
                    try await tx.sql.update("enrolments").set("status", to: EnrolmentStatus.suspended.rawValue)
                        .set("status_changed_on", to: today.description).where("id", .equal, enrolment).run()
                    try await AuditLog(tx).record(actor: actor, action: .holdPayment, targetKind: "enrolment", targetID: enrolment.uuidString.lowercased(),
                                                  detail: "死亡记录（\(died)）：暂停发放\(program)", at: now)
                    return true
                }
                if newHold { held += 1 }
            }
        }
        return held
    }

    // MARK: releasing

    public enum ReleaseError: Error, Equatable {
        case reasonRequired
        case alreadyReleased
    }

    /// Releases one hold. Returns false when it is not in the actor's jurisdiction (or does not exist).
    public func release(_ id: UUID, reason: String, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> Bool {
        guard actor.may(.releasePaymentHolds) else { throw DomainError.forbidden }
        let reason = reason.trimmed
        guard !reason.isEmpty else { throw ReleaseError.reasonRequired }
        return try await db.writeTransaction { tx -> Bool in
            guard let row = try await tx.sql.select().columns("enrolment_id", "released_at", "reason").from("payment_holds").where("id", .equal, id)
                .within(actor.jurisdiction).first() else { return false }
            guard try row.decode(column: "released_at", as: String?.self) == nil else { throw ReleaseError.alreadyReleased }
            let enrolment = try row.decode(column: "enrolment_id", as: UUID.self)
            try await tx.sql.update("payment_holds").set("released_at", to: Timestamp.text(now)).set("released_by", to: actor.username)
                .set("release_reason", to: reason).where("id", .equal, id).run()
            let others = try await tx.sql.select().column("id").from("payment_holds").where("enrolment_id", .equal, enrolment)
                .where("released_at", .is, SQLLiteral.null).first()
            var resumed = false
            if others == nil {
                // Only a suspension is undone: an enrolment ended meanwhile stays ended.
                let suspended = try await tx.sql.select().column("id").from("enrolments").where("id", .equal, enrolment)
                    .where("status", .equal, EnrolmentStatus.suspended.rawValue).first()
                if suspended != nil {
                    try await tx.sql.update("enrolments").set("status", to: EnrolmentStatus.active.rawValue)
                        .set("status_changed_on", to: today.description).where("id", .equal, enrolment).run()
                    resumed = true
                }
            }
            try await AuditLog(tx).record(actor: actor, action: .releasePaymentHold, targetKind: "enrolment", targetID: enrolment.uuidString.lowercased(),
                                          detail: "解除暂停（\(try row.decode(column: "reason", as: String.self))）：\(reason)" + (resumed ? "；恢复发放" : "；仍有其他暂停或已停止，未恢复发放"),
                                          at: now)
            return true
        }
    }
}
