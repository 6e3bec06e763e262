import Foundation

/// What a warning is about (#5): the four ways assistance goes wrong, and hardship that has not yet reached it.
public enum WarningKind: String, ChineseLabelled {
    /// 困难预警: a household not enrolled is getting into trouble.
    case hardship
    /// 漏保: eligible, monitored, but not enrolled.
    case missedCoverage
    /// 错保: enrolled, but department data now puts the household over a limit.
    case wrongCoverage
    /// 死亡冒领: still paid after the recipient's death.
    case paidAfterDeath
    /// 重复救助: the same need paid twice, across programs or places.
    case duplicateAssistance

    public var chinese: String {
        switch self {
        case .hardship: return "困难预警"
        case .missedCoverage: return "疑似漏保"
        case .wrongCoverage: return "疑似错保"
        case .paidAfterDeath: return "死亡冒领"
        case .duplicateAssistance: return "重复救助"
        }
    }
}

public enum Severity: String, ChineseLabelled, Comparable {
    case low, medium, high, critical
    public var chinese: String {
        switch self {
        case .low: return "一般"
        case .medium: return "较重"
        case .high: return "严重"
        case .critical: return "紧急"
        }
    }
    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// The dimensions of the hardship score (Wuchang's six, Xiamen's five, joined).
public enum MonitoringDimension: String, ChineseLabelled {
    case structure, income, assets, expenditure, health, disability, employment, education, housing, lifeEvents, coverage
    public var chinese: String {
        switch self {
        case .structure: return "家庭结构与年龄"
        case .lifeEvents: return "生活事件"
        case .coverage: return "救助覆盖"
        // The rest are the profile's dimensions, named once there.
        default: return ProfileDimension(rawValue: rawValue)?.chinese ?? rawValue
        }
    }
}

/// An amount a condition compares with: fixed cents, or months of the local dibao standard, so a line
/// follows the standard of the household's region and date instead of being written in the catalogue.
public struct Threshold: Codable, Sendable, Hashable {
    public var cents: Int64?
    /// "12" = twelve months of the monthly dibao standard; "1.5" = one and a half.
    public var standardMonths: String?

    public init(cents: Int64? = nil, standardMonths: String? = nil) {
        self.cents = cents
        self.standardMonths = standardMonths
    }

    func resolve(dibaoMonthly: Cents) throws(DomainError) -> Cents {
        if let cents { return Cents(cents) }
        guard let standardMonths else { throw .invalidData(file: "indicators", reason: "阈值需要 cents 或 standardMonths") }
        return try Ratio(decimal: standardMonths).of(dibaoMonthly)
    }

    var text: String {
        if let cents { return Cents(cents).yuanText }
        return "\(standardMonths ?? "?") 个月低保标准"
    }
}

/// Which members a condition counts. Every field that is set must hold.
public struct MemberFilter: Codable, Sendable, Hashable {
    public var ageAtLeast: Int?
    public var ageBelow: Int?
    /// Disability grade 1 (most severe) up to this grade.
    public var disabilityGradeAtMost: Int?
    public var seriousIllness: Bool?
    public var chronicIllness: Bool?
    public var employment: [Employment]?
    public var schooling: [Schooling]?
    public var workCapacity: [WorkCapacity]?

    public init(ageAtLeast: Int? = nil, ageBelow: Int? = nil, disabilityGradeAtMost: Int? = nil, seriousIllness: Bool? = nil,
                chronicIllness: Bool? = nil, employment: [Employment]? = nil, schooling: [Schooling]? = nil, workCapacity: [WorkCapacity]? = nil) {
        self.ageAtLeast = ageAtLeast
        self.ageBelow = ageBelow
        self.disabilityGradeAtMost = disabilityGradeAtMost
        self.seriousIllness = seriousIllness
        self.chronicIllness = chronicIllness
        self.employment = employment
        self.schooling = schooling
        self.workCapacity = workCapacity
    }

