import Foundation

/// Reads a CSV file as a stream of rows, a chunk at a time, so memory stays flat whatever the file's
/// size. Handles quoted fields, doubled quotes, CRLF and a UTF-8 byte-order mark. Splitting happens on
/// bytes: in UTF-8 and GB 18030 alike the bytes of `,` `"` and line breaks never occur inside a
/// multi-byte character, so fields are decoded only once cut out. A UTF-16 file (Excel's "Unicode 文本", which
/// is also tab-separated) is turned into UTF-8 as it is read, and a header with tabs and no commas splits on tabs.
public struct CSVReader: Sequence, IteratorProtocol {
    public struct Row: Sendable {
        /// 1 for the header line.
        public let number: Int
        public let fields: [String]
        /// Set when the line could not be read as a row at all (e.g. a JSON line that is not an object).
        public var problem: String? = nil
    }

    private let handle: FileHandle
    private let encoding: String.Encoding
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false
    private var rowNumber = 0
    public private(set) var undecodable: Int? = nil
    /// Whole lines, without CSV quoting or commas (for JSON lines).
    private var wholeLines = false
    /// Set for a file that starts with a UTF-16 byte-order mark: little-endian or not.
    private var utf16LittleEndian: Bool?
    /// Bytes of a UTF-16 chunk that end mid-character, kept for the next chunk.
    private var utf16Carry: [UInt8] = []
    private var separator: UInt8 = 0x2C
    static let chunk = 1 << 20

    /// Reads whole lines with the same streaming, encoding detection and numbering as CSV rows.
    public static func lines(path: String, encoding: FeedEncoding) throws(FeedError) -> CSVReader {
        var r = try CSVReader(path: path, encoding: encoding)
        r.wholeLines = true
        return r
    }

    public init(path: String, encoding: FeedEncoding) throws(FeedError) {
        guard let h = FileHandle(forReadingAtPath: path) else { throw .unreadable(file: path, reason: "文件不存在或无权读取") }
        handle = h
        // A byte-order mark says what the file is, whatever was expected of it.
        let head = [UInt8](h.readData(ofLength: 2))
        try? h.seek(toOffset: 0)
        if head == [0xFF, 0xFE] || head == [0xFE, 0xFF] {
            utf16LittleEndian = head == [0xFF, 0xFE]
            _ = h.readData(ofLength: 2)
            self.encoding = .utf8
        } else {
            switch encoding {
            case .utf8: self.encoding = .utf8
            case .gb18030: self.encoding = FeedEncoding.gb18030Encoding
            case .auto: self.encoding = Self.detect(path: path)
            }
        }
        fill()
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        // Tab-separated when the first line has tabs and no commas (what Excel writes as "Unicode 文本" or "文本").
        let firstLine = buffer[position...].prefix { $0 != 0x0A }
        if firstLine.contains(0x09) && !firstLine.contains(0x2C) { separator = 0x09 }
    }

    /// UTF-8 if the first megabyte is valid UTF-8 (or starts with a BOM), GB 18030 otherwise: Excel
    /// saves Chinese CSV files in the system code page.
    public static func detect(path: String) -> String.Encoding {
        guard let h = FileHandle(forReadingAtPath: path) else { return .utf8 }
        defer { try? h.close() }
        let sample = [UInt8](h.readData(ofLength: chunk))
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        // The sample may end inside a character: up to 3 bytes of it. Dropping every trailing byte above
        // 0x7F instead would also eat the complete character before it and leave a lone lead byte.
        for cut in 0...Swift.min(3, sample.count) where String(validating: sample.dropLast(cut), as: UTF8.self) != nil { return .utf8 }
        return FeedEncoding.gb18030Encoding
    }

    private mutating func fill() {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let data = handle.readData(ofLength: Self.chunk)
        if data.isEmpty {
            eof = true
            if !utf16Carry.isEmpty { buffer.append(contentsOf: Array("\u{FFFD}".utf8)); utf16Carry = []; undecodable = undecodable ?? rowNumber + 1 }
        } else if let little = utf16LittleEndian {
            buffer.append(contentsOf: transcodeUTF16(utf16Carry + [UInt8](data), littleEndian: little))
        } else {
            buffer.append(contentsOf: data)
        }
    }

    /// UTF-16 bytes as UTF-8; an odd byte or a high surrogate at the end waits for the next chunk.
    private mutating func transcodeUTF16(_ bytes: [UInt8], littleEndian: Bool) -> [UInt8] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var i = 0
        while i + 1 < bytes.count {
            units.append(littleEndian ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 2
        }
        var keep = Array(bytes[i...])
        if let last = units.last, (0xD800...0xDBFF).contains(last) {
            units.removeLast()
            keep = Array(bytes[(i - 2)...])
        }
        utf16Carry = keep
        return Array(String(decoding: units, as: UTF16.self).utf8)
    }

    public mutating func next() -> Row? {
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var sawAnything = false
        while true {
            if position >= buffer.count {
                if eof {
                    guard sawAnything || !field.isEmpty else { try? handle.close(); return nil }
                    fields.append(Self.unwrapExcelText(decode(field)))
                    rowNumber += 1
                    return Row(number: rowNumber, fields: fields)
                }
                fill()
                continue
            }
            let b = buffer[position]
            position += 1
            sawAnything = true
            if inQuotes && !wholeLines {
                if b == 0x22 {
                    if position >= buffer.count && !eof { fill() }
                    if position < buffer.count && buffer[position] == 0x22 { field.append(0x22); position += 1 } else { inQuotes = false }
                } else {
                    field.append(b)
                }
                continue
            }
            switch b {
            case 0x22 where field.isEmpty && !wholeLines: inQuotes = true
            case separator where !wholeLines:
                fields.append(Self.unwrapExcelText(decode(field)))
                field.removeAll(keepingCapacity: true)
            case 0x0A:
                if field.last == 0x0D { field.removeLast() }
                fields.append(Self.unwrapExcelText(decode(field)))
                rowNumber += 1
                // A blank line is skipped but still counted, so row numbers match what a person sees in an editor.
                if fields.count == 1 && fields[0].isEmpty { fields.removeAll(); field.removeAll(); sawAnything = false; continue }
                return Row(number: rowNumber, fields: fields)
            default: field.append(b)
            }
        }
    }

    /// A number our own exports wrote as `="…"` so that Excel keeps all its digits (`CSVWriter.field`), read back as
    /// the number: a list exported, corrected and sent back imports as it was. Only digits (and an ID's final X)
    /// are unwrapped; any other formula stays text, and is refused or kept as the feed's rules say.
    public static func unwrapExcelText(_ s: String) -> String {
        guard s.hasPrefix("=\""), s.hasSuffix("\""), s.count > 3 else { return s }
        let inner = s.dropFirst(2).dropLast()
        return inner.allSatisfy({ $0.isASCIIDigit || $0 == "X" || $0 == "x" }) ? String(inner) : s
    }

    private mutating func decode(_ bytes: [UInt8]) -> String {
        if encoding == .utf8 {
            if let s = String(validating: bytes, as: UTF8.self) { return s }
            if undecodable == nil { undecodable = rowNumber + 1 }
            return String(decoding: bytes, as: UTF8.self)
        }
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let s = String(data: Data(bytes), encoding: encoding) { return s }
        if undecodable == nil { undecodable = rowNumber + 1 }
        return String(decoding: bytes, as: UTF8.self)
    }

    public var detectedEncoding: String.Encoding { encoding }
}
