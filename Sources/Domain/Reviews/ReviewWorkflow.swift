import Foundation

public enum ReviewStatus: String, ChineseLabelled {
    /// Opened by the schedule, for the township to do.
    case open
    /// Reviewed: the household still qualifies at its amount.
    case continued
    /// Reviewed: a change (增发/减发/停发/渐退) went to the county.
    case changeProposed
    public var chinese: String {
        switch self {
        case .open: return "待核查"
        case .continued: return "继续保障"
        case .changeProposed: return "已提出变更"
        }
    }
}

public enum ReviewError: Error, Equatable, Sendable {
    case roleNotAllowed(Role)
    case outsideJurisdiction
    case notOpen(ReviewStatus)
    case staleVersion
    case conclusionRequired

    public var chinese: String {
        switch self {
        case .roleNotAllowed(let r): return "\(r.chinese)不能办理定期核查"
        case .outsideJurisdiction: return "不在您的辖区"
        case .notOpen(let s): return "本次核查已办结（\(s.chinese)）"
        case .staleVersion: return "本次核查刚被他人办理过：请刷新后再操作"
        case .conclusionRequired: return "请填写核查结论"
        }
    }
}

/// A periodic review as the rules see it.
public struct ReviewState: Sendable, Equatable {
    public var program: Program
    public var cycleID: String
    public var dueOn: LocalDate
    public var openedOn: LocalDate
    public var status: ReviewStatus
    public var version: Int
    public var residenceRegion: RegionCode
    public var registrationRegion: RegionCode
    public var conclusion: String?
    public var doneBy: String?
    public var doneOn: LocalDate?

    public init(program: Program, cycleID: String, dueOn: LocalDate, openedOn: LocalDate, status: ReviewStatus = .open, version: Int = 1,
                residenceRegion: RegionCode, registrationRegion: RegionCode, conclusion: String? = nil, doneBy: String? = nil, doneOn: LocalDate? = nil) {
        self.program = program
        self.cycleID = cycleID
        self.dueOn = dueOn
        self.openedOn = openedOn
        self.status = status
        self.version = version
        self.residenceRegion = residenceRegion
        self.registrationRegion = registrationRegion
        self.conclusion = conclusion
        self.doneBy = doneBy
        self.doneOn = doneOn
    }

    public func isOverdue(on today: LocalDate) -> Bool { status == .open && today > dueOn }
}

/// The review's rules, pure: a township officer of the household's township of registration (or of residence,
/// which helps with the visit) reviews it [YC 7]; it ends either with "continue" and a written conclusion, or with
/// a change proposed for the county to decide [DB 31–33].
public enum ReviewWorkflow {
    public static func mayHandle(_ s: ReviewState, by actor: Actor) -> Bool {
        actor.role == .townshipOfficer && s.status == .open
            && (actor.jurisdiction.contains(s.registrationRegion) || actor.jurisdiction.contains(s.residenceRegion))
    }

    static func check(_ s: ReviewState, expectedVersion: Int, by actor: Actor) throws(ReviewError) {
        guard expectedVersion == s.version else { throw .staleVersion }
        guard s.status == .open else { throw .notOpen(s.status) }
        guard actor.role == .townshipOfficer else { throw .roleNotAllowed(actor.role) }
        guard actor.jurisdiction.contains(s.registrationRegion) || actor.jurisdiction.contains(s.residenceRegion) else { throw .outsideJurisdiction }
    }

    /// The household still qualifies at its amount: say what was checked.
    public static func `continue`(_ s: ReviewState, conclusion: String, expectedVersion: Int, by actor: Actor, on today: LocalDate) throws(ReviewError) -> ReviewState {
        try check(s, expectedVersion: expectedVersion, by: actor)
        let text = conclusion.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .conclusionRequired }
        return done(s, .continued, conclusion: text, by: actor, on: today)
    }

    /// The review found a change: it ends here, and the change goes on to the county.
    public static func changeProposed(_ s: ReviewState, expectedVersion: Int, by actor: Actor, on today: LocalDate) throws(ReviewError) -> ReviewState {
        try check(s, expectedVersion: expectedVersion, by: actor)
        return done(s, .changeProposed, conclusion: nil, by: actor, on: today)
    }

    static func done(_ s: ReviewState, _ status: ReviewStatus, conclusion: String?, by actor: Actor, on today: LocalDate) -> ReviewState {
        var n = s
        n.status = status
        n.version += 1
        n.conclusion = conclusion
        n.doneBy = actor.username
        n.doneOn = today
        return n
    }
}
