import Foundation

/// One piece of evidence behind a warning: a fact with its source and date, an enrolment, or the
/// policy calculator's finding.
public struct Evidence: Codable, Sendable, Hashable {
    public var text: String
    public var department: Department?
    public var date: LocalDate?
    public var reference: String?
    public var factID: String?
    /// What the evidence rests on (a fact and its values, an enrolment, a member, a calculated figure), for the
    /// fingerprint. Not the text: "85岁" in a sentence changes on a birthday while the facts stay the same.
    public var key: String?

    public init(text: String, department: Department? = nil, date: LocalDate? = nil, reference: String? = nil, factID: String? = nil,
                key: String? = nil) {
        self.key = key
        self.text = text
        self.department = department
        self.date = date
        self.reference = reference
        self.factID = factID
    }
}

/// An indicator that fired for a household, with its evidence.
public struct Finding: Sendable, Hashable {
    public var indicator: Indicator
    public var evidence: [Evidence]

    /// Stable over the same underlying facts: a warning closed with "no action" is raised again only when this changes.
    /// The evidence is taken in sorted order: the database returns a household's rows in no fixed order, and
    /// the same facts read in another order must not look like new ones.
    public var fingerprint: String {
        var h = FNV1a()
        h.add(indicator.code)
        for k in evidence.map({ $0.key ?? $0.text }).sorted() { h.add(k) }
        return h.hex
    }
}

/// The hardship score (预警分值): higher means harder. A sub-score per dimension, capped, and the
/// indicators that contributed.
public struct HardshipScore: Sendable, Hashable, Codable {
    public struct Contribution: Sendable, Hashable, Codable {
        public var code: String
        public var name: String
        public var dimension: MonitoringDimension
        public var points: Int
    }
    public var total: Int
    public var maximum: Int
    public var byDimension: [MonitoringDimension: Int]
    public var contributions: [Contribution]

    public init(total: Int, maximum: Int, byDimension: [MonitoringDimension: Int], contributions: [Contribution]) {
        self.total = total
        self.maximum = maximum
        self.byDimension = byDimension
        self.contributions = contributions
    }

    public static let zero = HardshipScore(total: 0, maximum: 0, byDimension: [:], contributions: [])
}

/// The result of screening one household on one day.
public struct HouseholdScreening: Sendable {
    public var householdID: Household.ID
    public var date: LocalDate
    public var score: HardshipScore
    /// Indicators that fired and raise a warning.
    public var findings: [Finding]
    /// Every indicator that fired, warning or score-only.
    public var fired: [Finding]
}

/// Evaluates the catalogue against a household: pure, with the date and standards passed in.
public struct Screener: Sendable {
    public let catalogue: IndicatorCatalogue
    public let calculator: PolicyCalculator
    let needsAssessment: Bool
    /// Indicators that do not look at the score, then those that do (they run once the score is known).
    let direct: [Indicator]
    let onScore: [Indicator]

    public init(catalogue: IndicatorCatalogue, calculator: PolicyCalculator) {
        self.catalogue = catalogue
        self.calculator = calculator
        needsAssessment = catalogue.indicators.contains { $0.condition.needsAssessment }
        direct = catalogue.indicators.filter { !$0.condition.usesScore }
        onScore = catalogue.indicators.filter { $0.condition.usesScore }
    }

    /// `scoreOnlyEvidence`: also write the evidence of indicators that only add to the score (the profile page shows
    /// it; a batch screening stores evidence only for warnings, and skips it).
    public func screen(_ profile: HouseholdProfile, on date: LocalDate, standards: Standards,
                       scoreOnlyEvidence: Bool = true) throws(PolicyError) -> HouseholdScreening {
        let assessment: Assessment? = needsAssessment
            ? try calculator.assess(AssessmentRequest(profile: profile, date: date), standards: standards, explain: false) : nil
        var view = HouseholdView(profile: profile, date: date, assessment: assessment, dibaoMonthly: standards.dibaoMonthly)
        var fired: [Finding] = []
        // Through the buffer, an indicator is read in place: iterating the array copied every indicator (its
        // strings and condition retained and released) for every household, a tenth of a screening's evaluation.
        // Only the few that fire are copied, into their finding.
        // The view is a parameter, not captured: a captured variable was copied for every indicator.
        func run(_ indicators: UnsafeBufferPointer<Indicator>, on view: borrowing HouseholdView) {
            for i in indicators.indices {
                let explain = scoreOnlyEvidence || indicators[i].raisesWarning
                let evidence = explain ? view.evaluate(indicators[i].condition) : view.evaluate(indicators[i].condition, explain: false)
                if let evidence { fired.append(Finding(indicator: indicators[i], evidence: evidence)) }
            }
        }
        direct.withUnsafeBufferPointer { run($0, on: view) }
        let score = self.score(fired)
        view.score = score
        onScore.withUnsafeBufferPointer { run($0, on: view) }
        return HouseholdScreening(householdID: profile.household.id, date: date, score: score,
                                  findings: fired.filter { $0.indicator.raisesWarning }, fired: fired)
    }

