import Foundation

/// What one field of a bank file holds.
public enum BankField: String, Codable, Sendable {
    /// A fixed text (a record type, a column title).
    case literal
    /// Header and trailer: the batch's code, the file's date (yyyyMMdd), the number of detail lines and their total.
    case batch, date, count, total
    /// Detail: the line's number in the file, the account, the account holder's name, the amount, our reference for
    /// the return file, and a memo (programme and month).
    case sequence, account, accountName, amount, reference, memo
    /// Return detail: the bank's result code and its reason.
    case result, reason
}

public struct BankFieldSpec: Codable, Sendable, Equatable {
    public var field: BankField
    public var value: String?
    /// Fixed layout: the width in bytes of the file's encoding (a Chinese character is 2 bytes in GB 18030).
    public var width: Int?
    /// "left" (text, padded with spaces) or "right" (numbers, padded with `pad`).
    public var align: String?
    public var pad: String?
    /// Text longer than the width is cut (at a character) instead of refusing the line: only for a memo.
    public var truncate: Bool?
}

/// The records of a file: an optional header, the detail lines, an optional trailer.
public struct BankRecordSpec: Codable, Sendable, Equatable {
    public var header: [BankFieldSpec]?
    public var detail: [BankFieldSpec]
    public var trailer: [BankFieldSpec]?
}

/// A bank's file format, as data (like the feed specs): the layout, the encoding, how amounts are written, the
/// payment file's records and the return file's, and which result codes mean paid.
public struct BankFileFormat: Codable, Sendable, Equatable {
    public enum Layout: String, Codable, Sendable { case fixed, csv }
    public enum AmountUnit: String, Codable, Sendable { case cents, yuan }

    public var code: String
    public var name: String
    public var layout: Layout
    public var encoding: FeedEncoding
    public var delimiter: String?
    public var lineEnding: String?
    public var amountUnit: AmountUnit
    public var payment: BankRecordSpec
    public var returns: BankRecordSpec
    /// The bank's result codes that mean the money arrived.
    public var paidCodes: [String]

    var stringEncoding: String.Encoding { encoding == .gb18030 ? FeedEncoding.gb18030Encoding : .utf8 }
    var newline: String { lineEnding ?? "\r\n" }
    var separator: String { delimiter ?? "," }

    func validate(file: String) throws(DomainError) {
        func bad(_ r: String) -> DomainError { .invalidData(file: file, reason: "\(code)：\(r)") }
        guard encoding != .auto else { throw bad("编码须为 utf8 或 gb18030") }
        let all = [payment.header, payment.detail, payment.trailer, returns.header, returns.detail, returns.trailer].compactMap { $0 }.flatMap { $0 }
        for f in all {
            if layout == .fixed, (f.width ?? 0) <= 0 { throw bad("定长格式的每个字段须有正的宽度（\(f.field.rawValue)）") }
            if f.field == .literal, f.value == nil { throw bad("literal 字段须有 value") }
            if let p = f.pad, p.utf8.count != 1 { throw bad("pad 须为一个字符（\(f.field.rawValue)）") }
        }
        for needed in [BankField.account, .accountName, .amount, .reference] where !payment.detail.contains(where: { $0.field == needed }) {
            throw bad("付款明细缺少字段 \(needed.rawValue)")
        }
        for needed in [BankField.reference, .amount, .result] where !returns.detail.contains(where: { $0.field == needed }) {
            throw bad("回盘明细缺少字段 \(needed.rawValue)")
        }
        guard !paidCodes.isEmpty else { throw bad("须列出表示成功的回盘代码 paidCodes") }
        // Records are told apart by their first field's literal where there is a header or a trailer.
        for spec in [payment, returns] where spec.header != nil || spec.trailer != nil {
            let firsts = [spec.header?.first, spec.detail.first, spec.trailer?.first].compactMap { $0 }
            guard firsts.allSatisfy({ $0.field == .literal }), Set(firsts.compactMap(\.value)).count == firsts.count else {
                throw bad("有表头或表尾时，每种记录的第一个字段须为互不相同的 literal（记录类型）")
            }
        }
    }
}

