import Foundation

/// Where a warning is in its handling (核查处置).
public enum WarningStatus: String, ChineseLabelled {
    case new, assigned, verifying, disposed, closed
    public var chinese: String {
        switch self {
        case .new: return "新预警"
        case .assigned: return "已分派"
        case .verifying: return "核实中"
        case .disposed: return "已处置"
        case .closed: return "已办结"
        }
    }

    /// Still waiting for someone to act: these count towards "pending" and can be overdue.
    public var isPending: Bool { self == .new || self == .assigned || self == .verifying }
}

/// What was decided about a warning [rules §5, "Handling a warning"].
public enum DispositionOutcome: String, ChineseLabelled {
    case enrol, adjustAmount, startTermination, pushToDepartment, deliberation, noAction
    public var chinese: String {
        switch self {
        case .enrol: return "纳入救助"
        case .adjustAmount: return "调整救助金额"
        case .startTermination: return "启动停保程序"
        case .pushToDepartment: return "推送相关部门"
        case .deliberation: return "提交一事一议"
        case .noAction: return "核实无需处置"
        }
    }
}

public enum WarningAction: Sendable, Equatable {
    case assign(to: String)
    /// Sends the community coordinator to verify at home: a home-visit task is created.
    case startVerification
    case dispose(DispositionOutcome, reason: String)
    case close

    public var name: String {
        switch self {
        case .assign: return "assign"
        case .startVerification: return "verify"
        case .dispose: return "dispose"
        case .close: return "close"
        }
    }

    public var chinese: String {
        switch self {
        case .assign(let to): return "分派给 \(to)"
        case .startVerification: return "发起入户核实"
        case .dispose(let o, _): return "处置：\(o.chinese)"
        case .close: return "办结"
        }
    }
}

public enum WorkflowError: Error, Equatable, Sendable, CustomStringConvertible {
    case notAllowed(from: WarningStatus, action: String)
    case reasonRequired
    case assigneeRequired

    public var chinese: String {
        switch self {
        case .notAllowed(let s, let a): return "预警当前为「\(s.chinese)」，不能执行该操作（\(a)）"
        case .reasonRequired: return "处置须填写理由"
        case .assigneeRequired: return "请填写承办人"
        }
    }

    public var description: String {
        switch self {
        case .notAllowed(let s, let a): return "action \(a) is not allowed from status \(s.rawValue)"
        case .reasonRequired: return "a disposition needs a reason"
        case .assigneeRequired: return "an assignment needs an assignee"
        }
    }
}

/// The warning state machine: new → assigned → verifying → disposed → closed. A warning can be disposed
/// straight from new or assigned when the facts speak for themselves (a death certificate); it can only be
/// closed once disposed; a closed warning is final, and a new finding raises a new warning.
public enum WarningWorkflow {
    public static func next(_ status: WarningStatus, _ action: WarningAction) throws(WorkflowError) -> WarningStatus {
        switch (status, action) {
        case (.new, .assign(let to)), (.assigned, .assign(let to)), (.verifying, .assign(let to)):
            guard !to.trimmed.isEmpty else { throw .assigneeRequired }
            return status == .verifying ? .verifying : .assigned
        case (.new, .startVerification), (.assigned, .startVerification):
            return .verifying
        case (.new, .dispose(_, let reason)), (.assigned, .dispose(_, let reason)), (.verifying, .dispose(_, let reason)):
            guard !reason.trimmed.isEmpty else { throw .reasonRequired }
            return .disposed
        case (.disposed, .close):
            return .closed
        default:
            throw .notAllowed(from: status, action: action.name)
        }
    }

    /// The handling deadline: `workingDays` after the day raised, on the holiday calendar. Outside the
    /// calendar's years it counts weekdays only, so a missing calendar year never stops a warning being raised.
    public static func dueDate(raised: LocalDate, workingDays: Int, calendar: WorkingCalendar) -> LocalDate {
        calendar.deadline(workingDays: workingDays, after: raised).date
    }

    public static func isOverdue(status: WarningStatus, due: LocalDate, today: LocalDate) -> Bool {
        status.isPending && due < today
    }
}
