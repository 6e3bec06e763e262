import Foundation

/// Everything wrong with one row.
public struct RowIssues: Error, Sendable, Equatable {
    public var issues: [ImportIssue]
}

/// One validated, normalised row of a feed.
public struct FeedRecord: Sendable, Equatable {
    public var row: Int
    /// The ID when it is a valid number; nil when it was missing or failed its checks, in which case a
    /// feed with a linkage model keeps the row for probabilistic linkage (see `idIssue`).
    public var nationalID: NationalID?
    /// What was typed in the ID column, normalised (full-width, spaces, x) but not validated.
    public var typedID: String?
    /// Why the ID could not be used, named by row and column like any other problem.
    public var idIssue: ImportIssue?
    public var name: String?
    public var birthDate: LocalDate?
    public var address: String?
    public var kind: FactKind
    public var amount: Cents?
    public var date: LocalDate?
    public var validTo: LocalDate?
    public var region: RegionCode?
    public var disability: Disability?
    public var reference: String?
    public var note: String
    /// The spec's natural-key fields, normalised and joined: the same row in another file has the same key.
    public var naturalKey: String

    public init(row: Int, nationalID: NationalID?, typedID: String?, idIssue: ImportIssue?, name: String?, birthDate: LocalDate?, address: String?,
                kind: FactKind, amount: Cents?, date: LocalDate?, validTo: LocalDate?, region: RegionCode?, disability: Disability?,
                reference: String?, note: String, naturalKey: String) {
        self.row = row
        self.nationalID = nationalID
        self.typedID = typedID
        self.idIssue = idIssue
        self.name = name
        self.birthDate = birthDate
        self.address = address
        self.kind = kind
        self.amount = amount
        self.date = date
        self.validTo = validTo
        self.region = region
        self.disability = disability
        self.reference = reference
        self.note = note
        self.naturalKey = naturalKey
    }
}

/// Turns a feed's rows into records, or says exactly what is wrong with each: the file, the row, the
/// column and why, in Chinese.
public struct FeedParser: Sendable {
    public let spec: FeedSpec
    public let file: String
    let index: [FeedField: Int]
    let kindIndex: Int?

    /// Reads the header; a column the spec requires and the file lacks stops the import before any row.
    public init(spec: FeedSpec, header: [String], file: String) throws(FeedError) {
        self.spec = spec
        self.file = file
        let cleaned = header.map { $0.trimmingCharacters(in: .whitespaces) }
        var idx: [FeedField: Int] = [:]
        var missing: [String] = []
        for c in spec.columns {
            if let i = cleaned.firstIndex(of: c.header) { idx[c.field] = i } else if c.isRequired { missing.append(c.header) }
        }
        var kindIndex: Int?
        if let kc = spec.kindColumn {
            // With a default kind, the kind column may be left out of a file; without one it is required.
            if let i = cleaned.firstIndex(of: kc) { kindIndex = i } else if spec.factKind == nil { missing.append(kc) }
        }
        guard missing.isEmpty else { throw .missingColumns(file: file, columns: missing) }
        index = idx
        self.kindIndex = kindIndex
    }

