import Foundation

/// The dimensions of the household profile (画像), as #4 names them.
public enum ProfileDimension: String, ChineseLabelled {
    case structure, income, assets, expenditure, health, disability, employment, education, housing

    public var chinese: String {
        switch self {
        case .structure: return "家庭结构"
        case .income: return "收入"
        case .assets: return "财产"
        case .expenditure: return "刚性支出"
        case .health: return "健康"
        case .disability: return "残疾"
        case .employment: return "就业"
        case .education: return "教育"
        case .housing: return "住房"
        }
    }
}

extension FactKind {
    public var dimension: ProfileDimension {
        switch self {
        case .death, .birth, .hukouMove, .disaster: return .structure
        case .wage, .businessIncome, .propertyIncome, .transferIncome, .pension, .employeePension, .landLossPension, .residentPension, .unemploymentBenefit, .otherIncome,
             .assistanceElsewhere, .paymentUnverified: return .income
        case .deposit, .securities, .commercialInsurance, .vehicle, .business: return .assets
        case .realEstate: return .housing
        case .medicalSelfPay, .educationCost, .disabilityCare: return .expenditure
        case .diagnosis: return .health
        case .disabilityCertificate: return .disability
        case .unemploymentRegistered: return .employment
        case .schoolEnrolment, .schoolDropout: return .education
        }
    }

    /// Kinds where two departments reporting for the same person at once describe one thing (one wage,
    /// one disability grade), so a disagreement is a conflict; claims and bills add up instead.
    var isSingleValued: Bool {
        switch category {
        case .income, .asset: return true
        case .expenditure: return false
        case .event: return self == .disabilityCertificate
        }
    }
}

/// Two or more departments disagreeing about one thing, the fact used, and why.
public struct FactConflict: Sendable {
    public var memberID: Member.ID?
    public var kind: FactKind
    public var facts: [Fact]
    public var used: Department
    public var reason: String
}

/// Which department's report wins when departments disagree (`Resources/fact-authority.json`).
public struct FactAuthority: Sendable {
    struct Entry: Codable, Sendable {
        var kind: FactKind
        var department: Department
        var reason: String
    }
    struct File: Codable { var authorities: [Entry] }
    let entries: [FactKind: Entry]

    public static let bundled: FactAuthority = {
        guard let url = Bundle.module.url(forResource: "fact-authority", withExtension: "json", subdirectory: "Resources"),
              let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else { return FactAuthority(entries: [:]) }
        return FactAuthority(entries: Dictionary(file.authorities.map { ($0.kind, $0) }, uniquingKeysWith: { a, _ in a }))
    }()

    /// Splits facts in force into those used and the conflicts: per member and single-valued kind, when
    /// more than one department reports and the values differ, only the chosen department's facts stay.
    public func resolve(_ facts: [Fact]) -> (used: [Fact], conflicts: [FactConflict]) {
        // Nearly every household has at most one report of each single-valued fact per member: with no two
        // alike there is nothing to resolve. A household's few facts are compared pairwise, without hashing.
        if facts.count <= Self.pairwiseUpTo && !Self.hasRepeatedReport(facts) {
            // In the order the general path gives: the other facts first, then the single-valued ones.
            guard let first = facts.firstIndex(where: \.kind.isSingleValued), facts[first...].contains(where: { !$0.kind.isSingleValued }) else {
                return (facts, [])
            }
            return (facts.filter { !$0.kind.isSingleValued } + facts.filter(\.kind.isSingleValued), [])
        }
        return resolveByGroups(facts)
    }

    /// The general path: facts grouped by member and kind, each group with reports from several departments resolved.
    func resolveByGroups(_ facts: [Fact]) -> (used: [Fact], conflicts: [FactConflict]) {
        var used: [Fact] = []
        var conflicts: [FactConflict] = []
        struct Key: Hashable { let member: Member.ID?; let kind: FactKind }
        var groups: [Key: [Fact]] = [:]
        var order: [Key] = []
        for f in facts {
            guard f.kind.isSingleValued else { used.append(f); continue }
            let key = Key(member: f.memberID, kind: f.kind)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(f)
        }
        for key in order {
            let group = groups[key]!
            guard group.count > 1 else { used += group; continue }
            let departments = Set(group.map(\.provenance.department))
            // Compared per month, so 60,000 a year from tax and 5,000 a month from HR agree.
            let values = Set(group.map { f in
                f.amount.map { "\(MonthlyConversion.monthly($0, basis: f.basis ?? .perMonth).value)" } ?? f.note
            })
            guard departments.count > 1, values.count > 1 else { used += group; continue }
            let chosen: Department
            let reason: String
            if let entry = entries[group[0].kind], departments.contains(entry.department) {
                chosen = entry.department
                reason = entry.reason
            } else {
                let newest = group.max { ($0.provenance.receivedAt, $0.validFrom) < ($1.provenance.receivedAt, $1.validFrom) }!
                chosen = newest.provenance.department
                reason = "没有指定的权威部门，采用最近接收的数据（\(newest.provenance.receivedAt)）"
            }
            used += group.filter { $0.provenance.department == chosen }
            conflicts.append(FactConflict(memberID: group[0].memberID, kind: group[0].kind, facts: group, used: chosen, reason: reason))
        }
        return (used, conflicts)
    }
}

extension FactAuthority {
    static let pairwiseUpTo = 64

    static func hasRepeatedReport(_ facts: [Fact]) -> Bool {
        for i in facts.indices where facts[i].kind.isSingleValued {
            for j in 0..<i where facts[j].kind == facts[i].kind && facts[j].memberID == facts[i].memberID { return true }
        }
        return false
    }
}

extension HouseholdProfile {
    /// Facts by dimension, newest first within each.
    public var factsByDimension: [(ProfileDimension, [Fact])] {
        ProfileDimension.allCases.compactMap { d in
            let fs = facts.filter { $0.kind.dimension == d }.sorted { $0.validFrom > $1.validFrom }
            return fs.isEmpty ? nil : (d, fs)
        }
    }

    /// Where departments disagree about facts in force on `date`.
    public func conflicts(on date: LocalDate, authority: FactAuthority = .bundled) -> [FactConflict] {
        authority.resolve(facts.filter { $0.validFrom <= date && ($0.validTo.map { $0 >= date } ?? true) }).conflicts
    }
}
