import Foundation

/// Why a line is not paid, whatever the enrolment says. Checked at payroll time, every month: money must never reach
/// the dead, a held benefit, or nowhere.
public enum PayrollBlock: Sendable, Equatable, Codable {
    /// The payee died on or before the month's last day (an exact-ID or human-confirmed death record).
    case payeeDied(on: LocalDate)
    /// A payment hold is on the enrolment (placed after a death record, or by staff).
    case held(reason: String)
    /// No confirmed bank account for the payee.
    case noAccount

    public var chinese: String {
        switch self {
        case .payeeDied(let d): return "收款人已于 \(d) 死亡，不予发放"
        case .held(let r): return "已暂停发放：\(r)"
        case .noAccount: return "收款人没有已确认的收款账户"
        }
    }
}

/// A decided change to an enrolment's amount, from the month it takes effect [DB 32–34]. The enrolment row is
/// changed when the county decides, which may be before that month: the payroll pays each month what was in force.
public struct DecidedChange: Sendable, Equatable {
    public var kind: ChangeKind
    public var effectiveOn: LocalDate
    public var currentCents: Int64
    public var newCents: Int64

    public init(kind: ChangeKind, effectiveOn: LocalDate, currentCents: Int64, newCents: Int64) {
        self.kind = kind
        self.effectiveOn = effectiveOn
        self.currentCents = currentCents
        self.newCents = newCents
    }
}

/// An amount paid that was not due, still to be taken back (recorded with a change's decision).
public struct OpenRecovery: Sendable, Equatable {
    public var id: UUID
    public var outstandingCents: Int64
    public init(id: UUID, outstandingCents: Int64) {
        self.id = id
        self.outstandingCents = outstandingCents
    }
}

/// What the payroll needs of one enrolment: its decision and its history of payments.
public struct PayrollEnrolment: Sendable, Equatable {
    public var id: UUID
    public var householdID: UUID
    /// Who is paid: the enrolled member for a personal programme, else the household head.
    public var payeeID: UUID?
    public var program: Program
    public var since: LocalDate
    public var amountCents: Int64
    public var status: EnrolmentStatus
    public var statusChangedOn: LocalDate?
    public var exitEndsOn: LocalDate?
    public var changes: [DecidedChange]
    /// The months already paid (or being paid by a payroll not yet closed).
    public var paidMonths: Set<PayMonth>
    public var hold: String?
    public var payeeDiedOn: LocalDate?
    public var hasAccount: Bool
    public var recoveries: [OpenRecovery]

    public init(id: UUID, householdID: UUID, payeeID: UUID?, program: Program, since: LocalDate, amountCents: Int64, status: EnrolmentStatus,
                statusChangedOn: LocalDate? = nil, exitEndsOn: LocalDate? = nil, changes: [DecidedChange] = [], paidMonths: Set<PayMonth> = [],
                hold: String? = nil, payeeDiedOn: LocalDate? = nil, hasAccount: Bool = true, recoveries: [OpenRecovery] = []) {
        self.id = id
        self.householdID = householdID
        self.payeeID = payeeID
        self.program = program
        self.since = since
        self.amountCents = amountCents
        self.status = status
        self.statusChangedOn = statusChangedOn
        self.exitEndsOn = exitEndsOn
        self.changes = changes
        self.paidMonths = paidMonths
        self.hold = hold
        self.payeeDiedOn = payeeDiedOn
        self.hasAccount = hasAccount
        self.recoveries = recoveries
    }
}

/// A one-off grant decided (temporary assistance, help first, a deliberation's one-off amount): paid once, by the
/// first payroll of its month or after.
public struct PayrollOneOff: Sendable, Equatable {
    /// "case:<id>" or "deliberation:<id>": the key that makes it paid once.
    public var key: String
    public var householdID: UUID
    public var payeeID: UUID?
    public var program: Program
    public var amountCents: Int64
    public var decidedOn: LocalDate
    public var basis: String
    /// Help first was already drawn from the township's reserve fund when it was granted.
    public var fromReserveFund: Bool
    public var payeeDiedOn: LocalDate?
    public var hasAccount: Bool

    public init(key: String, householdID: UUID, payeeID: UUID?, program: Program, amountCents: Int64, decidedOn: LocalDate, basis: String,
                fromReserveFund: Bool, payeeDiedOn: LocalDate? = nil, hasAccount: Bool = true) {
        self.key = key
        self.householdID = householdID
        self.payeeID = payeeID
        self.program = program
        self.amountCents = amountCents
        self.decidedOn = decidedOn
        self.basis = basis
        self.fromReserveFund = fromReserveFund
        self.payeeDiedOn = payeeDiedOn
        self.hasAccount = hasAccount
    }
}

/// The rules one payroll runs on.
public struct PayrollTerms: Sendable, Equatable {
    /// Arrears never reach back before the first month this county paid through the system (what was paid before
    /// was paid by the system it replaced).
    public var firstMonth: PayMonth
    /// At most this share of a line's gross amount is taken back for amounts paid that were not due
    /// (`recoveryDeductionPercent`, by region and date).
    public var recoveryPercent: Int

    public init(firstMonth: PayMonth, recoveryPercent: Int) {
        self.firstMonth = firstMonth
        self.recoveryPercent = recoveryPercent
    }
}

public struct RecoveryDeduction: Sendable, Equatable, Codable {
    public var recoveryID: UUID
    public var cents: Int64
}