public struct BankFileFormats: Sendable {
    public let all: [String: BankFileFormat]

    public init(json: Data, file: String = "bank-formats.json") throws(DomainError) {
        struct Root: Decodable { var formats: [BankFileFormat] }
        let root: Root
        do { root = try JSONDecoder().decode(Root.self, from: json) } catch { throw .invalidData(file: file, reason: "无法读取：\(error)") }
        var all: [String: BankFileFormat] = [:]
        for f in root.formats {
            try f.validate(file: file)
            guard all[f.code] == nil else { throw .invalidData(file: file, reason: "格式代码 \(f.code) 重复") }
            all[f.code] = f
        }
        guard !all.isEmpty else { throw .invalidData(file: file, reason: "没有任何银行文件格式") }
        self.all = all
    }

    public static func bundled() throws -> BankFileFormats {
        try BankFileFormats(json: BundledData.data("bank-formats", "json", folder: "Resources/payments"))
    }

    public subscript(_ code: String) -> BankFileFormat? { all[code] }
}

/// One line of a payment file.
public struct BankPaymentLine: Sendable, Equatable {
    public var sequence: Int
    public var account: String
    public var accountName: String
    public var amountCents: Int64
    public var reference: String
    public var memo: String
    public init(sequence: Int, account: String, accountName: String, amountCents: Int64, reference: String, memo: String) {
        self.sequence = sequence
        self.account = account
        self.accountName = accountName
        self.amountCents = amountCents
        self.reference = reference
        self.memo = memo
    }
}

public enum BankFileError: Error, Equatable, Sendable {
    case tooWide(line: Int, field: String, width: Int)
    case unencodable(line: Int, field: String)
    case malformed(file: String, row: Int, field: String, reason: String)
    case unknownReference(file: String, row: Int, reference: String)
    case duplicateReference(file: String, row: Int, reference: String)
    case amountDiffers(file: String, row: Int, reference: String, expected: Int64, found: Int64)
    case totalsDiffer(file: String, what: String, declared: Int64, found: Int64)
    case missingLines(file: String, count: Int)

    public var chinese: String {
        func yuan(_ c: Int64) -> String { Cents(c).yuanText }
        switch self {
        case .tooWide(let l, let f, let w): return "第 \(l) 行的「\(f)」超过银行格式的 \(w) 字节，无法写入"
        case .unencodable(let l, let f): return "第 \(l) 行的「\(f)」含有该编码无法表示的字符"
        case .malformed(let file, let r, let f, let why): return "\(file) 第 \(r) 行「\(f)」：\(why)"
        case .unknownReference(let file, let r, let ref): return "\(file) 第 \(r) 行：流水号 \(ref) 不在本名册已送银行的明细中"
        case .duplicateReference(let file, let r, let ref): return "\(file) 第 \(r) 行：流水号 \(ref) 重复出现"
        case .amountDiffers(let file, let r, let ref, let e, let f):
            return "\(file) 第 \(r) 行：流水号 \(ref) 的金额 \(yuan(f)) 与送银行的 \(yuan(e)) 不符"
        case .totalsDiffer(let file, let what, let d, let f):
            return "\(file)：\(what)不符，文件写明 \(what == "笔数" ? "\(d)" : yuan(d))，实际 \(what == "笔数" ? "\(f)" : yuan(f))，相差 "
                + (what == "笔数" ? "\(f - d)" : yuan(f - d)) + "；整个回盘未导入"
        case .missingLines(let file, let n): return "\(file)：回盘缺少本名册已送银行的 \(n) 笔明细；整个回盘未导入"
        }
    }
}