    func matches(_ m: Member, on date: LocalDate) -> Bool {
        let age = m.birthDate.age(on: date)
        if let a = ageAtLeast, age < a { return false }
        if let a = ageBelow, age >= a { return false }
        if let g = disabilityGradeAtMost, (m.disability?.grade ?? Int.max) > g { return false }
        if let s = seriousIllness, m.illnesses.contains(.serious) != s { return false }
        if let c = chronicIllness, m.illnesses.contains(.chronic) != c { return false }
        if let e = employment, !e.contains(m.employment) { return false }
        if let s = schooling, !s.contains(m.schooling) { return false }
        if let w = workCapacity, !w.contains(m.workCapacity) { return false }
        return true
    }
}

/// A condition over a household's members, facts, enrolments and the policy calculator's view. New
/// indicators are catalogue entries built from these; a new case is needed only for a new kind of test.
public indirect enum Condition: Sendable, Hashable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    /// Living members matching the filter: at least / at most this many.
    case members(MemberFilter, atLeast: Int?, atMost: Int?)
    /// Living members matching the filter as a share of all living members.
    case memberShare(MemberFilter, atLeast: String)
    /// A fact of these kinds dated within the last `withinDays` days, about a member matching the filter.
    case recentFact(kinds: [FactKind], withinDays: Int, filter: MemberFilter?)
    /// The amounts of facts of these kinds dated within the window add up to at least the threshold.
    case factTotal(kinds: [FactKind], withinDays: Int, atLeast: Threshold)
    /// A fact of these kinds stopped within the window and nothing of those kinds is in force for that member now.
    case factEnded(kinds: [FactKind], withinDays: Int)
    /// The calculator's household income per counted member is below the threshold.
    case incomePerMemberBelow(Threshold)
    /// An active enrolment in any of these programs (any program when empty).
    case enrolled([Program])
    /// The calculator finds the household (or a member) qualifies for one of these and it is not enrolled.
    case qualifiesNotEnrolled([Program])
    /// Enrolled in one of these, and the calculator finds it no longer qualifies.
    case enrolledNotQualifying([Program])
    /// While enrolled in one of these, a fact of these kinds began on or after the enrolment.
    case acquiredWhileEnrolled(kinds: [FactKind], programs: [Program])
    /// An active enrolment pays someone with a death record.
    case paidAfterDeath
    /// One person in two programs that exclude each other.
    /// One person paid by two programmes that exclude each other: the calculator's own list
    /// (`PolicyCalculator.exclusivePairs`), so that monitoring and the calculator cannot disagree.
    case exclusiveEnrolments
    /// Someone this household's enrolment pays is on another place's recipients list (a fact from that list).
    case enrolledElsewhere
    /// The household's hardship score from the other indicators reaches this.
    case scoreAtLeast(Int)
}

