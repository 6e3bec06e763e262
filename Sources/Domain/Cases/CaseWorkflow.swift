import Foundation

/// How an application reached the office.
public enum CaseChannel: String, ChineseLabelled {
    case window, proxy, warning, online, hotline
    public var chinese: String {
        switch self {
        case .window: return "窗口申请（一城通办）"
        case .proxy: return "代为申请"
        case .warning: return "预警转申请"
        case .online: return "线上申请"
        case .hotline: return "热线来电"
        }
    }
}

public enum CaseStatus: String, ChineseLabelled {
    case open, approved, refused, withdrawn
    public var chinese: String {
        switch self {
        case .open: return "办理中"
        case .approved: return "已批准"
        case .refused: return "不予批准"
        case .withdrawn: return "已撤回"
        }
    }
}

/// What the deciding office decided.
public struct CaseDecision: Sendable, Equatable, Codable {
    public var approved: Bool
    public var amountCents: Int64
    /// The day the benefit starts (approval only).
    public var startsOn: LocalDate?
    /// Written reasons; a refusal cites the articles it rests on [DB 20–22].
    public var reasons: [String]
    public var articles: [String]
    public var by: String
    public var on: LocalDate
    /// Who receives the money (help first records it with the grant [LS]).
    public var payee: String?
}

/// A case as the rules see it: where it stands, who did what, and the facts the next steps depend on. The store
/// keeps it; only `CaseWorkflow.apply` changes it.
public struct CaseState: Sendable, Equatable {
    public var kind: CaseKind
    public var status: CaseStatus
    /// The step waiting to be done while the case is open.
    public var step: CaseStep?
    /// Raised by every change: two people acting on one version, the second is told (optimistic check).
    public var version: Int
    public var residenceRegion: RegionCode
    public var registrationRegion: RegionCode
    /// Where an emergency struck, for a process accepted there (help first): the township that grants, whatever the
    /// household's residence or registration [LS; ZX 48].
    public var emergencyRegion: RegionCode?
    public var appliedOn: LocalDate
    /// The day each step was done.
    public var done: [CaseStep: LocalDate]
    /// Who did the home visit: they may not approve the case.
    public var investigators: [String]
    public var extensionReason: String?
    public var noticeFrom: LocalDate?
    public var objectionPending: Bool
    /// The applicant is a close relative of assistance staff or of a village/community committee member: the county
    /// visits the household itself [DB 11, 20].
    public var staffRelative: Bool
    public var decision: CaseDecision?
    /// The county checked this case itself before deciding [TK 15–18].
    public var spotChecked: Bool = false
    /// The day the one-time notice of missing materials was given: it is given once [DB 9–10].
    public var materialsRequestedOn: LocalDate?
    /// Help first: the day the paperwork after the grant is due, and the day it was done [LS; ZX 48].
    public var paperworkDueOn: LocalDate?
    public var paperworkDoneOn: LocalDate?
    public var paperworkPending: Bool { paperworkDueOn != nil && paperworkDoneOn == nil }

    public init(kind: CaseKind, residenceRegion: RegionCode, registrationRegion: RegionCode, emergencyRegion: RegionCode? = nil, appliedOn: LocalDate,
                staffRelative: Bool = false) {
        self.kind = kind
        self.emergencyRegion = emergencyRegion
        status = .open
        step = .acceptance
        version = 1
        self.residenceRegion = residenceRegion
        self.registrationRegion = registrationRegion
        self.appliedOn = appliedOn
        done = [:]
        investigators = []
        objectionPending = false
        self.staffRelative = staffRelative
    }

    public var acceptedOn: LocalDate? { done[.acceptance] }
    /// The office that grants help first and completes its paperwork: where the emergency struck, or (for a case
    /// recorded without one) where the household lives.
    public var grantingRegion: RegionCode { emergencyRegion ?? residenceRegion }
    var grantingPlace: CasePlace { emergencyRegion == nil ? .residence : .emergency }
    /// Residence and registration in different townships: the case is shared between them [YC].
    public var crossesTownships: Bool {
        residenceRegion.ancestor(at: .township) != registrationRegion.ancestor(at: .township)
    }
}

