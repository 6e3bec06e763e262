import Foundation

/// 救助政策计算器: given a household and a date, decides for every program whether the household
/// (or one member) qualifies, how much it gets and in which tier, and explains each decision.
/// Rules are written as a base rule plus named exceptions, each citing its article; every number
/// comes from the parameter files through `Standards`.
public struct PolicyCalculator: Sendable {
    public let parameters: ParameterSet

    public init(parameters: ParameterSet) { self.parameters = parameters }

    public func standards(region: RegionCode, date: LocalDate) throws(PolicyError) -> Standards {
        try Standards(parameters: parameters, region: region, date: date)
    }

    public func assess(_ request: AssessmentRequest, explain: Bool = true) throws(PolicyError) -> Assessment {
        try assess(request, standards: standards(region: request.region, date: request.date), explain: explain)
    }

    /// With the standards already resolved (batch runs resolve them once per region).
    public func assess(_ request: AssessmentRequest, standards s: Standards, explain: Bool) throws(PolicyError) -> Assessment {
        try Self.validate(request, standards: s)
        var run = Run(request: request, s: s, trace: Trace(enabled: explain))
        return run.assess()
    }

    /// The most members one household may have: far above any real household, low enough that a request cannot
    /// hold a screening up. Documented in docs/assessment-format.md.
    public static let maxMembers = 100
    /// The most lines in each list (incomes, assets, expenditures, enrolments).
    public static let maxLines = 1_000
    /// The largest amount one line may carry (¥1 trillion). With `maxLines`, no sum or yearly conversion can
    /// overflow 64-bit cents, so a hostile file cannot crash the calculator.
    public static let maxAmountCents: Int64 = 100_000_000_000_000

    static func checkAmount(_ cents: Int64, _ field: @autoclosure () -> String) throws(PolicyError) {
        if cents < 0 { throw .invalidInput(field: field(), reason: "金额不能为负") }
        if cents > maxAmountCents { throw .invalidInput(field: field(), reason: "金额过大（每项不超过 1 万亿元）") }
    }

    /// The field's path is built only when it is refused: this runs for every member of every household screened.
    static func checkLines(_ count: Int, _ field: @autoclosure () -> String) throws(PolicyError) {
        if count > maxLines { throw .invalidInput(field: field(), reason: "最多 \(maxLines) 项") }
    }

    /// Programmes one person may not receive together [TK 4; DB 7; the disability subsidy and orphan rules]: the
    /// calculator applies these when it decides, and monitoring raises a duplicate-assistance warning from the
    /// same list when enrolments already pay both (`Condition.exclusiveEnrolments`). A household's dibao covers
    /// every member it counts, so dibao with a member's tekun is a person paid twice.
    public static let exclusivePairs: [(Program, Program)] = [
        (.tekun, .dibao), (.tekun, .disabilityLiving), (.tekun, .orphan), (.tekun, .unsupportedChild),
        (.orphan, .unsupportedChild), (.orphan, .dibao), (.unsupportedChild, .dibao),
    ]

    public static func excludes(_ a: Program, _ b: Program) -> Bool {
        exclusivePairs.contains { ($0.0 == a && $0.1 == b) || ($0.0 == b && $0.1 == a) }
    }

    static func validate(_ r: AssessmentRequest, standards: Standards) throws(PolicyError) {
        guard !r.members.isEmpty else { throw .invalidInput(field: "members", reason: "至少需要一名家庭成员") }
        guard r.members.count <= maxMembers else { throw .invalidInput(field: "members", reason: "一户最多 \(maxMembers) 人") }
        // The standards' region was looked up once when they were resolved; a batch run asks only once per region.
        let known = r.region == standards.region ? standards.regionKnown : RegionReference.shared.map { $0.knows(r.region) } ?? true
        if !known {
            throw .invalidInput(field: "region", reason: "区划代码 \(r.region.value) 不在国家行政区划中（所属区县不存在）")
        }
        try checkLines(r.incomes?.count ?? 0, "incomes")
        try checkLines(r.assets?.count ?? 0, "assets")
        try checkLines(r.expenditures?.count ?? 0, "expenditures")
        try checkLines(r.enrolments?.count ?? 0, "enrolments")
        var ids = MemberIDs(expected: r.members.count)
        for (i, m) in r.members.enumerated() {
            guard !m.id.isEmpty, ids.insert(m.id) else { throw .invalidInput(field: "members[\(i)].id", reason: "成员编号为空或重复") }
            if m.birthDate > r.date { throw .invalidInput(field: "members[\(i)].birthDate", reason: "出生日期晚于评估日期") }
            if let d = m.disability, !(1...4).contains(d.grade) { throw .invalidInput(field: "members[\(i)].disability.grade", reason: "残疾等级应为1–4") }
            if let n = m.selfCareUnableActivities, !(0...6).contains(n) {
                throw .invalidInput(field: "members[\(i)].selfCareUnableActivities", reason: "应为0–6（六项日常活动中不能完成的项数）")
            }
            guard let supporters = m.supporters else { continue }
            try checkLines(supporters.count, "members[\(i)].supporters")
            for (j, p) in supporters.enumerated() {
                let path = "members[\(i)].supporters[\(j)]"
                if let b = p.birthDate, b > r.date { throw .invalidInput(field: "\(path).birthDate", reason: "出生日期晚于评估日期") }
                if let d = p.disability, !(1...4).contains(d.grade) { throw .invalidInput(field: "\(path).disability.grade", reason: "残疾等级应为1–4") }
                if let x = p.incomePerMemberCents { try checkAmount(x, "\(path).incomePerMemberCents") }
                if let x = p.assetsPerMemberCents { try checkAmount(x, "\(path).assetsPerMemberCents") }
                try checkLines(p.enrolments?.count ?? 0, "\(path).enrolments")
            }
        }
        if let score = r.hardshipScore, score < 0 { throw .invalidInput(field: "hardshipScore", reason: "预警分值不能为负") }
        for (i, x) in (r.incomes ?? []).enumerated() {
            try checkAmount(x.amountCents, "incomes[\(i)].amountCents")
            if let basic = x.basicPartCents {
                guard x.kind == .residentPension else {
                    throw .invalidInput(field: "incomes[\(i)].basicPartCents", reason: "只适用于城乡居民养老保险养老金（residentPension）")
                }
                try checkAmount(basic, "incomes[\(i)].basicPartCents")
                if basic > x.amountCents { throw .invalidInput(field: "incomes[\(i)].basicPartCents", reason: "基础养老金部分不能大于养老金总额") }
            }
            if let m = x.member, !ids.contains(m) { throw .invalidInput(field: "incomes[\(i)].member", reason: "没有编号为「\(m)」的成员") }
        }
        for (i, x) in (r.assets ?? []).enumerated() {
            try checkAmount(x.amountCents, "assets[\(i)].amountCents")
            if let c = x.count, !(0...maxLines).contains(c) { throw .invalidInput(field: "assets[\(i)].count", reason: "数量应为 0 到 \(maxLines)") }
            if let m = x.member, !ids.contains(m) { throw .invalidInput(field: "assets[\(i)].member", reason: "没有编号为「\(m)」的成员") }
        }
        for (i, x) in (r.expenditures ?? []).enumerated() {
            try checkAmount(x.amountCents, "expenditures[\(i)].amountCents")
            if let m = x.member, !ids.contains(m) { throw .invalidInput(field: "expenditures[\(i)].member", reason: "没有编号为「\(m)」的成员") }
        }
        for (i, x) in (r.enrolments ?? []).enumerated() {
            try checkAmount(x.monthlyAmountCents, "enrolments[\(i)].monthlyAmountCents")
            if let m = x.member, !ids.contains(m) { throw .invalidInput(field: "enrolments[\(i)].member", reason: "没有编号为「\(m)」的成员") }
        }
        if let e = r.emergency, let spent = e.spendingCents { try checkAmount(spent, "emergency.spendingCents") }
    }
}

/// Member IDs seen so far. A household has a handful of members: a list searched in place is cheaper than
/// hashing each ID, and validation runs for every household of a screening. Large requests use a set.
struct MemberIDs {
    private var list: [String] = []
    private var set: Set<String>?

    init(expected: Int) {
        if expected > 32 { set = Set(minimumCapacity: expected) } else { list.reserveCapacity(expected) }
    }

    /// False when the ID was already there.
    mutating func insert(_ id: String) -> Bool {
        if set != nil { return set!.insert(id).inserted }
        if list.contains(id) { return false }
        list.append(id)
        return true
    }

    func contains(_ id: String) -> Bool { set?.contains(id) ?? list.contains(id) }
}

