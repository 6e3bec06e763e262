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
}