    /// Sub-scores per dimension, each capped, summed and capped at the maximum.
    public func score(_ fired: [Finding]) -> HardshipScore {
        var by: [MonitoringDimension: Int] = [:]
        var contributions: [HardshipScore.Contribution] = []
        for f in fired where f.indicator.points > 0 {
            by[f.indicator.dimension, default: 0] += f.indicator.points
            contributions.append(.init(code: f.indicator.code, name: f.indicator.name, dimension: f.indicator.dimension, points: f.indicator.points))
        }
        for (d, v) in by { by[d] = min(v, catalogue.cap(d)) }
        let total = min(catalogue.maximumScore, by.values.reduce(0, +))
        return HardshipScore(total: total, maximum: catalogue.maximumScore, byDimension: by, contributions: contributions)
    }
}

extension Standards {
    /// The monthly dibao standard per person, for thresholds expressed in months of it.
    public var dibaoMonthly: Cents { dibao }
}

/// A household as the conditions see it on one date.
struct HouseholdView {
    let profile: HouseholdProfile
    let date: LocalDate
    let assessment: Assessment?
    let dibaoMonthly: Cents
    var score: HardshipScore?
    let dead: [Member.ID: Fact]
    let living: [Member]
    let active: [Enrolment]
    /// Active, or suspended because a payment was held: a held payment after a death still needs handling.
    let paying: [Enrolment]

    init(profile: HouseholdProfile, date: LocalDate, assessment: Assessment?, dibaoMonthly: Cents) {
        self.profile = profile
        self.date = date
        self.assessment = assessment
        self.dibaoMonthly = dibaoMonthly
        var dead: [Member.ID: Fact] = [:]
        profile.facts.withUnsafeBufferPointer { facts in
            for i in facts.indices where facts[i].kind == .death && facts[i].validFrom <= date {
                if let m = facts[i].memberID { dead[m] = facts[i] }
            }
        }
        self.dead = dead
        living = profile.members.filter { $0.birthDate <= date && dead[$0.id] == nil }
        active = profile.enrolments.filter { $0.status == .active && $0.since <= date }
        paying = profile.enrolments.filter { $0.status != .ended && $0.since <= date }
    }

    // Facts and members are read in place while deciding: iterating an array (for-in, `contains(where:)`) copies
    // each element, retaining and releasing its strings, for every condition of every household screened.
    func anyFact(_ hit: (Fact) -> Bool) -> Bool {
        profile.facts.withUnsafeBufferPointer { facts in
            for i in facts.indices where hit(facts[i]) { return true }
            return false
        }
    }

    func countLiving(_ matching: (Member) -> Bool) -> Int {
        living.withUnsafeBufferPointer { members in
            var n = 0
            for i in members.indices where matching(members[i]) { n += 1 }
            return n
        }
    }

    func who(_ id: Member.ID?) -> String { profile.member(id).map { "\($0.name)：" } ?? "" }

    func evidence(_ f: Fact) -> Evidence {
        let amount = f.amount.map { " \($0.yuanText)" } ?? ""
        let note = f.note.isEmpty ? "" : "（\(f.note)）"
        return Evidence(text: "\(who(f.memberID))\(f.kind.chinese)\(amount)\(note)", department: f.provenance.department,
                        date: f.validFrom, reference: f.provenance.reference, factID: f.id.description,
                        key: "fact:\(f.id)|\(f.amount?.value ?? -1)|\(f.validFrom)|\(f.validTo?.description ?? "")")
    }

    func evidence(_ e: Enrolment) -> Evidence {
        let person = profile.member(e.memberID).map { "（\($0.name)）" } ?? ""
        let state = e.status == .active ? "在保" : "\(e.status.chinese)（待处理）"
        return Evidence(text: "\(state)：\(e.program.chinese)\(person)，每月 \(e.monthlyAmount.yuanText)", department: .civilAffairs, date: e.since,
                        key: "enrolment:\(e.id)|\(e.status.rawValue)")
    }

    func inWindow(_ d: LocalDate, days: Int) -> Bool { d <= date && d > date.adding(days: -days) }

    func isEnrolled(_ program: Program, member: String?) -> Bool {
        active.contains { e in
            // The program first: formatting the member's ID is only needed for an enrolment in it.
            e.program == program && (member == nil || e.memberID == nil || e.memberID?.description == member)
        }
    }

    /// Evidence when the condition holds, nil when it does not.
    func evaluate(_ c: Condition) -> [Evidence]? {
        // Most conditions do not hold for most households: decide first, and write the evidence (text,
        // money, names) only for those that do.
        evaluate(c, explain: false) == nil ? nil : evaluate(c, explain: true)
    }