/// What someone does to a case.
public enum CaseAction: Sendable, Equatable {
    case accept
    case refuseApplication(reason: String)
    case requestMaterials(MaterialsNotice)
    case recordCommitment(CommitmentRecord)
    case recordVerification(EconomicCheckReport)
    case recordVisit(HomeVisitForm)
    case firstReview(recommend: Bool, opinion: String)
    case postNotice
    case recordObjection(text: String)
    case recordHearing(participants: [String], result: String)
    case closeNotice
    case approve(amountCents: Int64, payee: String? = nil)
    case completePaperwork(note: String)
    case refuse(reasons: [String], articles: [String])
    case extend(reason: String)
    case withdraw(reason: String)
    case recordSpotCheck(findings: String)

    public var kind: CaseActionKind {
        switch self {
        case .accept: return .accept
        case .refuseApplication: return .refuseApplication
        case .requestMaterials: return .requestMaterials
        case .recordCommitment: return .recordCommitment
        case .recordVerification: return .recordVerification
        case .recordVisit: return .recordVisit
        case .firstReview: return .firstReview
        case .postNotice: return .postNotice
        case .recordObjection: return .recordObjection
        case .recordHearing: return .recordHearing
        case .closeNotice: return .closeNotice
        case .approve: return .approve
        case .refuse: return .refuse
        case .extend: return .extend
        case .withdraw: return .withdraw
        case .recordSpotCheck: return .recordSpotCheck
        case .completePaperwork: return .completePaperwork
        }
    }

    /// The name the timeline stores.
    public var name: String { kind.rawValue }
    public var chinese: String { kind.chinese }

    /// The step an action belongs to; nil for those allowed at any step of an open case.
    var step: CaseStep? {
        switch self {
        case .accept, .refuseApplication, .requestMaterials: return .acceptance
        case .recordCommitment: return .commitment
        case .recordVerification: return .verification
        case .recordVisit: return .homeVisit
        case .firstReview: return .firstReview
        case .postNotice, .recordObjection, .recordHearing, .closeNotice: return .publicNotice
        case .approve, .refuse, .recordSpotCheck: return .decision
        case .extend, .withdraw, .completePaperwork: return nil
        }
    }

    /// The structured record the step keeps, where it has one.
    public var record: CaseRecord? {
        switch self {
        case .requestMaterials(let m): return .materials(m)
        case .recordCommitment(let c): return .commitment(c)
        case .recordVerification(let v): return .verification(v)
        case .recordVisit(let v): return .visit(v)
        default: return nil
        }
    }
}

/// What was done to a case, as its timeline stores it (`open` is the application being registered).
public enum CaseActionKind: String, ChineseLabelled {
    case open, accept, refuseApplication, requestMaterials, recordCommitment, recordVerification, recordVisit, firstReview, postNotice,
         recordObjection, recordHearing, closeNotice, approve, refuse, extend, withdraw, recordSpotCheck, completePaperwork
    public var chinese: String {
        switch self {
        case .open: return "登记申请"
        case .accept: return "受理"
        case .refuseApplication: return "不予受理"
        case .requestMaterials: return "一次性告知补齐材料"
        case .recordCommitment: return "签署承诺与授权"
        case .recordVerification: return "出具核对报告"
        case .recordVisit: return "登记入户调查"
        case .firstReview: return "初审意见"
        case .postNotice: return "张贴公示"
        case .recordObjection: return "登记公示异议"
        case .recordHearing: return "登记民主评议"
        case .closeNotice: return "公示期满"
        case .approve: return "批准"
        case .refuse: return "不予批准"
        case .extend: return "延长办理时限"
        case .withdraw: return "撤回申请"
        case .recordSpotCheck: return "登记县级抽查"
        case .completePaperwork: return "补办审核手续"
        }
    }

    /// The Chinese name of a stored action (an unknown one as stored).
    public static func chinese(_ name: String) -> String { CaseActionKind(rawValue: name)?.chinese ?? name }
}