    public func parse(_ row: CSVReader.Row, knownRegion: (RegionCode) -> Bool) -> Result<FeedRecord, RowIssues> {
        var issues: [ImportIssue] = []
        func issue(_ column: String, _ message: String) { issues.append(ImportIssue(file: file, row: row.number, column: column, message: message)) }
        if let problem = row.problem { return .failure(RowIssues(issues: [ImportIssue(file: file, row: row.number, column: "整行", message: problem)])) }
        func raw(_ f: FeedField) -> (ColumnSpec, String)? {
            guard let c = spec.column(for: f), let i = index[f] else { return nil }
            let v = i < row.fields.count ? row.fields[i].trimmed : ""
            if v.isEmpty {
                if c.isRequired { issue(c.header, "不能为空") }
                return nil
            }
            return (c, v)
        }

        // With a linkage model a row whose ID is missing or fails its checks is not refused: the ID may
        // carry one mistyped digit, and probabilistic linkage (with a human for anything irreversible)
        // decides who it is. The problem is still reported, by row and column.
        let linkable = spec.linkage != nil || spec.linkageModel != nil
        var id: NationalID?
        var typedID: String?
        var idIssue: ImportIssue?
        if let c = spec.column(for: .nationalId), let i = index[.nationalId] {
            let v = i < row.fields.count ? row.fields[i].trimmed : ""
            do {
                if v.isEmpty {
                    if !linkable { issue(c.header, "不能为空") }
                    idIssue = ImportIssue(file: file, row: row.number, column: c.header, message: "身份证号为空，转入概率匹配")
                } else {
                    id = try NationalID(v)
                    typedID = id?.value
                }
            } catch {
                typedID = NationalID.normalise(v)
                let problem = ImportIssue(file: file, row: row.number, column: c.header, message: error.chinese)
                if linkable { idIssue = ImportIssue(file: file, row: row.number, column: c.header, message: error.chinese + "，转入概率匹配") } else { issues.append(problem) }
            }
        }
        func date(_ f: FeedField) -> LocalDate? {
            guard let (c, v) = raw(f) else { return nil }
            do { return try Self.parseDate(v) } catch { issue(c.header, "日期「\(v)」不存在或格式不对（应为 YYYY-MM-DD）"); return nil }
        }
        let validFrom = date(.date)
        let validTo = date(.validTo)
        let birthDate = date(.birthDate)
        var amount: Cents?
        if let (c, v) = raw(.amount) {
            do {
                let a = try Cents(yuan: v)
                if a.value < 0 { issue(c.header, "金额不能为负数：\(v)") } else { amount = a }
            } catch { issue(c.header, "金额「\(v)」无效") }
        }
        var region: RegionCode?
        if let (c, v) = raw(.region) {
            if let r = try? RegionCode(v), knownRegion(r) { region = r } else { issue(c.header, "未知的行政区划代码「\(v)」") }
        }
        var disability: Disability?
        if let (c, v) = raw(.disabilityCategory) {
            let category = DisabilityCategory(rawValue: v) ?? DisabilityCategory.allCases.first { $0.chinese == v || $0.chinese.hasPrefix(v) }
            if category == nil { issue(c.header, "未知的残疾类别「\(v)」") }
            if let (g, gv) = raw(.disabilityGrade) {
                let digits = gv.replacingOccurrences(of: "级", with: "")
                let grade = Int(digits) ?? ["一": 1, "二": 2, "三": 3, "四": 4][digits]
                if let grade, (1...4).contains(grade), let category { disability = try? Disability(category: category, grade: grade) } else {
                    issue(g.header, "残疾等级应为1–4级，实为「\(gv)」")
                }
            }
        }
        var kind = spec.factKind
        if let ki = kindIndex, let kc = spec.kindColumn {
            let v = ki < row.fields.count ? row.fields[ki].trimmed : ""
            if let k = spec.kindValues?[v] { kind = k } else if !(v.isEmpty && spec.factKind != nil) {
                issue(kc, "无法识别的类型「\(v)」，应为：\((spec.kindValues ?? [:]).keys.sorted().joined(separator: "、"))" + (spec.factKind == nil ? "" : "，或留空"))
            }
        }
        // Every column is checked before deciding, so one pass reports all of a row's problems.
        let name = raw(.name)?.1
        let reference = raw(.reference)?.1
        let address = raw(.address)?.1
        let note = raw(.note)?.1 ?? disability?.chinese ?? ""
        if id == nil, let idIssue, name == nil {
            issues.append(ImportIssue(file: file, row: row.number, column: idIssue.column, message: idIssue.message.replacingOccurrences(of: "，转入概率匹配", with: "") + "，且无姓名，无法识别此人"))
        }
        guard issues.isEmpty, let kind else { return .failure(RowIssues(issues: issues)) }
        let key = spec.naturalKey.map { k -> String in
            guard let f = FeedField(rawValue: k) else { return "" }
            switch f {
            case .nationalId: return id?.value ?? typedID ?? ""
            case .date: return validFrom?.description ?? ""
            case .amount: return amount.map { String($0.value) } ?? ""
            default: return raw(f)?.1 ?? ""
            }
        }.joined(separator: "|")
        return .success(FeedRecord(row: row.number, nationalID: id, typedID: typedID, idIssue: idIssue, name: name, birthDate: birthDate, address: address,
                                   kind: kind, amount: amount, date: validFrom, validTo: validTo,
                                   region: region, disability: disability, reference: reference, note: note, naturalKey: key))
    }

    /// `2024-01-31`, `2024/1/31` or `20240131`.
    static func parseDate(_ v: String) throws(DomainError) -> LocalDate {
        // Read as bytes: the usual YYYY-MM-DD costs no intermediate strings.
        let u = Array(v.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r { guard u[i] >= 0x30 && u[i] <= 0x39 else { return nil }; n = n * 10 + Int(u[i] - 0x30) }
            return n
        }
        if u.count == 10, u[4] == u[7], [0x2D, 0x2F, 0x2E].contains(u[4]), let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10) {
            return try LocalDate(year: y, month: m, day: d)
        }
        if u.count == 8, let y = digits(0..<4), let m = digits(4..<6), let d = digits(6..<8) {
            return try LocalDate(year: y, month: m, day: d)
        }
        let t = v.replacingOccurrences(of: "/", with: "-").replacingOccurrences(of: ".", with: "-")
        let parts = t.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2].prefix(2)) else { throw .invalidDate(v) }
        return try LocalDate(year: y, month: m, day: d)
    }
}
