import Foundation

/// A Fellegi–Sunter linkage model, described by data: which fields two person lists share, how each is
/// compared, how candidate pairs are found (blocking), the m/u probabilities of each comparison level
/// (set here, or estimated by EM), and the two thresholds that split automatic links, human review and
/// new persons. Nothing in it is specific to Chinese records: a spec can name any fields (name parts,
/// dates, postcodes, street numbers) and link any two lists.
public struct LinkageModel: Codable, Sendable, Equatable {
    /// Where the weights came from, for the next person who tunes them.
    public var note: String?
    public var fields: [LinkField]
    /// Each rule is a list of keys; two records are compared when all keys of one rule agree.
    /// A key is `field`, `field:first`, `field:prefixN` or `field:suffixN`.
    public var blocking: [[String]]
    /// At or above this match probability a pair is linked without a human.
    public var autoLinkAt: Double
    /// From this probability up to `autoLinkAt` a pair waits for a human; below it the record is a new person.
    public var reviewAt: Double
    /// Blocking rules for the EM rounds (defaults to `blocking`); see `Linker.estimate`.
    public var training: [[String]]?
    /// Prior probability that two records drawn at random, one from each list, are the same person.
    public var prior: Double?

    public init(fields: [LinkField], blocking: [[String]], autoLinkAt: Double, reviewAt: Double, prior: Double? = nil) {
        self.fields = fields
        self.blocking = blocking
        self.autoLinkAt = autoLinkAt
        self.reviewAt = reviewAt
        self.prior = prior
    }

    public func index(of field: String) -> Int? { fields.firstIndex { $0.name == field } }

    /// Checks the model itself, so a broken spec is refused when it is loaded.
    public func validate() throws(LinkageError) {
        guard !fields.isEmpty else { throw .badModel("没有比较字段") }
        guard fields.count <= 8 else { throw .badModel("最多 8 个比较字段") }
        let names = fields.map(\.name)
        guard Set(names).count == names.count else { throw .badModel("字段名重复") }
        for f in fields {
            if let c = f.coveredBy {
                guard let i = index(of: c), fields[i].comparison == .nationalId else {
                    throw .badModel("字段 \(f.name) 的 coveredBy 必须指向一个身份证号比较字段")
                }
            }
            if let w = f.weights {
                for level in f.comparison.levels where w[level] == nil { throw .badModel("字段 \(f.name) 缺少比较级别 \(level) 的 m/u") }
                for (level, p) in w {
                    guard f.comparison.levels.contains(level) else { throw .badModel("字段 \(f.name) 没有比较级别 \(level)") }
                    guard p.m > 0, p.m <= 1, p.u > 0, p.u <= 1 else { throw .badModel("字段 \(f.name) 级别 \(level) 的 m/u 必须在 (0, 1] 内") }
                }
            }
        }
        guard !blocking.isEmpty else { throw .badModel("需要至少一条分块规则（blocking）") }
        for rule in blocking + (training ?? []) {
            guard !rule.isEmpty else { throw .badModel("分块规则不能为空") }
            for key in rule {
                guard let k = BlockKey(key), index(of: k.field) != nil else { throw .badModel("分块键 \(key) 无效") }
            }
        }
        guard reviewAt > 0, reviewAt <= autoLinkAt, autoLinkAt < 1 else { throw .badModel("阈值必须满足 0 < reviewAt ≤ autoLinkAt < 1") }
        if let prior { guard prior > 0, prior < 1 else { throw .badModel("prior 必须在 (0, 1) 内") } }
    }

    /// True when every field has m/u and the prior is set, so records can be scored without EM.
    public var isTrained: Bool { prior != nil && fields.allSatisfy { $0.weights != nil } }

    public static func load(_ data: Data) throws(LinkageError) -> LinkageModel {
        let model: LinkageModel
        do { model = try JSONDecoder().decode(LinkageModel.self, from: data) } catch { throw .badModel("不是有效的匹配模型：\(error)") }
        try model.validate()
        return model
    }

    /// The model shipped for Chinese person records (`Resources/linkage/cn-person.json`).
    public static func bundledChinesePerson() throws -> LinkageModel {
        guard let url = Bundle.module.url(forResource: "cn-person", withExtension: "json", subdirectory: "Resources/linkage") else {
            throw LinkageError.badModel("随程序发布的匹配模型缺失")
        }
        return try load(Data(contentsOf: url))
    }
}

