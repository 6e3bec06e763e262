import Domain
import FluentKit
import Foundation
import SQLKit

/// What an approval does to the register: the enrolment the payroll will pay. Written inside the decision's own
/// transaction, so that no case is approved without its enrolment, nor an enrolment made without its case.
enum Enrolling {
    /// Programmes whose approval is a standing enrolment; temporary assistance is a one-off grant (paid by #24).
    static func isStanding(_ p: Program) -> Bool {
        switch p {
        case .dibao, .tekun, .nearDibao, .expenditureHardship: return true
        default: return false
        }
    }

    /// A new enrolment from the decision's start date, or — where the household (the member, for a personal
    /// programme) is already enrolled — the amount of the one in force changed.
    static func enrol(_ tx: any Database, process: CaseProcess, household: UUID, member: UUID?, residence: RegionCode, decision: CaseDecision,
                      today: LocalDate) async throws {
        guard isStanding(process.program), let since = decision.startsOn else { return }
        try await enrol(tx, program: process.program, household: household, member: member, residence: residence, amountCents: decision.amountCents,
                        since: since, today: today)
    }

    /// The same for any decision that enrols (a case's, a deliberation's).
    static func enrol(_ tx: any Database, program: Program, household: UUID, member: UUID?, residence: RegionCode, amountCents: Int64, since: LocalDate,
                      today: LocalDate) async throws {
        var existing = tx.sql.select().column("id").from("enrolments").where("household_id", .equal, household)
            .where("program", .equal, program.rawValue).where("status", .equal, EnrolmentStatus.active.rawValue)
        existing = member.map { existing.where("member_id", .equal, $0) } ?? existing.where("member_id", .is, SQLLiteral.null)
        if let row = try await existing.first() {
            try await tx.sql.update("enrolments").set("monthly_amount_cents", to: amountCents).set("status_changed_on", to: today.description)
                .where("id", .equal, try row.decode(column: "id", as: UUID.self)).run()
            return
        }
        try await tx.sql.insert(into: "enrolments")
            .columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status", "status_changed_on")
            .values(SQLBind(UUID()), SQLBind(household), SQLBind(member), SQLBind(residence.value), SQLBind(program.rawValue),
                    SQLBind(since.description), SQLBind(amountCents), SQLBind(EnrolmentStatus.active.rawValue), SQLBind(today.description))
            .run()
    }
}
