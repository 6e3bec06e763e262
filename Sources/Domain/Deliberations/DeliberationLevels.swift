import Foundation

/// Where a deliberation sits: it starts at the level of whoever opens it and goes up one level at a time.
public enum DeliberationLevel: String, Codable, Sendable, CaseIterable, ChineseLabelled {
    case community, township, county, city
    public var chinese: String {
        switch self {
        case .community: return "社区（村）"
        case .township: return "乡镇（街道）"
        case .county: return "区县"
        case .city: return "市"
        }
    }

    /// The level of the region a jurisdiction names.
    static func of(_ region: RegionCode) -> DeliberationLevel {
        switch region.level {
        case .village: return .community
        case .township: return .township
        case .county: return .county
        default: return .city
        }
    }
}

/// One level's part: who convenes and records the meeting, whether it may decide, up to which amount (a parameter,
/// by region and date), and how many take part at least.
public struct DeliberationLevelRule: Codable, Sendable, Equatable {
    public var level: DeliberationLevel
    public var role: Role
    public var decides: Bool
    public var limitParameter: String?
    public var minParticipants: Int
}

/// A kind of hardship, for finding similar decided cases (the precedent list).
public struct DeliberationSituation: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
}

/// The levels and the situations, as data (`Resources/deliberations/levels.json`), refused when loaded if they
/// cannot be followed.
public struct DeliberationLevels: Sendable {
    public let rules: [DeliberationLevelRule]
    public let situations: [DeliberationSituation]
    /// A situation decided (help given) this many times is named as a candidate for a rule change.
    public let ruleChangeAfter: Int

    struct File: Decodable {
        let levels: [DeliberationLevelRule]
        let situations: [DeliberationSituation]
        let ruleChangeAfter: Int
    }

    public init(json: Data, file: String = "levels.json") throws(DomainError) {
        let parsed: File
        do { parsed = try JSONDecoder().decode(File.self, from: json) } catch {
            throw .invalidData(file: file, reason: "无法读取一事一议层级：\(error)")
        }
        // Bottom up, each level once, and the top one decides (a case must be able to end somewhere).
        let order = DeliberationLevel.allCases
        let positions = parsed.levels.compactMap { r in order.firstIndex(of: r.level) }
        guard !parsed.levels.isEmpty, positions == positions.sorted(), Set(positions).count == positions.count else {
            throw .invalidData(file: file, reason: "层级须自下而上排列，且不重复")
        }
        guard parsed.levels.last?.decides == true else { throw .invalidData(file: file, reason: "最高层级必须能够议定") }
        for r in parsed.levels where r.minParticipants < 1 {
            throw .invalidData(file: file, reason: "\(r.level.chinese)：最少参加人数应为正数")
        }
        guard !parsed.situations.isEmpty, Set(parsed.situations.map(\.id)).count == parsed.situations.count else {
            throw .invalidData(file: file, reason: "困难情形为空或编号重复")
        }
        guard parsed.ruleChangeAfter >= 1 else { throw .invalidData(file: file, reason: "ruleChangeAfter 应为正数") }
        rules = parsed.levels
        situations = parsed.situations
        ruleChangeAfter = parsed.ruleChangeAfter
    }

    public static func bundled() throws -> DeliberationLevels {
        try DeliberationLevels(json: BundledData.data("levels", "json", folder: "Resources/deliberations"))
    }

    public func rule(_ level: DeliberationLevel) -> DeliberationLevelRule? { rules.first { $0.level == level } }

    /// The level above, if any.
    public func next(after level: DeliberationLevel) -> DeliberationLevel? {
        guard let i = rules.firstIndex(where: { $0.level == level }), i + 1 < rules.count else { return nil }
        return rules[i + 1].level
    }

    /// Where a deliberation opened by `actor` starts: their own level, or the lowest one above it that the data has.
    public func openingLevel(for actor: Actor) -> DeliberationLevel? {
        let own = DeliberationLevel.of(actor.jurisdiction)
        guard let i = DeliberationLevel.allCases.firstIndex(of: own) else { return nil }
        return rules.first { DeliberationLevel.allCases.firstIndex(of: $0.level)! >= i }?.level
    }

    public func situation(_ id: String) -> DeliberationSituation? { situations.first { $0.id == id } }
}