public enum CaseError: Error, Equatable, Sendable {
    case notOpen(CaseStatus)
    case wrongStep(current: CaseStep?, action: String)
    case roleNotAllowed(Role, CaseStep)
    case outsideJurisdiction(CasePlace)
    case staleVersion(current: Int)
    case reasonRequired(String)
    case twoInvestigatorsNeeded
    case actorNotAmongInvestigators
    case investigatorCannotApprove
    case noticeNotOver(until: LocalDate)
    case noticeNotPosted
    case objectionPending
    case noObjection
    case alreadyExtended
    case invalidAmount
    case materialsAlreadyRequested(on: LocalDate)
    case materialNotAskable(item: String, why: String)
    case commitmentUnsigned([String])
    case scanReferenceMissing(String)
    case visitIncomplete(String)
    case noPaperworkPending

    public var chinese: String {
        switch self {
        case .notOpen(let s): return "本案已办结（\(s.chinese)），不能再办理"
        case .wrongStep(let current, let action): return "当前环节为「\(current?.chinese ?? "无")」，不能执行「\(action)」：环节不可跳过"
        case .roleNotAllowed(let r, let s): return "\(r.chinese)不能办理「\(s.chinese)」环节"
        case .outsideJurisdiction(let p): return "该环节由\(p.chinese)办理，不在您的辖区"
        case .staleVersion: return "本案刚被他人办理过，页面已过期：请刷新后查看最新情况再操作"
        case .reasonRequired(let what): return "请填写\(what)"
        case .twoInvestigatorsNeeded: return "入户调查须由两名以上工作人员进行，并由调查人员签字 [DB 16]"
        case .actorNotAmongInvestigators: return "登记入户调查的人须是调查人员之一"
        case .investigatorCannotApprove: return "参与入户调查的人员不能审批本案"
        case .noticeNotOver(let until): return "公示期未满，\(until) 起方可结束公示"
        case .noticeNotPosted: return "尚未张贴公示"
        case .objectionPending: return "公示有异议，须先组织民主评议"
        case .noObjection: return "没有待评议的异议"
        case .alreadyExtended: return "办理时限已延长过一次"
        case .invalidAmount: return "金额无效"
        case .materialsAlreadyRequested(let d): return "补齐材料已于 \(d) 一次性告知，不得再次要求补充 [DB 9–10]"
        case .materialNotAskable(let item, let why): return "「\(item)」\(why)，不得要求申请人提供 [DB 9–10]"
        case .commitmentUnsigned(let names): return "以下成年家庭成员尚未签署承诺书和授权书：\(names.joined(separator: "、"))"
        case .scanReferenceMissing(let name): return "\(name)的签字件已扫描：请填写扫描件编号"
        case .visitIncomplete(let what): return "入户调查表未填完整：\(what)"
        case .noPaperworkPending: return "本案没有待补办的手续"
        }
    }
}

/// What the rules in force say about one case on the day, resolved from the policy parameters by region and date
/// (never numbers in the process file): the amount up to which the township decides, who must sign the commitment,
/// and whether a monthly benefit starts on the decision date.
public struct CaseContext: Sendable, Equatable {
    /// Where the process delegates approval: the township decides up to this amount.
    public var delegationLimit: Cents?
    /// The members who must sign the commitment and authorisation [DB 9–10]; nil where the case recorded no household.
    public var requiredSigners: [String]?
    /// A monthly benefit starts on the decision date (Tianjin [YC]) instead of the month after approval [DB 24–25].
    public var benefitFromDecisionDate: Bool
    /// Help first: when the paperwork after a grant made today is due.
    public var paperworkDue: Deadline?
    /// 守信激励: the household's honest record waives the certificates marked for it, where the region says so.
    public var honestRecord: Bool

    public init(delegationLimit: Cents? = nil, requiredSigners: [String]? = nil, benefitFromDecisionDate: Bool = false, paperworkDue: Deadline? = nil,
                honestRecord: Bool = false) {
        self.honestRecord = honestRecord
        self.delegationLimit = delegationLimit
        self.requiredSigners = requiredSigners
        self.benefitFromDecisionDate = benefitFromDecisionDate
        self.paperworkDue = paperworkDue
    }