extension Condition: Codable {
    private enum Key: String, CodingKey {
        case type, conditions, condition, filter, atLeast, atMost, kinds, withinDays, threshold, programs, pairs, points
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "all": self = .all(try c.decode([Condition].self, forKey: .conditions))
        case "any": self = .any(try c.decode([Condition].self, forKey: .conditions))
        case "not": self = .not(try c.decode(Condition.self, forKey: .condition))
        case "members":
            self = .members(try c.decodeIfPresent(MemberFilter.self, forKey: .filter) ?? MemberFilter(),
                            atLeast: try c.decodeIfPresent(Int.self, forKey: .atLeast), atMost: try c.decodeIfPresent(Int.self, forKey: .atMost))
        case "memberShare":
            self = .memberShare(try c.decode(MemberFilter.self, forKey: .filter), atLeast: try c.decode(String.self, forKey: .atLeast))
        case "recentFact":
            self = .recentFact(kinds: try c.decode([FactKind].self, forKey: .kinds), withinDays: try c.decode(Int.self, forKey: .withinDays),
                               filter: try c.decodeIfPresent(MemberFilter.self, forKey: .filter))
        case "factTotal":
            self = .factTotal(kinds: try c.decode([FactKind].self, forKey: .kinds), withinDays: try c.decode(Int.self, forKey: .withinDays),
                              atLeast: try c.decode(Threshold.self, forKey: .threshold))
        case "factEnded":
            self = .factEnded(kinds: try c.decode([FactKind].self, forKey: .kinds), withinDays: try c.decode(Int.self, forKey: .withinDays))
        case "incomePerMemberBelow": self = .incomePerMemberBelow(try c.decode(Threshold.self, forKey: .threshold))
        case "enrolled": self = .enrolled(try c.decodeIfPresent([Program].self, forKey: .programs) ?? [])
        case "qualifiesNotEnrolled": self = .qualifiesNotEnrolled(try c.decode([Program].self, forKey: .programs))
        case "enrolledNotQualifying": self = .enrolledNotQualifying(try c.decode([Program].self, forKey: .programs))
        case "acquiredWhileEnrolled":
            self = .acquiredWhileEnrolled(kinds: try c.decode([FactKind].self, forKey: .kinds), programs: try c.decode([Program].self, forKey: .programs))
        case "paidAfterDeath": self = .paidAfterDeath
        case "exclusiveEnrolments": self = .exclusiveEnrolments
        case "enrolledElsewhere": self = .enrolledElsewhere
        case "scoreAtLeast": self = .scoreAtLeast(try c.decode(Int.self, forKey: .points))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "未知的条件类型「\(type)」")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .all(let cs): try c.encode("all", forKey: .type); try c.encode(cs, forKey: .conditions)
        case .any(let cs): try c.encode("any", forKey: .type); try c.encode(cs, forKey: .conditions)
        case .not(let x): try c.encode("not", forKey: .type); try c.encode(x, forKey: .condition)
        case .members(let f, let lo, let hi):
            try c.encode("members", forKey: .type); try c.encode(f, forKey: .filter)
            try c.encodeIfPresent(lo, forKey: .atLeast); try c.encodeIfPresent(hi, forKey: .atMost)
        case .memberShare(let f, let s): try c.encode("memberShare", forKey: .type); try c.encode(f, forKey: .filter); try c.encode(s, forKey: .atLeast)
        case .recentFact(let k, let d, let f):
            try c.encode("recentFact", forKey: .type); try c.encode(k, forKey: .kinds); try c.encode(d, forKey: .withinDays)
            try c.encodeIfPresent(f, forKey: .filter)
        case .factTotal(let k, let d, let t):
            try c.encode("factTotal", forKey: .type); try c.encode(k, forKey: .kinds); try c.encode(d, forKey: .withinDays); try c.encode(t, forKey: .threshold)
        case .factEnded(let k, let d): try c.encode("factEnded", forKey: .type); try c.encode(k, forKey: .kinds); try c.encode(d, forKey: .withinDays)
        case .incomePerMemberBelow(let t): try c.encode("incomePerMemberBelow", forKey: .type); try c.encode(t, forKey: .threshold)
        case .enrolled(let p): try c.encode("enrolled", forKey: .type); try c.encode(p, forKey: .programs)
        case .qualifiesNotEnrolled(let p): try c.encode("qualifiesNotEnrolled", forKey: .type); try c.encode(p, forKey: .programs)
        case .enrolledNotQualifying(let p): try c.encode("enrolledNotQualifying", forKey: .type); try c.encode(p, forKey: .programs)
        case .acquiredWhileEnrolled(let k, let p):
            try c.encode("acquiredWhileEnrolled", forKey: .type); try c.encode(k, forKey: .kinds); try c.encode(p, forKey: .programs)
        case .paidAfterDeath: try c.encode("paidAfterDeath", forKey: .type)
        case .exclusiveEnrolments: try c.encode("exclusiveEnrolments", forKey: .type)
        case .enrolledElsewhere: try c.encode("enrolledElsewhere", forKey: .type)
        case .scoreAtLeast(let p): try c.encode("scoreAtLeast", forKey: .type); try c.encode(p, forKey: .points)
        }
    }

    /// Whether evaluating this needs the policy calculator's assessment.
    var needsAssessment: Bool {
        switch self {
        case .all(let cs), .any(let cs): return cs.contains { $0.needsAssessment }
        case .not(let c): return c.needsAssessment
        case .incomePerMemberBelow, .qualifiesNotEnrolled, .enrolledNotQualifying: return true
        default: return false
        }
    }

    var usesScore: Bool {
        switch self {
        case .all(let cs), .any(let cs): return cs.contains { $0.usesScore }
        case .not(let c): return c.usesScore
        case .scoreAtLeast: return true
        default: return false
        }
    }
}

/// One warning indicator (预警指标) as the catalogue file describes it.
public struct Indicator: Codable, Sendable, Hashable, Identifiable {
    public var code: String
    public var name: String
    public var dimension: MonitoringDimension
    public var kind: WarningKind
    public var severity: Severity
    /// Points towards the household's hardship score (0 for indicators that only warn, such as a payment after death).
    public var points: Int
    /// Handling deadline in working days (no national limit exists, so this is a parameter [JC]).
    public var deadlineWorkingDays: Int
    public var condition: Condition
    /// Why this is a warning: the policy text or the seed's practice it follows.
    public var basis: String
    /// False for factors that only add to the score (e.g. a dependant-heavy household) and raise no warning alone.
    public var warns: Bool?

    public var id: String { code }
    public var raisesWarning: Bool { warns ?? true }
}

/// When each level screens its households (Tianjin: districts monthly, the city quarterly).
public struct ScreeningSchedule: Codable, Sendable, Hashable {
    public enum Every: String, Codable, Sendable { case month, quarter, halfYear }
    public enum Level: String, Codable, Sendable { case city, county, township }
    public var level: Level
    public var every: Every

    public var regionLevel: RegionLevel {
        switch level {
        case .city: return .city
        case .county: return .county
        case .township: return .township
        }
    }

