import Foundation

/// 增发 / 减发 / 停发: a change to an enrolment in force, proposed by the township with the calculator's new view of
/// the household, decided by the county of registration [DB 32–34; TK 24–26].
public enum ChangeKind: String, ChineseLabelled {
    case increase, decrease, stop
    /// 渐退: income has risen above the standard; the amount goes on for a set number of months, then stops [DB 33].
    case gradualExit
    public var chinese: String {
        switch self {
        case .increase: return "增发"
        case .decrease: return "减发"
        case .stop: return "停发"
        case .gradualExit: return "渐退"
        }
    }
}

/// What led to the change.
public enum ChangeSource: String, ChineseLabelled {
    case warning, review, report, staff
    /// A spot check or a trace-back found a false declaration.
    case honesty
    public var chinese: String {
        switch self {
        case .warning: return "监测预警"
        case .review: return "定期核查"
        case .honesty: return "抽查倒查发现虚假申报"
        case .report: return "家庭主动报告"
        case .staff: return "工作人员发现"
        }
    }
}

public enum ChangeStatus: String, ChineseLabelled {
    case proposed, approved, rejected
    public var chinese: String {
        switch self {
        case .proposed: return "待县级决定"
        case .approved: return "已决定"
        case .rejected: return "不予变更"
        }
    }
}

/// Money paid that was not due, to be deducted or collected (by the payments work) [DD].
public struct Recovery: Sendable, Equatable, Codable {
    public var amountCents: Int64
    /// Why: a false declaration, or a change not reported for three months or more.
    public var basis: String
    public init(amountCents: Int64, basis: String) {
        self.amountCents = amountCents
        self.basis = basis
    }
}

/// A change as the rules see it.
public struct EnrolmentChangeState: Sendable, Equatable {
    public var program: Program
    public var currentCents: Int64
    public var newCents: Int64
    /// The first day of the month the new amount (or the stop) takes effect.
    public var effectiveOn: LocalDate
    public var reasons: [String]
    public var articles: [String]
    public var source: ChangeSource
    public var status: ChangeStatus
    public var version: Int
    public var proposedBy: String
    public var proposedOn: LocalDate
    public var residenceRegion: RegionCode
    public var registrationRegion: RegionCode
    /// Tekun termination is posted before it is decided [TK 24–26]: the day the notice went up.
    public var noticeFrom: LocalDate?
    public var decidedBy: String?
    public var decidedOn: LocalDate?
    public var recovery: Recovery?
    /// For a gradual exit: how many months the current amount goes on from `effectiveOn` before it stops.
    public var exitMonths: Int?

    public var kind: ChangeKind {
        exitMonths != nil ? .gradualExit : newCents == 0 ? .stop : newCents > currentCents ? .increase : .decrease
    }

    /// For a gradual exit: the first day of the first month no longer paid.
    public var exitEndsOn: LocalDate? { exitMonths.map { effectiveOn.adding(months: $0) } }

    public init(program: Program, currentCents: Int64, newCents: Int64, effectiveOn: LocalDate, reasons: [String], articles: [String], source: ChangeSource,
                status: ChangeStatus, version: Int, proposedBy: String, proposedOn: LocalDate, residenceRegion: RegionCode, registrationRegion: RegionCode,
                noticeFrom: LocalDate? = nil, decidedBy: String? = nil, decidedOn: LocalDate? = nil, recovery: Recovery? = nil, exitMonths: Int? = nil) {
        self.exitMonths = exitMonths
        self.program = program
        self.currentCents = currentCents
        self.newCents = newCents
        self.effectiveOn = effectiveOn
        self.reasons = reasons
        self.articles = articles
        self.source = source
        self.status = status
        self.version = version
        self.proposedBy = proposedBy
        self.proposedOn = proposedOn
        self.residenceRegion = residenceRegion
        self.registrationRegion = registrationRegion
        self.noticeFrom = noticeFrom
        self.decidedBy = decidedBy
        self.decidedOn = decidedOn
        self.recovery = recovery
    }
}

public enum ChangeError: Error, Equatable, Sendable {
    case sameAmount
    case invalidAmount
    case reasonRequired(String)
    case roleNotAllowed(Role)
    case outsideJurisdiction
    /// A county reviewer of the residence side: the county of registration decides [YC].
    case decidedByRegistrationCounty
    case proposerCannotDecide
    case notProposed(ChangeStatus)
    case staleVersion
    case noticeNotOver(until: LocalDate)
    case effectiveMonthPast
    case pendingExists
    /// Gradual exit is for dibao, ending in a stop [DB 33].
    case gradualExitNotAllowed(Program)
    case exitMonthsOutOfRange(max: Int)