/// The articles the rules cite, by the short names of `rules.md`.
enum Article {
    static let dbMembers = "DB 7"
    static let dbIndividual = "DB 8"
    static let dbIncome = "DB 13"
    static let dbAssets = "DB 14; ZX 9"
    static let dbBenefit = "DB 23"
    static let dbGradualExit = "DB 33; DD"
    static let ddSinglePerson = "DD"
    static let tkConditions = "TK 4"
    static let tkCapacity = "TK 5"
    static let tkLiving = "TK 6–7"
    static let tkSupporter = "TK 8"
    static let tkSelfCare = "TK 21–22"
    static let tkMinorsContinue = "TK 24–26"
    static let nearDibao = "DB 8; DD; JC"
    static let rigid = "GX"
    static let temporary = "LS; ZX 48"
    static let tiers = "JC"
    static let exclusive = "TK 4; DB 7（不重复享受）"
    static let disabilitySubsidies = "国发〔2015〕52号（残疾人两项补贴）"
    static let children = "国办发〔2010〕54号；民发〔2019〕62号"
    static let medical = "ZX 28–29; JC"
    static let education = "ZX 33–34; JC"
    static let employment = "ZX 42–44; JC"
    static let disaster = "ZX 20–26; JC"
    static let housing = "ZX 37–40; JC"
    static let service = "JC（服务类社会救助）"
    static let deliberation = "LS; JC（一事一议）"
}

/// One assessment in progress.
struct Run {
    let request: AssessmentRequest
    let s: Standards
    var trace: Trace

    // household figures
    var counted: [MemberInput] = []
    var monthlyIncome = Cents.zero
    var incomeByMember: [String: Cents] = [:]
    var financialAssets = Cents.zero
    var vehicleValue = Cents.zero
    var properties = 0
    var hasBusiness = false
    /// Assets by the member they belong to, and those the file gives to no one (tekun judges a person's own [TK 6–7]).
    var financialByMember: [String: Cents] = [:]
    var vehicleByMember: [String: Cents] = [:]
    var unattributedFinancial = Cents.zero
    var unattributedVehicle = Cents.zero
    var rigidAnnual = Cents.zero
    /// The household's monthly income before rigid costs were deducted (for [GX], which counts them as spending).
    var incomeBeforeRigidDeduction = Cents.zero
    var decisions: [Decision] = []

    init(request: AssessmentRequest, s: Standards, trace: Trace) {
        self.request = request
        self.s = s
        self.trace = trace
    }

    var date: LocalDate { request.date }

    /// Wording (summaries, what would change, notes) is written only when an explanation is wanted:
    /// a batch run needs the outcomes and amounts, and building text is most of the cost.
    func say(_ text: @autoclosure () -> String) -> String { trace.enabled ? text() : "" }
    func sayAll(_ texts: @autoclosure () -> [String]) -> [String] { trace.enabled ? texts() : [] }
    func age(_ m: MemberInput) -> Int { m.birthDate.age(on: date) }

    mutating func assess() -> Assessment {
        computeFigures()
        let figuresSteps = trace.take()

        // Tekun and the children's programmes are personal and come first: a person they support is
        // not counted again in the household's dibao [TK 4; DB 7].
        var tekunMembers = Set<String>()
        var childMembers = Set<String>()
        for m in request.members where m.isPresent {
            let child = childDecision(m)
            if let child, child.outcome == .qualifies {
                childMembers.insert(m.id)
                // A child who meets both the child allowance and tekun receives one of them [TK 9]: the answer
                // gives both, the one that pays more as the decision and the other as the alternative to choose.
                if PolicyCalculator.excludes(child.program, .tekun), let t = tekunDecision(m), t.outcome != .doesNotQualify {
                    // A tekun still waiting for its self-care assessment is not yet an amount to prefer.
                    let (keep, other) = t.outcome == .qualifies && t.amountCents > child.amountCents ? (t, child) : (child, t)
                    var chosen = keep, alternative = other
                    chosen.notes += sayAll(["也符合\(other.program.chinese)（每月 \(other.amount.yuanText)），二者只能选一项，本项金额较高 [TK 9]"])
                    alternative.outcome = .needsDecision
                    alternative.notes += sayAll(["与\(keep.program.chinese)只能二选一 [TK 9]；\(keep.program.chinese)每月 \(keep.amount.yuanText)，金额较高"])
                    decisions += [chosen, alternative]
                    if keep.program == .tekun { tekunMembers.insert(m.id) }
                    continue
                }
                decisions.append(child)
                // An orphan supported by the orphan allowance is not also supported as tekun.
                if PolicyCalculator.excludes(child.program, .tekun) { continue }
            }
            if let d = tekunDecision(m) {
                if d.outcome != .doesNotQualify { tekunMembers.insert(m.id) }
                if d.outcome != .doesNotQualify || m.relation == .head || request.members.count == 1 { decisions.append(d) }
            }
        }
        let dibao = dibaoDecision(excluding: tekunMembers.union(childMembers), figuresSteps: figuresSteps)
        decisions.append(dibao)
        let dibaoQualifies = dibao.outcome == .qualifies
        var individuallyIncluded = Set<String>()
        var near = false
        // A household in gradual exit is still a dibao household until the exit ends [DB 33].
        var inGradualExit = false
        if !dibaoQualifies {
            // One dibao decision, not two that contradict each other: the means test's steps (why the income is now
            // above the standard) followed by the exit's (which month of it, until when) [DB 33].
            if let exit = gradualExitDecision(), let i = decisions.firstIndex(where: { $0.program == .dibao && $0.member == nil }) {
                var merged = exit
                merged.steps = dibao.steps + exit.steps
                merged.changes = exit.changes + dibao.changes
                merged.summary = exit.summary + "；" + dibao.summary
                decisions[i] = merged
                inGradualExit = exit.outcome == .qualifies
            }
            let nd = nearDibaoDecision(excluding: tekunMembers.union(childMembers))
            decisions.append(nd)
            near = nd.outcome == .qualifies
            for m in counted where !tekunMembers.contains(m.id) {
                if let d = individualInclusion(m, householdIsNear: near) {
                    decisions.append(d)
                    if d.outcome != .doesNotQualify { individuallyIncluded.insert(m.id) }
                }
            }
        }
        let basic = dibaoQualifies || !tekunMembers.isEmpty || !childMembers.isEmpty || !individuallyIncluded.isEmpty
            || decisions.contains { $0.program == .dibao && $0.outcome == .qualifies }
        var targeted = near
        if !basic && !near {
            let x = expenditureHardshipDecision()
            decisions.append(x)
            targeted = x.outcome == .qualifies
        }
        if let t = temporaryDecision() { decisions.append(t) }
        for m in request.members where m.isPresent && m.disability != nil {
            if let d = disabilityLiving(m, dibao: dibaoQualifies || inGradualExit || individuallyIncluded.contains(m.id), near: near,
                                             tekun: tekunMembers.contains(m.id)) {
                decisions.append(d)
            }
            if let d = disabilityCare(m) { decisions.append(d) }
        }
        let tier: AssistanceTier = basic ? .basic : (targeted ? .targeted : .watch)
        decisions.append(medicalDecision(tier: tier))
        for m in request.members where m.isPresent {
            if let d = educationDecision(m, tier: tier) { decisions.append(d) }
            if let d = employmentDecision(m, tier: tier) { decisions.append(d) }
        }
        if let d = disasterDecision() { decisions.append(d) }
        // Housing assistance is for dibao households and tekun supported at home [ZX 37], extended to targeted
        // households [JC]; a tekun member living in an institution is housed there.
        if request.housing != nil {
            let dispersedTekun = request.members.contains { tekunMembers.contains($0.id) && ($0.supportMode ?? .dispersed) == .dispersed }
            let housingBasis = dibaoQualifies || inGradualExit || !individuallyIncluded.isEmpty || dispersedTekun || !childMembers.isEmpty || targeted
            if let d = housingDecision(eligible: housingBasis, tier: tier) { decisions.append(d) }
        }
        for m in request.members where m.isPresent && !tekunMembers.contains(m.id) {
            if let d = serviceDecision(m, tier: tier) { decisions.append(d) }
        }
        trace.add("分层分类", Article.tiers,
                  inputs: [StepInput(name: "兜底保障（低保、特困、单人保、孤儿等）", value: basic ? "有" : "无", source: nil),
                           StepInput(name: "低保边缘或刚性支出困难", value: targeted ? "是" : "否", source: nil)],
                  result: tier.chinese)
        let tierSteps = trace.take()
        if !tierSteps.isEmpty, let i = decisions.firstIndex(where: { $0.program == .dibao }) {
            decisions[i].steps += tierSteps
        }
        let n = Int64(max(counted.count, 1))
        let deliberation = deliberationProposal()
        return Assessment(date: date, region: request.region, tier: tier,
                          figures: HouseholdFigures(countedMembers: counted.count, monthlyIncomeCents: monthlyIncome.value,
                                                    incomePerMemberCents: monthlyIncome.divided(by: n, rounding: .halfUp).value,
                                                    financialAssetsCents: financialAssets.value, dibaoStandardCents: s.dibao.value),
                          decisions: decisions, deliberation: deliberation)
    }

    // MARK: household figures [DB 7, 13, 14]

