import Foundation

/// 先行救助 (help first, paperwork after): for an emergency the township grants at once, within its limit, from its
/// reserve fund, and the economic check, hearing and notice are done afterwards within a deadline [LS; ZX 48]. The
/// process file marks a process as help-first; the deadline is a policy parameter by region and date.
public struct FastTrackRule: Codable, Sendable, Equatable {
    /// The parameter giving the working days to complete the paperwork after the grant.
    public var paperworkParameter: String
    /// A grant the township makes is drawn from its reserve fund (备用金).
    public var fromReserveFund: Bool
    public var article: String
}

/// What a reserve-fund ledger line records.
public enum ReserveFundEntryKind: String, ChineseLabelled {
    case allocation, replenishment, grant
    public var chinese: String {
        switch self {
        case .allocation: return "拨付备用金"
        case .replenishment: return "补充备用金"
        case .grant: return "先行救助支出"
        }
    }
    /// Money out (grants) rather than in (allocations, replenishments).
    public var isOut: Bool { self == .grant }
}

public enum ReserveFundError: Error, Equatable, Sendable {
    case insufficient(balance: Cents, needed: Cents)
    case invalidAmount
    case notATownship

    public var chinese: String {
        switch self {
        case .insufficient(let b, let n):
            return "备用金余额不足：余额 \(b.yuanText)，本次需 \(n.yuanText)。请先由县级民政部门补充备用金，或报县级审批"
        case .invalidAmount: return "金额应大于0"
        case .notATownship: return "备用金按乡镇（街道）设立：请选择乡镇（街道）"
        }
    }
}
