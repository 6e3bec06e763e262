import Foundation
import Testing
import ZIPFoundation
@testable import Domain

/// A hostile workbook is a clear error, never a crash or gigabytes: a zip bomb, a part bigger than its limit, a
/// column reference too long for the arithmetic or beyond Excel's columns, a row beyond Excel's rows, more cells than
/// allowed, sizes the archive lies about, and random damage to a real workbook.
@Suite struct XLSXSafetyTests {
    static let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("feeds/samples/real-estate.xlsx")

    /// A workbook whose first sheet is `sheet` (given in chunks, so a bomb is never whole in memory).
    static func workbook(name: String = "book.xlsx", sheetSize: Int, chunk: Int = 1 << 16,
                         sheet: @escaping (_ position: Int, _ size: Int) -> Data) throws -> String {
        let dir = NSTemporaryDirectory() + "jiuzhu-xlsx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(sheetSize), compressionMethod: .deflate,
                             bufferSize: chunk) { position, size in sheet(Int(position), size) }
        return path
    }

    static func workbook(xml: String, name: String = "book.xlsx") throws -> String {
        let bytes = Data(xml.utf8)
        return try workbook(name: name, sheetSize: bytes.count) { p, n in bytes.subdata(in: p..<(p + n)) }
    }

    static func sheetXML(_ rows: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
            + rows + "</sheetData></worksheet>"
    }

    static func reason(_ path: String, limits: XLSXLimits = .excel) -> String? {
        do {
            _ = try XLSXReader.rows(path: path, limits: limits)
            return nil
        } catch {
            return error.chinese
        }
    }

    /// Resident memory of this process, in bytes.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8), let pages = Int(text.split(separator: " ")[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test func aZipBombStopsAtTheRatioWithFlatMemory() throws {
        // 64 MB of one repeated cell inflates from some 64 KB (the reader stops after its first megabyte or so)
        let row = Data(#"<row><c t="inlineStr"><is><t>x</t></is></c></row>"#.utf8)
        let chunk = Data((0..<(1 << 20) / row.count).flatMap { _ in row })
        let size = 64 * chunk.count
        let path = try Self.workbook(name: "炸弹.xlsx", sheetSize: size, chunk: chunk.count) { p, n in chunk.prefix(n) }
        let fileSize = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(fileSize < 1 << 20)
        let before = Self.residentBytes()
        let why = try #require(Self.reason(path))
        #expect(why.contains("炸弹.xlsx") && why.contains("压缩比超过"), "\(why) (\(fileSize) bytes)")
        // The message is the exact check (it stopped at the ratio, after its first megabyte). The process's memory is a rough
        // one: other suites run alongside and move it by tens of megabytes, so the bound is loose, well under what reading
        // the whole part and its rows would take.
        #expect(Self.residentBytes() - before < 256 << 20, "memory grew by \((Self.residentBytes() - before) >> 20) MB")
    }

    @Test func aPartPastItsByteLimitIsRefused() throws {
        let path = try Self.workbook(xml: Self.sheetXML((0..<40_000).map { #"<row><c t="inlineStr"><is><t>示例\#($0 * 7919 % 100_003)</t></is></c><c><v>\#($0)</v></c></row>"# }.joined()))
        var limits = XLSXLimits()
        limits.maxPartBytes = 1 << 20
        limits.maxRatio = 1_000_000
        #expect(Self.reason(path, limits: limits)?.contains("解压后超过 1 MB") == true)
        #expect(Self.reason(path) == nil)
    }

    @Test func columnReferencesAreBoundedNotOverflowed() throws {
        // a reference long enough to overflow an Int, a seven-letter one that would ask for gigabytes, one past XFD
        for reference in [String(repeating: "Z", count: 40) + "1", "ZZZZZZZ1", "XFE1"] {
            let path = try Self.workbook(xml: Self.sheetXML(#"<row r="1"><c r="\#(reference)" t="inlineStr"><is><t>a</t></is></c></row>"#))
            #expect(Self.reason(path)?.contains("列上限") == true, "\(reference)")
        }
        for reference in ["1A", "a1", "A-1", ""] {
            let path = try Self.workbook(xml: Self.sheetXML(#"<row r="1"><c r="\#(reference)" t="inlineStr"><is><t>a</t></is></c></row>"#))
            #expect(Self.reason(path)?.contains("单元格引用") == true, "\(reference)")
        }
        // the last column Excel has is read
        let last = try Self.workbook(xml: Self.sheetXML(#"<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="XFD1" t="inlineStr"><is><t>z</t></is></c></row>"#))
        let rows = try XLSXReader.rows(path: last)
        #expect(rows.first?.fields.count == 16_384 && rows.first?.fields.last == "z")
    }

    @Test func rowsAndCellsAreBounded() throws {
        let far = try Self.workbook(xml: Self.sheetXML(#"<row r="1048577"><c r="A1048577"><v>1</v></c></row>"#))
        #expect(Self.reason(far)?.contains("1048576 行上限") == true)
        let backwards = try Self.workbook(xml: Self.sheetXML(#"<row r="5"><c><v>1</v></c></row><row r="2"><c><v>1</v></c></row>"#))
        #expect(Self.reason(backwards)?.contains("单元格引用") == true)
        let many = try Self.workbook(xml: Self.sheetXML(String(repeating: "<row><c><v>1</v></c><c><v>2</v></c></row>", count: 600)))
        var limits = XLSXLimits()
        limits.maxCells = 1_000
        #expect(Self.reason(many, limits: limits)?.contains("单元格超过 1000 个") == true)
        #expect(try XLSXReader.rows(path: many).count == 600)
    }

    /// The sizes in the archive's directory are not believed: a part that says it is 10 bytes is read for what it is.
    @Test func aDeclaredSizeIsNotTrusted() throws {
        let path = try Self.workbook(xml: Self.sheetXML(String(repeating: "<row><c><v>7</v></c></row>", count: 100)))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // the central directory's and the local header's uncompressed size
        for signature in [[0x50, 0x4B, 0x01, 0x02] as [UInt8], [0x50, 0x4B, 0x03, 0x04]] {
            let at = try #require(bytes.firstRange(of: Data(signature))).lowerBound
            let offset = signature[2] == 1 ? 24 : 22
            for i in 0..<4 { bytes[at + offset + i] = i == 0 ? 10 : 0 }
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            #expect(try XLSXReader.rows(path: path).count == 100)
        } catch {
            #expect(error.chinese.contains("book.xlsx"))
        }
    }

    /// A part whose stream does not end within its bytes (a truncated or crafted part) is refused, not read for ever:
    /// ZIPFoundation's own extraction would ask for more at the end of the file again and again.
    @Test func aStreamThatNeverEndsIsRefusedNotWaitedFor() throws {
        let path = try Self.workbook(xml: Self.sheetXML((0..<2_000).map { "<row><c><v>\($0 * 7919 % 10_007)</v></c></row>" }.joined()))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let directory = try #require(bytes.firstRange(of: Data([0x50, 0x4B, 0x01, 0x02]))).lowerBound
        let size = (0..<4).reduce(0) { $0 | Int(bytes[directory + 20 + $1]) << (8 * $1) }
        for i in 0..<4 { bytes[directory + 20 + i] = UInt8(truncatingIfNeeded: (size / 2) >> (8 * i)) }
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(Self.reason(path)?.contains("不是有效的 ZIP 压缩包") == true)
        // cut short: the end of the file comes inside the part
        let cut = try Self.workbook(xml: Self.sheetXML((0..<2_000).map { "<row><c><v>\($0)</v></c></row>" }.joined()))
        let whole = try Data(contentsOf: URL(fileURLWithPath: cut))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: cut))
        #expect(Self.reason(cut) != nil)
    }

    /// Random damage to a real workbook: every outcome is its rows or an error naming the file.
    @Test func randomDamageToARealWorkbookIsAnErrorNeverACrash() throws {
        let original = try Data(contentsOf: Self.sample)
        var rng = SeededGenerator(seed: 2026)
        let dir = NSTemporaryDirectory() + "jiuzhu-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var read = 0, refused = 0
        for round in 0..<400 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] = round % 3 == 0 ? 0xFF : UInt8.random(in: 0...255, using: &rng)
            }
            if round % 10 == 0 { bytes = bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)) }
            let path = dir + "/损坏\(round).xlsx"
            try bytes.write(to: URL(fileURLWithPath: path))
            do {
                _ = try XLSXReader.rows(path: path)
                read += 1
            } catch {
                #expect(error.chinese.contains("损坏\(round).xlsx"))
                refused += 1
            }
        }
        #expect(read + refused == 400 && refused > 0)
    }
}

/// A small deterministic generator (SplitMix64), so a failing round can be run again.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