    /// The context from the parameters: the delegated limit and the signing age where the household lives, the start
    /// of a benefit where it is registered (the registration side calculates and pays [YC]).
    /// `honestRecord`: the household has a truthful spot check and no entry on the dishonesty list (the store knows).
    public static func resolve(_ process: CaseProcess, _ state: CaseState, household: AssessmentRequest?, parameters: ParameterSet,
                               calendar: WorkingCalendar, on date: LocalDate, honestRecord: Bool = false) throws -> CaseContext {
        // The delegated limit is the deciding office's: where the household lives, or where the emergency struck.
        let limit = try process.delegation.map { d in
            try parameters.resolve(d.upToParameter, region: CaseWorkflow.regions(for: d.place, state).first ?? state.residenceRegion, date: date).amount
        }
        var signers: [String]?
        if let household {
            let age = try parameters.resolve("adultAge", region: state.residenceRegion, date: date)
            guard case .integer(let n) = age.value else { throw PolicyError.wrongType(name: "adultAge", expected: "整数") }
            signers = CommitmentRecord.signers(household, fromAge: n, on: date)
        }
        let start = try parameters.resolve("benefitFromDecisionDate", region: state.registrationRegion, date: date)
        guard case .flag(let fromDecision) = start.value else { throw PolicyError.wrongType(name: "benefitFromDecisionDate", expected: "是/否") }
        var paperwork: Deadline?
        if let fast = process.fastTrack {
            let days = try parameters.resolve(fast.paperworkParameter, region: state.grantingRegion, date: date)
            guard case .integer(let n) = days.value, n > 0 else { throw PolicyError.wrongType(name: fast.paperworkParameter, expected: "正整数") }
            paperwork = calendar.deadline(workingDays: n, after: date)
        }
        var waives = false
        if honestRecord {
            let p = try parameters.resolve("honestRecordWaivesMaterials", region: state.residenceRegion, date: date)
            guard case .flag(let on) = p.value else { throw PolicyError.wrongType(name: "honestRecordWaivesMaterials", expected: "是/否") }
            waives = on
        }
        return CaseContext(delegationLimit: limit ?? nil, requiredSigners: signers, benefitFromDecisionDate: fromDecision, paperworkDue: paperwork,
                           honestRecord: waives)
    }
}

/// The state machine of a determination: pure, with the acting person, the day and the process passed in. A step
/// cannot be skipped, each is done by the roles and the office the process names, whoever investigated does not
/// approve, and a change on a stale version is refused.
public enum CaseWorkflow {
    /// The offices' regions for a place; the actor's jurisdiction must hold one of them.
    public static func regions(for place: CasePlace, _ state: CaseState) -> [RegionCode] {
        switch place {
        case .residence: return [state.residenceRegion]
        case .registration: return [state.registrationRegion]
        case .either: return [state.residenceRegion, state.registrationRegion]
        case .county: return [state.registrationRegion.ancestor(at: .county) ?? state.registrationRegion]
        case .emergency: return [state.grantingRegion]
        case .emergencyCounty: return [state.grantingRegion.ancestor(at: .county) ?? state.grantingRegion]
        }
    }

    /// Who may do the current step: the process's rule, except that a staff relative's home visit is the county's
    /// [DB 11, 20], and a decision within the delegated amount may be the township's.
    static func rules(for step: CaseStep, _ state: CaseState, _ process: CaseProcess, amount: Int64?, delegationLimit: Cents?) -> [(CasePlace, [Role])] {
        guard let rule = process.rule(step) else { return [] }
        if step == .homeVisit && state.staffRelative { return [(.county, [.countyReviewer])] }
        var out = [(rule.place, rule.roles)]
        if step == .decision, let d = process.delegation, let limit = delegationLimit, (amount ?? 0) <= limit.value {
            out.append((d.place, d.roles))
        }
        return out
    }

    /// Whether `actor` may do the case's current step (the inbox shows each person their own tasks).
    public static func isTask(of actor: Actor, _ state: CaseState, _ process: CaseProcess, delegationLimit: Cents? = nil) -> Bool {
        if state.paperworkPending { return actor.role == .townshipOfficer && actor.jurisdiction.contains(state.grantingRegion) }
        guard state.status == .open, let step = state.step else { return false }
        return rules(for: step, state, process, amount: nil, delegationLimit: delegationLimit).contains { place, roles in
            roles.contains(actor.role) && regions(for: place, state).contains { actor.jurisdiction.contains($0) }
        }
    }