/// Writes a payment file a line at a time (the caller streams it to disk): the header and trailer carry the count
/// and the total, known before the first line is written.
public struct BankFileWriter: Sendable {
    public let format: BankFileFormat
    /// A memo repeats on every line ("城乡低保 2026年12月"): converted once.
    let memos = MemoCache()
    public init(_ format: BankFileFormat) { self.format = format }

    public func header(batch: String, date: LocalDate, count: Int, totalCents: Int64) throws(BankFileError) -> Data? {
        guard let fields = format.payment.header else { return nil }
        return try record(fields, line: 0, values: summary(batch: batch, date: date, count: count, totalCents: totalCents))
    }

    public func trailer(batch: String, date: LocalDate, count: Int, totalCents: Int64) throws(BankFileError) -> Data? {
        guard let fields = format.payment.trailer else { return nil }
        return try record(fields, line: count + 1, values: summary(batch: batch, date: date, count: count, totalCents: totalCents))
    }

    public func detail(_ l: BankPaymentLine) throws(BankFileError) -> Data {
        var out: [UInt8] = []
        try appendDetail(l, to: &out)
        return Data(out)
    }

    /// Appends one payment line's bytes to `out`: a bank file's million lines go into one buffer per chunk, with no
    /// dictionary or buffer per line or field. A line that cannot be written throws, and `out` is then not whole.
    public func appendDetail(_ l: BankPaymentLine, to out: inout [UInt8]) throws(BankFileError) {
        try append(format.payment.detail, line: l.sequence, to: &out) { field in
            switch field {
            case .sequence: String(l.sequence)
            case .account: l.account
            case .accountName: l.accountName
            case .amount: amountText(l.amountCents)
            case .reference: l.reference
            case .memo: l.memo
            case .literal, .batch, .date, .count, .total, .result, .reason: ""
            }
        }
    }

    // The bank's side, for the demo and the benchmark (a bank answers in the format's return records).

    public func returnHeader(batch: String, date: LocalDate, count: Int, totalCents: Int64) throws(BankFileError) -> Data? {
        guard let fields = format.returns.header else { return nil }
        return try record(fields, line: 0, values: summary(batch: batch, date: date, count: count, totalCents: totalCents))
    }

    public func returnTrailer(batch: String, date: LocalDate, count: Int, totalCents: Int64) throws(BankFileError) -> Data? {
        guard let fields = format.returns.trailer else { return nil }
        return try record(fields, line: count + 1, values: summary(batch: batch, date: date, count: count, totalCents: totalCents))
    }

    public func returnDetail(reference: String, account: String, amountCents: Int64, result: String, reason: String, line: Int) throws(BankFileError) -> Data {
        try record(format.returns.detail, line: line, values: [.reference: reference, .account: account, .amount: amountText(amountCents), .result: result,
                                                              .reason: reason])
    }

    func summary(batch: String, date: LocalDate, count: Int, totalCents: Int64) -> [BankField: String] {
        [.batch: batch, .date: date.description.replacingOccurrences(of: "-", with: ""), .count: String(count), .total: amountText(totalCents)]
    }

    func amountText(_ c: Int64) -> String {
        format.amountUnit == .cents ? String(c) : Cents(c).plainYuan
    }

    func record(_ fields: [BankFieldSpec], line: Int, values: [BankField: String]) throws(BankFileError) -> Data {
        var out: [UInt8] = []
        try append(fields, line: line, to: &out) { values[$0] ?? "" }
        return Data(out)
    }

    func append(_ fields: [BankFieldSpec], line: Int, to out: inout [UInt8], _ value: (BankField) -> String) throws(BankFileError) {
        for (i, f) in fields.enumerated() {
            let text = f.field == .literal ? (f.value ?? "") : value(f.field)
            switch format.layout {
            case .fixed:
                try appendFixed(text, f, line: line, to: &out)
            case .csv:
                if i > 0 { out.append(contentsOf: format.separator.utf8) }
                try appendEncoded(csvQuoted(text), line: line, field: f.field, to: &out)
            }
        }
        out.append(contentsOf: format.newline.utf8)
    }

