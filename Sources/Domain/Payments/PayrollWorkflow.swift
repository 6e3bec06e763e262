import Foundation

/// Where a payroll stands. It is prepared, checked and approved by a second person, sent to the bank, and closed
/// when the bank's return has every line paid or carried over to a later month.
public enum PayrollStatus: String, ChineseLabelled {
    case preparing, prepared, approved, sent, closed
    public var chinese: String {
        switch self {
        case .preparing: return "生成中"
        case .prepared: return "待审批"
        case .approved: return "已审批"
        case .sent: return "已送银行"
        case .closed: return "已结清"
        }
    }
}

/// Where one line stands after the payroll is approved.
public enum PayrollLineStatus: String, ChineseLabelled {
    /// To be paid: in the payroll, then (once it is sent) waiting for the bank's return.
    case pending
    /// Not paid, with why (the dead, the held, the unbanked).
    case blocked
    case paid
    /// The bank could not pay it: in the re-issue queue with the account to fix.
    case failed
    /// Sent again in a supplementary file after the account was fixed.
    case reissued
    /// Not paid this month: its months go back to be paid as arrears by a later payroll.
    case carriedOver
    public var chinese: String {
        switch self {
        case .pending: return "待发放"
        case .blocked: return "不予发放"
        case .paid: return "已到账"
        case .failed: return "发放失败"
        case .reissued: return "已重发"
        case .carriedOver: return "转下月补发"
        }
    }
    /// Lines a payroll still waits on before it can close.
    public var isOutstanding: Bool { self == .pending || self == .failed || self == .reissued }
}

public enum PayrollError: Error, Equatable, Sendable {
    case notPrepared(PayrollStatus)
    /// Maker-checker: whoever prepared a payroll may not approve it.
    case preparerCannotApprove
    case notApproved(PayrollStatus)
    case alreadyPrepared(PayrollStatus)
    case notSent(PayrollStatus)
    case stillPreparing

    public var chinese: String {
        switch self {
        case .notPrepared(let s): return "该发放名册当前为「\(s.chinese)」，不能审批"
        case .preparerCannotApprove: return "发放名册须由生成人以外的另一人审批（双人复核）"
        case .notApproved(let s): return "该发放名册当前为「\(s.chinese)」，审批后才能生成银行文件"
        case .alreadyPrepared(let s): return "本月该项目的发放名册已经生成（\(s.chinese)），不会重复生成；更正计入下月补发或扣减"
        case .notSent(let s): return "该发放名册当前为「\(s.chinese)」，尚未送银行，不能导入回盘"
        case .stillPreparing: return "发放名册尚在生成中，请先完成生成（再次运行生成命令会从中断处继续）"
        }
    }
}

/// The payroll's state machine: pure. An approved payroll is immutable: corrections go into next month.
public enum PayrollWorkflow {
    public static func approve(status: PayrollStatus, preparedBy: String, by approver: String) throws(PayrollError) -> PayrollStatus {
        guard status == .prepared else { throw status == .preparing ? .stillPreparing : .notPrepared(status) }
        guard preparedBy != approver else { throw .preparerCannotApprove }
        return .approved
    }

    /// A bank file may be written (again, byte for byte) once the payroll is approved.
    public static func send(status: PayrollStatus) throws(PayrollError) -> PayrollStatus {
        switch status {
        case .approved, .sent: return .sent
        default: throw .notApproved(status)
        }
    }

    /// Closed when no line is still waiting on the bank.
    public static func afterReturn(lines: [PayrollLineStatus]) -> PayrollStatus {
        lines.contains(where: \.isOutstanding) ? .sent : .closed
    }
}
