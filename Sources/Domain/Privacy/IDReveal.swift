import Foundation

/// Why a member of staff needs a whole ID number. Pages and API answers show ID numbers masked; the whole number
/// is given only for a stated purpose, and each such read is audited with it (个人信息保护法第六条 minimum need,
/// 第五十一条 access controls). The purposes are the work that needs the number; anything else is "other" and
/// must be said in words.
public enum IDRevealPurpose: String, CaseIterable, Sendable, ChineseLabelled {
    case identityCheck, caseHandling, bankAccount, departmentRequest, other
    public var chinese: String {
        switch self {
        case .identityCheck: return "核对本人身份"
        case .caseHandling: return "办理救助申请或变更"
        case .bankAccount: return "办理发放账户"
        case .departmentRequest: return "部门协查"
        case .other: return "其他（须写明）"
        }
    }
}

/// A request to see a whole ID number: a purpose, and words where the purpose alone does not say enough.
public struct IDRevealReason: Sendable, Equatable {
    public let purpose: IDRevealPurpose
    public let note: String

    /// The longest note kept in the audit log.
    public static let maxNote = 200

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noPurpose, noteRequired, noteTooLong
        public var description: String {
            switch self {
            case .noPurpose: return "请选择查看完整身份证号的用途"
            case .noteRequired: return "用途为“其他”时须写明理由（至少4个字）"
            case .noteTooLong: return "理由不超过\(IDRevealReason.maxNote)个字"
            }
        }
    }

    /// Reads a purpose and a note as typed; "other" needs at least four characters of words.
    public static func parse(purpose: String?, note: String?) -> Result<IDRevealReason, Problem> {
        guard let purpose = purpose.flatMap(IDRevealPurpose.init(rawValue:)) else { return .failure(.noPurpose) }
        let note = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= maxNote else { return .failure(.noteTooLong) }
        if purpose == .other, note.count < 4 { return .failure(.noteRequired) }
        return .success(IDRevealReason(purpose: purpose, note: note))
    }

    /// How the audit log records it.
    public var logged: String { purpose.chinese.replacingOccurrences(of: "（须写明）", with: "") + (note.isEmpty ? "" : "：\(note)") }
}
