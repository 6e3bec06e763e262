import Foundation

/// Where a case stands against its deadlines: the current step's due date, the whole process's limit, and the
/// public notice's last day, each on the working calendar (provisional through a year without holiday data).
public struct CaseClock: Sendable, Equatable {
    public var stepDue: Deadline?
    public var processDue: Deadline?
    /// The day a posted notice may come down.
    public var noticeUntil: LocalDate?
    public var stepOverdue: Bool
    public var processOverdue: Bool
    /// Working days from acceptance to today (or to the decision).
    public var workingDaysTaken: Int?

    public var overdue: Bool { stepOverdue || processOverdue }
    public var provisional: Bool { (stepDue?.provisional ?? false) || (processDue?.provisional ?? false) }

    /// The process limit: 30 working days, 45 when extended with a recorded reason, fewer where approval is
    /// delegated to the township [DB 21; YC] — all from the process data.
    public static func limitDays(_ state: CaseState, _ process: CaseProcess) -> Int {
        if state.extensionReason != nil { return process.limit.extendedWorkingDays }
        if process.delegation != nil, let d = process.limit.delegatedWorkingDays { return d }
        return process.limit.workingDays
    }

    public init(_ state: CaseState, process: CaseProcess, calendar: WorkingCalendar, today: LocalDate) {
        let open = state.status == .open
        if let accepted = state.acceptedOn {
            processDue = calendar.deadline(workingDays: Self.limitDays(state, process), after: accepted)
            workingDaysTaken = calendar.elapsed(from: accepted, to: state.decision?.on ?? today).days
        }
        if open, let step = state.step, let rule = process.rule(step), let days = rule.dueWorkingDays {
            let from = rule.from.flatMap { state.done[$0] } ?? state.acceptedOn
            stepDue = from.map { calendar.deadline(workingDays: days, after: $0) }
        }
        if open, state.step == .publicNotice, let posted = state.noticeFrom {
            noticeUntil = posted.adding(days: process.rule(.publicNotice)?.noticeDays ?? 0)
        }
        // Help first: after the grant, the paperwork is the step that is due.
        if state.paperworkPending, let due = state.paperworkDueOn { stepDue = Deadline(date: due, provisional: false) }
        stepOverdue = (open || state.paperworkPending) && (stepDue.map { today > $0.date } ?? false)
        processOverdue = open && (processDue.map { today > $0.date } ?? false)
    }
}
