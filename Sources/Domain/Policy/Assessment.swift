import Foundation

/// 分层分类: the tier a household sits in [JC].
public enum AssistanceTier: String, ChineseLabelled {
    case basic, targeted, watch
    public var chinese: String {
        switch self {
        case .basic: return "兜底保障层"
        case .targeted: return "专项救助层"
        case .watch: return "监测预警层"
        }
    }
}

public enum Outcome: String, ChineseLabelled {
    case qualifies, doesNotQualify, needsDecision
    public var chinese: String {
        switch self {
        case .qualifies: return "符合"
        case .doesNotQualify: return "不符合"
        case .needsDecision: return "需人工研判"
        }
    }
}

/// What an amount is: paid every month, paid once, or no money (a status such as near-dibao).
public enum AmountKind: String, ChineseLabelled {
    case perMonth, oneOff, none
    public var chinese: String {
        switch self {
        case .perMonth: return "每月"
        case .oneOff: return "一次性"
        case .none: return "不涉及金额"
        }
    }
}

/// One input a rule used, with where it came from when known.
public struct StepInput: Codable, Sendable, Equatable {
    public var name: String
    public var value: String
    public var source: String?
}

/// A parameter a rule used, with the region and date it was set for.
public struct StepParameter: Codable, Sendable, Equatable {
    /// The key in the parameter files (`dibaoStandard`), for the API and data officers.
    public var name: String
    public var value: String
    public var scope: String
    public var effective: String
    public var reference: String

    /// Its Chinese name (`ParameterNames`), for pages.
    public var label: String { ParameterNames.chinese(name) }

    init(_ p: ResolvedParameter) {
        name = p.name
        value = p.display
        scope = p.scope.description
        effective = p.effective.description
        reference = p.reference
    }
}

/// One step of an explanation: the rule, the article it encodes, what it used and what it found.
public struct Step: Codable, Sendable, Equatable {
    public var rule: String
    public var article: String
    public var inputs: [StepInput]
    public var parameters: [StepParameter]
    public var result: String
}

public struct Decision: Codable, Sendable, Equatable {
    public var program: Program
    /// For programs paid to one person.
    public var member: String?
    public var outcome: Outcome
    public var amountCents: Int64
    public var amountKind: AmountKind
    public var tier: AssistanceTier?
    /// A short reason in Chinese.
    public var summary: String
    public var steps: [Step]
    /// What would change the outcome ("income per member is ¥120.00 above the standard").
    public var changes: [String]
    /// Extra facts a person needs (where to apply, who approves).
    public var notes: [String]

    public var amount: Cents { Cents(amountCents) }
}

/// A proposal for case-by-case deliberation (一事一议): why the household is in clear hardship, and for each
/// programme that does not fit, what it lacks. The deliberation decides; the calculator only proposes [LS; JC].
public struct DeliberationProposal: Codable, Sendable, Equatable {
    public struct NearMiss: Codable, Sendable, Equatable {
        public var program: Program
        public var member: String?
        /// What the programme lacks, in the words of its decision.
        public var missing: [String]
    }
    public var hardship: [String]
    public var nearMisses: [NearMiss]
    public var article: String
    public var summary: String
}

/// The household figures the rules share, in monthly terms.
public struct HouseholdFigures: Codable, Sendable, Equatable {
    public var countedMembers: Int
    public var monthlyIncomeCents: Int64
    public var incomePerMemberCents: Int64
    public var financialAssetsCents: Int64
    public var dibaoStandardCents: Int64
}

public struct Assessment: Codable, Sendable, Equatable {
    public var date: LocalDate
    public var region: RegionCode
    public var tier: AssistanceTier
    public var figures: HouseholdFigures
    public var decisions: [Decision]
    /// Set when the household is in clear hardship and no programme fits: case-by-case deliberation is proposed
    /// with the reasons [LS; JC].
    public var deliberation: DeliberationProposal?

    public func decision(_ program: Program, member: String? = nil) -> Decision? {
        decisions.first { $0.program == program && (member == nil || $0.member == member) }
    }

    public var qualifying: [Decision] { decisions.filter { $0.outcome != .doesNotQualify } }

    /// Money per month from every program that qualifies.
    public var monthlyTotal: Cents {
        Cents(decisions.filter { $0.outcome == .qualifies && $0.amountKind == .perMonth }.reduce(0) { $0 + $1.amountCents })
    }
}

/// Collects explanation steps when asked to, and costs nothing when not: the step's contents are
/// built only if someone will read them.
struct Trace {
    let enabled: Bool
    var steps: [Step] = []

    mutating func add(_ rule: @autoclosure () -> String, _ article: @autoclosure () -> String,
                      inputs: @autoclosure () -> [StepInput] = [], parameters: @autoclosure () -> [ResolvedParameter] = [],
                      result: @autoclosure () -> String) {
        guard enabled else { return }
        steps.append(Step(rule: rule(), article: article(), inputs: inputs(), parameters: parameters().map(StepParameter.init), result: result()))
    }

    mutating func take() -> [Step] {
        defer { steps = [] }
        return steps
    }
}
