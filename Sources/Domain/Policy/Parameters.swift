import Foundation

/// An exact ratio such as 1.5 (3/2): multiples of standards are never floating point.
public struct Ratio: Hashable, Sendable, CustomStringConvertible {
    public let numerator: Int64
    public let denominator: Int64

    public init(_ numerator: Int64, _ denominator: Int64) {
        precondition(denominator > 0)
        self.numerator = numerator
        self.denominator = denominator
    }

    /// Parses a decimal such as `1.5` or `0.25` exactly.
    public init(decimal text: String) throws(DomainError) {
        // Catalogue thresholds ("12", "1.5") are parsed as they are evaluated: digits read as bytes.
        if let (n, d) = Ratio.plainDecimal(text) {
            self.init(n, d)
            return
        }
        let t = text.trimmed
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].count <= 6 && parts[1].allSatisfy(\.isASCIIDigit)),
              let whole = Int64(parts[0]) else { throw .invalidData(file: "parameters", reason: "比例「\(text)」无效") }
        if parts.count == 1 {
            self.init(whole, 1)
        } else {
            var den: Int64 = 1
            for _ in 0..<parts[1].count { den *= 10 }
            self.init(whole * den + Int64(parts[1])!, den)
        }
    }

    private static func plainDecimal(_ text: String) -> (Int64, Int64)? {
        var whole: Int64 = 0, fraction: Int64 = 0, den: Int64 = 1, digits = 0, afterPoint = false
        for b in text.utf8 {
            if b == 46 { // "."
                guard !afterPoint, digits > 0 else { return nil }
                afterPoint = true
                continue
            }
            guard (48...57).contains(b), digits < 15 else { return nil }
            digits += 1
            if afterPoint {
                guard den < 1_000_000 else { return nil }
                fraction = fraction * 10 + Int64(b - 48)
                den *= 10
            } else {
                whole = whole * 10 + Int64(b - 48)
            }
        }
        guard digits > 0, !afterPoint || den > 1 else { return nil }
        return (whole * den + fraction, den)
    }

    public func of(_ c: Cents, rounding: Cents.Rounding = .halfUp) -> Cents {
        c.multiplied(by: numerator, over: denominator, rounding: rounding)
    }

    /// `1.5`, `0.25`; exact for the decimal ratios parameters hold, otherwise six places at most.
    public var description: String {
        if denominator == 1 { return "\(numerator)" }
        var places = 0, scale: Int64 = 1
        while scale % denominator != 0 && places < 6 { scale *= 10; places += 1 }
        let scaled = (numerator * scale + (scale % denominator == 0 ? 0 : denominator / 2)) / denominator
        let sign = scaled < 0 ? "-" : ""
        let whole = String(scaled.magnitude / UInt64(scale))
        var fraction = String(scaled.magnitude % UInt64(scale))
        fraction = String(repeating: "0", count: places - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + whole + (fraction.isEmpty ? "" : "." + fraction)
    }
}

/// One stepped band: from `from` upwards, `multiple` × a base amount.
public struct Tier: Hashable, Sendable {
    public let from: Cents
    public let multiple: Ratio
}

/// A parameter's value as written in the data file.
public enum ParameterValue: Hashable, Sendable, CustomStringConvertible {
    case money(Cents)
    case ratio(Ratio)
    case integer(Int)
    case flag(Bool)
    case names([String])
    case grades([String: Int])
    case tiers([Tier])
    /// Indexation: this value is `ratio` × another parameter, resolved for the same region and date.
    case multipleOf(String, Ratio)

    public var description: String {
        switch self {
        case .money(let c): return c.yuanText
        case .ratio(let r): return "\(r)"
        case .integer(let i): return "\(i)"
        case .flag(let b): return b ? "是" : "否"
        case .names(let n): return n.joined(separator: "、")
        case .grades(let g): return g.sorted { $0.key < $1.key }.map { "\($0.key)≤\($0.value)级" }.joined(separator: "、")
        case .tiers(let t): return t.map { "≥\($0.from.yuanText)：\($0.multiple)倍" }.joined(separator: "；")
        case .multipleOf(let n, let r): return "\(r) × \(n)"
        }
    }
}

/// Where a parameter value applies: the whole country, or a region and everything inside it.
public enum ParameterScope: Hashable, Sendable, CustomStringConvertible {
    case national
    case region(RegionCode)

    public var description: String {
        switch self {
        case .national: return "全国"
        case .region(let r): return r.value
        }
    }
}