    public var chinese: String {
        switch self {
        case .sameAmount: return "新金额与现发放金额相同，无需变更"
        case .invalidAmount: return "金额无效"
        case .reasonRequired(let what): return "请填写\(what)"
        case .roleNotAllowed(let r): return "\(r.chinese)不能办理此项"
        case .outsideJurisdiction: return "不在您的辖区"
        case .decidedByRegistrationCounty: return "该家庭户籍在外区县：由户籍地区县民政部门决定"
        case .proposerCannotDecide: return "提出变更的人不能决定本次变更"
        case .notProposed(let s): return "本次变更已办结（\(s.chinese)）"
        case .staleVersion: return "本次变更刚被他人办理过：请刷新后再操作"
        case .noticeNotOver(let d): return "终止特困供养须先公示，\(d) 起方可决定 [TK 24–26]"
        case .effectiveMonthPast: return "生效月份不能早于本月（多发的金额请登记为应追回）"
        case .pendingExists: return "该救助已有一项变更等待县级决定：请先办结"
        case .gradualExitNotAllowed(let p): return "\(p.chinese)不适用渐退（渐退适用于收入超过低保标准的低保家庭）[DB 33]"
        case .exitMonthsOutOfRange(let max): return "渐退期应为1–\(max)个月 [DB 33]"
        }
    }
}

/// A gradual exit asked for: its months, within the region's limit (the `gradualExitMonths` parameter).
public struct GradualExit: Sendable, Equatable {
    public var months: Int
    public var maxMonths: Int
    public init(months: Int, maxMonths: Int) {
        self.months = months
        self.maxMonths = maxMonths
    }
}

/// The change's rules, pure: the township of residence (or registration) proposes; the county of registration
/// decides; a decrease or stop gives written reasons citing the articles [DB 32–34]; tekun termination is posted
/// for `tekunStopNoticeDays` before it is decided [TK 24–26]; whoever proposed does not decide.
public enum ChangeWorkflow {
    public static func propose(program: Program, currentCents: Int64, newCents: Int64, effectiveOn: LocalDate, reasons: [String], articles: [String],
                               source: ChangeSource, residence: RegionCode, registration: RegionCode, by actor: Actor,
                               on today: LocalDate, gradualExit: GradualExit? = nil) throws(ChangeError) -> EnrolmentChangeState {
        guard actor.role == .townshipOfficer else { throw .roleNotAllowed(actor.role) }
        guard actor.jurisdiction.contains(residence) || actor.jurisdiction.contains(registration) else { throw .outsideJurisdiction }
        guard newCents >= 0, newCents <= PolicyCalculator.maxAmountCents else { throw .invalidAmount }
        guard newCents != currentCents else { throw .sameAmount }
        guard effectiveOn.year * 12 + effectiveOn.month >= today.year * 12 + today.month else { throw .effectiveMonthPast }
        let why = reasons.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        let cited = articles.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !why.isEmpty else { throw .reasonRequired("变更理由") }
        var s = EnrolmentChangeState(program: program, currentCents: currentCents, newCents: newCents,
                                     effectiveOn: effectiveOn.firstOfMonth,
                                     reasons: why, articles: cited, source: source, status: .proposed, version: 1, proposedBy: actor.username,
                                     proposedOn: today, residenceRegion: residence, registrationRegion: registration)
        // A decrease or a stop takes something away: written reasons citing the articles [DB 32–34].
        if let g = gradualExit {
            // The amount goes on unchanged for the exit months, then stops [DB 33].
            guard program == .dibao, newCents == 0 else { throw .gradualExitNotAllowed(program) }
            guard (1...max(g.maxMonths, 1)).contains(g.months) else { throw .exitMonthsOutOfRange(max: g.maxMonths) }
            s.exitMonths = g.months
        }
        if s.kind != .increase, cited.isEmpty { throw .reasonRequired("减发、停发所依据的条款") }
        if s.kind == .stop && program == .tekun { s.noticeFrom = today }
        return s
    }

    /// Whether `actor` is the one to decide: a county reviewer whose jurisdiction holds the household's county of
    /// registration (a household living elsewhere in the city is still decided where it is registered [YC]).
    public static func mayDecide(_ state: EnrolmentChangeState, by actor: Actor) -> Bool {
        actor.role == .countyReviewer && state.status == .proposed
            && actor.jurisdiction.contains(state.registrationRegion.ancestor(at: .county) ?? state.registrationRegion)
    }

    /// The county of registration decides; `noticeDays`: the tekun termination notice, from the parameters.
    public static func decide(approve: Bool, recovery: Recovery?, state: EnrolmentChangeState, expectedVersion: Int, by actor: Actor, on today: LocalDate,
                              noticeDays: Int) throws(ChangeError) -> EnrolmentChangeState {
        guard expectedVersion == state.version else { throw .staleVersion }
        guard state.status == .proposed else { throw .notProposed(state.status) }
        guard actor.role == .countyReviewer else { throw .roleNotAllowed(actor.role) }
        guard mayDecide(state, by: actor) else {
            throw actor.jurisdiction.contains(state.residenceRegion) ? .decidedByRegistrationCounty : .outsideJurisdiction
        }
        guard actor.username != state.proposedBy else { throw .proposerCannotDecide }
        if approve, state.kind == .stop, let posted = state.noticeFrom {
            let until = posted.adding(days: noticeDays)
            guard today >= until else { throw .noticeNotOver(until: until) }
        }
        if let r = recovery {
            guard r.amountCents > 0 else { throw .invalidAmount }
            guard !r.basis.trimmingCharacters(in: .whitespaces).isEmpty else { throw .reasonRequired("应追回金额的依据") }
        }
        var s = state
        s.version += 1
        s.status = approve ? .approved : .rejected
        s.decidedBy = actor.username
        s.decidedOn = today
        s.recovery = approve ? recovery : nil
        return s
    }
}
