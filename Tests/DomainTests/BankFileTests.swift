import Foundation
import Testing
@testable import Domain

/// Bank file formats are data: both shipped formats write a file the reader takes back, with the count and total
/// in the header and trailer; widths are bytes of the encoding; a return file is read line by line, naming the row
/// and field of anything it cannot read.
@Suite struct BankFileTests {
    static let formats = try! BankFileFormats.bundled()

    static func lines() -> [BankPaymentLine] {
        [BankPaymentLine(sequence: 1, account: "6230 1234 5678 9012 345".replacingOccurrences(of: " ", with: ""), accountName: "张三", amountCents: 117_000,
                         reference: "P0000000000000000001", memo: "城乡低保 2026年12月"),
         BankPaymentLine(sequence: 2, account: "6228480012345678", accountName: "欧阳, \"小\"明", amountCents: 64_161, reference: "P0000000000000000002",
                         memo: "城乡低保 2026年12月（含补发）")]
    }

    @Test func everyShippedFormatLoads() {
        #expect(Set(Self.formats.all.keys) == ["fixed-gb18030", "csv-utf8"])
    }

    @Test(arguments: ["fixed-gb18030", "csv-utf8"])
    func aPaymentFileReadsBackAsItsReturn(code: String) throws {
        let format = try #require(Self.formats[code])
        let w = BankFileWriter(format)
        var file = Data()
        let total = Self.lines().reduce(0) { $0 + $1.amountCents }
        file.append(try #require(try w.header(batch: "120104-DB-2026-12", date: try LocalDate("2026-12-07"), count: 2, totalCents: total)))
        for l in Self.lines() { file.append(try w.detail(l)) }
        file.append(try #require(try w.trailer(batch: "120104-DB-2026-12", date: try LocalDate("2026-12-07"), count: 2, totalCents: total)))
        let rows = file.split(separator: 0x0A).map { Data($0.last == 0x0D ? $0.dropLast() : $0) }
        #expect(rows.count == 4)
        if format.layout == .fixed {
            // widths are bytes of GB 18030: every detail line is the same length whatever its Chinese
            let widths = Set(rows[1...2].map(\.count))
            #expect(widths.count == 1 && widths.first == format.payment.detail.reduce(0) { $0 + ($1.width ?? 0) })
            #expect(String(data: rows[1], encoding: FeedEncoding.gb18030Encoding)?.contains("张三") == true)
            #expect(String(data: rows[0], encoding: .utf8)?.hasSuffix("00000002" + "0000000000181161") == true)
        } else {
            #expect(String(decoding: rows[2], as: UTF8.self).contains("\"欧阳, \"\"小\"\"明\""))
            #expect(String(decoding: rows[3], as: UTF8.self) == "合计,2,1811.61")
        }
        // The payment file's records read back through the return spec's reader where the layouts share fields.
        let r = BankReturnReader(format, file: "return.txt")
        if case .header(let count, let t) = try r.record(rows[0], row: 1) { #expect(count == 2 && t == total) } else { Issue.record("header") }
        if case .trailer(let count, let t) = try r.record(rows[3], row: 4) { #expect(count == 2 && t == total) } else { Issue.record("trailer") }
    }

    /// The table that encodes names gives the converter's bytes for every ideograph it holds, and leaves to the
    /// converter what it does not (an ideograph GB 18030 codes in four bytes, a middle dot, a rare character).
    @Test func namesEncodeAsTheConverterDoes() throws {
        for v in GB18030Names.first...GB18030Names.last {
            let s = String(UnicodeScalar(v)!)
            let converter = try #require(s.data(using: FeedEncoding.gb18030Encoding))
            if let fast = GB18030Names.encode(s) { #expect(fast == converter, "U+\(String(v, radix: 16))") } else { #expect(converter.count == 4) }
        }
        #expect(GB18030Names.encode("欧阳 Ming 小明") == "欧阳 Ming 小明".data(using: FeedEncoding.gb18030Encoding))
        #expect(GB18030Names.encode("阿卜杜·热合曼") == nil && GB18030Names.encode("𠀀") == nil && GB18030Names.encode("\u{9FA6}") == nil)
        // the writer still writes those through the converter
        let format = try #require(Self.formats["fixed-gb18030"])
        var l = Self.lines()[0]
        l.accountName = "阿卜杜·热合曼"
        let row = try BankFileWriter(format).detail(l)
        #expect(String(data: row, encoding: FeedEncoding.gb18030Encoding)?.contains("阿卜杜·热合曼") == true)
    }

    @Test func aNameTooLongForTheBankIsRefusedAndAMemoIsCut() throws {
        let format = try #require(Self.formats["fixed-gb18030"])
        var l = Self.lines()[0]
        l.accountName = String(repeating: "名", count: 21)   // 42 bytes in 40
        #expect(throws: BankFileError.tooWide(line: 1, field: "accountName", width: 40)) { try BankFileWriter(format).detail(l) }
        l.accountName = "张三"
        l.memo = String(repeating: "备注", count: 30)
        let d = try BankFileWriter(format).detail(l)
        #expect(d.count == format.payment.detail.reduce(0) { $0 + ($1.width ?? 0) } + 2)
        #expect(BankFileError.tooWide(line: 1, field: "accountName", width: 40).chinese.contains("第 1 行"))
    }

    /// A detail line is its fields in the format's order, each written as the converter writes it: padded to its width
    /// in bytes (before a number aligned right), a memo too long cut at a character, a CSV cell quoted where it must be.
    /// Checked against that plain reading of the format for names in and outside the ideograph table, amounts and
    /// sequence numbers of every length, and memos cut inside ASCII and inside Chinese.
    @Test(arguments: ["fixed-gb18030", "csv-utf8"])
    func aDetailLineIsItsFieldsAsTheConverterWritesThem(code: String) throws {
        let format = try #require(Self.formats[code])
        let encoding = format.encoding == .gb18030 ? FeedEncoding.gb18030Encoding : String.Encoding.utf8
        func expected(_ l: BankPaymentLine) throws -> Data {
            let values: [BankField: String] = [.sequence: String(l.sequence), .account: l.account, .accountName: l.accountName,
                                               .amount: format.amountUnit == .cents ? String(l.amountCents) : Cents(l.amountCents).plainYuan,
                                               .reference: l.reference, .memo: l.memo]
            var out = Data()
            for (i, f) in format.payment.detail.enumerated() {
                let text = f.field == .literal ? try #require(f.value) : values[f.field] ?? ""
                if format.layout == .csv {
                    if i > 0 { out.append(contentsOf: (format.delimiter ?? ",").utf8) }
                    let quoted = text.contains(format.delimiter ?? ",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
                    out.append(try #require(quoted.data(using: encoding)))
                    continue
                }
                let width = try #require(f.width)
                var bytes = try #require(text.data(using: encoding))
                if bytes.count > width {
                    var cut = ""
                    for ch in text where (cut + String(ch)).data(using: encoding)!.count <= width { cut += String(ch) }
                    bytes = try #require(cut.data(using: encoding))
                }
                let pad = Data(repeating: (f.pad ?? " ").utf8.first!, count: width - bytes.count)
                out.append(f.align == "right" ? pad + bytes : bytes + pad)
            }
            out.append(contentsOf: (format.lineEnding ?? "\r\n").utf8)
            return out
        }
        let names = ["张三", "欧阳 Ming 小明", "阿卜杜·热合曼", "𠀀明", "Li", "欧阳, \"小\"明", ""]
        let memos = ["城乡低保 2026年12月", "城乡低保 2026年12月（含补发）", String(repeating: "备注", count: 30), "临时救助 " + String(repeating: "a", count: 40),
                     "x" + String(repeating: "救", count: 25)]
        let writer = BankFileWriter(format)
        var all: [UInt8] = [], wanted = Data()
        for (i, name) in names.enumerated() {
            for (j, memo) in memos.enumerated() {
                let sequence = [1, 9, 12_345_678][(i + j) % 3]
                let l = BankPaymentLine(sequence: sequence, account: String(repeating: "6", count: 16 + j), accountName: name,
                                        amountCents: [0, 1, 64_161, 99_999_999][(i * 5 + j) % 4], reference: "P\(i)\(j)", memo: memo)
                let want = try expected(l)
                #expect(try writer.detail(l) == want, "\(name) \(memo)")
                // The same memo a second time comes from the writer's cache, the same bytes.
                #expect(try writer.detail(l) == want)
                try writer.appendDetail(l, to: &all)
                wanted.append(want)
            }
        }
        #expect(Data(all) == wanted)
    }

    @Test func aReturnLineSaysPaidOrFailedAndItsReason() throws {
        let csv = try #require(Self.formats["csv-utf8"])
        let r = BankReturnReader(csv, file: "回盘.csv")
        #expect(try r.record(Data("明细,P1,6228,1170.00,S,".utf8), row: 2)
                == .detail(BankReturnLine(row: 2, reference: "P1", amountCents: 117_000, paid: true, result: "S", reason: "")))
        #expect(try r.record(Data("明细,P2,6228,641.61,F,账户已销户".utf8), row: 3)
                == .detail(BankReturnLine(row: 3, reference: "P2", amountCents: 64_161, paid: false, result: "F", reason: "账户已销户")))
        #expect(try r.record(Data("  ".utf8), row: 4) == .blank)
        #expect(throws: BankFileError.malformed(file: "回盘.csv", row: 5, field: "金额", reason: "「1,170.0x」不是金额")) {
            try r.record(Data("明细,P1,6228,\"1,170.0x\",S,".utf8), row: 5)
        }
        #expect(throws: BankFileError.malformed(file: "回盘.csv", row: 6, field: "记录类型", reason: "不是表头、明细或表尾")) {
            try r.record(Data("其他,P1".utf8), row: 6)
        }
        let fixed = try #require(Self.formats["fixed-gb18030"])
        #expect(throws: BankFileError.malformed(file: "r.txt", row: 2, field: "整行", reason: "不是 GB 18030 编码")) {
            try BankReturnReader(fixed, file: "r.txt").record(Data([0x44, 0xFF, 0xFF, 0xFF]), row: 2)
        }
        #expect(BankFileError.totalsDiffer(file: "r.txt", what: "合计金额", declared: 100, found: 150).chinese.contains("相差 ¥0.50"))
    }

    @Test func aBrokenFormatIsRefusedWhenLoaded() {
        let json = #"{"formats": [{"code": "x", "name": "x", "layout": "fixed", "encoding": "utf8", "amountUnit": "cents", "payment": {"detail": [{"field": "account"}]}, "returns": {"detail": [{"field": "reference", "width": 1}]}, "paidCodes": ["0"]}]}"#
        #expect { try BankFileFormats(json: Data(json.utf8), file: "f.json") } throws: { ($0 as? DomainError)?.chinese.contains("宽度") ?? false }
    }
}
