import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// The first worksheet of an Excel workbook (.xlsx) as rows of text, so an XLSX feed goes through the
/// same parser as a CSV one. An .xlsx file is a ZIP archive of XML parts; no package here reads either,
/// so this holds a small ZIP directory reader and a DEFLATE decoder (RFC 1951). Excel caps a sheet at
/// 1,048,576 rows, so the sheet is read whole.
public enum XLSXReader {
    public static func rows(path: String) throws(FeedError) -> [CSVReader.Row] {
        let file = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(file: file, reason: "文件不存在或无权读取") }
        do {
            let zip = try ZipArchive([UInt8](data))
            let sheetName = zip.names.filter { $0.hasPrefix("xl/worksheets/sheet") && $0.hasSuffix(".xml") }
                .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }.first
            guard let sheetName else { throw XLSXError.notAWorkbook }
            let shared = try zip.names.contains("xl/sharedStrings.xml") ? SharedStrings.parse(zip.extract("xl/sharedStrings.xml")) : []
            return try Sheet.parse(zip.extract(sheetName), shared: shared)
        } catch let e as XLSXError {
            throw .unreadable(file: file, reason: e.chinese)
        } catch {
            throw .unreadable(file: file, reason: "不是有效的 Excel 工作簿（.xlsx）")
        }
    }

    /// Excel stores dates as days since 1899-12-30 (counting its phantom 29 February 1900 before March 1900).
    public static func date(fromSerial text: String) -> String? {
        guard let serial = Double(text), serial >= 61, serial < 2_958_466, serial == serial.rounded() else { return nil }
        let epoch = (try? LocalDate(year: 1899, month: 12, day: 30))!.dayNumber
        return LocalDate(dayNumber: epoch + Int(serial)).description
    }
}

enum XLSXError: Error {
    case notAWorkbook, badZip, unsupportedCompression(Int), badDeflate(String)
    var chinese: String {
        switch self {
        case .notAWorkbook: return "压缩包中没有工作表，不是 Excel 工作簿（.xlsx）"
        case .badZip: return "不是有效的 ZIP 压缩包（.xlsx 文件已损坏？）"
        case .unsupportedCompression(let m): return "不支持的压缩方式 \(m)"
        case .badDeflate(let why): return "解压失败：\(why)"
        }
    }
}

/// The central directory of a ZIP archive, and its members by name.
struct ZipArchive {
    struct Entry { var method: Int; var compressedSize: Int; var size: Int; var localHeader: Int }
    let bytes: [UInt8]
    var entries: [String: Entry] = [:]
    var names: [String] { Array(entries.keys) }

