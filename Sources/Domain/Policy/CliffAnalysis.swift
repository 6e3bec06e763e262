import Foundation

/// 悬崖效应: how benefits and disposable income move as a household's earnings rise. The benefit
/// that stops the moment income crosses the standard is the cliff; gradual exit [DB 33] softens it
/// by keeping the last amount for a few months.
public enum CliffAnalysis {
    public struct Point: Sendable, Equatable {
        public var earned: Cents
        /// Monthly benefits, with no gradual exit.
        public var benefits: Cents
        /// Monthly benefits in the first month of gradual exit (the last dibao amount carried on).
        public var benefitsWithExit: Cents
        /// The household's other monthly income (pensions, transfers…), which does not change with earnings but is
        /// money the household has: a pensioner's household is not as poor as its wages alone say.
        public var otherIncome: Cents = .zero
        public var disposable: Cents { earned + otherIncome + benefits }
        public var disposableWithExit: Cents { earned + otherIncome + benefitsWithExit }
    }

    /// What the household earns now (its wages, per month): where it stands on the chart.
    public static func currentEarnings(_ request: AssessmentRequest) -> Cents {
        (request.incomes ?? []).filter { $0.kind == .wage }.reduce(Cents.zero) { $0 + MonthlyConversion.monthly(Cents($1.amountCents), basis: $1.basis) }
    }

    /// Earnings from zero to twice the household's standard (standard × counted members × 2), or past what it
    /// earns now if that is more, in `steps` equal
    /// steps, earned as the head's wage on top of the household's other incomes.
    public static func series(_ calculator: PolicyCalculator, _ request: AssessmentRequest, steps: Int = 40) throws(PolicyError) -> [Point] {
        let s = try calculator.standards(region: request.region, date: request.date)
        guard let head = request.members.first(where: { $0.relation == .head && $0.isPresent }) ?? request.members.first(where: \.isPresent) else { return [] }
        let counted = Int64(request.members.filter(\.isPresent).count)
        let top = max(s.dibao * counted * 2, currentEarnings(request).multiplied(by: 6, over: 5, rounding: .up))
        var points: [Point] = []
        var lastDibao = Cents.zero
        let otherIncomes = (request.incomes ?? []).filter { $0.kind != .wage }
        let other = otherIncomes.reduce(Cents.zero) { $0 + MonthlyConversion.monthly(Cents($1.amountCents), basis: $1.basis) }
        for i in 0...steps {
            let earned = top.multiplied(by: Int64(i), over: Int64(steps), rounding: .down)
            var r = request
            r.incomes = otherIncomes + [IncomeInput(member: head.id, kind: .wage, amountCents: earned.value, basis: .perMonth)]
            r.enrolments = nil
            r.emergency = nil
            let a = try calculator.assess(r, standards: s, explain: false)
            let monthly = a.monthlyTotal
            if let d = a.decision(.dibao, member: nil), d.outcome == .qualifies { lastDibao = d.amount }
            var withExit = monthly
            if a.decision(.dibao, member: nil)?.outcome != .qualifies && lastDibao > .zero {
                // The household was on dibao at a lower income: its income has just risen above the standard.
                r.enrolments = [CurrentEnrolment(program: .dibao, since: request.date.adding(days: -365), monthlyAmountCents: lastDibao.value,
                                                 incomeAboveStandardSince: request.date)]
                withExit = try calculator.assess(r, standards: s, explain: false).monthlyTotal
            }
            points.append(Point(earned: earned, benefits: monthly, benefitsWithExit: withExit, otherIncome: other))
        }
        return points
    }
}