    mutating func computeFigures() {
        counted = request.members.filter(\.isPresent)
        let left = request.members.filter { !$0.isPresent }
        trace.add("共同生活的家庭成员", Article.dbMembers,
                  inputs: request.members.map { StepInput(name: $0.label, value: ($0.status ?? .present).chinese, source: nil) },
                  result: "计入\(counted.count)人" + (left.isEmpty ? "" : "；不计入：\(left.map { "\($0.label)（\(($0.status ?? .present).chinese)）" }.joined(separator: "、"))"))
        let countedIDs = Set(counted.map(\.id))
        var earners = Set<String>()
        var used: [StepInput] = []
        var excludedUsed: [StepInput] = []
        for x in request.incomes ?? [] {
            if let m = x.member, !countedIDs.contains(m) { continue }
            let monthly = MonthlyConversion.monthly(Cents(x.amountCents), basis: x.basis)
            // The explanation's strings are built only when an explanation is asked for: screening assesses
            // every household and formatting money was a tenth of its time.
            let label = !trace.enabled ? "" : "\(x.member.flatMap { id in request.members.first { $0.id == id }?.label } ?? "全户")\(x.kind.chinese)"
            let part = counting(x, excluded: s.excluded)
            if part.left > .zero, trace.enabled {
                excludedUsed.append(StepInput(name: label, value: part.counted > .zero
                    ? "\(monthly.yuanText)/月，其中基础养老金 \(part.left.yuanText) 不计入" : "\(monthly.yuanText)/月（不计入）", source: x.source?.chinese))
            }
            guard part.counted > .zero else { continue }
            monthlyIncome = monthlyIncome + part.counted
            if let m = x.member { incomeByMember[m, default: .zero] = incomeByMember[m, default: .zero] + part.counted }
            if x.kind == .wage, let m = x.member { earners.insert(m) }
            if trace.enabled, part.left == .zero {
                used.append(StepInput(name: label, value: "\(monthly.yuanText)/月" + (x.basis == .perYear ? "（年收入\(Cents(x.amountCents).yuanText)÷12）" : ""),
                                      source: x.source?.chinese))
            }
        }
        // Necessary costs of working come off each earner's wage, never below zero [DB 13].
        var deducted = Cents.zero
        for e in earners.sorted() {
            let wage = (request.incomes ?? []).filter { $0.member == e && $0.kind == .wage }
                .reduce(Cents.zero) { $0 + MonthlyConversion.monthly(Cents($1.amountCents), basis: $1.basis) }
            let d = min(wage, s.costDeduction)
            deducted = deducted + d
            incomeByMember[e] = incomeByMember[e, default: .zero] - d
        }
        monthlyIncome = monthlyIncome - deducted
        // Rigid costs of disability or serious illness may be deducted where the locality allows, of the kinds it
        // names and up to the monthly cap it sets, if any [DB 13].
        var rigidDeduction = Cents.zero
        for x in request.expenditures ?? [] {
            let m = x.member.flatMap { id in request.members.first { $0.id == id } }
            rigidAnnual = rigidAnnual + Cents(x.amountCents)
            let qualifiesForDeduction = s.deductibleKinds.contains(x.kind.rawValue)
                && (m.map { $0.disability != nil || ($0.seriousIllness ?? false) } ?? false)
            if s.deductRigid && qualifiesForDeduction {
                rigidDeduction = rigidDeduction + MonthlyConversion.monthly(Cents(x.amountCents), basis: .perYear)
            }
        }
        let uncapped = rigidDeduction
        if let cap = s.rigidCap { rigidDeduction = min(rigidDeduction, cap) }
        // Rigid-expenditure hardship [GX] weighs the spending against income: the income before this deduction,
        // so that one spending is not counted twice.
        incomeBeforeRigidDeduction = monthlyIncome
        monthlyIncome = max(.zero, monthlyIncome - rigidDeduction)
        let n = Int64(max(counted.count, 1))
        trace.add("家庭月收入", Article.dbIncome,
                  inputs: used + excludedUsed + (deducted > .zero ? [StepInput(name: "就业成本扣减", value: "-\(deducted.yuanText)", source: nil)] : [])
                    + (rigidDeduction > .zero ? [StepInput(name: "因残因病刚性支出扣减（年支出÷12）" + (uncapped > rigidDeduction ? "，按上限" : ""),
                                                           value: "-\(rigidDeduction.yuanText)", source: nil)] : []),
                  parameters: [s.excludedIncomeKinds, s.employmentCostDeduction, s.deductRigidCosts]
                    + [s.rigidDeductionKinds, s.rigidDeductionMonthlyCap].compactMap { $0 }
                    + ((request.incomes ?? []).contains { $0.kind == .residentPension } ? [s.residentBasicPension] : []),
                  result: "家庭月收入 \(monthlyIncome.yuanText)，人均 \(monthlyIncome.divided(by: n, rounding: .halfUp).yuanText)（按月计算：年收入÷12，四舍五入到分）")

        var assetInputs: [StepInput] = []
        let disabledPresent = counted.contains { $0.disability != nil }
        for a in request.assets ?? [] {
            if let m = a.member, !countedIDs.contains(m) { continue }
            let v = Cents(a.amountCents)
            switch a.kind {
            case .vehicle:
                if (a.forDisabledMember ?? false) && disabledPresent {
                    if trace.enabled { assetInputs.append(StepInput(name: "残疾人代步车", value: "\(v.yuanText)（豁免）", source: a.source?.chinese)) }
                } else {
                    vehicleValue = vehicleValue + v
                    if let m = a.member { vehicleByMember[m, default: .zero] = vehicleByMember[m, default: .zero] + v } else { unattributedVehicle = unattributedVehicle + v }
                    if trace.enabled { assetInputs.append(StepInput(name: a.kind.chinese, value: v.yuanText, source: a.source?.chinese)) }
                }
            case .realEstate:
                properties += a.count ?? 1
                if trace.enabled { assetInputs.append(StepInput(name: a.kind.chinese, value: "\(a.count ?? 1)套", source: a.source?.chinese)) }
            case .business:
                hasBusiness = true
                if trace.enabled { assetInputs.append(StepInput(name: a.kind.chinese, value: v.yuanText, source: a.source?.chinese)) }
            default:
                financialAssets = financialAssets + v
                if let m = a.member { financialByMember[m, default: .zero] = financialByMember[m, default: .zero] + v } else { unattributedFinancial = unattributedFinancial + v }
                if trace.enabled { assetInputs.append(StepInput(name: a.kind.chinese, value: v.yuanText, source: a.source?.chinese)) }
            }
        }
        trace.add("家庭财产", Article.dbAssets, inputs: assetInputs,
                  result: "金融资产 \(financialAssets.yuanText)；车辆 \(vehicleValue.yuanText)；房产 \(properties) 套；工商登记 \(hasBusiness ? "有" : "无")")
    }

    /// How much of one income line counts each month, and how much the rules leave out. A kind on the excluded list
    /// is left out whole, except a residents' pension: only its basic pension is left out, and what the person
    /// receives above it is income like any other pension [DB 13; TK 6–7].
    func counting(_ x: IncomeInput, excluded: Set<String>) -> (counted: Cents, left: Cents) {
        let monthly = MonthlyConversion.monthly(Cents(x.amountCents), basis: x.basis)
        guard excluded.contains(x.kind.rawValue) else { return (monthly, .zero) }
        guard x.kind == .residentPension else { return (.zero, monthly) }
        let basic = x.basicPartCents.map { MonthlyConversion.monthly(Cents($0), basis: x.basis) } ?? s.basicPension
        let left = min(monthly, basic)
        return (monthly - left, left)
    }

    /// Assets within the local limits, for `members` people and `months` months of the standard.
    mutating func assetsWithinLimits(members: Int, months: Int, monthsParameter: ResolvedParameter, rule: String) -> (ok: Bool, excess: Cents?) {
        let limit = s.dibao * Int64(members) * Int64(months)
        var ok = true
        var reasons: [String] = []
        var excess: Cents?
        if financialAssets > limit {
            ok = false
            excess = financialAssets - limit
            if trace.enabled { reasons.append("金融资产超出上限 \((financialAssets - limit).yuanText)") }
        }
        if vehicleValue > s.vehicleLimit { ok = false; if trace.enabled { reasons.append("拥有非豁免机动车辆（\(vehicleValue.yuanText)）") } }
        if properties > s.propertiesMax { ok = false; if trace.enabled { reasons.append("房产 \(properties) 套，超过 \(s.propertiesMax) 套") } }
        if hasBusiness && !s.businessOK { ok = false; if trace.enabled { reasons.append("有工商登记") } }
        trace.add(rule, Article.dbAssets,
                  inputs: [StepInput(name: "金融资产", value: financialAssets.yuanText, source: nil),
                           StepInput(name: "上限（标准×人数×月数）", value: "\(s.dibao.yuanText)×\(members)×\(months) = \(limit.yuanText)", source: nil)],
                  parameters: [s.dibaoStandard, monthsParameter, s.vehicleValueLimit, s.maxProperties, s.businessAllowed],
                  result: ok ? "财产符合规定" : reasons.joined(separator: "；"))
        return (ok, excess)
    }

