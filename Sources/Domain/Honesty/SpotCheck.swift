import Foundation

/// 明白告知—诚信申报—守信激励—失信惩戒 (as Huangshi runs it): after approval a share of the cases decided on a signed
/// commitment is drawn at random and checked (随机抽查), and every case a later warning touches is traced back
/// (问题倒查): was the declaration true? [DB 9–10, 23; DD]
public enum SpotCheckKind: String, Codable, Sendable, ChineseLabelled {
    case random, traceBack
    public var chinese: String { self == .random ? "随机抽查" : "问题倒查" }
}

public enum SpotCheckStatus: String, Codable, Sendable, ChineseLabelled {
    case open, truthful, falseDeclaration
    public var chinese: String {
        switch self {
        case .open: return "待核查"
        case .truthful: return "申报属实"
        case .falseDeclaration: return "虚假申报"
        }
    }
}

public enum SpotCheckError: Error, Equatable, Sendable {
    case roleNotAllowed(Role)
    case outsideJurisdiction
    case notOpen(SpotCheckStatus)
    case staleVersion
    case findingRequired
    case invalidAmount

    public var chinese: String {
        switch self {
        case .roleNotAllowed(let r): return "\(r.chinese)不能办理抽查"
        case .outsideJurisdiction: return "不在您的辖区"
        case .notOpen(let s): return "本次核查已办结（\(s.chinese)）"
        case .staleVersion: return "本次核查刚被他人办理过：请刷新后再操作"
        case .findingRequired: return "请写明核查了什么、发现了什么"
        case .invalidAmount: return "应追回金额无效"
        }
    }
}

/// A check as the rules see it.
public struct SpotCheckState: Sendable, Equatable {
    public var kind: SpotCheckKind
    public var status: SpotCheckStatus
    public var version: Int
    public var program: Program
    public var residenceRegion: RegionCode
    public var registrationRegion: RegionCode
    public var drawnOn: LocalDate
    public var finding: String?
    /// Paid but not due because of the false declaration, to be recovered (set with the finding).
    public var recoverCents: Int64?
    public var checkedBy: String?
    public var checkedOn: LocalDate?

    public init(kind: SpotCheckKind, status: SpotCheckStatus = .open, version: Int = 1, program: Program, residenceRegion: RegionCode,
                registrationRegion: RegionCode, drawnOn: LocalDate, finding: String? = nil, recoverCents: Int64? = nil, checkedBy: String? = nil,
                checkedOn: LocalDate? = nil) {
        self.kind = kind
        self.status = status
        self.version = version
        self.program = program
        self.residenceRegion = residenceRegion
        self.registrationRegion = registrationRegion
        self.drawnOn = drawnOn
        self.finding = finding
        self.recoverCents = recoverCents
        self.checkedBy = checkedBy
        self.checkedOn = checkedOn
    }
}

public enum SpotCheckWorkflow {
    /// A bound on what a check may record to recover, against a slip of the keyboard: ten years of the largest
    /// monthly amount the calculator can give (the amount itself is the officer's finding, not a rule).
    public static let maxRecoverCents = PolicyCalculator.maxAmountCents * 12 * 10

    /// The township of residence or registration checks; the county may too.
    public static func mayRecord(_ s: SpotCheckState, by actor: Actor) -> Bool {
        s.status == .open && (actor.role == .townshipOfficer || actor.role == .countyReviewer)
            && (actor.jurisdiction.contains(s.residenceRegion) || actor.jurisdiction.contains(s.registrationRegion))
    }

    /// The check's result: what was checked and found; for a false declaration, any amount paid that was not due.
    public static func record(_ s: SpotCheckState, truthful: Bool, finding: String, recoverCents: Int64?, expectedVersion: Int, by actor: Actor,
                              on today: LocalDate) throws(SpotCheckError) -> SpotCheckState {
        guard expectedVersion == s.version else { throw .staleVersion }
        guard s.status == .open else { throw .notOpen(s.status) }
        guard actor.role == .townshipOfficer || actor.role == .countyReviewer else { throw .roleNotAllowed(actor.role) }
        guard actor.jurisdiction.contains(s.residenceRegion) || actor.jurisdiction.contains(s.registrationRegion) else { throw .outsideJurisdiction }
        let text = finding.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .findingRequired }
        if let r = recoverCents, truthful || r <= 0 || r > maxRecoverCents { throw .invalidAmount }
        var n = s
        n.status = truthful ? .truthful : .falseDeclaration
        n.finding = text
        n.recoverCents = truthful ? nil : recoverCents
        n.checkedBy = actor.username
        n.checkedOn = today
        n.version += 1
        return n
    }

    /// The random draw: `percent` of `candidates`, rounded up (one at least when there are any), by `generator`.
    public static func draw<T, G: RandomNumberGenerator>(_ candidates: [T], percent: Int, using generator: inout G) -> [T] {
        guard !candidates.isEmpty, percent > 0 else { return [] }
        let n = min(candidates.count, (candidates.count * min(percent, 100) + 99) / 100)
        return Array(candidates.shuffled(using: &generator).prefix(n))
    }
}