    /// With `explain` false, a holding condition gives no evidence (an empty list), only the decision.
    func evaluate(_ c: Condition, explain: Bool) -> [Evidence]? {
        switch c {
        case .all(let cs):
            var out: [Evidence] = []
            for x in cs {
                guard let e = evaluate(x, explain: explain) else { return nil }
                out += e
            }
            return out
        case .any(let cs):
            for x in cs { if let e = evaluate(x, explain: explain) { return e } }
            return nil
        case .not(let x):
            return evaluate(x, explain: false) == nil ? [] : nil
        case .members(let filter, let lo, let hi):
            // Deciding needs a count, not copies of the members.
            let count = countLiving { filter.matches($0, on: date) }
            if let lo, count < lo { return nil }
            if let hi, count > hi { return nil }
            guard explain, lo.map({ $0 > 0 }) == true else { return [] }
            return living.filter { filter.matches($0, on: date) }.map { Evidence(text: "\($0.name)，\($0.birthDate.age(on: date))岁，\($0.relation.chinese)", key: "member:\($0.id)") }
        case .memberShare(let filter, let share):
            guard !living.isEmpty, let ratio = try? Ratio(decimal: share) else { return nil }
            let n = countLiving { filter.matches($0, on: date) }
            guard Int64(n) * ratio.denominator >= ratio.numerator * Int64(living.count) else { return nil }
            guard explain else { return [] }
            return [Evidence(text: "共同生活成员 \(living.count) 人，其中 \(n) 人符合条件", key: "share:\(n)/\(living.count)")]
        case .recentFact(let kinds, let days, let filter):
            func hit(_ f: Fact) -> Bool {
                kinds.contains(f.kind) && inWindow(f.validFrom, days: days)
                    && (filter.map { fl in profile.member(f.memberID).map { fl.matches($0, on: f.validFrom) } ?? false } ?? true)
            }
            guard explain else { return anyFact(hit) ? [] : nil }
            let hits = profile.facts.filter(hit)
            if hits.isEmpty { return nil }
            return hits.sorted { $0.validFrom > $1.validFrom }.map(evidence)
        case .factTotal(let kinds, let days, let threshold):
            guard let line = try? threshold.resolve(dibaoMonthly: dibaoMonthly) else { return nil }
            var total = Cents(0), any = false
            profile.facts.withUnsafeBufferPointer { facts in
                for i in facts.indices where kinds.contains(facts[i].kind) && inWindow(facts[i].validFrom, days: days) {
                    total = total + (facts[i].amount ?? Cents(0))
                    any = true
                }
            }
            guard total >= line, any else { return nil }
            guard explain else { return [] }
            let hits = profile.facts.filter { kinds.contains($0.kind) && inWindow($0.validFrom, days: days) }
            return [Evidence(text: "近\(days)天合计 \(total.yuanText)，预警线 \(line.yuanText)（\(threshold.text)）", key: "total")]
                + hits.sorted { $0.validFrom > $1.validFrom }.prefix(10).map(evidence)
        case .factEnded(let kinds, let days):
            let since = date.adding(days: -days)
            func endedRecently(_ f: Fact) -> Bool {
                guard kinds.contains(f.kind), let to = f.validTo else { return false }
                return to < date && to > since
            }
            // Most households have nothing that ended: no need to look further.
            guard anyFact(endedRecently) else { return nil }
            let inForce = Set(profile.facts.filter { kinds.contains($0.kind) && $0.validFrom <= date && ($0.validTo.map { $0 >= date } ?? true) }
                .map(\.memberID))
            let ended = profile.facts.filter { f in
                endedRecently(f) && !inForce.contains(f.memberID) && (f.memberID.map { id in living.contains { $0.id == id } } ?? true)
            }
            if ended.isEmpty { return nil }
            guard explain else { return [] }
            return ended.map { f in
                var e = evidence(f)
                e.text += "，已于 \(f.validTo!) 终止"
                return e
            }
        case .incomePerMemberBelow(let threshold):
            guard let a = assessment, let line = try? threshold.resolve(dibaoMonthly: dibaoMonthly), a.figures.countedMembers > 0 else { return nil }
            let per = Cents(a.figures.incomePerMemberCents)
            guard per < line else { return nil }
            guard explain else { return [] }
            return [Evidence(text: "政策计算：家庭人均月收入 \(per.yuanText)，低于 \(line.yuanText)（\(threshold.text)）", department: .civilAffairs, date: date,
                             key: "income:\(per.value)")]
        case .enrolled(let programs):
            guard explain else { return active.contains { programs.isEmpty || programs.contains($0.program) } ? [] : nil }
            let hits = active.filter { programs.isEmpty || programs.contains($0.program) }
            if hits.isEmpty { return nil }
            return hits.map(evidence)
        case .qualifiesNotEnrolled(let programs):
            guard let a = assessment else { return nil }
            func hit(_ d: Decision) -> Bool { programs.contains(d.program) && d.outcome == .qualifies && !isEnrolled(d.program, member: d.member) }
            guard explain else { return a.decisions.contains(where: hit) ? [] : nil }
            let hits = a.decisions.filter(hit)
            if hits.isEmpty { return nil }
            return hits.map { d in
                let person = d.member.flatMap { id in profile.members.first { $0.id.description == id }?.name }.map { "（\($0)）" } ?? ""
                return Evidence(text: "政策计算：符合\(d.program.chinese)\(person)但未纳入——\(d.summary)", department: .civilAffairs, date: date,
                                key: "qualifies:\(d.program.rawValue):\(d.member ?? "-"):\(a.figures.incomePerMemberCents)")
            }
        case .enrolledNotQualifying(let programs):
            guard let a = assessment else { return nil }
            var out: [Evidence] = []
            for e in active where programs.contains(e.program) {
                // No decision at all for an enrolled person means the calculator found them nowhere near the conditions.
                let d = a.decision(e.program, member: e.memberID?.description) ?? (e.memberID == nil ? a.decision(e.program) : nil)
                guard d == nil || d?.outcome == .doesNotQualify else { continue }
                out.append(evidence(e))
                out.append(Evidence(text: "政策计算：不再符合\(e.program.chinese)——\(d?.summary ?? "不具备该项目的基本条件")", department: .civilAffairs, date: date,
                                    key: "notQualifying:\(e.program.rawValue):\(a.figures.incomePerMemberCents)"))
            }
            return out.isEmpty ? nil : out
        case .acquiredWhileEnrolled(let kinds, let programs):
            var out: [Evidence] = []
            for e in active where programs.contains(e.program) {
                let hits = profile.facts.filter { f in
                    kinds.contains(f.kind) && f.validFrom >= e.since && f.validFrom <= date && (f.validTo.map { $0 >= date } ?? true)
                        && (e.memberID == nil || f.memberID == nil || f.memberID == e.memberID)
                }
                if !hits.isEmpty { out += [evidence(e)] + hits.map(evidence) }
            }
            return out.isEmpty ? nil : out
        case .paidAfterDeath:
            var out: [Evidence] = []
            for e in paying {
                let deaths: [Fact]
                if let m = e.memberID {
                    deaths = dead[m].map { [$0] } ?? []
                } else {
                    // A household payment keeps the dead only when they died after it was set.
                    deaths = dead.values.filter { $0.validFrom >= e.since }.sorted { $0.validFrom < $1.validFrom }
                }
                if !deaths.isEmpty { out += [evidence(e)] + deaths.map(evidence) }
            }
            return out.isEmpty ? nil : out
        case .exclusiveEnrolments:
            func beneficiaries(_ e: Enrolment) -> Set<Member.ID> { e.memberID.map { [$0] } ?? Set(profile.members.map(\.id)) }
            var out: [Evidence] = []
            for (first, second) in PolicyCalculator.exclusivePairs {
                for a in active where a.program == first {
                    for b in active where b.program == second && !beneficiaries(a).isDisjoint(with: beneficiaries(b)) {
                        out += [evidence(a), evidence(b)]
                    }
                }
            }
            return out.isEmpty ? nil : out
        case .enrolledElsewhere:
            // Another place's recipients list (the provincial platform) names someone this household's enrolment pays.
            var out: [Evidence] = []
            for e in active {
                let covered = e.memberID.map { [$0] } ?? living.map(\.id)
                let hits = profile.facts.filter { f in
                    f.kind == .assistanceElsewhere && f.validFrom <= date && (f.validTo.map { $0 >= date } ?? true)
                        && f.memberID.map { covered.contains($0) } == true
                }
                if !hits.isEmpty { out += [evidence(e)] + hits.map(evidence) }
            }
            return out.isEmpty ? nil : out
        case .scoreAtLeast(let points):
            guard let s = score, s.total >= points else { return nil }
            guard explain else { return [] }
            return [Evidence(text: "综合困难评分 \(s.total)（满分 \(s.maximum)，越高越困难），达到预警线 \(points)", key: "score:\(s.total)")]
        }
    }
}

/// FNV-1a, 64 bits: a stable fingerprint with no dependency (Swift's `Hasher` is seeded per process).
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ s: String) {
        for b in s.utf8 {
            value ^= UInt64(b)
            value = value &* 0x0000_0100_0000_01b3
        }
        value ^= 0xff
        value = value &* 0x0000_0100_0000_01b3
    }
    var hex: String { String(value, radix: 16) }
}
