import Foundation

/// A department feed, described by data (`feeds/*.json`), not by code: where it comes from, how its
/// file is encoded, which column holds what, which fact each row becomes, and what makes a row unique.
public struct FeedSpec: Codable, Sendable, Equatable {
    public var name: String
    public var title: String
    public var department: Department
    public var format: FeedFormat
    public var encoding: FeedEncoding
    public var columns: [ColumnSpec]
    /// The fact every row produces, unless `kindColumn` says per row (then it is the kind of a row that leaves the
    /// column blank, and of every row of a file without the column).
    public var factKind: FactKind?
    /// A column whose value picks the fact kind (e.g. 公安: 死亡 → death, 迁出 → hukouMove).
    public var kindColumn: String?
    public var kindValues: [String: FactKind]?
    /// For amounts: per month, per year or a total.
    public var amountBasis: AmountBasis?
    /// Fields whose values together identify a row across files (e.g. the claim number).
    public var naturalKey: [String]
    /// The person-linkage model for rows whose ID matches no one exactly: a model shipped in
    /// `Resources/linkage` by name (e.g. `cn-person`), or one written into the spec. Without either, only
    /// exact ID matches link and a row with an unusable ID is rejected.
    public var linkage: String?
    public var linkageModel: LinkageModel?

    /// The model this feed links with, if any.
    public func resolvedLinkageModel() throws -> LinkageModel? {
        if let linkageModel { return linkageModel }
        guard let linkage else { return nil }
        guard let url = Bundle.module.url(forResource: linkage, withExtension: "json", subdirectory: "Resources/linkage") else {
            throw FeedError.badSpec(name, "找不到匹配模型 \(linkage)")
        }
        return try LinkageModel.load(Data(contentsOf: url))
    }

    public func column(for field: FeedField) -> ColumnSpec? { columns.first { $0.field == field } }

    /// Checks the spec itself, so a broken spec is caught when it is loaded, not half-way through a file.
    public func validate() throws(FeedError) {
        guard !columns.isEmpty else { throw .badSpec(name, "没有列定义") }
        guard column(for: .nationalId) != nil else { throw .badSpec(name, "必须有身份证号列（nationalId）") }
        guard factKind != nil || (kindColumn != nil && !(kindValues ?? [:]).isEmpty) else { throw .badSpec(name, "需要 factKind，或 kindColumn 与 kindValues") }
        let fields = Set(columns.map(\.field.rawValue))
        for k in naturalKey where !fields.contains(k) { throw .badSpec(name, "自然键字段 \(k) 不在列定义中") }
        guard !naturalKey.isEmpty else { throw .badSpec(name, "需要自然键（naturalKey）") }
        if let model = linkageModel {
            do { try model.validate() } catch { throw .badSpec(name, error.description) }
        }
        if linkage != nil || linkageModel != nil {
            guard column(for: .name) != nil else { throw .badSpec(name, "概率匹配需要姓名列（name）") }
        }
    }
}

public enum FeedFormat: String, Codable, Sendable { case csv, jsonl, xlsx }

public enum FeedEncoding: String, Codable, Sendable {
    case utf8, gb18030, auto

    /// GB 18030, as Foundation names it (kCFStringEncodingGB_18030_2000).
    public static let gb18030Encoding = String.Encoding(rawValue: 0x8000_0632)
}

/// What a column means to the importer. Fields are the engine's own words; a spec maps any header to them.
public enum FeedField: String, Codable, Sendable, CaseIterable {
    case nationalId, name, birthDate, sex, region, address
    case amount, date, validTo, reference, note
    case disabilityCategory, disabilityGrade
    case kind
}

public enum ColumnType: String, Codable, Sendable {
    case nationalId, text, date, money, regionCode, integer, disabilityCategory

    /// What a department's clerk must put in such a column, in the words of the import template.
    public var chinese: String {
        switch self {
        case .nationalId: return "身份证号（18位，旧版15位亦可）"
        case .text: return "文字"
        case .date: return "日期（如 2026-03-01，也可写 2026/3/1 或 20260301）"
        case .money: return "金额（元，最多两位小数，可带千分位逗号）"
        case .regionCode: return "行政区划代码（12位）"
        case .integer: return "整数"
        case .disabilityCategory: return "残疾类别（视力、听力、言语、肢体、智力、精神、多重）"
        }
    }
}

public struct ColumnSpec: Codable, Sendable, Equatable {
    /// The header as it appears in the department's file.
    public var header: String
    public var field: FeedField
    public var type: ColumnType
    public var required: Bool?

    public var isRequired: Bool { required ?? true }
}

public enum FeedError: Error, Equatable, Sendable, CustomStringConvertible {
    case badSpec(String, String)
    case unreadable(file: String, reason: String)
    case missingColumns(file: String, columns: [String])
    case rejected(file: String, issues: [ImportIssue], totalIssues: Int)

    public var chinese: String {
        switch self {
        case .badSpec(let n, let r): return "数据接口定义 \(n) 有误：\(r)"
        case .unreadable(let f, let r): return "无法读取文件 \(f)：\(r)"
        case .missingColumns(let f, let c): return "文件 \(f) 缺少列：\(c.joined(separator: "、"))"
        case .rejected(let f, let issues, let total):
            return "文件 \(f) 有 \(total) 处错误，未导入任何数据：\n" + issues.map(\.chinese).joined(separator: "\n")
                + (total > issues.count ? "\n……（另有 \(total - issues.count) 处）" : "")
        }
    }

    public var description: String { chinese }
}

/// One problem with one row: the file, the row (1 = the header, 2 = the first data row), the column and why.
public struct ImportIssue: Codable, Sendable, Equatable {
    public var file: String
    public var row: Int
    public var column: String
    public var message: String

    public var chinese: String { "\(file) 第\(row)行「\(column)」：\(message)" }
}

/// The feed specs shipped with the package (`Resources/feeds/*.json`), by name.
public enum FeedCatalogue {
    public static func bundled() throws -> [String: FeedSpec] {
        guard let base = Bundle.module.url(forResource: "feeds", withExtension: nil, subdirectory: "Resources") else {
            throw FeedError.unreadable(file: "Resources/feeds", reason: "随程序发布的接口定义缺失")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        var out: [String: FeedSpec] = [:]
        for url in names.filter({ $0.hasSuffix(".json") }).sorted().map({ base.appendingPathComponent($0) }) {
            let spec = try load(Data(contentsOf: url), file: url.lastPathComponent)
            out[spec.name] = spec
        }
        return out
    }

    public static func load(_ data: Data, file: String) throws(FeedError) -> FeedSpec {
        let spec: FeedSpec
        do { spec = try JSONDecoder().decode(FeedSpec.self, from: data) } catch {
            throw .badSpec(file, "不是有效的接口定义：\(error)")
        }
        try spec.validate()
        return spec
    }
}
