import Foundation

/// What led to the deliberation.
public enum DeliberationSource: String, Codable, Sendable, ChineseLabelled {
    case caseFile = "case", warning, staff
    public var chinese: String {
        switch self {
        case .caseFile: return "申请审核"
        case .warning: return "监测预警"
        case .staff: return "工作人员提请"
        }
    }
}

public enum DeliberationStatus: String, Codable, Sendable, ChineseLabelled {
    case open, approved, refused
    public var chinese: String {
        switch self {
        case .open: return "议事中"
        case .approved: return "已议定给予救助"
        case .refused: return "已议定不予救助"
        }
    }
}

/// What a meeting decided: help (once, or monthly under a programme), no help, or to put it to the level above.
public enum DeliberationOutcome: Codable, Sendable, Equatable {
    case oneOff(amountCents: Int64)
    case monthly(program: Program, amountCents: Int64)
    case refuse
    case escalate

    public var chinese: String {
        switch self {
        case .oneOff(let a): return "给予一次性救助 \(Cents(a).yuanText)"
        case .monthly(let p, let a): return "纳入\(p.chinese)，每月 \(Cents(a).yuanText)"
        case .refuse: return "不予救助"
        case .escalate: return "提请上一级议定"
        }
    }

    public var amountCents: Int64? {
        switch self {
        case .oneOff(let a), .monthly(_, let a): return a
        case .refuse, .escalate: return nil
        }
    }
}

/// A person at the meeting and the capacity they sat in (社区书记, 民政助理员, 人大代表, 群众代表…).
public struct DeliberationParticipant: Codable, Sendable, Equatable {
    public var name: String
    public var role: String
    public init(name: String, role: String) {
        self.name = name
        self.role = role
    }
}

/// The meeting record (会议纪要): when, who, what each said, what was decided and why.
public struct DeliberationMeeting: Codable, Sendable, Equatable {
    public var level: DeliberationLevel
    public var heldOn: LocalDate
    public var participants: [DeliberationParticipant]
    public var opinions: [String]
    public var outcome: DeliberationOutcome
    public var reasons: [String]
    public var recordedBy: String

    public init(level: DeliberationLevel, heldOn: LocalDate, participants: [DeliberationParticipant], opinions: [String], outcome: DeliberationOutcome,
                reasons: [String], recordedBy: String = "") {
        self.level = level
        self.heldOn = heldOn
        self.participants = participants
        self.opinions = opinions
        self.outcome = outcome
        self.reasons = reasons
        self.recordedBy = recordedBy
    }
}

public enum DeliberationError: Error, Equatable, Sendable {
    case roleNotAllowed(Role)
    case outsideJurisdiction
    case notOpen(DeliberationStatus)
    case staleVersion
    case situationRequired
    case unknownSituation(String)
    case wrongLevel(DeliberationLevel)
    case tooFewParticipants(min: Int)
    case opinionsRequired
    case reasonsRequired
    case meetingInFuture
    case levelCannotDecide(DeliberationLevel)
    case overLimit(limitCents: Int64, level: DeliberationLevel)
    case noLevelAbove
    case invalidAmount
    case notMonthlyProgram(Program)

    public var chinese: String {
        switch self {
        case .roleNotAllowed(let r): return "\(r.chinese)不能办理此项"
        case .outsideJurisdiction: return "不在您的辖区"
        case .notOpen(let s): return "本次一事一议已办结（\(s.chinese)）"
        case .staleVersion: return "本次一事一议刚被他人办理过：请刷新后再操作"
        case .situationRequired: return "请写明困难情形"
        case .unknownSituation(let s): return "未知的困难情形：\(s)"
        case .wrongLevel(let l): return "本次一事一议现由\(l.chinese)议定"
        case .tooFewParticipants(let n): return "议事参加人员不少于 \(n) 人（每行一人：姓名 职务）"
        case .opinionsRequired: return "请记录与会人员的意见"
        case .reasonsRequired: return "请写明议定的理由"
        case .meetingInFuture: return "会议日期不能晚于今天"
        case .levelCannotDecide(let l): return "\(l.chinese)只提出意见，须提请上一级议定"
        case .overLimit(let limit, let l): return "超过\(l.chinese)可议定的金额上限 \(Cents(limit).yuanText)：请提请上一级议定"
        case .noLevelAbove: return "已是最高层级，须作出决定"
        case .invalidAmount: return "金额无效"
        case .notMonthlyProgram(let p): return "\(p.chinese)不是按月发放的救助项目"
        }
    }
}

/// A deliberation as the rules see it.
public struct DeliberationState: Sendable, Equatable {
    public var situation: String
    public var tags: [String]
    public var source: DeliberationSource
    public var level: DeliberationLevel
    public var status: DeliberationStatus
    public var version: Int
    public var residenceRegion: RegionCode
    public var registrationRegion: RegionCode
    public var openedBy: String
    public var openedOn: LocalDate
    public var meetings: [DeliberationMeeting]

