import Domain
import Foundation
import Testing
@testable import Store

/// Every CSV the product writes opens in Excel as written: an ID number stays whole, a department's name that is a
/// formula stays text, a plain number stays a number.
@Suite struct CSVWriterTests {
    @Test func longDigitsStayWholeAndFormulasStayText() {
        // 18 and 12 digits: as a bare number Excel would show 1.20104E+17 and keep 15 digits
        #expect(CSVWriter.field("120104195803014012") == #""=""120104195803014012""""#)
        #expect(CSVWriter.field("120104001000") == #""=""120104001000""""#)
        // an ID ending in X is text to Excel already; short numbers stay numbers, negative amounts too
        #expect(CSVWriter.field("11010519491231002X") == "11010519491231002X")
        #expect(CSVWriter.field("12345678901") == "12345678901" && CSVWriter.field("-12.50") == "-12.50" && CSVWriter.field("+3") == "+3")
        // what Excel would run as a formula gets an apostrophe first
        for hostile in ["=HYPERLINK(\"http://x\",\"点我\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"] {
            let f = CSVWriter.field(hostile)
            #expect(f.hasPrefix("'") || f.hasPrefix("\"'"), "\(hostile) → \(f)")
        }
        #expect(CSVWriter.field("张三") == "张三" && CSVWriter.field("a,b") == "\"a,b\"" && CSVWriter.field("说\"好\"") == "\"说\"\"好\"\"\"")
        #expect(CSVWriter.line(["120104195803014012", "=1+1", "张三"]) == "\"=\"\"120104195803014012\"\"\",'=1+1,张三\r\n")
    }

    /// What we write, our importer reads back as it was: a list exported, corrected and sent back keeps its ID numbers.
    @Test func whatIsWrittenReadsBackTheSame() throws {
        let rows = [["身份证号", "姓名", "金额", "备注"], ["120104196105040777", "王芳", "-12.50", "=HYPERLINK(\"x\")"],
                    ["12010419610504077X", "李, 四", "3", "=\"ABC\""], ["123456789012", "", "0", "说\"明\""]]
        let path = NSTemporaryDirectory() + "jiuzhu-roundtrip-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(rows.map(CSVWriter.line).joined().utf8).write(to: URL(fileURLWithPath: path))
        var reader = try CSVReader(path: path, encoding: .utf8)
        var read: [[String]] = []
        while let row = reader.next() { read.append(row.fields) }
        // the ID numbers come back whole; formula-like text keeps the apostrophe that kept it text in Excel
        #expect(read[1][0] == "120104196105040777" && read[3][0] == "123456789012")
        #expect(read[2][0] == "12010419610504077X" && read[2][1] == "李, 四" && read[3][3] == "说\"明\"")
        #expect(read[1][3] == "'=HYPERLINK(\"x\")" && read[2][3] == "'=\"ABC\"", "a formula other than our digits is never unwrapped")
        #expect(CSVReader.unwrapExcelText("=\"120104196105040777\"") == "120104196105040777")
        #expect(CSVReader.unwrapExcelText("=\"1+1\"") == "=\"1+1\"")
    }
}