/// A value with where and since when it applies, and what it rests on.
public struct ResolvedParameter: Hashable, Sendable {
    public let name: String
    public let value: ParameterValue
    /// For indexed values: the computed amount.
    public let amount: Cents?
    public let scope: ParameterScope
    public let effective: LocalDate
    public let reference: String

    public var display: String {
        if let amount, case .multipleOf = value { return "\(amount.yuanText)（\(ParameterNames.chinese(value))）" }
        return ParameterNames.chinese(value)
    }
}

public enum PolicyError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingParameter(name: String, region: RegionCode, date: LocalDate)
    case wrongType(name: String, expected: String)
    case indexationCycle(String)
    case invalidFile(String)
    case invalidInput(field: String, reason: String)

    public var chinese: String {
        switch self {
        case .missingParameter(let n, let r, let d): return "缺少政策参数「\(ParameterNames.chinese(n))」：区划 \(r)，日期 \(d) 没有适用的取值"
        case .wrongType(let n, let e): return "政策参数「\(ParameterNames.chinese(n))」类型错误，应为\(e)"
        case .indexationCycle(let n): return "政策参数「\(ParameterNames.chinese(n))」的挂钩关系形成循环"
        case .invalidFile(let r): return "政策参数文件有误：\(r)"
        case .invalidInput(let f, let r): return "\(FieldPath.chinese(f))有误：\(r)"
        }
    }

    public var description: String {
        switch self {
        case .missingParameter(let n, let r, let d): return "missing parameter '\(n)' for region \(r) on \(d)"
        case .wrongType(let n, let e): return "parameter '\(n)' should be \(e)"
        case .indexationCycle(let n): return "indexation cycle at '\(n)'"
        case .invalidFile(let r): return "invalid parameter file: \(r)"
        case .invalidInput(let f, let r): return "invalid input \(f): \(r)"
        }
    }
}

/// Every parameter value from the data files, by scope and effective date. Lookup walks from the
/// region up through its ancestors to the national values: the nearest scope that sets a name wins
/// (a county overrides its city, a city its province), and within a scope the latest value whose
/// effective date is on or before the date asked for.
public struct ParameterSet: Sendable {
    struct Entry: Sendable {
        let scope: ParameterScope
        let effective: LocalDate
        let reference: String
        let values: [String: ParameterValue]
    }

    /// name → scope → entries sorted by effective date
    private let index: [String: [ParameterScope: [(LocalDate, ParameterValue, String)]]]
    let entries: [Entry]

    init(entries: [Entry]) {
        self.entries = entries
        var idx: [String: [ParameterScope: [(LocalDate, ParameterValue, String)]]] = [:]
        for e in entries {
            for (name, value) in e.values {
                idx[name, default: [:]][e.scope, default: []].append((e.effective, value, e.reference))
            }
        }
        for (name, scopes) in idx {
            for (scope, list) in scopes { idx[name]![scope] = list.sorted { $0.0 < $1.0 } }
        }
        index = idx
    }

    /// Merges several files (e.g. the national rules and a city's values).
    public init(files: [Data]) throws(PolicyError) {
        var all: [Entry] = []
        for (i, data) in files.enumerated() { all += try Self.parse(data, file: "#\(i + 1)") }
        self.init(entries: all)
    }

    /// The parameter files shipped with the package: national rules plus the demo city's values.
    public static func bundled() throws -> ParameterSet {
        try ParameterSet(files: [BundledData.data("policy/national", "json"), BundledData.data("policy/tianjin-demo", "json")])
    }

    public var names: [String] { index.keys.sorted() }

    /// The first and last dates any value in the files takes effect: the years the parameters speak for.
    public var effectiveSpan: ClosedRange<LocalDate>? {
        guard let first = entries.map(\.effective).min(), let last = entries.map(\.effective).max() else { return nil }
        return first...last
    }

    public func resolve(_ name: String, region: RegionCode, date: LocalDate) throws(PolicyError) -> ResolvedParameter {
        try resolve(name, region: region, date: date, depth: 0)
    }