    public init(situation: String, tags: [String], source: DeliberationSource, level: DeliberationLevel, status: DeliberationStatus = .open, version: Int = 1,
                residenceRegion: RegionCode, registrationRegion: RegionCode, openedBy: String, openedOn: LocalDate, meetings: [DeliberationMeeting] = []) {
        self.situation = situation
        self.tags = tags
        self.source = source
        self.level = level
        self.status = status
        self.version = version
        self.residenceRegion = residenceRegion
        self.registrationRegion = registrationRegion
        self.openedBy = openedBy
        self.openedOn = openedOn
        self.meetings = meetings
    }

    /// The decision, once made: the last meeting's outcome.
    public var decision: DeliberationMeeting? { status == .open ? nil : meetings.last }
}

/// 一事一议, pure: opened at the opener's level for a hardship no rule covers [LS; JC]; each level meets and either
/// decides within its limit (a parameter) or puts it to the level above; the meeting is recorded in full.
public enum DeliberationWorkflow {
    /// Programmes a deliberation may enrol a household in, paid monthly.
    public static let monthlyPrograms: [Program] = [.dibao, .tekun, .nearDibao, .expenditureHardship]

    static func inJurisdiction(_ actor: Actor, residence: RegionCode, registration: RegionCode) -> Bool {
        actor.jurisdiction.contains(residence) || actor.jurisdiction.contains(registration)
    }

    public static func open(situation: String, tags: [String], source: DeliberationSource, residence: RegionCode, registration: RegionCode,
                            levels: DeliberationLevels, by actor: Actor, on today: LocalDate) throws(DeliberationError) -> DeliberationState {
        // Opened at the opener's own level, by the one who convenes that level's meetings.
        guard let level = levels.openingLevel(for: actor), levels.rule(level)?.role == actor.role else { throw .roleNotAllowed(actor.role) }
        guard inJurisdiction(actor, residence: residence, registration: registration) else { throw .outsideJurisdiction }
        let text = situation.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .situationRequired }
        for t in tags where levels.situation(t) == nil { throw .unknownSituation(t) }
        return DeliberationState(situation: text, tags: Array(Set(tags)).sorted(), source: source, level: level, residenceRegion: residence,
                                 registrationRegion: registration, openedBy: actor.username, openedOn: today)
    }

    /// Whether `actor` is the one to convene the meeting of the level the deliberation is at.
    public static func mayMeet(_ s: DeliberationState, by actor: Actor, levels: DeliberationLevels) -> Bool {
        s.status == .open && levels.rule(s.level)?.role == actor.role && DeliberationLevel.of(actor.jurisdiction) == s.level
            && inJurisdiction(actor, residence: s.residenceRegion, registration: s.registrationRegion)
    }

    /// `limitCents`: the level's limit on this date and region (nil: none).
    public static func record(_ meeting: DeliberationMeeting, on s: DeliberationState, expectedVersion: Int, levels: DeliberationLevels, limitCents: Int64?,
                              by actor: Actor, today: LocalDate) throws(DeliberationError) -> DeliberationState {
        guard expectedVersion == s.version else { throw .staleVersion }
        guard s.status == .open else { throw .notOpen(s.status) }
        guard let rule = levels.rule(s.level) else { throw .wrongLevel(s.level) }
        guard actor.role == rule.role else { throw .roleNotAllowed(actor.role) }
        guard inJurisdiction(actor, residence: s.residenceRegion, registration: s.registrationRegion) else { throw .outsideJurisdiction }
        guard DeliberationLevel.of(actor.jurisdiction) == s.level, meeting.level == s.level else { throw .wrongLevel(s.level) }
        guard meeting.heldOn <= today else { throw .meetingInFuture }
        let present = meeting.participants.filter { !$0.name.trimmingCharacters(in: .whitespaces).isEmpty }
        guard present.count >= rule.minParticipants else { throw .tooFewParticipants(min: rule.minParticipants) }
        let opinions = meeting.opinions.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !opinions.isEmpty else { throw .opinionsRequired }
        let reasons = meeting.reasons.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        var next = s
        switch meeting.outcome {
        case .escalate:
            guard let above = levels.next(after: s.level) else { throw .noLevelAbove }
            next.level = above
        case .refuse:
            guard rule.decides else { throw .levelCannotDecide(s.level) }
            guard !reasons.isEmpty else { throw .reasonsRequired }
            next.status = .refused
        case .oneOff(let amount), .monthly(_, let amount):
            guard rule.decides else { throw .levelCannotDecide(s.level) }
            guard amount > 0, amount <= PolicyCalculator.maxAmountCents else { throw .invalidAmount }
            if case .monthly(let p, _) = meeting.outcome, !monthlyPrograms.contains(p) { throw .notMonthlyProgram(p) }
            // Beyond the ordinary programme limits is the point; beyond this level's authority is the level above's.
            if let limit = limitCents, amount > limit { throw .overLimit(limitCents: limit, level: s.level) }
            guard !reasons.isEmpty else { throw .reasonsRequired }
            next.status = .approved
        }
        var m = meeting
        (m.participants, m.opinions, m.reasons, m.recordedBy) = (present, opinions, reasons, actor.username)
        next.meetings.append(m)
        next.version += 1
        return next
    }
}