    /// The text's bytes in the file's encoding. ASCII (numbers, references, accounts) is the same bytes in both and is
    /// copied as it is; a name in GB 18030 goes through the ideograph table, anything else through the converter.
    func appendEncoded(_ text: String, line: Int, field: BankField, to out: inout [UInt8]) throws(BankFileError) {
        if format.encoding != .gb18030 || !text.utf8.contains(where: { $0 >= 0x80 }) {
            out.append(contentsOf: text.utf8)
            return
        }
        if GB18030Names.append(text, to: &out) { return }
        guard let d = text.data(using: format.stringEncoding) else { throw .unencodable(line: line, field: field.rawValue) }
        out.append(contentsOf: d)
    }

    /// A fixed-width field: encoded, then padded (before the text where aligned right). A memo is the same on most
    /// lines ("城乡低保 2026年12月") and is made once.
    func appendFixed(_ text: String, _ f: BankFieldSpec, line: Int, to out: inout [UInt8]) throws(BankFileError) {
        if f.field == .memo, let done = memos.get(text) {
            out.append(contentsOf: done)
            return
        }
        let start = out.count
        let width = f.width ?? 0
        try appendEncoded(text, line: line, field: f.field, to: &out)
        if out.count - start > width {
            guard f.truncate == true else { throw .tooWide(line: line, field: f.field.rawValue, width: width) }
            // Cut at a character, never inside one (GB 18030 encodes each character on its own).
            out.removeSubrange(start...)
            var character: [UInt8] = []
            for ch in text {
                character.removeAll(keepingCapacity: true)
                try appendEncoded(String(ch), line: line, field: f.field, to: &character)
                guard out.count - start + character.count <= width else { break }
                out.append(contentsOf: character)
            }
        }
        let padding = repeatElement((f.pad ?? " ").utf8.first ?? 0x20, count: width - (out.count - start))
        if f.align == "right" { out.insert(contentsOf: padding, at: start) } else { out.append(contentsOf: padding) }
        if f.field == .memo { memos.put(text, Array(out[start...])) }
    }