/// One line of a payroll as the rules compute it.
public struct PayrollLineDraft: Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case enrolment(UUID)
        case oneOff(key: String)
    }
    public var source: Source
    public var householdID: UUID
    public var payeeID: UUID?
    public var program: Program
    public var month: PayMonth
    /// This month's amount (0 for a one-off's month or where only arrears are paid).
    public var dueCents: Int64
    /// Months paid late (补发): a decision that came after its start, or a hold released.
    public var arrearsMonths: [PayMonth]
    public var arrearsCents: Int64
    public var oneOffCents: Int64
    public var deductions: [RecoveryDeduction]
    public var netCents: Int64
    public var block: PayrollBlock?
    public var fromReserveFund: Bool

    /// The enrolment-months this line pays: each may be paid once (the database's unique key holds it).
    public var paidMonths: [PayMonth] {
        guard block == nil, case .enrolment = source else { return [] }
        return arrearsMonths + (dueCents > 0 ? [month] : [])
    }

    public var grossCents: Int64 { dueCents + arrearsCents + oneOffCents }
}

/// The payroll's arithmetic: pure, with every month's amount from the decisions in force then, and the hard blocks.
public enum PayrollCalculation {
    /// The first day an enrolment is no longer paid: the day it ended, or its gradual exit's end [DB 33].
    static func end(_ e: PayrollEnrolment) -> LocalDate? {
        let ended = e.status == .ended ? e.statusChangedOn : nil
        switch (ended, e.exitEndsOn) {
        case let (a?, b?): return min(a, b)
        case let (a, b): return a ?? b
        }
    }

    /// The monthly amount in force in `m`: the last decided change effective by then, else the amount before the
    /// first change still to come, else the enrolment's. A gradual exit keeps the amount (its end stops it) and a
    /// stop ends the enrolment, so neither sets an amount.
    static func monthlyAmount(_ e: PayrollEnrolment, _ m: PayMonth) -> Int64 {
        let amounts = e.changes.filter { $0.kind == .increase || $0.kind == .decrease }.sorted { $0.effectiveOn < $1.effectiveOn }
        if let last = amounts.last(where: { PayMonth(containing: $0.effectiveOn) <= m }) { return last.newCents }
        if let next = amounts.first(where: { PayMonth(containing: $0.effectiveOn) > m }) { return next.currentCents }
        return e.amountCents
    }

    /// What is due for month `m`, nil when the enrolment is not in force in it. A month begun or ended part-way is
    /// paid for its days in force (a benefit from the decision date [YC]), rounded once.
    public static func amount(_ e: PayrollEnrolment, for m: PayMonth) -> Int64? {
        let end = end(e)
        guard e.since <= m.last, end.map({ $0 > m.first }) ?? true else { return nil }
        let monthly = monthlyAmount(e, m)
        let from = max(e.since, m.first)
        let to = min(end.map { $0.adding(days: -1) } ?? m.last, m.last)
        let days = to.dayNumber - from.dayNumber + 1
        guard days < m.days else { return monthly }
        return Cents(monthly).multiplied(by: Int64(days), over: Int64(m.days), rounding: .halfUp).value
    }

    /// The line for one enrolment in `month`, or nil when nothing is due or owed.
    public static func line(_ e: PayrollEnrolment, month: PayMonth, terms: PayrollTerms) -> PayrollLineDraft? {
        let due = e.paidMonths.contains(month) ? 0 : (amount(e, for: month) ?? 0)
        let start = max(terms.firstMonth, PayMonth(containing: e.since))
        var arrears: [PayMonth] = []
        var arrearsCents: Int64 = 0
        for m in start.upTo(month) where !e.paidMonths.contains(m) {
            if let a = amount(e, for: m), a > 0 {
                arrears.append(m)
                arrearsCents += a
            }
        }
        guard due > 0 || arrearsCents > 0 else { return nil }
        var line = PayrollLineDraft(source: .enrolment(e.id), householdID: e.householdID, payeeID: e.payeeID, program: e.program, month: month,
                                    dueCents: due, arrearsMonths: arrears, arrearsCents: arrearsCents, oneOffCents: 0, deductions: [],
                                    netCents: 0, block: block(diedOn: e.payeeDiedOn, month: month, hold: e.hold, hasAccount: e.hasAccount),
                                    fromReserveFund: false)
        guard line.block == nil else { return line }
        line.deductions = deductions(e.recoveries, gross: line.grossCents, percent: terms.recoveryPercent)
        line.netCents = line.grossCents - line.deductions.reduce(0) { $0 + $1.cents }
        return line
    }

    /// The line for a one-off grant.
    public static func line(_ g: PayrollOneOff, month: PayMonth) -> PayrollLineDraft {
        let b = block(diedOn: g.payeeDiedOn, month: month, hold: nil, hasAccount: g.hasAccount)
        return PayrollLineDraft(source: .oneOff(key: g.key), householdID: g.householdID, payeeID: g.payeeID, program: g.program, month: month,
                                dueCents: 0, arrearsMonths: [], arrearsCents: 0, oneOffCents: g.amountCents, deductions: [],
                                netCents: b == nil ? g.amountCents : 0, block: b, fromReserveFund: g.fromReserveFund)
    }

    static func block(diedOn: LocalDate?, month: PayMonth, hold: String?, hasAccount: Bool) -> PayrollBlock? {
        if let d = diedOn, d <= month.last { return .payeeDied(on: d) }
        if let hold { return .held(reason: hold) }
        if !hasAccount { return .noAccount }
        return nil
    }

    /// Amounts to take back, oldest first, within the share of the gross (rounded down: never more than the share).
    static func deductions(_ open: [OpenRecovery], gross: Int64, percent: Int) -> [RecoveryDeduction] {
        var room = Cents(gross).multiplied(by: Int64(percent), over: 100, rounding: .down).value
        var out: [RecoveryDeduction] = []
        for r in open where room > 0 && r.outstandingCents > 0 {
            let take = min(room, r.outstandingCents)
            out.append(RecoveryDeduction(recoveryID: r.id, cents: take))
            room -= take
        }
        return out
    }
}