    /// Whether a screening is due on `today`, given the last one (nil: never run).
    public func isDue(lastRun: LocalDate?, today: LocalDate) -> Bool {
        guard let last = lastRun else { return true }
        let months: Int
        switch every {
        case .month: months = 1
        case .quarter: months = 3
        case .halfYear: months = 6
        }
        // Due once the calendar period that contains `today` differs from the last run's.
        func period(_ d: LocalDate) -> Int { (d.year * 12 + d.month - 1) / months }
        return period(today) > period(last)
    }
}

/// The whole catalogue: indicators, the score's caps per dimension, and the schedules.
public struct IndicatorCatalogue: Codable, Sendable {
    public var version: String
    public var indicators: [Indicator]
    /// Highest sub-score per dimension, so that one dimension cannot carry the whole score.
    public var dimensionCaps: [String: Int]
    /// Highest total score; higher means harder.
    public var maximumScore: Int
    /// Working days the community coordinator has for a verification home visit: a local practice, as no
    /// national limit exists [JC].
    public var verificationWorkingDays: Int
    public var schedules: [ScreeningSchedule]

    public static func load(_ data: Data, file: String = "indicators.json") throws(DomainError) -> IndicatorCatalogue {
        let c: IndicatorCatalogue
        do { c = try JSONDecoder().decode(IndicatorCatalogue.self, from: data) } catch let e as DecodingError {
            throw .invalidData(file: file, reason: "\(AssessmentRequest.path(e))：\(AssessmentRequest.reason(e))")
        } catch {
            throw .invalidData(file: file, reason: "不是有效的JSON")
        }
        try c.validate(file: file)
        return c
    }

    /// The catalogue shipped with the package (an installation names its own through `AppConfig`).
    public static func bundled() throws -> IndicatorCatalogue {
        guard let url = Bundle.module.url(forResource: "indicators", withExtension: "json", subdirectory: "Resources/monitoring") else {
            throw DomainError.invalidData(file: "indicators.json", reason: "缺少内置预警指标目录")
        }
        return try load(try Data(contentsOf: url))
    }

    public func cap(_ d: MonitoringDimension) -> Int { dimensionCaps[d.rawValue] ?? maximumScore }

    public subscript(code code: String) -> Indicator? { indicators.first { $0.code == code } }

    func validate(file: String) throws(DomainError) {
        var codes = Set<String>()
        for i in indicators {
            guard codes.insert(i.code).inserted else { throw .invalidData(file: file, reason: "指标代码 \(i.code) 重复") }
            guard i.points >= 0, i.deadlineWorkingDays > 0 else {
                throw .invalidData(file: file, reason: "指标 \(i.code) 的分值不能为负、处置时限须大于0个工作日")
            }
            if i.condition.usesScore && i.points > 0 {
                throw .invalidData(file: file, reason: "指标 \(i.code) 以综合分为条件，自身不能再计分")
            }
        }
        for key in dimensionCaps.keys where MonitoringDimension(rawValue: key) == nil {
            throw .invalidData(file: file, reason: "未知的维度 \(key)")
        }
        guard maximumScore > 0 else { throw .invalidData(file: file, reason: "maximumScore 须大于0") }
        guard verificationWorkingDays > 0 else { throw .invalidData(file: file, reason: "verificationWorkingDays 须大于0") }
    }
}

/// A city's adjustments to the shipped catalogue: points, severity and handling deadline per indicator.
/// Kept apart from the file so that every change is one audited act, and the file stays the reference.
public struct IndicatorTuning: Codable, Sendable, Equatable {
    public struct Change: Codable, Sendable, Equatable {
        public var points: Int?
        public var severity: Severity?
        public var deadlineWorkingDays: Int?

        public init(points: Int? = nil, severity: Severity? = nil, deadlineWorkingDays: Int? = nil) {
            self.points = points
            self.severity = severity
            self.deadlineWorkingDays = deadlineWorkingDays
        }
    }

    public var changes: [String: Change]

    public init(changes: [String: Change] = [:]) { self.changes = changes }
}

extension IndicatorCatalogue {
    /// The catalogue with a city's tuning applied, checked like the file itself.
    public func applying(_ tuning: IndicatorTuning) throws(DomainError) -> IndicatorCatalogue {
        var c = self
        for (code, change) in tuning.changes {
            guard let i = c.indicators.firstIndex(where: { $0.code == code }) else {
                throw .invalidData(file: "tuning", reason: "没有代码为 \(code) 的指标")
            }
            if let p = change.points { c.indicators[i].points = p }
            if let s = change.severity { c.indicators[i].severity = s }
            if let d = change.deadlineWorkingDays { c.indicators[i].deadlineWorkingDays = d }
        }
        try c.validate(file: "tuning")
        return c
    }
}