    init(_ bytes: [UInt8]) throws {
        self.bytes = bytes
        func u16(_ i: Int) throws -> Int { guard i + 2 <= bytes.count else { throw XLSXError.badZip }; return Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func u32(_ i: Int) throws -> Int { try u16(i) | (try u16(i + 2)) << 16 }
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        var end = bytes.count - 22
        let lowest = max(0, bytes.count - 65_557)
        while end >= lowest, try u32(end) != 0x0605_4B50 { end -= 1 }
        guard end >= lowest else { throw XLSXError.badZip }
        let count = try u16(end + 10)
        var p = try u32(end + 16)
        for _ in 0..<count {
            guard try u32(p) == 0x0201_4B50 else { throw XLSXError.badZip }
            let nameLength = try u16(p + 28), extra = try u16(p + 30), comment = try u16(p + 32)
            guard p + 46 + nameLength <= bytes.count else { throw XLSXError.badZip }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(method: try u16(p + 10), compressedSize: try u32(p + 20), size: try u32(p + 24), localHeader: try u32(p + 42))
            p += 46 + nameLength + extra + comment
        }
    }

    func extract(_ name: String) throws -> [UInt8] {
        guard let e = entries[name] else { throw XLSXError.notAWorkbook }
        let h = e.localHeader
        guard h + 30 <= bytes.count, bytes[h] == 0x50, bytes[h + 1] == 0x4B, bytes[h + 2] == 3, bytes[h + 3] == 4 else { throw XLSXError.badZip }
        let start = h + 30 + (Int(bytes[h + 26]) | Int(bytes[h + 27]) << 8) + (Int(bytes[h + 28]) | Int(bytes[h + 29]) << 8)
        guard start + e.compressedSize <= bytes.count else { throw XLSXError.badZip }
        let body = Array(bytes[start..<(start + e.compressedSize)])
        switch e.method {
        case 0: return body
        case 8: return try Inflater.inflate(body, expected: e.size)
        default: throw XLSXError.unsupportedCompression(e.method)
        }
    }
}

/// A DEFLATE decoder after Mark Adler's `puff`: canonical Huffman codes decoded a bit at a time.
struct Inflater {
    struct Huffman { var counts: [Int]; var symbols: [Int] }
    let input: [UInt8]
    var position = 0
    var bitBuffer = 0
    var bitCount = 0
    var output: [UInt8] = []

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097,
                               6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static func inflate(_ data: [UInt8], expected: Int) throws -> [UInt8] {
        var s = Inflater(input: data)
        s.output.reserveCapacity(expected)
        var last = false
        while !last {
            last = try s.bits(1) == 1
            switch try s.bits(2) {
            case 0: try s.stored()
            case 1: try s.codes(Self.fixed.lengths, Self.fixed.distances)
            case 2:
                let (l, d) = try s.dynamicTables()
                try s.codes(l, d)
            default: throw XLSXError.badDeflate("无效的块类型")
            }
        }
        return s.output
    }

    mutating func bits(_ n: Int) throws -> Int {
        while bitCount < n {
            guard position < input.count else { throw XLSXError.badDeflate("数据提前结束") }
            bitBuffer |= Int(input[position]) << bitCount
            position += 1
            bitCount += 8
        }
        let v = bitBuffer & ((1 << n) - 1)
        bitBuffer >>= n
        bitCount -= n
        return v
    }

    mutating func stored() throws {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { throw XLSXError.badDeflate("数据提前结束") }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        position += 4
        guard position + length <= input.count else { throw XLSXError.badDeflate("数据提前结束") }
        output.append(contentsOf: input[position..<(position + length)])
        position += length
    }

    mutating func decode(_ h: Huffman) throws -> Int {
        var code = 0, first = 0, index = 0
        for length in 1...15 {
            code |= try bits(1)
            let count = h.counts[length]
            if code - count < first { return h.symbols[index + (code - first)] }
            index += count
            first = (first + count) << 1
            code <<= 1
        }
        throw XLSXError.badDeflate("无效的霍夫曼编码")
    }

    static func huffman(_ lengths: [Int]) -> Huffman {
        var counts = [Int](repeating: 0, count: 16)
        for l in lengths { counts[l] += 1 }
        var offsets = [Int](repeating: 0, count: 16)
        for l in 1..<15 { offsets[l + 1] = offsets[l] + counts[l] }
        var symbols = [Int](repeating: 0, count: lengths.count)
        for (symbol, l) in lengths.enumerated() where l != 0 {
            symbols[offsets[l]] = symbol
            offsets[l] += 1
        }
        counts[0] = 0
        return Huffman(counts: counts, symbols: symbols)
    }

    static let fixed: (lengths: Huffman, distances: Huffman) = {
        var l = [Int](repeating: 8, count: 288)
        for i in 144..<256 { l[i] = 9 }
        for i in 256..<280 { l[i] = 7 }
        return (huffman(l), huffman([Int](repeating: 5, count: 30)))
    }()