    // MARK: dibao [DB 8, 13, 14, 23]

    /// The household's income without that of members supported by other programmes (tekun, an orphan's
    /// allowance): they leave the count, and so does their income. Dibao and near-dibao divide the same income
    /// by the same headcount [DB 7; TK 4].
    func countedIncome(excluding personal: Set<String>) -> Cents {
        personal.isEmpty ? monthlyIncome : max(.zero, monthlyIncome - personal.reduce(Cents.zero) { $0 + (incomeByMember[$1] ?? .zero) })
    }

    /// How many counted members are left once those supported personally leave the count (counted, not copied:
    /// this runs twice for every household of a screening).
    func countedExcluding(_ personal: Set<String>) -> Int {
        personal.isEmpty ? counted.count : counted.reduce(0) { $0 + (personal.contains($1.id) ? 0 : 1) }
    }

    mutating func dibaoDecision(excluding personal: Set<String>, figuresSteps: [Step]) -> Decision {
        trace.steps = figuresSteps
        let n = Int64(countedExcluding(personal))
        let income = countedIncome(excluding: personal)
        if !personal.isEmpty {
            trace.add("不重复享受", Article.exclusive,
                      inputs: personal.sorted().map { id in StepInput(name: request.members.first { $0.id == id }?.label ?? id, value: "已由特困或儿童保障覆盖", source: nil) },
                      result: "计算低保时不再计入上述成员")
        }
        guard n > 0 else {
            trace.add("低保", Article.dbBenefit, result: "没有需由低保保障的成员")
            return Decision(program: .dibao, member: nil, outcome: .doesNotQualify, amountCents: 0, amountKind: .perMonth, tier: nil,
                            summary: say("家庭成员均已由其他项目保障"), steps: trace.take(), changes: sayAll([]), notes: sayAll([]))
        }
        let threshold = s.dibao * n
        let incomeOK = income < threshold
        let perMember = income.divided(by: n, rounding: .halfUp)
        trace.add("收入低于低保标准", Article.dbBenefit,
                  inputs: [StepInput(name: "家庭人均月收入", value: perMember.yuanText, source: nil), StepInput(name: "计入人数", value: "\(n)", source: nil)],
                  parameters: [s.dibaoStandard],
                  result: incomeOK ? "人均收入低于标准" : "人均收入不低于标准")
        let assets = assetsWithinLimits(members: Int(n), months: s.assetMonths, monthsParameter: s.financialAssetLimitMonths, rule: "财产状况符合规定")
        var changes: [String] = []
        if incomeOK && assets.ok {
            // The benefit is the gap: standard × members − household income [DB 23].
            let benefit = threshold - income
            trace.add("差额补助", Article.dbBenefit,
                      inputs: [StepInput(name: "家庭月收入", value: income.yuanText, source: nil)],
                      parameters: [s.dibaoStandard],
                      result: "\(s.dibao.yuanText)×\(n) − \(income.yuanText) = \(benefit.yuanText)/月")
            if trace.enabled { changes.append("家庭月收入再增加 \(benefit.yuanText)（人均达到 \(s.dibao.yuanText)）将不再符合低保") }
            return Decision(program: .dibao, member: nil, outcome: .qualifies, amountCents: benefit.value, amountKind: .perMonth, tier: .basic,
                            summary: say("家庭人均收入 \(perMember.yuanText) 低于低保标准 \(s.dibao.yuanText)，财产符合规定"), steps: trace.take(),
                            changes: sayAll(changes), notes: sayAll(["向居住地乡镇（街道）申请，经县级民政部门审核确认，次月起按月发放 [DB 4–5, 24]"]))
        }
        if !incomeOK {
            let over = perMember - s.dibao
            if trace.enabled { changes.append(over == .zero ? "家庭人均收入恰好等于低保标准 \(s.dibao.yuanText)，须低于标准才符合"
                                         : "家庭人均收入比低保标准高出 \(over.yuanText)") }
        }
        if let excess = assets.excess { if trace.enabled { changes.append("金融资产超出上限 \(excess.yuanText)") } }
        return Decision(program: .dibao, member: nil, outcome: .doesNotQualify, amountCents: 0, amountKind: .perMonth, tier: nil,
                        summary: say(incomeOK ? "财产超出规定" : "家庭人均收入 \(perMember.yuanText) 不低于低保标准 \(s.dibao.yuanText)"),
                        steps: trace.take(), changes: sayAll(changes), notes: sayAll([]))
    }

    /// Gradual exit: a dibao household whose income rose above the standard keeps its benefit for up
    /// to the parameter's months, counted from the month the rise was found [DB 33; DD].
    /// The last day of gradual exit: the end of the `exitMonths`-th month counting the month the income rose.
    func exitEnd(_ since: LocalDate) -> LocalDate {
        LocalDate(dayNumber: (try! LocalDate(year: since.year + (since.month - 1 + s.exitMonths) / 12,
                                             month: (since.month - 1 + s.exitMonths) % 12 + 1, day: 1)).dayNumber - 1)
    }

    mutating func gradualExitDecision() -> Decision? {
        guard let current = (request.enrolments ?? []).first(where: { $0.program == .dibao }), let since = current.incomeAboveStandardSince else { return nil }
        let month = (date.year - since.year) * 12 + (date.month - since.month) + 1
        // Assessed for a day before the income rose: no exit has begun, let alone ended.
        guard month >= 1 else { return nil }
        let within = month >= 1 && month <= s.exitMonths
        let end = exitEnd(since)
        trace.add("渐退期", Article.dbGradualExit,
                  inputs: [StepInput(name: "收入超过标准的起始日", value: since.description, source: nil),
                           StepInput(name: "当前为渐退第几个月", value: "\(month)", source: nil),
                           StepInput(name: "原月保障金", value: Cents(current.monthlyAmountCents).yuanText, source: nil)],
                  parameters: [s.gradualExitMonths],
                  result: within ? "在渐退期内（第\(month)个月，至 \(end) 结束），继续按原标准发放" : "渐退期已于 \(end) 结束，停止发放")
        return Decision(program: .dibao, member: nil, outcome: within ? .qualifies : .doesNotQualify,
                        amountCents: within ? current.monthlyAmountCents : 0, amountKind: .perMonth, tier: within ? .basic : nil,
                        summary: say(within ? "渐退第\(month)个月（共\(s.exitMonths)个月）" : "渐退期（\(s.exitMonths)个月）已满"),
                        steps: trace.take(), changes: sayAll(within ? ["渐退期至 \(end) 结束"] : []), notes: sayAll(["渐退"]))
    }

    // MARK: near-dibao [DB 8; DD; JC]

    mutating func nearDibaoDecision(excluding personal: Set<String>) -> Decision {
        let remaining = countedExcluding(personal)
        let n = Int64(max(remaining, 1))
        let line = s.nearMultiple.of(s.dibao)
        let income = countedIncome(excluding: personal)
        let perMember = income.divided(by: n, rounding: .halfUp)
        let incomeOK = income < line * n
        trace.add("低保边缘：收入低于标准的倍数", Article.nearDibao,
                  inputs: [StepInput(name: "家庭人均月收入", value: perMember.yuanText, source: nil)],
                  parameters: [s.dibaoStandard, s.nearDibaoMultiple],
                  result: "边缘线 \(s.dibao.yuanText)×\(s.nearMultiple) = \(line.yuanText)；" + (incomeOK ? "低于边缘线" : "不低于边缘线"))
        let assets = assetsWithinLimits(members: Int(n), months: s.nearAssetMonths, monthsParameter: s.nearDibaoAssetLimitMonths, rule: "低保边缘：财产")
        let ok = incomeOK && assets.ok && remaining > 0
        var changes: [String] = []
        if !incomeOK { if trace.enabled { changes.append("家庭人均收入比低保边缘线高出 \((perMember - line).yuanText)") } }
        if ok { if trace.enabled { changes.append("家庭月收入再增加 \((line * n - income).yuanText) 将不再属于低保边缘家庭") } }
        return Decision(program: .nearDibao, member: nil, outcome: ok ? .qualifies : .doesNotQualify, amountCents: 0, amountKind: .none,
                        tier: ok ? .targeted : nil,
                        summary: say(ok ? "人均收入 \(perMember.yuanText) 低于边缘线 \(line.yuanText)，可享受专项救助" : "不属于低保边缘家庭"),
                        steps: trace.take(), changes: sayAll(changes), notes: sayAll(ok ? ["低保边缘家庭可申请医疗、教育、住房、就业等专项救助 [JC]"] : []))
    }

    // MARK: individual inclusion and the one-person household [DB 8; DD]