public struct LinkField: Codable, Sendable, Equatable {
    public var name: String
    public var comparison: Comparison
    /// Adjust the exact-agreement weight by how common the value is (a common name counts for less).
    public var termFrequency: Bool?
    /// The ID field that already embeds this one (birth date, sex, region in a Chinese ID). While the IDs
    /// agree or nearly agree this field adds nothing, so the same evidence is not counted twice.
    public var coveredBy: String?
    /// m and u per comparison level; absent until set by hand or estimated by EM.
    public var weights: [String: MU]?

    public init(name: String, comparison: Comparison, termFrequency: Bool? = nil, coveredBy: String? = nil, weights: [String: MU]? = nil) {
        self.name = name
        self.comparison = comparison
        self.termFrequency = termFrequency
        self.coveredBy = coveredBy
        self.weights = weights
    }
}

/// m: how often true matches show this level; u: how often non-matches do.
public struct MU: Codable, Sendable, Equatable {
    public var m: Double
    public var u: Double
    public init(m: Double, u: Double) { self.m = m; self.u = u }
    /// The evidence in bits (log₂ of the Bayes factor).
    public var bits: Double { log2(m / u) }
}

/// How one field is compared. Levels are ordered from the strongest agreement to disagreement; a missing
/// value on either side is its own level with no weight.
public enum Comparison: String, Codable, Sendable, CaseIterable {
    /// Chinese citizen ID numbers, normalised (full-width, spaces, x, 15→18), tolerating one mistyped digit
    /// or one adjacent transposition.
    case nationalId
    /// Chinese names: exact, sound-alike character by character (homophones, via pinyin), one character off.
    case chineseName
    /// Dates, allowing day and month to have been swapped on entry.
    case date
    /// Free text such as addresses, by overlap of character bigrams.
    case text
    /// Equal or not (postcodes, region codes, sex, street numbers).
    case exact
    /// Any string by edit distance (Latin-script names): exact, one edit, two edits.
    case editDistance

    public var levels: [String] {
        switch self {
        case .nationalId: return ["exact", "oneSubstitution", "adjacentTransposition", "different"]
        case .chineseName: return ["exact", "homophone", "oneCharacter", "different"]
        case .date: return ["exact", "dayMonthSwapped", "sameYear", "different"]
        case .text: return ["exact", "similar", "somewhat", "different"]
        case .exact: return ["exact", "different"]
        case .editDistance: return ["exact", "oneEdit", "twoEdits", "different"]
        }
    }

    /// Chinese wording of each level, for the evidence shown to reviewers.
    public func chinese(_ level: String) -> String {
        switch level {
        case "exact": return "完全一致"
        case "oneSubstitution": return "仅一位数字不同"
        case "adjacentTransposition": return "相邻两位颠倒"
        case "homophone": return "同音字"
        case "oneCharacter": return "一个字不同"
        case "dayMonthSwapped": return "日月颠倒"
        case "sameYear": return "同年不同日"
        case "similar": return "高度相似"
        case "somewhat": return "部分相似"
        case "oneEdit": return "相差一处"
        case "twoEdits": return "相差两处"
        case "missing": return "一方缺失"
        case "covered": return "已由身份证号体现，不重复计分"
        default: return "不一致"
        }
    }
}

/// A blocking key: a field, whole or a part of its normalised value.
public struct BlockKey: Sendable, Equatable {
    public enum Part: Sendable, Equatable { case whole, first, prefix(Int), suffix(Int) }
    public var field: String
    public var part: Part

    public init?(_ text: String) {
        let bits = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let f = bits.first, !f.isEmpty else { return nil }
        field = f
        guard bits.count == 2 else { part = .whole; return }
        let p = bits[1]
        if p == "first" { part = .first }
        else if p.hasPrefix("prefix"), let n = Int(p.dropFirst(6)), n > 0 { part = .prefix(n) }
        else if p.hasPrefix("suffix"), let n = Int(p.dropFirst(6)), n > 0 { part = .suffix(n) }
        else { return nil }
    }

    func apply(_ value: String) -> String? {
        switch part {
        case .whole: return value
        case .first: return value.first.map(String.init)
        case .prefix(let n): return value.count >= n ? String(value.prefix(n)) : nil
        case .suffix(let n): return value.count >= n ? String(value.suffix(n)) : nil
        }
    }
}

public enum LinkageError: Error, Equatable, Sendable, CustomStringConvertible {
    case badModel(String)
    case untrained
    public var description: String {
        switch self {
        case .badModel(let r): return "匹配模型有误：\(r)"
        case .untrained: return "匹配模型缺少 m/u 参数或先验概率：请在模型中设定，或先用 EM 估计"
        }
    }
}
