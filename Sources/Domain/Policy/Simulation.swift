import Foundation

/// A "what if": one parameter changed by a percentage in a region from a date, e.g. the dibao
/// standard +5% in one district from 1 July.
public struct ParameterChange: Sendable, Equatable {
    public var name: String
    public var region: RegionCode
    public var effective: LocalDate
    /// Whole percent, e.g. 5 for +5%, -10 for −10%.
    public var percent: Int

    public init(name: String, region: RegionCode, effective: LocalDate, percent: Int) {
        self.name = name
        self.region = region
        self.effective = effective
        self.percent = percent
    }

    public var chinese: String { "\(ParameterNames.chinese(name)) \(percent >= 0 ? "+" : "")\(percent)%（\(effective) 起）" }

    /// A simulation is a question about policy a city might adopt: a standard cut below nothing or multiplied
    /// many times over is not one, nor a date no parameter file speaks for.
    public static let percentRange = -100...200
    /// Years past the later of today and the last parameter date that a change may still take effect in.
    public static let yearsAhead = 2

    /// Refuses a change outside those bounds, naming the field and the bound.
    public func validate(against parameters: ParameterSet, today: LocalDate) throws(PolicyError) {
        guard Self.percentRange.contains(percent) else {
            throw .invalidInput(field: "调整幅度", reason: "应在 \(Self.percentRange.lowerBound)% 到 +\(Self.percentRange.upperBound)% 之间（−100% 即取消该项标准）")
        }
        if let span = parameters.effectiveSpan {
            let lastYear = max(span.upperBound.year, today.year) + Self.yearsAhead
            guard effective >= span.lowerBound, effective.year <= lastYear else {
                throw .invalidInput(field: "生效日期", reason: "应在 \(span.lowerBound) 至 \(lastYear)-12-31 之间（政策参数所覆盖的年份）")
            }
        }
    }
}

extension ParameterSet {
    /// The same parameters with `change` added as a local override: the value in force in that region
    /// on that date, scaled. Indexed values follow, since they are resolved from it.
    public func applying(_ change: ParameterChange) throws(PolicyError) -> ParameterSet {
        let current = try resolve(change.name, region: change.region, date: change.effective)
        let factor = Ratio(Int64(100 + change.percent), 100)
        let value: ParameterValue
        switch current.value {
        case .money(let c): value = .money(factor.of(c))
        case .multipleOf(let base, let r): value = .multipleOf(base, Ratio(r.numerator * factor.numerator, r.denominator * factor.denominator))
        case .ratio(let r): value = .ratio(Ratio(r.numerator * factor.numerator, r.denominator * factor.denominator))
        default: throw .wrongType(name: change.name, expected: "金额或比例（才能按百分比调整）")
        }
        let entry = Entry(scope: .region(change.region), effective: change.effective, reference: "政策模拟：\(change.chinese)", values: [change.name: value])
        return ParameterSet(entries: entries + [entry])
    }
}

/// Totals for one sub-region of a simulation.
public struct SimulationTally: Sendable, Equatable {
    public var region: RegionCode
    public var households = 0
    /// Households with a programme paying money under the change that had none before.
    public var newlyQualifying = 0
    /// Households that had a paying programme and lose all of them under the change.
    public var losing = 0
    public var baselineMonthly = Cents.zero
    public var changedMonthly = Cents.zero

    public init(region: RegionCode) { self.region = region }

    public var costChange: Cents { changedMonthly - baselineMonthly }

    mutating func add(_ other: SimulationTally) {
        households += other.households
        newlyQualifying += other.newlyQualifying
        losing += other.losing
        baselineMonthly = baselineMonthly + other.baselineMonthly
        changedMonthly = changedMonthly + other.changedMonthly
    }
}

/// Runs households through today's rules and the changed rules, and tallies the difference by sub-region.
public struct Simulation: Sendable {
    public let change: ParameterChange
    public let date: LocalDate
    public let scope: RegionCode
    let baseline: PolicyCalculator
    let changed: PolicyCalculator
    public private(set) var tallies: [RegionCode: SimulationTally] = [:]
    public private(set) var failures = 0
    private var standardsCache: [RegionCode: (Standards, Standards)] = [:]

    /// `today`, when given, bounds the change (`ParameterChange.validate`); the pages and the CLI give it.
    public init(parameters: ParameterSet, change: ParameterChange, scope: RegionCode, date: LocalDate? = nil, today: LocalDate? = nil) throws(PolicyError) {
        if let today { try change.validate(against: parameters, today: today) }
        self.change = change
        self.scope = scope
        self.date = date ?? change.effective
        baseline = PolicyCalculator(parameters: parameters)
        changed = PolicyCalculator(parameters: try parameters.applying(change))
    }

    /// The sub-region of the scope that a household is counted under.
    public func bucket(_ residence: RegionCode) -> RegionCode { scope.childContaining(residence) ?? scope }

    public mutating func add(_ profile: HouseholdProfile) {
        let request = AssessmentRequest(profile: profile, date: date)
        let region = request.region
        do throws(PolicyError) {
            if standardsCache[region] == nil {
                standardsCache[region] = (try baseline.standards(region: region, date: date), try changed.standards(region: region, date: date))
            }
            let (b, c) = standardsCache[region]!
            let before = try baseline.assess(request, standards: b, explain: false).monthlyTotal
            let after = try changed.assess(request, standards: c, explain: false).monthlyTotal
            let key = bucket(region)
            var t = tallies[key] ?? SimulationTally(region: key)
            t.households += 1
            t.baselineMonthly = t.baselineMonthly + before
            t.changedMonthly = t.changedMonthly + after
            if before == .zero && after > .zero { t.newlyQualifying += 1 }
            if before > .zero && after == .zero { t.losing += 1 }
            tallies[key] = t
        } catch {
            failures += 1
        }
    }

    public var total: SimulationTally {
        var t = SimulationTally(region: scope)
        for x in tallies.values { t.add(x) }
        return t
    }

    public var rows: [SimulationTally] { tallies.values.sorted { $0.region < $1.region } }
}