    mutating func individualInclusion(_ m: MemberInput, householdIsNear: Bool) -> Decision? {
        let severe: Bool = {
            guard let d = m.disability else { return false }
            if d.grade <= s.inclusionMaxGrade { return true }
            return (d.category == .intellectual || d.category == .mental) && d.grade <= s.inclusionMentalMaxGrade
        }()
        let ill = m.seriousIllness ?? false
        guard severe || ill else { return nil }
        let own = incomeByMember[m.id] ?? .zero
        // An adult with severe disability who has no job may be treated as a one-person household [DD]: registered
        // unemployed, outside the labour force, or with no employment on record all count as "no job"; a job does not.
        // In a near-dibao household the national rule of individual inclusion [DB 8] applies first; the one-person
        // household is for a member whose household is better off.
        let years = age(m)
        let jobless: String? = {
            switch m.employment {
            case .unemployed: return "无业（失业）"
            case .notInLabourForce: return "无业（非劳动力）"
            case nil: return "就业情况未登记，按无业处理（入户核实）"
            default: return nil
            }
        }()
        let singlePerson = severe && years >= s.adult && jobless != nil && !householdIsNear
        if singlePerson, let jobless {
            let ok = own < s.dibao
            trace.add("重度残疾成年无业人员单独立户", Article.ddSinglePerson,
                      inputs: [StepInput(name: m.label, value: "\(m.disability?.chinese ?? "")，\(years)岁，\(jobless)", source: nil),
                               StepInput(name: "本人月收入", value: own.yuanText, source: nil)],
                      parameters: [s.singlePersonHouseholdForSevereDisability, s.adultAge, s.dibaoStandard],
                      result: ok ? (s.singlePersonOK ? "按单人户纳入低保" : "可按单人户纳入，由当地研判") : "本人收入不低于标准")
            guard ok else { return Decision(program: .dibao, member: m.id, outcome: .doesNotQualify, amountCents: 0, amountKind: .perMonth, tier: nil,
                                            summary: say("单人户：本人收入不低于标准"), steps: trace.take(), changes: sayAll([]), notes: sayAll([])) }
            return Decision(program: .dibao, member: m.id, outcome: s.singlePersonOK ? .qualifies : .needsDecision,
                            amountCents: (s.dibao - own).value, amountKind: .perMonth, tier: .basic,
                            summary: say("\(m.label)按单人户纳入低保"), steps: trace.take(),
                            changes: sayAll(["本人月收入再增加 \((s.dibao - own).yuanText) 将不再符合"]), notes: sayAll(["单人保"]))
        }
        trace.add("单人保", Article.dbIndividual,
                  inputs: [StepInput(name: m.label, value: [m.disability?.chinese, ill ? "重特大疾病" : nil].compactMap { $0 }.joined(separator: "、"), source: nil),
                           StepInput(name: "家庭为低保边缘家庭", value: householdIsNear ? "是" : "否", source: nil)],
                  parameters: [s.individualInclusionMaxGrade, s.individualInclusionMentalMaxGrade],
                  result: householdIsNear ? "可单独纳入低保" : "家庭不属于低保边缘家庭，不适用单人保")
        guard householdIsNear else {
            return Decision(program: .dibao, member: m.id, outcome: .doesNotQualify, amountCents: 0, amountKind: .perMonth, tier: nil,
                            summary: say("单人保：家庭收入超出低保边缘线"), steps: trace.take(), changes: sayAll([]), notes: sayAll([]))
        }
        let amount = max(.zero, s.dibao - own)
        return Decision(program: .dibao, member: m.id, outcome: .qualifies, amountCents: amount.value, amountKind: .perMonth, tier: .basic,
                        summary: say("\(m.label)单独纳入低保（单人保）"), steps: trace.take(), changes: sayAll([]), notes: sayAll(["单人保"]))
    }

    // MARK: tekun [TK 4–8, 21–22]

    mutating func tekunDecision(_ m: MemberInput) -> Decision? {
        let a = age(m)
        let byAge = a >= s.elderAge || a < s.childAge
        let byDisability: Bool = {
            guard let d = m.disability, let maxGrade = s.tekunGrades[d.category.rawValue] else { return false }
            return d.grade <= maxGrade
        }()
        // A child supported as tekun stays supported to adulthood, and beyond while still in school [TK 24–26]:
        // turning 16 ends nothing for someone already enrolled.
        let inSchool: Bool = {
            switch m.schooling { case .primary?, .juniorSecondary?, .seniorSecondary?, .vocational?, .tertiary?: return true; default: return false }
        }()
        let alreadyTekun = (request.enrolments ?? []).contains { $0.program == .tekun && $0.member == m.id }
        let continuing = !byAge && !byDisability && alreadyTekun && a >= s.childAge && (a < s.adult || inSchool)
        if continuing {
            trace.add("未成年特困人员继续供养", Article.tkMinorsContinue,
                      inputs: [StepInput(name: "\(m.label)年龄", value: "\(a)岁", source: nil),
                               StepInput(name: "就学", value: m.schooling?.chinese ?? "—", source: nil)],
                      parameters: [s.adultAge, s.tekunChildAge],
                      result: a < s.adult ? "已纳入特困供养，未满\(s.adult)周岁继续供养" : "已纳入特困供养，年满\(s.adult)周岁仍在校就读，继续供养")
        }
        let noCapacity = byAge || byDisability || continuing
        trace.add("无劳动能力", Article.tkCapacity,
                  inputs: [StepInput(name: "\(m.label)年龄", value: "\(a)岁", source: nil),
                           StepInput(name: "残疾", value: m.disability?.chinese ?? "无", source: nil)],
                  parameters: [s.tekunElderAge, s.tekunChildAge, s.tekunDisabilityMaxGrade],
                  result: noCapacity ? "无劳动能力" : "不属于无劳动能力")
        // Own income, leaving out the basic pension and allowances the tekun rules do not count; every other pension
        // counts [TK 6–7].
        var own = Cents.zero
        var incomeInputs: [StepInput] = []
        for x in request.incomes ?? [] where x.member == m.id {
            let part = counting(x, excluded: s.tekunExcluded)
            own = own + part.counted
            if trace.enabled {
                incomeInputs.append(StepInput(name: x.kind.chinese, value: part.left == .zero ? "\(part.counted.yuanText)/月"
                    : part.counted == .zero ? "\(part.left.yuanText)/月（不计入）" : "\((part.counted + part.left).yuanText)/月，其中 \(part.left.yuanText) 不计入",
                    source: x.source?.chinese))
            }
        }
        let livingOK = own < s.dibao
        // The person's own assets, with those the file gives to no one in the household shared equally [TK 6–7].
        let share = Int64(max(counted.count, 1))
        // Most households give assets to no one: no hashing of the member's ID then.
        let ownFinancial = (financialByMember.isEmpty ? .zero : financialByMember[m.id] ?? .zero) + unattributedFinancial.divided(by: share, rounding: .halfUp)
        let ownVehicle = (vehicleByMember.isEmpty ? .zero : vehicleByMember[m.id] ?? .zero) + unattributedVehicle.divided(by: share, rounding: .halfUp)
        let assetLimit = s.dibao * Int64(s.assetMonths)
        let assetsOK = ownFinancial <= assetLimit && ownVehicle <= s.vehicleLimit
        trace.add("无生活来源", Article.tkLiving,
                  inputs: incomeInputs + [StepInput(name: "本人月收入（计入部分）", value: own.yuanText, source: nil),
                                          StepInput(name: "本人金融资产" + (unattributedFinancial > .zero && share > 1 ? "（含未登记到人的家庭资产按人均分摊）" : ""),
                                                    value: ownFinancial.yuanText, source: nil)]
                    + (ownVehicle > .zero ? [StepInput(name: "本人机动车辆", value: ownVehicle.yuanText, source: nil)] : []),
                  parameters: [s.dibaoStandard, s.tekunExcludedIncomeKinds, s.financialAssetLimitMonths]
                    + ((request.incomes ?? []).contains { $0.member == m.id && $0.kind == .residentPension } ? [s.residentBasicPension] : []),
                  result: livingOK && assetsOK ? "无生活来源" : [livingOK ? nil : "本人月收入 \(own.yuanText) 不低于低保标准 \(s.dibao.yuanText)",
                                                            ownFinancial <= assetLimit ? nil : "本人金融资产超出上限 \((ownFinancial - assetLimit).yuanText)",
                                                            ownVehicle <= s.vehicleLimit ? nil : "拥有机动车辆"].compactMap { $0 }.joined(separator: "；"))
        let supporterOK = supporterUnable(m)
        let ok = noCapacity && livingOK && assetsOK && supporterOK
        var changes: [String] = []
        let reachesAgeLater = !byAge && !byDisability && livingOK && assetsOK && supporterOK && a < s.elderAge
        if reachesAgeLater {
            let turns = Self.anniversary(m.birthDate, years: s.elderAge)
            if trace.enabled { changes.append("\(m.label)于 \(turns) 年满\(s.elderAge)周岁，届时可能符合特困条件") }
        }
        if !ok {
            // Not worth showing for every ordinary adult; only where someone could plausibly qualify.
            guard noCapacity || reachesAgeLater else { _ = trace.take(); return nil }
            var why: [String] = []
            if !noCapacity { why.append("有劳动能力") }
            if !livingOK {
                why.append("有生活来源")
                // Says by how much: the officer and the resident see what the rule weighed [TK 6–7].
                if trace.enabled { changes.append("本人月收入（计入部分）\(own.yuanText)，比低保标准 \(s.dibao.yuanText) 高出 \((own - s.dibao).yuanText)") }
            } else if !assetsOK { why.append("有生活来源（财产超出规定）") }
            if !assetsOK, ownFinancial > assetLimit { if trace.enabled { changes.append("本人金融资产超出上限 \((ownFinancial - assetLimit).yuanText)") } }
            if !supporterOK { why.append("有能履行义务的法定义务人") }
            return Decision(program: .tekun, member: m.id, outcome: .doesNotQualify, amountCents: 0, amountKind: .perMonth, tier: nil,
                            summary: say("\(m.label)：\(why.joined(separator: "、"))"), steps: trace.take(), changes: sayAll(changes), notes: sayAll([]))
        }
        // Care standard by self-care level [TK 21–22]; unknown until the home visit assesses it.
        guard let unable = m.selfCareUnableActivities else {
            trace.add("生活自理能力评估", Article.tkSelfCare, result: "尚未评估：需入户评估六项日常活动后确定照料护理标准")
            return Decision(program: .tekun, member: m.id, outcome: .needsDecision, amountCents: s.tekunBasic.value, amountKind: .perMonth,
                            tier: .basic, summary: say("\(m.label)符合特困三项条件，照料护理标准待自理能力评估"),
                            steps: trace.take(), changes: sayAll([]), notes: sayAll(["暂按基本生活标准计算，未含照料护理费"]))
        }
        let (careLabel, care, careParam): (String, Cents, ResolvedParameter) =
            unable >= s.fullyFrom ? ("完全丧失生活自理能力", s.careFully, s.tekunCareFully)
            : unable >= s.partlyFrom ? ("部分丧失生活自理能力", s.carePartly, s.tekunCarePartly)
            : ("具备生活自理能力", s.careAble, s.tekunCareAble)
        trace.add("生活自理能力与照料护理标准", Article.tkSelfCare,
                  inputs: [StepInput(name: "六项日常活动中不能完成", value: "\(unable)项", source: nil)],
                  parameters: [s.selfCarePartlyUnableFrom, s.selfCareFullyUnableFrom, careParam],
                  result: "\(careLabel)，照料护理标准 \(care.yuanText)/月")
        let total = s.tekunBasic + care
        trace.add("特困供养金额", Article.tkConditions, parameters: [s.tekunBasicStandard],
                  result: "基本生活 \(s.tekunBasic.yuanText) + 照料护理 \(care.yuanText) = \(total.yuanText)/月（\((m.supportMode ?? .dispersed).chinese)）")
        return Decision(program: .tekun, member: m.id, outcome: .qualifies, amountCents: total.value, amountKind: .perMonth, tier: .basic,
                        summary: say("\(m.label)符合特困人员三项条件（\(careLabel)）"), steps: trace.take(), changes: sayAll([]),
                        notes: sayAll(["向户籍地乡镇（街道）申请 [TK 10]", (m.supportMode ?? .dispersed).chinese]))
    }