    /// A field is quoted where it holds the separator, a quote or a line break.
    func csvQuoted(_ s: String) -> String {
        guard s.contains(format.separator) || s.contains("\"") || s.contains("\n") || s.contains("\r") else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The few memos of a file, converted once each (bounded: a memo is the programme and the month).
final class MemoCache: @unchecked Sendable {
    private let lock = NSLock()
    private var done: [String: [UInt8]] = [:]
    func get(_ text: String) -> [UInt8]? { lock.lock(); defer { lock.unlock() }; return done[text] }
    func put(_ text: String, _ data: [UInt8]) {
        lock.lock(); defer { lock.unlock() }
        if done.count < 64 { done[text] = data }
    }
}

/// What a return file says: each line paid or failed with the bank's reason, and the totals it declares.
public struct BankReturnLine: Sendable, Equatable {
    public var row: Int
    public var reference: String
    public var amountCents: Int64
    public var paid: Bool
    public var result: String
    public var reason: String
}

/// Reads a return file a record at a time (the caller streams the lines), naming the file, row and field of anything
/// it cannot read.
public struct BankReturnReader: Sendable {
    public enum Record: Sendable, Equatable {
        case header(count: Int?, totalCents: Int64?)
        case detail(BankReturnLine)
        case trailer(count: Int?, totalCents: Int64?)
        case blank
    }

    public let format: BankFileFormat
    public let file: String
    public init(_ format: BankFileFormat, file: String) {
        self.format = format
        self.file = file
    }

    /// A reader of the payment file itself, as the bank reads it (its details give the reference and the amount).
    public static func paymentFile(_ format: BankFileFormat, file: String) -> BankReturnReader {
        var f = format
        f.returns = format.payment
        return BankReturnReader(f, file: file)
    }

    /// One line's bytes, without its line ending.
    public func record(_ data: Data, row: Int) throws(BankFileError) -> Record {
        let bytes = [UInt8](data)
        let ascii = bytes.allSatisfy { $0 < 0x80 }
        guard ascii || String(data: data, encoding: format.stringEncoding) != nil else {
            throw .malformed(file: file, row: row, field: "整行", reason: "不是 \(format.encoding == .gb18030 ? "GB 18030" : "UTF-8") 编码")
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return .blank }
        let spec = format.returns
        let kinds: [(BankRecordSpecKind, [BankFieldSpec])] = [(.header, spec.header), (.trailer, spec.trailer)].compactMap { k, s in s.map { (k, $0) } }
            + [(.detail, spec.detail)]
        // With a header or trailer, the first field's literal says which record this is; else every line is a detail.
        var chosen: (BankRecordSpecKind, [BankFieldSpec]) = (.detail, spec.detail)
        if spec.header != nil || spec.trailer != nil {
            var hit: (BankRecordSpecKind, [BankFieldSpec])?
            for (kind, fields) in kinds {
                guard let literal = fields.first?.value else { continue }
                let tag = Array(literal.utf8)
                let matches: Bool
                switch format.layout {
                case .fixed: matches = bytes.count >= tag.count && bytes[0..<tag.count].elementsEqual(tag)
                case .csv: matches = bytes.count >= tag.count && bytes[0..<tag.count].elementsEqual(tag)
                    && (bytes.count == tag.count || bytes[tag.count] == Array(format.separator.utf8).first)
                }
                if matches { hit = (kind, fields); break }
            }
            guard let hit else { throw .malformed(file: file, row: row, field: "记录类型", reason: "不是表头、明细或表尾") }
            chosen = hit
        }
        let vals = try values(bytes, ascii: ascii, fields: chosen.1, row: row)
        func value(_ f: BankField) -> String? {
            guard let i = chosen.1.firstIndex(where: { $0.field == f }), i < vals.count else { return nil }
            return Self.trimmed(vals[i])
        }
        switch chosen.0 {
        case .header, .trailer:
            var count: Int?
            if let v = value(.count) {
                guard let n = Int(v), n >= 0 else { throw .malformed(file: file, row: row, field: "笔数", reason: "「\(v)」不是笔数") }
                count = n
            }
            var total: Int64?
            if let v = value(.total) { total = try amount(v, row: row, field: "合计金额") }
            return chosen.0 == .header ? .header(count: count, totalCents: total) : .trailer(count: count, totalCents: total)
        case .detail:
            let reference = value(.reference) ?? ""
            guard !reference.isEmpty else { throw .malformed(file: file, row: row, field: "流水号", reason: "为空") }
            let result = value(.result) ?? ""
            return .detail(BankReturnLine(row: row, reference: reference, amountCents: try amount(value(.amount) ?? "", row: row, field: "金额"),
                                          paid: format.paidCodes.contains(result), result: result, reason: value(.reason) ?? ""))
        }
    }

    enum BankRecordSpecKind { case header, detail, trailer }

    /// Padding spaces off both ends (a fixed-width field's), without Foundation's character-set walk.
    static func trimmed(_ s: String) -> String {
        let u = s.utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        if first == u.startIndex && last == u.index(before: u.endIndex) { return s }
        return String(s[first...last])
    }

    func amount(_ v: String, row: Int, field: String) throws(BankFileError) -> Int64 {
        switch format.amountUnit {
        case .cents:
            guard let n = Int64(v), n >= 0 else { throw .malformed(file: file, row: row, field: field, reason: "「\(v)」不是以分计的金额") }
            return n
        case .yuan:
            guard let c = try? Cents(yuan: v), c.value >= 0 else { throw .malformed(file: file, row: row, field: field, reason: "「\(v)」不是金额") }
            return c.value
        }
    }

    func values(_ bytes: [UInt8], ascii: Bool, fields: [BankFieldSpec], row: Int) throws(BankFileError) -> [String] {
        func text(_ slice: ArraySlice<UInt8>) -> String? {
            ascii ? String(decoding: slice, as: UTF8.self) : String(bytes: slice, encoding: format.stringEncoding)
        }
        switch format.layout {
        case .fixed:
            var out: [String] = []
            out.reserveCapacity(fields.count)
            var at = 0
            for f in fields {
                let w = f.width ?? 0
                guard bytes.count - at >= w else {
                    // The last field may be short (trailing spaces trimmed by a bank's tool).
                    if f == fields.last, let s = text(bytes[at...]) { out.append(s); return out }
                    throw .malformed(file: file, row: row, field: f.field.rawValue, reason: "行长度不足（定长格式）")
                }
                guard let s = text(bytes[at..<(at + w)]) else {
                    throw .malformed(file: file, row: row, field: f.field.rawValue, reason: "字段边界切在字符中间（宽度与格式不符）")
                }
                out.append(s)
                at += w
            }
            return out
        case .csv:
            guard let line = text(bytes[...]) else { throw .malformed(file: file, row: row, field: "整行", reason: "编码有误") }
            let cells = Self.csvCells(line, separator: Character(format.separator))
            guard cells.count >= fields.count else {
                throw .malformed(file: file, row: row, field: fields[min(cells.count, fields.count - 1)].field.rawValue, reason: "列数不足：应有 \(fields.count) 列，实有 \(cells.count) 列")
            }
            return Array(cells.prefix(fields.count))
        }
    }

    /// One CSV line's cells (quotes doubled inside quoted cells); bank files put no line breaks in cells.
    static func csvCells(_ line: String, separator: Character) -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var it = Array(line).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? it.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let n = it.next() {
                        if n == "\"" { cell.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else { cell.append(c) }
            } else if c == "\"" && cell.isEmpty {
                quoted = true
            } else if c == separator {
                cells.append(cell)
                cell = ""
            } else {
                cell.append(c)
            }
        }
        cells.append(cell)
        return cells
    }
}

/// GB 18030 for names, without the general converter: the two-byte codes of the CJK Unified Ideographs (U+4E00–U+9FFF,
/// the characters of nearly every Chinese name) in a table built once from Foundation's converter, so a million payees'
/// names cost a table look-up each instead of a conversion each. Text with any other character goes through the
/// converter as before (`nil` here).
enum GB18030Names {
    static let first: UInt32 = 0x4E00
    static let last: UInt32 = 0x9FFF

    /// Each ideograph's two bytes (lead byte high), or 0 where GB 18030 needs four (those Unicode added later).
    static let table: [UInt16] = (first...last).map { v in
        guard let u = UnicodeScalar(v), let d = String(u).data(using: FeedEncoding.gb18030Encoding), d.count == 2 else { return 0 }
        return UInt16(d[d.startIndex]) << 8 | UInt16(d[d.startIndex + 1])
    }

    static func encode(_ text: String) -> Data? {
        var out: [UInt8] = []
        return append(text, to: &out) ? Data(out) : nil
    }

    /// Appends the text's GB 18030 bytes; false, with `out` as it was, where a character is outside the table.
    static func append(_ text: String, to out: inout [UInt8]) -> Bool {
        let start = out.count
        for u in text.unicodeScalars {
            if u.value < 0x80 {
                out.append(UInt8(u.value))
                continue
            }
            let code = u.value >= first && u.value <= last ? table[Int(u.value - first)] : 0
            guard code != 0 else {
                out.removeSubrange(start...)
                return false
            }
            out.append(UInt8(code >> 8))
            out.append(UInt8(code & 0xFF))
        }
        return true
    }
}