    mutating func dynamicTables() throws -> (Huffman, Huffman) {
        let nlen = try bits(5) + 257, ndist = try bits(5) + 1, ncode = try bits(4) + 4
        guard nlen <= 286, ndist <= 30 else { throw XLSXError.badDeflate("码表过长") }
        var codeLengths = [Int](repeating: 0, count: 19)
        for i in 0..<ncode { codeLengths[Self.codeLengthOrder[i]] = try bits(3) }
        let lencode = Self.huffman(codeLengths)
        var lengths: [Int] = []
        while lengths.count < nlen + ndist {
            let symbol = try decode(lencode)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw XLSXError.badDeflate("重复长度前没有长度") }
                lengths += [Int](repeating: previous, count: 3 + (try bits(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try bits(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try bits(7)))
            }
        }
        guard lengths.count == nlen + ndist else { throw XLSXError.badDeflate("码长超出") }
        return (Self.huffman(Array(lengths[0..<nlen])), Self.huffman(Array(lengths[nlen...])))
    }

    mutating func codes(_ lengths: Huffman, _ distances: Huffman) throws {
        while true {
            let symbol = try decode(lengths)
            if symbol < 256 { output.append(UInt8(symbol)); continue }
            if symbol == 256 { return }
            let s = symbol - 257
            guard s < Self.lengthBase.count else { throw XLSXError.badDeflate("无效的长度码") }
            let length = Self.lengthBase[s] + (try bits(Self.lengthExtra[s]))
            let d = try decode(distances)
            guard d < Self.distanceBase.count else { throw XLSXError.badDeflate("无效的距离码") }
            let distance = Self.distanceBase[d] + (try bits(Self.distanceExtra[d]))
            guard distance <= output.count else { throw XLSXError.badDeflate("距离超出已解压数据") }
            let start = output.count - distance
            for k in 0..<length { output.append(output[start + k]) }
        }
    }
}

/// `xl/sharedStrings.xml`: the text of every string cell, by index (rich-text runs joined).
final class SharedStrings: NSObject, XMLParserDelegate {
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false

    static func parse(_ bytes: [UInt8]) throws -> [String] {
        let delegate = SharedStrings()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse() else { throw XLSXError.notAWorkbook }
        return delegate.strings
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "si": current = ""
        case "t": inText = true
        case "rPh": inPhonetic = true // furigana-style readings are not part of the text
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText && !inPhonetic { current += string }
    }
}

/// A worksheet's cells as rows; missing cells are empty, so columns stay aligned with the header.
final class Sheet: NSObject, XMLParserDelegate {
    let shared: [String]
    var rows: [CSVReader.Row] = []
    var rowNumber = 0
    var cells: [Int: String] = [:]
    var column = 0
    var type = ""
    var value = ""
    var inValue = false

    init(shared: [String]) { self.shared = shared }

    static func parse(_ bytes: [UInt8], shared: [String]) throws -> [CSVReader.Row] {
        let delegate = Sheet(shared: shared)
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = delegate
        guard parser.parse() else { throw XLSXError.notAWorkbook }
        return delegate.rows
    }

    /// "BC12" → 54 (0-based column).
    static func columnIndex(_ reference: String) -> Int {
        var n = 0
        for u in reference.unicodeScalars {
            guard u.value >= 65 && u.value <= 90 else { break }
            n = n * 26 + Int(u.value - 64)
        }
        return n - 1
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row":
            rowNumber = Int(attributes["r"] ?? "") ?? rowNumber + 1
            cells = [:]
            column = 0
        case "c":
            column = attributes["r"].map(Self.columnIndex) ?? column
            type = attributes["t"] ?? "n"
            value = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": inValue = false
        case "c":
            if type == "s", let i = Int(value), i >= 0, i < shared.count { cells[column] = shared[i] } else if type == "b" { cells[column] = value == "1" ? "TRUE" : "FALSE" } else { cells[column] = value }
            column += 1
        case "row":
            let width = (cells.keys.max() ?? -1) + 1
            let fields = (0..<width).map { cells[$0] ?? "" }
            // Rows with nothing in them are skipped but keep their numbers, as in CSV.
            if fields.contains(where: { !$0.isEmpty }) { rows.append(CSVReader.Row(number: rowNumber, fields: fields)) }
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inValue { value += string }
    }
}