    /// The third tekun condition: no legal supporter, or none able to support [TK 4, 8]. With the supporters' own data
    /// the rules decide; without it, the input's finding is used, and with neither, someone is assumed able: tekun is
    /// not granted on a gap in the data.
    mutating func supporterUnable(_ m: MemberInput) -> Bool {
        guard let supporters = m.supporters else {
            let supporter = m.legalSupporter ?? .able
            trace.add("无履行能力的法定义务人", Article.tkSupporter,
                      inputs: [StepInput(name: "法定义务人", value: m.legalSupporter == nil ? "未录入（按有履行能力处理，需入户核实）" : supporter.chinese, source: nil)],
                      result: supporter != .able ? "符合" : "有能履行义务的法定义务人")
            return supporter != .able
        }
        var inputs: [StepInput] = []
        var allUnable = true
        for p in supporters {
            let (unable, why) = judge(p)
            allUnable = allUnable && unable
            if trace.enabled { inputs.append(StepInput(name: p.label, value: (unable ? "无履行能力：" : "有履行能力：") + why, source: nil)) }
            // One able supporter is enough to fail the condition; the rest are still listed for the officer.
        }
        if let flag = m.legalSupporter, trace.enabled, (flag != .able) != allUnable {
            inputs.append(StepInput(name: "申请表勾选", value: "\(flag.chinese)（与义务人情况不符，以义务人情况为准）", source: nil))
        }
        trace.add("无履行能力的法定义务人", Article.tkSupporter, inputs: inputs,
                  parameters: [s.supporterUnableDibaoAge, s.supporterUnableAge, s.supporterDisabilityMaxGrade,
                               s.perCapitaDisposableIncomePreviousYear, s.nearDibaoAssetLimitMonths],
                  result: supporters.isEmpty ? "无法定义务人，符合" : allUnable ? "义务人均无履行能力，符合" : "有能履行义务的法定义务人")
        return allUnable
    }

    /// One supporter against [TK 8]: unable when tekun, or on dibao and old; or old, severely disabled or with a
    /// moderate intellectual or mental disability, and poor (income below the local disposable income, assets within
    /// the low-income limit); or without civil capacity, missing or in prison.
    func judge(_ p: SupporterInput) -> (unable: Bool, why: String) {
        if let c = p.condition, c != .ordinary { return (true, c.chinese) }
        let years = p.birthDate.map { $0.age(on: date) }
        let enrolled = p.enrolments ?? []
        if enrolled.contains(.tekun) { return (true, "本人为特困人员") }
        if enrolled.contains(.dibao), let years, years >= s.supporterDibaoAge { return (true, "\(years)岁的低保对象") }
        let old = years.map { $0 >= s.supporterAge } ?? false
        let disabled: Bool = {
            guard let d = p.disability, let maxGrade = s.supporterGrades[d.category.rawValue] else { return false }
            return d.grade <= maxGrade
        }()
        guard old || disabled else {
            return (false, years.map { "\($0)岁" } ?? "年龄未录入")
        }
        let reason = [old ? "\(years ?? 0)岁" : nil, disabled ? p.disability?.chinese : nil].compactMap { $0 }.joined(separator: "、")
        guard let income = p.incomePerMemberCents, let assets = p.assetsPerMemberCents else {
            return (false, "\(reason)，但收入或财产未录入，无法认定")
        }
        let line = s.disposableIncomeAnnual.divided(by: MonthlyConversion.monthsPerYear, rounding: .halfUp)
        let assetLimit = s.dibao * Int64(s.nearAssetMonths)
        if Cents(income) >= line { return (false, "\(reason)，但家庭人均月收入 \(Cents(income).yuanText) 不低于 \(line.yuanText)") }
        if Cents(assets) > assetLimit { return (false, "\(reason)，但人均金融资产 \(Cents(assets).yuanText) 超出 \(assetLimit.yuanText)") }
        return (true, "\(reason)，家庭人均月收入 \(Cents(income).yuanText) 低于 \(line.yuanText)，财产符合低收入家庭规定")
    }

    /// The day a person born on `birth` turns `years` (29 February birthdays turn on 1 March).
    static func anniversary(_ birth: LocalDate, years: Int) -> LocalDate {
        let y = birth.year + years
        if let d = try? LocalDate(year: y, month: birth.month, day: birth.day) { return d }
        return try! LocalDate(year: y, month: 3, day: 1)
    }

    // MARK: rigid-expenditure hardship [GX]