    private func resolve(_ name: String, region: RegionCode, date: LocalDate, depth: Int) throws(PolicyError) -> ResolvedParameter {
        guard depth < 8 else { throw .indexationCycle(name) }
        guard let scopes = index[name] else { throw .missingParameter(name: name, region: region, date: date) }
        let chain: [ParameterScope] = ([region] + region.ancestors.reversed()).map { .region($0) } + [.national]
        for scope in chain {
            guard let list = scopes[scope], let hit = list.last(where: { $0.0 <= date }) else { continue }
            var amount: Cents?
            if case .multipleOf(let base, let ratio) = hit.1 {
                let b = try resolve(base, region: region, date: date, depth: depth + 1)
                guard let baseAmount = b.amount ?? { if case .money(let c) = b.value { return c } else { return nil } }() else {
                    throw .wrongType(name: base, expected: "金额")
                }
                amount = ratio.of(baseAmount)
            } else if case .money(let c) = hit.1 {
                amount = c
            }
            return ResolvedParameter(name: name, value: hit.1, amount: amount, scope: scope, effective: hit.0, reference: hit.2)
        }
        throw .missingParameter(name: name, region: region, date: date)
    }

    // MARK: file format

    struct File: Decodable {
        struct FileEntry: Decodable {
            let region: String
            let effective: String
            let reference: String?
            let values: [String: JSONValue]
        }
        let entries: [FileEntry]
    }

    static func parse(_ data: Data, file: String) throws(PolicyError) -> [Entry] {
        let parsed: File
        do { parsed = try JSONDecoder().decode(File.self, from: data) } catch {
            throw .invalidFile("\(file)：需要 {\"entries\": [{\"region\", \"effective\", \"values\"}]}（\(error.localizedDescription)）")
        }
        var out: [Entry] = []
        for (i, e) in parsed.entries.enumerated() {
            let at = "\(file) entries[\(i)]"
            let scope: ParameterScope
            if e.region == "national" { scope = .national } else {
                guard let r = try? RegionCode(e.region) else { throw .invalidFile("\(at)：区划「\(e.region)」无效") }
                scope = .region(r)
            }
            guard let effective = try? LocalDate(e.effective) else { throw .invalidFile("\(at)：生效日期「\(e.effective)」无效") }
            var values: [String: ParameterValue] = [:]
            for (name, raw) in e.values { values[name] = try parseValue(raw, at: "\(at).\(name)") }
            out.append(Entry(scope: scope, effective: effective, reference: e.reference ?? "", values: values))
        }
        return out
    }

    static func parseValue(_ raw: JSONValue, at: String) throws(PolicyError) -> ParameterValue {
        func fail(_ why: String) -> PolicyError { .invalidFile("\(at)：\(why)") }
        switch raw {
        case .bool(let b): return .flag(b)
        case .integer(let i): return .integer(i)
        case .string: throw fail("金额请写 {\"yuan\": \"…\"}，比例请写 {\"ratio\": \"…\"}")
        case .array(let items):
            return .names(try items.map { item throws(PolicyError) -> String in
                guard case .string(let s) = item else { throw fail("名单只能包含文字") }
                return s
            })
        case .object(let obj):
            do {
                if case .string(let y)? = obj["yuan"] { return .money(try Cents(yuan: y)) }
                if case .string(let base)? = obj["multipleOf"], case .string(let r)? = obj["ratio"] {
                    return .multipleOf(base, try Ratio(decimal: r))
                }
                if case .string(let r)? = obj["ratio"] { return .ratio(try Ratio(decimal: r)) }
                if case .object(let g)? = obj["grades"] {
                    var out: [String: Int] = [:]
                    for (k, v) in g {
                        guard case .integer(let n) = v else { throw fail("残疾等级应为整数") }
                        out[k] = n
                    }
                    return .grades(out)
                }
                if case .array(let rows)? = obj["tiers"] {
                    return .tiers(try rows.map { row in
                        guard case .object(let r) = row, case .string(let f)? = r["fromYuan"], case .string(let m)? = r["ratio"] else {
                            throw fail("分档需要 fromYuan 与 ratio")
                        }
                        return Tier(from: try Cents(yuan: f), multiple: try Ratio(decimal: m))
                    })
                }
            } catch let e as PolicyError {
                throw e
            } catch let e as DomainError {
                throw fail(e.chinese)
            } catch {
                throw fail("\(error)")
            }
            throw fail("无法识别的取值")
        }
    }
}

/// Just enough JSON to tell booleans, whole numbers, text, lists and objects apart.
enum JSONValue: Decodable, Sendable {
    case bool(Bool)
    case integer(Int)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .integer(i); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        if let o = try? c.decode([String: JSONValue].self) { self = .object(o); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "不支持的取值（金额请用字符串，整数不能有小数）")
    }
}
