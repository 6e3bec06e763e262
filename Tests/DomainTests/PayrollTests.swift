import Foundation
import Testing
@testable import Domain

/// The payroll's arithmetic and its hard blocks, pure: what each month pays from the decisions in force then, the
/// arrears a late decision owes, the dead and the held never paid, recoveries within their share.
@Suite struct PayrollTests {
    static func day(_ s: String) -> LocalDate { try! LocalDate(s) }
    static func month(_ s: String) -> PayMonth { try! PayMonth(s) }
    static let terms = PayrollTerms(firstMonth: month("2026-09"), recoveryPercent: 30)

    static func enrolment(since: String = "2026-01-01", amount: Int64 = 100_000, status: EnrolmentStatus = .active, changedOn: String? = nil,
                          changes: [DecidedChange] = [], paid: [String] = [], hold: String? = nil, died: String? = nil, account: Bool = true,
                          recoveries: [OpenRecovery] = []) -> PayrollEnrolment {
        PayrollEnrolment(id: UUID(), householdID: UUID(), payeeID: UUID(), program: .dibao, since: day(since), amountCents: amount, status: status,
                         statusChangedOn: changedOn.map(day), changes: changes, paidMonths: Set(paid.map(month)), hold: hold, payeeDiedOn: died.map(day),
                         hasAccount: account, recoveries: recoveries)
    }