    mutating func expenditureHardshipDecision() -> Decision {
        guard let window = s.rigidExpenditureWindowMonths else {
            trace.add("刚性支出困难家庭", Article.rigid, result: "评估日期早于《刚性支出困难家庭认定办法》施行日（2025-01-01）")
            return Decision(program: .expenditureHardship, member: nil, outcome: .doesNotQualify, amountCents: 0, amountKind: .none, tier: nil,
                            summary: say("该日期尚未实施刚性支出困难家庭认定"), steps: trace.take(), changes: sayAll([]), notes: sayAll([]))
        }
        let n = Int64(max(counted.count, 1))
        let line = s.disposableIncomeAnnual.divided(by: MonthlyConversion.monthsPerYear, rounding: .halfUp)
        let income = incomeBeforeRigidDeduction
        let perMember = income.divided(by: n, rounding: .halfUp)
        let incomeOK = income < line * n
        let annualIncome = MonthlyConversion.annual(income)
        let share = s.rigidShare.of(annualIncome)
        let spendingOK = rigidAnnual > share && rigidAnnual > .zero
        trace.add("刚性支出困难：收入", Article.rigid,
                  inputs: [StepInput(name: "家庭人均月收入", value: perMember.yuanText, source: nil)],
                  parameters: [s.perCapitaDisposableIncomePreviousYear],
                  result: "上年人均可支配收入折合每月 \(line.yuanText)；" + (incomeOK ? "低于" : "不低于"))
        trace.add("刚性支出困难：近12个月刚性支出", Article.rigid,
                  inputs: (request.expenditures ?? []).map { StepInput(name: $0.kind.chinese, value: Cents($0.amountCents).yuanText, source: $0.source?.chinese) },
                  parameters: [s.rigidExpenditureShare, window],
                  result: "刚性支出 \(rigidAnnual.yuanText)，家庭年收入的 \(s.rigidShare) 为 \(share.yuanText)：" + (spendingOK ? "超过" : "未超过"))
        let assets = assetsWithinLimits(members: Int(n), months: s.nearAssetMonths, monthsParameter: s.nearDibaoAssetLimitMonths, rule: "刚性支出困难：财产")
        let ok = incomeOK && spendingOK && assets.ok
        var changes: [String] = []
        if incomeOK && assets.ok && !spendingOK && rigidAnnual > .zero { if trace.enabled { changes.append("近12个月刚性支出再增加 \((share - rigidAnnual + Cents(1)).yuanText) 将可能符合") } }
        // What it lacks, in figures: a deliberation weighs these [LS; JC].
        if !incomeOK { if trace.enabled { changes.append("家庭人均月收入 \(perMember.yuanText) 不低于上年人均可支配收入折合每月 \(line.yuanText)") } }
        if let excess = assets.excess { if trace.enabled { changes.append("金融资产超出上限 \(excess.yuanText)") } }
        return Decision(program: .expenditureHardship, member: nil, outcome: ok ? .qualifies : .doesNotQualify, amountCents: 0, amountKind: .none,
                        tier: ok ? .targeted : nil, summary: say(ok ? "刚性支出超过家庭收入的规定比例" : "不属于刚性支出困难家庭"),
                        steps: trace.take(), changes: sayAll(changes), notes: sayAll(ok ? ["认定有效期最长12个月 [GX]"] : []))
    }

    // MARK: temporary assistance [LS; ZX 48]

    mutating func temporaryDecision() -> Decision? {
        guard let e = request.emergency else { return nil }
        let n = Int64(max(counted.count, 1))
        var amount = Cents.zero
        var ok = true
        if e.kind.isEmergency {
            amount = s.emergencyMultiple.of(s.dibao)
            trace.add("急难型临时救助", Article.temporary,
                      inputs: [StepInput(name: "情形", value: "\(e.kind.chinese)（\(e.occurredOn)）", source: nil)],
                      parameters: [s.temporaryEmergencyMultiple, s.dibaoStandard],
                      result: "先行救助：\(s.emergencyMultiple) × \(s.dibao.yuanText) = \(amount.yuanText)，事后补办手续")
        } else {
            let line = s.disposableIncomeAnnual.divided(by: MonthlyConversion.monthsPerYear, rounding: .halfUp)
            let incomeOK = monthlyIncome < line * n
            let spent = Cents(e.spendingCents ?? 0)
            let tier = s.expenditureTiers.last { spent >= $0.from }
            ok = incomeOK && tier != nil
            if let tier, ok { amount = tier.multiple.of(s.dibao) }
            trace.add("支出型临时救助", Article.temporary,
                      inputs: [StepInput(name: "骤增支出", value: spent.yuanText, source: nil),
                               StepInput(name: "家庭人均月收入", value: monthlyIncome.divided(by: n, rounding: .halfUp).yuanText, source: nil)],
                      parameters: [s.temporaryExpenditureTiers, s.perCapitaDisposableIncomePreviousYear, s.dibaoStandard],
                      result: ok ? "按分档救助 \(amount.yuanText)" : (incomeOK ? "支出未达最低分档" : "人均收入不低于上年人均可支配收入"))
        }
        var notes: [String] = []
        var outcome: Outcome = ok ? .qualifies : .doesNotQualify
        if ok {
            if amount > s.deliberationThreshold {
                outcome = .needsDecision
                notes.append("金额超过 \(s.deliberationThreshold.yuanText)，提交一事一议")
            } else if amount <= s.townshipLimit {
                notes.append("乡镇（街道）可直接审批（限额 \(s.townshipLimit.yuanText)）")
            } else {
                notes.append("超过乡镇审批限额 \(s.townshipLimit.yuanText)，由县级民政部门审批")
            }
            notes.append("在急难发生地申请，不受户籍限制 [ZX 48]")
            trace.add("审批权限", Article.temporary, parameters: [s.townshipTemporaryApprovalLimit, s.temporaryDeliberationThreshold],
                      result: notes[0])
        }
        return Decision(program: .temporary, member: nil, outcome: outcome, amountCents: ok ? amount.value : 0, amountKind: .oneOff,
                        tier: nil, summary: say(ok ? "\(e.kind.chinese)：临时救助 \(amount.yuanText)" : "不符合临时救助条件"),
                        steps: trace.take(), changes: sayAll([]), notes: sayAll(notes))
    }

    // MARK: the two disability subsidies

    mutating func disabilityLiving(_ m: MemberInput, dibao: Bool, near: Bool, tekun: Bool) -> Decision? {
        guard let d = m.disability else { return nil }
        // Tekun support already covers basic living: the living allowance is not paid on top.
        let covered = dibao || (near && s.livingCoversNear)
        let ok = covered && !(tekun && PolicyCalculator.excludes(.tekun, .disabilityLiving))
        trace.add("困难残疾人生活补贴", Article.disabilitySubsidies,
                  inputs: [StepInput(name: m.label, value: d.chinese, source: nil),
                           StepInput(name: "低保家庭", value: dibao ? "是" : "否", source: nil)],
                  parameters: [s.disabilityLivingAllowance, s.disabilityLivingCoversNearDibao],
                  result: ok ? "符合" : (tekun ? "已享受特困供养，不重复享受" : "非低保家庭"))
        guard ok || dibao || near else { _ = trace.take(); return nil }
        return Decision(program: .disabilityLiving, member: m.id, outcome: ok ? .qualifies : .doesNotQualify,
                        amountCents: ok ? s.livingAllowance.value : 0, amountKind: .perMonth, tier: nil,
                        summary: say(ok ? "\(m.label)（\(d.chinese)）符合困难残疾人生活补贴条件" : "不符合困难残疾人生活补贴"),
                        steps: trace.take(), changes: sayAll([]), notes: sayAll([]))
    }

    mutating func disabilityCare(_ m: MemberInput) -> Decision? {
        guard let d = m.disability else { return nil }
        let ok = d.grade <= s.careMaxGrade
        trace.add("重度残疾人护理补贴", Article.disabilitySubsidies,
                  inputs: [StepInput(name: m.label, value: d.chinese, source: nil)],
                  parameters: [s.disabilityCareMaxGrade, s.disabilityCareAllowance],
                  result: ok ? "残疾等级为\(d.grade)级，符合" : "残疾等级为\(d.grade)级，不属于重度残疾")
        return Decision(program: .disabilityCare, member: m.id, outcome: ok ? .qualifies : .doesNotQualify,
                        amountCents: ok ? s.careAllowance.value : 0, amountKind: .perMonth, tier: nil,
                        summary: say(ok ? "\(m.label)（\(d.chinese)）符合重度残疾人护理补贴条件" : "\(m.label)不属于重度残疾（\(d.chinese)）"),
                        steps: trace.take(), changes: sayAll([]), notes: sayAll([]))
    }

    // MARK: orphans and de-facto unsupported children

    mutating func childDecision(_ m: MemberInput) -> Decision? {
        guard let parents = m.parents, parents != .present else { return nil }
        let a = age(m)
        let young = a < s.childLimit
        let program: Program = parents == .bothDeceasedOrMissing ? .orphan : .unsupportedChild
        let amount = program == .orphan ? s.orphanAmount : s.unsupportedAmount
        trace.add(program.chinese, Article.children,
                  inputs: [StepInput(name: m.label, value: "\(a)岁，\(parents.chinese)", source: nil)],
                  parameters: [s.childAgeLimit, program == .orphan ? s.orphanAllowance : s.unsupportedChildAllowance],
                  result: young ? "符合，每月 \(amount.yuanText)" : "已满\(s.childLimit)周岁")
        var changes: [String] = []
        if young { if trace.enabled { changes.append("于 \(Self.anniversary(m.birthDate, years: s.childLimit)) 年满\(s.childLimit)周岁，届时需重新认定") } }
        return Decision(program: program, member: m.id, outcome: young ? .qualifies : .doesNotQualify, amountCents: young ? amount.value : 0,
                        amountKind: .perMonth, tier: young ? .basic : nil,
                        summary: say(young ? "\(m.label)：\(program.chinese)" : "\(m.label)已满\(s.childLimit)周岁"),
                        steps: trace.take(), changes: sayAll(changes), notes: sayAll([]))
    }

