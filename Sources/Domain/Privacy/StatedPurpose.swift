import Foundation

/// Why a member of staff needs a whole ID number. Pages and API answers show ID numbers masked; the whole number
/// is given only for a stated purpose, and each such read is audited with it (个人信息保护法第六条 minimum need,
/// 第五十一条 access controls). The purposes are the work that needs the number; anything else is "other" and
/// must be said in words.
public enum IDRevealPurpose: String, PurposeKind {
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

/// What a stated purpose is chosen from: a closed list whose "other" must be said in words.
public protocol PurposeKind: RawRepresentable, CaseIterable, Sendable, Equatable, ChineseLabelled where RawValue == String {
    static var other: Self { get }
}

/// Why personal data leaves its usual, minimal form (a whole ID number seen, a list exported): a purpose from the
/// list, and words where the purpose alone does not say enough. Kept with the audit entry (个人信息保护法第六条).
public struct StatedPurpose<Kind: PurposeKind>: Sendable, Equatable {
    public let kind: Kind
    public let note: String

    public init(kind: Kind, note: String) {
        self.kind = kind
        self.note = note
    }

    /// The longest note kept in the audit log.
    public static var maxNote: Int { 200 }
    /// "Other" says why in words: at least this many characters (a reason, not "x").
    public static var minOtherNote: Int { 4 }

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case noPurpose, noteRequired, noteTooLong
        public var description: String {
            switch self {
            case .noPurpose: return "请选择用途"
            case .noteRequired: return "用途为“其他”时须写明理由（至少\(StatedPurpose.minOtherNote)个字）"
            case .noteTooLong: return "理由不超过\(StatedPurpose.maxNote)个字"
            }
        }
    }

    /// Reads a purpose and a note as typed; "other" needs a note of `minOtherNote` characters or more.
    public static func parse(purpose: String?, note: String?) -> Result<StatedPurpose, Problem> {
        guard let kind = purpose.flatMap(Kind.init(rawValue:)) else { return .failure(.noPurpose) }
        let note = (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard note.count <= maxNote else { return .failure(.noteTooLong) }
        if kind == Kind.other, note.count < minOtherNote { return .failure(.noteRequired) }
        return .success(StatedPurpose(kind: kind, note: note))
    }

    /// How the audit log and a file's header record it.
    public var logged: String { kind.chinese.replacingOccurrences(of: "（须写明）", with: "") + (note.isEmpty ? "" : "：\(note)") }
}

public typealias IDRevealReason = StatedPurpose<IDRevealPurpose>

/// Why a list leaves the system as a file. Every export states one; it is written into the file's first line with
/// who exported it and when, and into the audit log.
public enum ExportPurpose: String, PurposeKind {
    case statistics, departmentCheck, caseWork, inspection, other
    public var chinese: String {
        switch self {
        case .statistics: return "统计上报"
        case .departmentCheck: return "部门比对核查"
        case .caseWork: return "工作台账（本辖区办理）"
        case .inspection: return "监督检查、审计"
        case .other: return "其他（须写明）"
        }
    }
}

public typealias ExportReason = StatedPurpose<ExportPurpose>

/// The first line of every exported file: who exported it, when (Beijing time), and why. A list found on a shared
/// drive or in a chat says where it came from.
public enum ExportStamp {
    public static func text(name: String, username: String, at: Date, purpose: ExportReason) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .china
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return "导出人：\(name)（\(username)）；导出时间：\(f.string(from: at))（北京时间）；用途：\(purpose.logged)；含个人信息，仅限上述用途，用后销毁"
    }
}