    @Test func aMonthIsWrittenOneWay() throws {
        #expect(try PayMonth("2026-12").description == "2026-12" && Self.month("2026-12").next == Self.month("2027-01")
                && Self.month("2027-01").previous == Self.month("2026-12"))
        #expect(Self.month("2028-02").days == 29 && Self.month("2028-02").last == Self.day("2028-02-29"))
        for year in [1900, 2026, 9999] {
            for m in 1...12 {
                let month = try PayMonth(year: year, month: m)
                #expect(try month.description.count == 7 && PayMonth(month.description) == month, "\(year) \(m)")
            }
        }
        for bad in ["2026-13", "2026-1", "12/2026", "2026-00", ""] {
            #expect(throws: DomainError.invalidMonth(bad)) { try PayMonth(bad) }
        }
        #expect(DomainError.invalidMonth("2026-13").chinese.contains("YYYY-MM"))
    }

    @Test func eachMonthPaysTheDecisionInForceThen() {
        // The county decided in November a decrease from January: the row already says ¥600, December still pays ¥1,000.
        let e = Self.enrolment(amount: 60_000, changes: [DecidedChange(kind: .decrease, effectiveOn: Self.day("2027-01-01"), currentCents: 100_000, newCents: 60_000)])
        #expect(PayrollCalculation.amount(e, for: Self.month("2026-12")) == 100_000)
        #expect(PayrollCalculation.amount(e, for: Self.month("2027-01")) == 60_000)
        // A gradual exit keeps the amount until its end, and nothing after [DB 33].
        var exit = Self.enrolment(changes: [DecidedChange(kind: .gradualExit, effectiveOn: Self.day("2026-12-01"), currentCents: 100_000, newCents: 0)])
        exit.exitEndsOn = Self.day("2027-03-01")
        #expect(PayrollCalculation.amount(exit, for: Self.month("2027-02")) == 100_000 && PayrollCalculation.amount(exit, for: Self.month("2027-03")) == nil)
        // Stopped from January: December paid, January not.
        let stopped = Self.enrolment(status: .ended, changedOn: "2027-01-01")
        #expect(PayrollCalculation.amount(stopped, for: Self.month("2026-12")) == 100_000 && PayrollCalculation.amount(stopped, for: Self.month("2027-01")) == nil)
        // From the decision date (Tianjin [YC]): 17 of December's 31 days, rounded once.
        let fromDecision = Self.enrolment(since: "2026-12-15", amount: 117_000)
        #expect(PayrollCalculation.amount(fromDecision, for: Self.month("2026-12")) == 64_161)   // 1170 × 17/31 = 641.613
        #expect(PayrollCalculation.amount(fromDecision, for: Self.month("2026-11")) == nil)
    }

    @Test func aLateDecisionIsPaidItsArrearsOnce() throws {
        // Decided in late November from 1 October, after November's payroll: December pays October and November too.
        let e = Self.enrolment(since: "2026-10-01", paid: [])
        let line = try #require(PayrollCalculation.line(e, month: Self.month("2026-12"), terms: Self.terms))
        #expect(line.arrearsMonths == [Self.month("2026-10"), Self.month("2026-11")] && line.arrearsCents == 200_000 && line.dueCents == 100_000)
        #expect(line.netCents == 300_000 && line.paidMonths == [Self.month("2026-10"), Self.month("2026-11"), Self.month("2026-12")])
        // Months already paid are not paid again; months before the county's first payroll were the old system's.
        let paid = Self.enrolment(since: "2025-01-01", paid: ["2026-09", "2026-10", "2026-11"])
        let next = try #require(PayrollCalculation.line(paid, month: Self.month("2026-12"), terms: Self.terms))
        #expect(next.arrearsMonths.isEmpty && next.netCents == 100_000)
        // A month already in an earlier payroll this month: nothing at all.
        #expect(PayrollCalculation.line(Self.enrolment(paid: ["2026-09", "2026-10", "2026-11", "2026-12"]), month: Self.month("2026-12"), terms: Self.terms) == nil)
    }

    @Test func theDeadTheHeldAndTheUnbankedAreNeverPaid() throws {
        let m = Self.month("2026-12")
        let dead = try #require(PayrollCalculation.line(Self.enrolment(paid: ["2026-09", "2026-10", "2026-11"], died: "2026-12-31"), month: m, terms: Self.terms))
        #expect(dead.block == .payeeDied(on: Self.day("2026-12-31")) && dead.netCents == 0 && dead.paidMonths.isEmpty)
        #expect(dead.block?.chinese.contains("2026-12-31") == true)
        // dying after the month: this month is paid
        #expect(PayrollCalculation.line(Self.enrolment(paid: ["2026-09", "2026-10", "2026-11"], died: "2027-01-01"), month: m, terms: Self.terms)?.block == nil)
        let held = try #require(PayrollCalculation.line(Self.enrolment(status: .suspended, hold: "死亡比对"), month: m, terms: Self.terms))
        #expect(held.block == .held(reason: "死亡比对") && held.netCents == 0 && held.paidMonths.isEmpty)
        let unbanked = try #require(PayrollCalculation.line(Self.enrolment(account: false), month: m, terms: Self.terms))
        #expect(unbanked.block == .noAccount && unbanked.netCents == 0)
        // A hold released later: the months it stopped are owed as arrears.
        let released = try #require(PayrollCalculation.line(Self.enrolment(paid: ["2026-09", "2026-10"]), month: Self.month("2027-01"), terms: Self.terms))
        #expect(released.arrearsMonths == [Self.month("2026-11"), Self.month("2026-12")])
    }

    @Test func recoveriesAreTakenWithinTheirShareOldestFirst() throws {
        let first = OpenRecovery(id: UUID(), outstandingCents: 20_000)
        let second = OpenRecovery(id: UUID(), outstandingCents: 50_000)
        let e = Self.enrolment(amount: 100_001, paid: ["2026-09", "2026-10", "2026-11"], recoveries: [first, second])
        let line = try #require(PayrollCalculation.line(e, month: Self.month("2026-12"), terms: Self.terms))
        // 30% of ¥1,000.01 is ¥300.003: at most ¥300.00, never more
        #expect(line.deductions == [RecoveryDeduction(recoveryID: first.id, cents: 20_000), RecoveryDeduction(recoveryID: second.id, cents: 10_000)])
        #expect(line.netCents == 70_001)
    }

    @Test func aOneOffIsPaidOnceAndBlockedLikeTheRest() {
        let g = PayrollOneOff(key: "case:x", householdID: UUID(), payeeID: UUID(), program: .temporary, amountCents: 150_000, decidedOn: Self.day("2026-12-03"),
                              basis: "先行救助", fromReserveFund: true)
        let line = PayrollCalculation.line(g, month: Self.month("2026-12"))
        #expect(line.netCents == 150_000 && line.oneOffCents == 150_000 && line.paidMonths.isEmpty && line.fromReserveFund)
        var dead = g
        dead.payeeDiedOn = Self.day("2026-12-05")
        #expect(PayrollCalculation.line(dead, month: Self.month("2026-12")).netCents == 0)
    }

    @Test func whoPreparedMayNotApproveAndAnApprovedPayrollIsFixed() throws {
        #expect(throws: PayrollError.preparerCannotApprove) { try PayrollWorkflow.approve(status: .prepared, preparedBy: "a", by: "a") }
        #expect(try PayrollWorkflow.approve(status: .prepared, preparedBy: "a", by: "b") == .approved)
        #expect(throws: PayrollError.stillPreparing) { try PayrollWorkflow.approve(status: .preparing, preparedBy: "a", by: "b") }
        #expect(throws: PayrollError.notPrepared(.approved)) { try PayrollWorkflow.approve(status: .approved, preparedBy: "a", by: "b") }
        #expect(throws: PayrollError.notApproved(.prepared)) { try PayrollWorkflow.send(status: .prepared) }
        #expect(try PayrollWorkflow.send(status: .approved) == .sent && PayrollWorkflow.afterReturn(lines: [.paid, .carriedOver, .blocked]) == .closed)
        #expect(PayrollWorkflow.afterReturn(lines: [.paid, .pending]) == .sent && PayrollWorkflow.afterReturn(lines: [.reissued]) == .sent)
        #expect(PayrollWorkflow.afterReturn(lines: [.paid, .failed]) == .sent)
    }
}