    // MARK: medical and education assistance eligibility [ZX; JC]

    mutating func medicalDecision(tier: AssistanceTier) -> Decision {
        let ok = tier != .watch
        trace.add("医疗救助对象", Article.medical, inputs: [StepInput(name: "分层", value: tier.chinese, source: nil)],
                  result: ok ? "属于医疗救助对象（按费用报销，金额随票据计算）" : "不属于医疗救助对象；发生高额医疗费用时可申请临时救助")
        return Decision(program: .medical, member: nil, outcome: ok ? .qualifies : .doesNotQualify, amountCents: 0, amountKind: .none,
                        tier: nil, summary: say(ok ? "可享受医疗救助（资助参保与费用救助）" : "暂不属于医疗救助对象"), steps: trace.take(), changes: sayAll([]),
                        notes: sayAll(ok ? [tier == .basic ? "兜底保障对象：资助参保并按较高比例救助" : "专项救助对象：按规定比例救助"] : []))
    }

    /// Employment assistance: an adult of a household in basic or targeted assistance who is registered unemployed
    /// [ZX 42–44; JC]. Help is services and subsidies, not a monthly amount.
    mutating func employmentDecision(_ m: MemberInput, tier: AssistanceTier) -> Decision? {
        // The cheap test first: this runs for every member of every household in a screening.
        guard m.employment == .unemployed else { return nil }
        let years = age(m)
        guard years >= s.adult else { return nil }
        let ok = tier != .watch
        trace.add("就业救助对象", Article.employment,
                  inputs: [StepInput(name: m.label, value: "\(years)岁，\(Employment.unemployed.chinese)", source: nil), StepInput(name: "分层", value: tier.chinese, source: nil)],
                  parameters: [s.adultAge],
                  result: ok ? "符合就业救助条件" : "家庭不属于救助对象")
        guard ok else { _ = trace.take(); return nil }
        return Decision(program: .employment, member: m.id, outcome: .qualifies, amountCents: 0, amountKind: .none, tier: nil,
                        summary: say("\(m.label)可享受就业救助"), steps: trace.take(), changes: sayAll([]),
                        notes: sayAll(["由人力资源社会保障部门提供职业介绍、培训与公益性岗位等，给予相应补贴 [ZX 42–44]"]))
    }

    /// Disaster relief: a household struck by a natural disaster, whatever its income [ZX 20–26].
    mutating func disasterDecision() -> Decision? {
        guard let e = request.emergency, e.kind == .disaster else { return nil }
        trace.add("受灾人员救助", Article.disaster, inputs: [StepInput(name: "情形", value: "\(e.kind.chinese)（\(e.occurredOn)）", source: nil)],
                  result: "符合受灾人员救助条件")
        return Decision(program: .disaster, member: nil, outcome: .qualifies, amountCents: 0, amountKind: .none, tier: nil,
                        summary: say("遭受自然灾害，可享受受灾人员救助"), steps: trace.take(), changes: sayAll([]),
                        notes: sayAll(["由应急管理部门会同民政部门按灾情提供应急救助、过渡期生活救助与倒损住房恢复重建补助 [ZX 20–26]"]))
    }

    /// Housing assistance [ZX 37–40; JC]: a household the rules cover whose home is dangerous or lacking. Decided only
    /// when the home's condition is given: an unknown home is not a reason to grant or refuse.
    mutating func housingDecision(eligible: Bool, tier: AssistanceTier) -> Decision? {
        guard let housing = request.housing else { return nil }
        let needs = housing != .adequate
        let ok = needs && eligible
        trace.add("住房救助对象", Article.housing,
                  inputs: [StepInput(name: "住房状况", value: housing.chinese, source: nil), StepInput(name: "分层", value: tier.chinese, source: nil)],
                  result: ok ? "符合住房救助条件" : !needs ? "住房安全，无需住房救助" : "家庭不属于低保、分散供养特困或低保边缘等救助对象")
        guard needs || eligible else { _ = trace.take(); return nil }
        let how = housing == .dangerous ? "通过农村危房改造或城镇危旧房改造实施，由住房城乡建设部门会同民政部门办理 [ZX 38]"
                                        : "通过配租公共租赁住房或发放住房租赁补贴实施 [ZX 38]"
        return Decision(program: .housing, member: nil, outcome: ok ? .qualifies : .doesNotQualify, amountCents: 0, amountKind: .none, tier: nil,
                        summary: say(ok ? "\(housing.chinese)，可享受住房救助" : !needs ? "住房安全" : "住房困难，但家庭不属于住房救助对象"),
                        steps: trace.take(), changes: sayAll(ok || !needs ? [] : ["纳入低保、特困（分散供养）或低保边缘家庭后可申请住房救助"]),
                        notes: sayAll(ok ? [how] : []))
    }

    /// Service-type assistance [JC]: care for a member of a covered household who cannot fully look after themselves.
    /// A tekun member's care is in the tekun standard already [TK 21–22], so this is for everyone else.
    mutating func serviceDecision(_ m: MemberInput, tier: AssistanceTier) -> Decision? {
        guard let unable = m.selfCareUnableActivities, unable >= s.partlyFrom, tier != .watch else { return nil }
        let level = unable >= s.fullyFrom ? "完全丧失生活自理能力" : "部分丧失生活自理能力"
        trace.add("服务类社会救助", Article.service,
                  inputs: [StepInput(name: m.label, value: "六项日常活动中\(unable)项不能完成（\(level)）", source: nil),
                           StepInput(name: "分层", value: tier.chinese, source: nil)],
                  parameters: [s.selfCarePartlyUnableFrom, s.selfCareFullyUnableFrom],
                  result: "可提供照料护理等服务")
        return Decision(program: .service, member: m.id, outcome: .qualifies, amountCents: 0, amountKind: .none, tier: nil,
                        summary: say("\(m.label)（\(level)）可获得照料护理服务"), steps: trace.take(), changes: sayAll([]),
                        notes: sayAll(["由乡镇（街道）通过政府购买服务安排访视、照料等服务 [JC]"]))
    }

    /// When no programme fits a household in clear hardship — someone who cannot look after themselves at all, rigid
    /// spending above the household's income, or a hardship score at the city's threshold — the answer proposes
    /// case-by-case deliberation, with what each programme lacks [LS; JC].
    func deliberationProposal() -> DeliberationProposal? {
        // A switch, not a set: this runs for every household of a screening, and most stop at the first decision.
        func money(_ p: Program) -> Bool {
            switch p {
            case .dibao, .tekun, .nearDibao, .expenditureHardship, .temporary, .orphan, .unsupportedChild: return true
            default: return false
            }
        }
        guard !decisions.contains(where: { money($0.program) && $0.outcome != .doesNotQualify }) else { return nil }
        var hardship: [String] = []
        for i in counted.indices {
            if let u = counted[i].selfCareUnableActivities, u >= s.fullyFrom {
                hardship.append("\(counted[i].label)完全丧失生活自理能力（\(u)项日常活动不能完成）")
            }
        }
        let annualIncome = MonthlyConversion.annual(incomeBeforeRigidDeduction)
        if rigidAnnual > .zero, rigidAnnual > annualIncome {
            hardship.append("近12个月刚性支出 \(rigidAnnual.yuanText) 超过家庭年收入 \(annualIncome.yuanText)")
        }
        if let score = request.hardshipScore, let from = s.deliberationScore, score >= from {
            hardship.append("预警分值 \(score) 达到提请一事一议的分值 \(from)")
        }
        guard !hardship.isEmpty else { return nil }
        let misses = decisions.filter { money($0.program) }.map {
            DeliberationProposal.NearMiss(program: $0.program, member: $0.member, missing: $0.changes.isEmpty ? [$0.summary].filter { !$0.isEmpty } : $0.changes)
        }
        return DeliberationProposal(hardship: hardship, nearMisses: misses, article: Article.deliberation,
                                    summary: "家庭困难明显，但不符合现有救助项目，建议提请一事一议")
    }

    mutating func educationDecision(_ m: MemberInput, tier: AssistanceTier) -> Decision? {
        guard let school = m.schooling, [.preschool, .primary, .juniorSecondary, .seniorSecondary, .vocational, .tertiary].contains(school) else { return nil }
        let ok = tier != .watch
        trace.add("教育救助对象", Article.education,
                  inputs: [StepInput(name: m.label, value: school.chinese, source: nil), StepInput(name: "分层", value: tier.chinese, source: nil)],
                  result: ok ? "符合教育救助条件" : "家庭不属于救助对象")
        guard ok else { _ = trace.take(); return nil }
        return Decision(program: .education, member: m.id, outcome: .qualifies, amountCents: 0, amountKind: .none, tier: nil,
                        summary: say("\(m.label)（\(school.chinese)）可申请教育救助"), steps: trace.take(), changes: sayAll([]), notes: sayAll(["向学校或教育部门申请"]))
    }
}
