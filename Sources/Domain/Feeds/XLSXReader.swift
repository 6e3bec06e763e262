import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// The first worksheet of an Excel workbook (.xlsx) as rows of text, so an XLSX feed goes through the same parser as a
/// CSV one. An .xlsx file is a ZIP archive of XML parts. Every bound a hostile workbook could push is checked
/// (decompressed bytes, the ratio to the compressed size, rows, columns, cells), and each breach is a clear error
/// naming the file, never a crash, a hang or gigabytes of memory.
///
/// ZIPFoundation inflates a part as a stream (`Data.decompress`), and the consumer counts what comes out and stops at
/// the limits, never trusting the sizes the archive declares. The compressed bytes are handed to it from here, bounded
/// by the part's compressed size: ZIPFoundation's own extraction on Linux reads on past a part's end until the
/// stream says it is finished, and at the end of a file whose stream never does (a truncated or crafted workbook) it
/// asks for more forever. So the archive's directory is read here, only far enough to find each part's bytes.
public enum XLSXReader {
    public static func rows(path: String, limits: XLSXLimits = .excel) throws(FeedError) -> [CSVReader.Row] {
        let file = (path as NSString).lastPathComponent
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable(file: file, reason: "文件不存在或无权读取") }
        defer { try? handle.close() }
        do {
            let zip = try ZipDirectory(handle)
            // The first sheet: sheet1 before sheet10.
            let sheetName = zip.entries.keys.filter { $0.hasPrefix("xl/worksheets/sheet") && $0.hasSuffix(".xml") }
                .min { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
            guard let sheetName, let sheet = zip.entries[sheetName] else { throw XLSXError.notAWorkbook }
            let strings = try zip.entries["xl/sharedStrings.xml"].map { try SharedStrings.parse(try zip.extract($0, limits: limits), limits: limits) } ?? []
            return try Sheet.parse(try zip.extract(sheet, limits: limits), shared: strings, limits: limits)
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

/// The parts of a ZIP archive by name, from its central directory: where each part's bytes are, how it is
/// compressed, its checksum. Every offset and size is checked against the file before it is used.
struct ZipDirectory {
    struct Entry {
        var method: Int
        var crc: UInt32
        var compressedSize: Int
        var localHeader: Int
    }
    let handle: FileHandle
    let fileSize: Int
    var entries: [String: Entry] = [:]

    /// A workbook has a dozen parts; a directory of more than this many is not one.
    static let maxEntries = 10_000

    init(_ handle: FileHandle) throws {
        self.handle = handle
        fileSize = Int(try handle.seekToEnd())
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        let tailStart = max(0, fileSize - 65_557)
        let tail = try Self.read(handle, at: tailStart, count: fileSize - tailStart)
        var end = tail.count - 22
        while end >= 0, Self.u32(tail, end) != 0x0605_4B50 { end -= 1 }
        guard end >= 0 else { throw XLSXError.badZip }
        let count = Self.u16(tail, end + 10)
        let size = Int(Self.u32(tail, end + 12)), offset = Int(Self.u32(tail, end + 16))
        guard count <= Self.maxEntries, offset + size <= fileSize else { throw XLSXError.badZip }
        let directory = try Self.read(handle, at: offset, count: size)
        var p = 0
        for _ in 0..<max(count, 0) {
            guard p + 46 <= directory.count, Self.u32(directory, p) == 0x0201_4B50 else { throw XLSXError.badZip }
            let nameLength = Self.u16(directory, p + 28), extra = Self.u16(directory, p + 30), comment = Self.u16(directory, p + 32)
            guard p + 46 + nameLength <= directory.count else { throw XLSXError.badZip }
            let name = String(decoding: directory[(directory.startIndex + p + 46)..<(directory.startIndex + p + 46 + nameLength)], as: UTF8.self)
            entries[name] = Entry(method: Self.u16(directory, p + 10), crc: Self.u32(directory, p + 16), compressedSize: Int(Self.u32(directory, p + 20)),
                                  localHeader: Int(Self.u32(directory, p + 42)))
            p += 46 + nameLength + extra + comment
        }
    }

    /// A part's bytes, inflated a chunk at a time by ZIPFoundation and counted as they come: past the byte limit, or
    /// (once past a megabyte) more than `maxRatio` times the compressed bytes read so far (as Apache POI counts), it
    /// stops at once, so a bomb costs a few megabytes however large the file. The compressed bytes are given a chunk
    /// at a time and never past the part's end.
    func extract(_ e: Entry, limits: XLSXLimits) throws -> Data {
        let header = try Self.read(handle, at: e.localHeader, count: 30)
        guard Self.u32(header, 0) == 0x0403_4B50 else { throw XLSXError.badZip }
        let start = e.localHeader + 30 + Self.u16(header, 26) + Self.u16(header, 28)
        guard start + e.compressedSize <= fileSize else { throw XLSXError.badZip }
        var out = Data()
        var utf8 = UTF8Check()
        var compressedRead = 0
        let consume: Consumer = { chunk in
            guard out.count + chunk.count <= limits.maxPartBytes else { throw XLSXError.tooLarge(limits.maxPartBytes) }
            out.append(chunk)
            if out.count > 1 << 20, out.count / max(compressedRead, 1) > limits.maxRatio { throw XLSXError.bomb(limits.maxRatio) }
            guard utf8.feed(chunk) else { throw XLSXError.badXML }
        }
        let chunkSize = 64 * 1024
        let crc: UInt32
        do {
            switch e.method {
            case 0:
                var position = 0
                while position < e.compressedSize {
                    let chunk = try Self.read(handle, at: start + position, count: min(chunkSize, e.compressedSize - position))
                    compressedRead += chunk.count
                    try consume(chunk)
                    position += chunk.count
                }
                crc = out.crc32(checksum: 0)
            case 8:
                let handle = self.handle
                crc = try Data.decompress(size: Int64(e.compressedSize), bufferSize: chunkSize, skipCRC32: false, provider: { position, _ in
                    // The stream wants more than the part holds: it never ends (a truncated or crafted part).
                    guard position < e.compressedSize else { throw XLSXError.badZip }
                    let chunk = try Self.read(handle, at: start + Int(position), count: min(chunkSize, e.compressedSize - Int(position)))
                    compressedRead = Int(position) + chunk.count
                    return chunk
                }, consumer: consume)
            default:
                throw XLSXError.badZip
            }
        } catch let e as XLSXError {
            throw e
        } catch {
            throw XLSXError.badZip
        }
        // A damaged part inflates to something else: its checksum says so.
        guard crc == e.crc else { throw XLSXError.badZip }
        // The XML parser must only ever see UTF-8 (what Excel writes): Foundation's stops the process on some
        // invalid bytes in a name.
        guard utf8.finished else { throw XLSXError.badXML }
        return out
    }

    static func read(_ handle: FileHandle, at offset: Int, count: Int) throws -> Data {
        guard count > 0 else { return Data() }
        guard offset >= 0 else { throw XLSXError.badZip }
        try handle.seek(toOffset: UInt64(offset))
        guard let d = try handle.read(upToCount: count), d.count == count else { throw XLSXError.badZip }
        return d
    }

    static func u16(_ d: Data, _ i: Int) -> Int {
        guard i >= 0, i + 2 <= d.count else { return -1 }
        return Int(d[d.startIndex + i]) | Int(d[d.startIndex + i + 1]) << 8
    }

    static func u32(_ d: Data, _ i: Int) -> UInt32 {
        guard i >= 0, i + 4 <= d.count else { return 0 }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(d[d.startIndex + i + $1]) << (8 * $1) }
    }
}

/// UTF-8 checked a chunk at a time (a character may straddle two chunks).
struct UTF8Check {
    /// Bytes of the character begun at the end of the last chunk.
    private var pending: [UInt8] = []

    mutating func feed(_ chunk: Data) -> Bool {
        var bytes = pending + chunk
        pending = []
        // Keep back an incomplete character at the end for the next chunk.
        var tail = bytes.count - 1
        while tail >= 0, tail >= bytes.count - 4, bytes[tail] & 0xC0 == 0x80 { tail -= 1 }
        if tail >= 0, bytes[tail] >= 0xC0 {
            let need = bytes[tail] >= 0xF0 ? 4 : bytes[tail] >= 0xE0 ? 3 : 2
            if bytes.count - tail < need {
                pending = Array(bytes[tail...])
                bytes.removeSubrange(tail...)
            }
        }
        var iterator = bytes.makeIterator()
        var decoder = Unicode.UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    /// Nothing left half a character.
    var finished: Bool { pending.isEmpty }
}

/// How far a workbook may go. Excel's own caps for rows and columns; a part's decompressed size and the cells in all
/// keep memory bounded whatever the file says.
public struct XLSXLimits: Sendable {
    /// A part's XML once inflated. A sheet of a million rows of a dozen short columns is some 150 MB.
    public var maxPartBytes = 256 << 20
    /// Inflated ÷ compressed, checked once a part passes a megabyte. Worksheet XML compresses 5–30 to 1; a zip bomb
    /// comes near DEFLATE's limit of about 1,030 to 1. 100 is Apache POI's limit for the same check (ZipSecureFile's
    /// minimum inflate ratio of 0.01).
    public var maxRatio = 100
    /// Excel's limits: 1,048,576 rows and 16,384 columns (XFD).
    public var maxRows = 1_048_576
    public var maxColumns = 16_384
    /// Cells with a value, and shared strings, in all.
    public var maxCells = 30_000_000

    public init() {}
    public static let excel = XLSXLimits()
}

enum XLSXError: Error, Equatable {
    case notAWorkbook, badZip, badXML
    case tooLarge(Int), bomb(Int)
    case badReference(String), tooManyRows(Int), tooManyColumns(Int), tooManyCells(Int)
    var chinese: String {
        switch self {
        case .notAWorkbook: return "压缩包中没有工作表，不是 Excel 工作簿（.xlsx）"
        case .badZip: return "不是有效的 ZIP 压缩包（.xlsx 文件已损坏？）"
        case .badXML: return "工作表内容不是有效的 XML（.xlsx 文件已损坏？）"
        case .tooLarge(let n): return "工作表解压后超过 \(n >> 20) MB，请拆分为多个文件"
        case .bomb(let r): return "压缩比超过 \(r):1，不是正常的 Excel 工作簿"
        case .badReference(let r): return "单元格引用「\(r.prefix(20))」无效"
        case .tooManyRows(let n): return "超过 Excel 的 \(n) 行上限"
        case .tooManyColumns(let n): return "超过 Excel 的 \(n) 列上限"
        case .tooManyCells(let n): return "单元格超过 \(n) 个，请拆分为多个文件"
        }
    }
}

/// The workbook's shared strings, bounded in number.
final class SharedStrings: NSObject, XMLParserDelegate {
    let limits: XLSXLimits
    var strings: [String] = []
    var current = ""
    var inText = false
    var inPhonetic = false
    var failure: XLSXError?

    init(limits: XLSXLimits) { self.limits = limits }

    static func parse(_ bytes: Data, limits: XLSXLimits) throws -> [String] {
        let delegate = SharedStrings(limits: limits)
        let parser = XMLParser(data: bytes)
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure { throw failure }
        guard ok else { throw XLSXError.badXML }
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
        case "si":
            guard strings.count < limits.maxCells else {
                failure = .tooManyCells(limits.maxCells)
                return parser.abortParsing()
            }
            strings.append(current)
        case "t": inText = false
        case "rPh": inPhonetic = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText && !inPhonetic { current += string }
    }
}

/// A worksheet's cells as rows; missing cells are empty, so columns stay aligned with the header. A cell reference,
/// a row number and the counts are checked as they are read; the first breach stops the parse.
final class Sheet: NSObject, XMLParserDelegate {
    let shared: [String]
    let limits: XLSXLimits
    var rows: [CSVReader.Row] = []
    var rowNumber = 0
    var cells: [Int: String] = [:]
    var cellCount = 0
    var column = 0
    var type = ""
    var value = ""
    var inValue = false
    var failure: XLSXError?

    init(shared: [String], limits: XLSXLimits) {
        self.shared = shared
        self.limits = limits
    }

    static func parse(_ bytes: Data, shared: [String], limits: XLSXLimits) throws -> [CSVReader.Row] {
        let delegate = Sheet(shared: shared, limits: limits)
        let parser = XMLParser(data: bytes)
        parser.delegate = delegate
        let ok = parser.parse()
        if let failure = delegate.failure { throw failure }
        guard ok else { throw XLSXError.badXML }
        return delegate.rows
    }

    /// "BC12" → 54 (0-based column). Anything that is not capital letters then a row number is refused, and more
    /// letters than Excel's last column (XFD) are refused as they are read: a reference of many letters would overflow
    /// the arithmetic, or ask for gigabytes of empty cells.
    static func columnIndex(_ reference: String, maxColumns: Int) -> Result<Int, XLSXError> {
        var n = 0
        var letters = 0
        for u in reference.unicodeScalars {
            guard u.value >= 65 && u.value <= 90 else {
                guard letters > 0, u.value >= 48 && u.value <= 57 else { return .failure(.badReference(reference)) }
                return .success(n - 1)
            }
            letters += 1
            n = n * 26 + Int(u.value - 64)
            guard n <= maxColumns else { return .failure(.tooManyColumns(maxColumns)) }
        }
        return .failure(.badReference(reference))
    }

    func fail(_ parser: XMLParser, _ e: XLSXError) {
        if failure == nil { failure = e }
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row":
            if let r = attributes["r"] {
                guard let n = Int(r), n > rowNumber else { return fail(parser, .badReference(r)) }
                rowNumber = n
            } else {
                rowNumber += 1
            }
            guard rowNumber <= limits.maxRows else { return fail(parser, .tooManyRows(limits.maxRows)) }
            cells = [:]
            column = 0
        case "c":
            if let r = attributes["r"] {
                switch Self.columnIndex(r, maxColumns: limits.maxColumns) {
                case .success(let c): column = c
                case .failure(let e): return fail(parser, e)
                }
            }
            guard column < limits.maxColumns else { return fail(parser, .tooManyColumns(limits.maxColumns)) }
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
            cellCount += 1
            guard cellCount <= limits.maxCells else { return fail(parser, .tooManyCells(limits.maxCells)) }
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