    public static func apply(_ action: CaseAction, to state: CaseState, expectedVersion: Int, by actor: Actor, on today: LocalDate,
                             process: CaseProcess, context: CaseContext = CaseContext()) throws(CaseError) -> (state: CaseState, note: String) {
        let delegationLimit = context.delegationLimit
        guard expectedVersion == state.version else { throw .staleVersion(current: state.version) }
        if case .completePaperwork(let n) = action { return try completePaperwork(n, state, by: actor, on: today) }
        guard state.status == .open else { throw .notOpen(state.status) }
        var s = state
        s.version += 1
        // Extending or withdrawing belongs to whoever holds the case now (or the county).
        let step = action.step ?? s.step ?? .acceptance
        if let needed = action.step, needed != s.step { throw .wrongStep(current: s.step, action: action.chinese) }
        var amount: Int64?
        if case .approve(let a, _) = action { amount = a }
        let allowed = rules(for: step, s, process, amount: amount, delegationLimit: delegationLimit)
            + (action.step == nil ? [(CasePlace.county, [Role.countyReviewer])] : [])
        guard allowed.contains(where: { $0.1.contains(actor.role) }) else { throw .roleNotAllowed(actor.role, step) }
        guard allowed.contains(where: { place, roles in roles.contains(actor.role) && regions(for: place, s).contains { actor.jurisdiction.contains($0) } }) else {
            throw .outsideJurisdiction(allowed.first { $0.1.contains(actor.role) }?.0 ?? .county)
        }
        func text(_ t: String, _ what: String) throws(CaseError) -> String {
            let v = t.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !v.isEmpty else { throw .reasonRequired(what) }
            return v
        }
        func advance() { s.done[step] = today; s.step = next(after: step, process) }
        var note = ""
        switch action {
        case .accept:
            advance()
        case .refuseApplication(let reason):
            note = try text(reason, "不予受理的理由")
            s.status = .refused
            s.step = nil
            s.decision = CaseDecision(approved: false, amountCents: 0, startsOn: nil, reasons: [note], articles: [process.rule(.acceptance)?.article ?? ""],
                                      by: actor.username, on: today)
        case .requestMaterials(let notice):
            // Listed once, in one notice: a second request would send the applicant back again [DB 9–10].
            if let d = s.materialsRequestedOn { throw .materialsAlreadyRequested(on: d) }
            var items: [String] = []
            for raw in notice.items {
                let item = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !item.isEmpty, !items.contains(item) else { continue }
                if let why = process.whyNotAsked(item, honestRecord: context.honestRecord) { throw .materialNotAskable(item: item, why: why) }
                items.append(item)
            }
            guard !items.isEmpty else { throw .reasonRequired("需要补齐的材料") }
            s.materialsRequestedOn = today
            note = "一次性告知补齐：\(items.joined(separator: "、"))"
        case .recordCommitment(let record):
            var signed: [String] = []
            for sig in record.signatures {
                let name = sig.name.trimmingCharacters(in: .whitespaces)
                guard !name.isEmpty else { continue }
                if sig.form == .scanned, (sig.scan ?? "").trimmingCharacters(in: .whitespaces).isEmpty { throw .scanReferenceMissing(name) }
                signed.append(name)
            }
            let required = context.requiredSigners ?? []
            let missing = required.filter { !signed.contains($0) }
            guard missing.isEmpty else { throw .commitmentUnsigned(missing) }
            guard !signed.isEmpty else { throw .reasonRequired("签署承诺书的家庭成员") }
            note = "签署承诺书和授权书：" + record.signatures.filter { signed.contains($0.name.trimmingCharacters(in: .whitespaces)) }
                .map { "\($0.name)（\($0.form.chinese)\($0.scan.map { "，\($0)" } ?? "")）" }.joined(separator: "、")
            advance()
        case .recordVerification(let report):
            let n = report.note.trimmingCharacters(in: .whitespacesAndNewlines)
            let off = report.items.filter { !$0.finding.isConsistent }
            if !off.isEmpty { _ = try text(n, "不一致之处的说明") }
            note = (report.consistent ? "核对报告：申报与部门数据一致（\(report.items.count) 项）"
                                      : "核对报告：\(off.count) 项不一致（\(off.map { "\($0.member.map { "\($0) " } ?? "")\($0.item)\($0.finding.chinese)" }.joined(separator: "；"))）")
                + (n.isEmpty ? "" : "：\(n)")
            advance()
        case .recordVisit(let record):
            let names = Array(Set(record.investigators.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })).sorted()
            guard names.count >= 2 else { throw .twoInvestigatorsNeeded }
            guard names.contains(actor.username) else { throw .actorNotAmongInvestigators }
            guard !record.present.filter({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }).isEmpty else { throw .visitIncomplete("在场的家庭成员") }
            guard !record.living.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .visitIncomplete("生活状况") }
            guard !record.assetsSeen.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .visitIncomplete("所见财产（没有的写「无」）") }
            // A tekun applicant's care standard follows the self-care assessment, made in the home [TK 21–22].
            if process.program == .tekun && record.unableActivities == nil { throw .visitIncomplete("六项日常活动评估") }
            guard record.investigatorsSigned else { throw .visitIncomplete("调查人员签字") }
            guard !record.householdSigner.trimmingCharacters(in: .whitespaces).isEmpty else { throw .visitIncomplete("被调查家庭签字") }
            note = "调查人员：\(names.joined(separator: "、"))；" + record.summary
            s.investigators = names
            advance()
        case .firstReview(let recommend, let opinion):
            note = (recommend ? "建议批准：" : "建议不予批准：") + (try text(opinion, "初审意见"))
            s.done[.firstReview] = today
            // Only a household the township recommends is posted; a negative opinion goes to the decision with its reasons.
            s.step = recommend ? next(after: .firstReview, process) : .decision
        case .postNotice:
            guard s.noticeFrom == nil else { throw .wrongStep(current: s.step, action: action.chinese) }
            s.noticeFrom = today
            note = "公示 \(process.rule(.publicNotice)?.noticeDays ?? 0) 天，自 \(today) 起"
        case .recordObjection(let t):
            guard s.noticeFrom != nil else { throw .noticeNotPosted }
            note = try text(t, "异议内容")
            s.objectionPending = true
        case .recordHearing(let participants, let result):
            guard s.objectionPending else { throw .noObjection }
            guard !participants.filter({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }).isEmpty else { throw .reasonRequired("民主评议参加人员") }
            note = "民主评议：\(try text(result, "评议结果"))（参加：\(participants.joined(separator: "、"))）"
            // The hearing leads to a new opinion, and that opinion is posted again [DB 19].
            s.objectionPending = false
            s.noticeFrom = nil
            s.step = .firstReview
        case .closeNotice:
            guard let from = s.noticeFrom else { throw .noticeNotPosted }
            guard !s.objectionPending else { throw .objectionPending }
            let until = from.adding(days: process.rule(.publicNotice)?.noticeDays ?? 0)
            guard today >= until else { throw .noticeNotOver(until: until) }
            note = "公示期满无异议"
            advance()
        case .approve(let cents, let payee):
            guard cents >= 0, cents <= PolicyCalculator.maxAmountCents else { throw .invalidAmount }
            // Help first: the grant names who receives it, and the paperwork after it falls due [LS; ZX 48].
            let receiver = payee?.trimmingCharacters(in: .whitespaces)
            if process.fastTrack != nil {
                guard let receiver, !receiver.isEmpty else { throw .reasonRequired("领款人") }
                s.paperworkDueOn = context.paperworkDue?.date
            }
            guard !s.investigators.contains(actor.username) else { throw .investigatorCannotApprove }
            // One-off help is paid on the decision; a monthly benefit from the month after approval [DB 24–25], or from the
            // decision date where the city's rule says so [YC].
            let starts: LocalDate = process.benefitStarts == .decisionDate || context.benefitFromDecisionDate ? today
                : today.firstOfNextMonth
            s.decision = CaseDecision(approved: true, amountCents: cents, startsOn: starts, reasons: [], articles: [process.rule(.decision)?.article ?? ""],
                                      by: actor.username, on: today, payee: receiver.flatMap { $0.isEmpty ? nil : $0 })
            s.status = .approved
            s.done[.decision] = today
            s.step = nil
            note = "批准，\(Cents(cents).yuanText)，自 \(starts) 起" + (s.decision?.payee.map { "，领款人 \($0)" } ?? "")
                + (s.paperworkDueOn.map { "；先行救助，\($0) 前补办审核手续" } ?? "")
        case .refuse(let reasons, let articles):
            guard !s.investigators.contains(actor.username) else { throw .investigatorCannotApprove }
            let why = reasons.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
            let cited = articles.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !why.isEmpty else { throw .reasonRequired("不予批准的书面理由") }
            guard !cited.isEmpty else { throw .reasonRequired("理由所依据的条款") }
            s.decision = CaseDecision(approved: false, amountCents: 0, startsOn: nil, reasons: why, articles: cited, by: actor.username, on: today)
            s.status = .refused
            s.done[.decision] = today
            s.step = nil
            note = "不予批准：\(why.joined(separator: "；"))（依据 \(cited.joined(separator: "、"))）"
        case .extend(let reason):
            guard s.extensionReason == nil else { throw .alreadyExtended }
            guard s.acceptedOn != nil else { throw .wrongStep(current: s.step, action: action.chinese) }
            let r = try text(reason, "延长时限的理由")
            s.extensionReason = r
            note = "延长至 \(process.limit.extendedWorkingDays) 个工作日：\(r)"
        case .withdraw(let reason):
            note = try text(reason, "撤回原因")
            s.status = .withdrawn
            s.step = nil
        case .completePaperwork:
            throw .noPaperworkPending  // handled before the open-case checks
        case .recordSpotCheck(let findings):
            // Only where the process asks for it, and once: the county's own check of the township's work [TK 15–18].
            guard process.spotCheck != nil, !s.spotChecked else { throw .wrongStep(current: s.step, action: action.chinese) }
            note = "县级抽查：" + (try text(findings, "抽查情况"))
            s.spotChecked = true
        }
        return (s, note)
    }

    /// Help first's paperwork after the grant: the township that granted it (where the emergency struck) completes the economic check
    /// and the record, once, with a note of what was done [LS; ZX 48].
    static func completePaperwork(_ note: String, _ state: CaseState, by actor: Actor, on today: LocalDate) throws(CaseError) -> (state: CaseState, note: String) {
        guard state.status == .approved, state.paperworkPending else { throw .noPaperworkPending }
        guard actor.role == .townshipOfficer else { throw .roleNotAllowed(actor.role, .decision) }
        guard actor.jurisdiction.contains(state.grantingRegion) else { throw .outsideJurisdiction(state.grantingPlace) }
        let n = note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !n.isEmpty else { throw .reasonRequired("补办情况（核对、调查等）") }
        var s = state
        s.version += 1
        s.paperworkDoneOn = today
        return (s, "补办审核手续：\(n)")
    }

    /// The offices and roles whose task the current step is, for the inbox: one or two regions and the roles.
    public static func task(_ state: CaseState, _ process: CaseProcess) -> (regions: [RegionCode], roles: [Role])? {
        if state.paperworkPending { return ([state.grantingRegion], [.townshipOfficer]) }
        guard state.status == .open, let step = state.step else { return nil }
        let rules = rules(for: step, state, process, amount: nil, delegationLimit: process.delegation == nil ? nil : Cents(PolicyCalculator.maxAmountCents))
        var regions: [RegionCode] = []
        var roles: [Role] = []
        for (place, rs) in rules {
            for r in CaseWorkflow.regions(for: place, state) where !regions.contains(r) { regions.append(r) }
            for r in rs where !roles.contains(r) { roles.append(r) }
        }
        return (regions, roles)
    }

    static func next(after step: CaseStep, _ process: CaseProcess) -> CaseStep? {
        guard let i = process.index(of: step), i + 1 < process.steps.count else { return nil }
        return process.steps[i + 1].step
    }
}
