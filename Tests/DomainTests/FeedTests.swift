import Foundation
import Testing
@testable import Domain

@Suite struct FeedTests {
    static func write(_ text: String, encoding: String.Encoding = .utf8, name: String = "feed.csv") throws -> String {
        let dir = NSTemporaryDirectory() + "jiuzhu-feed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try text.data(using: encoding)!.write(to: URL(fileURLWithPath: path))
        return path
    }

    static func parse(_ specName: String, _ csv: String, encoding: String.Encoding = .utf8) throws -> (records: [FeedRecord], issues: [ImportIssue]) {
        let spec = try #require(try FeedCatalogue.bundled()[specName])
        let path = try write(csv, encoding: encoding)
        var reader = try CSVReader(path: path, encoding: spec.encoding)
        guard let header = reader.next() else { throw FeedError.unreadable(file: path, reason: "empty") }
        let parser = try FeedParser(spec: spec, header: header.fields, file: "feed.csv")
        var records: [FeedRecord] = []
        var issues: [ImportIssue] = []
        while let row = reader.next() {
            switch parser.parse(row, knownRegion: { $0.value.hasPrefix("12") }) {
            case .success(let r): records.append(r)
            case .failure(let e): issues += e.issues
            }
        }
        return (records, issues)
    }

    @Test func everyShippedSpecIsValid() throws {
        let specs = try FeedCatalogue.bundled()
        #expect(specs.count >= 12)
        let departments = Set(specs.values.map(\.department))
        for d in [Department.publicSecurity, .funeral, .humanResources, .medicalInsurance, .disabledFederation, .education, .realEstate, .vehicles, .marketRegulation, .tax] {
            #expect(departments.contains(d), "no feed for \(d)")
        }
    }

    @Test func readsAGB18030FileAsExcelSavesIt() throws {
        let csv = "身份证号,姓名,结算日期,个人自付金额,结算单号\r\n11010519491231002x,王伟,2025-03-01,\"1,234.50\",JS001\r\n"
        let (records, issues) = try Self.parse("medical-insurance-claims", csv, encoding: FeedEncoding.gb18030Encoding)
        #expect(issues.isEmpty)
        #expect(records.count == 1)
        #expect(records[0].name == "王伟")
        #expect(records[0].nationalID?.value == "11010519491231002X")
        #expect(records[0].amount == Cents(123_450))
        #expect(records[0].naturalKey == "JS001")
        #expect(records[0].row == 2)
    }

    /// Excel's "Unicode 文本" is UTF-16 (little-endian, with a byte-order mark) and separated by tabs: read, not
    /// refused as "missing columns". Big-endian too, and a character outside the BMP across a chunk boundary.
    @Test func readsUTF16TabSeparatedTextAsExcelSavesIt() throws {
        let text = "身份证号\t姓名\t结算日期\t个人自付金额\t结算单号\r\n11010519491231002x\t王𠮷伟\t2025-03-01\t1234.50\tJS001\r\n"
        for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian] {
            let bom: [UInt8] = encoding == .utf16LittleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
            let path = try Self.write("", name: "unicode.txt")
            try Data(bom + [UInt8](text.data(using: encoding)!)).write(to: URL(fileURLWithPath: path))
            let spec = try #require(try FeedCatalogue.bundled()["medical-insurance-claims"])
            var reader = try CSVReader(path: path, encoding: spec.encoding)
            let first = reader.next()
            let header = try #require(first)
            #expect(header.fields == ["身份证号", "姓名", "结算日期", "个人自付金额", "结算单号"])
            let parser = try FeedParser(spec: spec, header: header.fields, file: "unicode.txt")
            let second = reader.next()
            guard case .success(let r) = parser.parse(try #require(second), knownRegion: { _ in true }) else { Issue.record("row refused"); continue }
            #expect(r.name == "王𠮷伟" && r.amount == Cents(123_450) && r.naturalKey == "JS001")
            #expect(reader.next() == nil)
        }
        // A surrogate pair split across the reader's chunk boundary survives.
        let long = "身份证号\t姓名\r\n" + String(repeating: "甲", count: (CSVReader.chunk - 20) / 2) + "𠮷\t乙\r\n"
        let path = try Self.write("", name: "long.txt")
        try Data([0xFF, 0xFE] + [UInt8](long.data(using: .utf16LittleEndian)!)).write(to: URL(fileURLWithPath: path))
        var reader = try CSVReader(path: path, encoding: .auto)
        _ = reader.next()
        let next = reader.next()
        let row = try #require(next)
        #expect(row.fields.count == 2 && row.fields[0].hasSuffix("甲𠮷") && row.fields[1] == "乙" && reader.undecodable == nil)
    }

    @Test func everyBadValueIsNamedByRowAndColumn() throws {
        let csv = """
        身份证号,姓名,结算日期,个人自付金额,结算单号,参保地区划
        110105194912310023,甲,2025-03-01,10,A1,120104000000
        11010519491231002X,乙,2025-02-31,10,A2,120104000000
        11010519491231002X,丙,2025-03-01,-5,A3,120104000000
        11010519491231002X,丁,2025-03-01,5,A4,990000000000
        11010519491231002X,,2025-03-01,5,A5,
        """
        let (records, issues) = try Self.parse("medical-insurance-claims", csv)
        // A bad check character in a feed with a linkage model is reported, and the row goes on to
        // probabilistic linkage (the number may carry one mistyped digit)…
        #expect(records.count == 1)
        #expect(records.first?.nationalID == nil && records.first?.typedID == "110105194912310023")
        #expect(records.first?.idIssue?.message.contains("应为「X」") == true)
        #expect(records.first?.idIssue?.chinese.hasPrefix("feed.csv 第2行「身份证号」") == true)
        #expect(issues.contains { $0.row == 3 && $0.column == "结算日期" && $0.message.contains("2025-02-31") })
        #expect(issues.contains { $0.row == 4 && $0.column == "个人自付金额" && $0.message.contains("不能为负数") })
        #expect(issues.contains { $0.row == 5 && $0.column == "参保地区划" && $0.message.contains("未知的行政区划代码") })
        #expect(issues.contains { $0.row == 6 && $0.column == "姓名" && $0.message == "不能为空" })
        #expect(issues.first?.chinese.hasPrefix("feed.csv 第3行「结算日期」") == true)
    }

    @Test func withoutALinkageModelABadIDRefusesTheRow() throws {
        // …while a feed without one refuses it, and so does any feed when there is no name to go on.
        var spec = try #require(try FeedCatalogue.bundled()["medical-insurance-claims"])
        spec.linkage = nil
        let header = ["身份证号", "姓名", "结算日期", "个人自付金额", "结算单号"]
        let parser = try FeedParser(spec: spec, header: header, file: "feed.csv")
        let bad = CSVReader.Row(number: 2, fields: ["110105194912310023", "甲", "2025-03-01", "10", "A1"])
        guard case .failure(let e) = parser.parse(bad, knownRegion: { _ in true }) else { Issue.record("accepted"); return }
        #expect(e.issues.first?.message.contains("应为「X」") == true)
        let linking = try FeedParser(spec: try #require(try FeedCatalogue.bundled()["medical-insurance-claims"]), header: header, file: "feed.csv")
        let nameless = CSVReader.Row(number: 2, fields: ["110105194912310023", "", "2025-03-01", "10", "A1"])
        guard case .failure(let f) = linking.parse(nameless, knownRegion: { _ in true }) else { Issue.record("accepted"); return }
        #expect(f.issues.contains { $0.column == "身份证号" && $0.message.contains("无法识别此人") })
    }

    @Test func aMissingColumnStopsTheFileBeforeAnyRow() throws {
        let spec = try #require(try FeedCatalogue.bundled()["medical-insurance-claims"])
        #expect(throws: FeedError.missingColumns(file: "x.csv", columns: ["个人自付金额"])) {
            try FeedParser(spec: spec, header: ["身份证号", "姓名", "结算日期", "结算单号"], file: "x.csv")
        }
    }

    /// The rules count pensions differently [TK 6–7], so the pension file says which each is; a file from before the
    /// column existed still reads, as unspecified pensions (counted).
    @Test func pensionKindsAreToldApart() throws {
        let csv = "身份证号,姓名,养老金类别,月养老金,发放起始\n"
            + "120104195203141315,甲,被征地农民养老保障金,2600.00,2015-09-01\n"
            + "120104195203141315,甲,城乡居民养老保险,310.00,2016-09-01\n"
            + "120104195203141315,甲,,1000.00,2017-09-01\n"
            + "120104195203141315,甲,商业年金,800.00,2018-09-01\n"
        let (records, issues) = try Self.parse("hr-pension", csv)
        #expect(records.map(\.kind) == [.landLossPension, .residentPension, .pension])
        #expect(issues.count == 1)
        #expect(issues.first?.row == 5 && issues.first?.column == "养老金类别")
        #expect(issues.first?.message.contains("职工基本养老金") == true)
        let old = try Self.parse("hr-pension", "身份证号,姓名,月养老金,发放起始\n120104195203141315,甲,2350.00,2020-01-01\n")
        #expect(old.issues.isEmpty && old.records.map(\.kind) == [.pension])
        // A spec without a default kind still needs its kind column.
        let hukou = try #require(try FeedCatalogue.bundled()["public-security-hukou"])
        #expect(throws: FeedError.missingColumns(file: "x.csv", columns: ["变动类型"])) {
            try FeedParser(spec: hukou, header: ["公民身份号码", "姓名", "变动日期", "业务流水号"], file: "x.csv")
        }
    }

    @Test func quotedFieldsBlankLinesAndAByteOrderMark() throws {
        let csv = "\u{FEFF}公民身份号码,姓名,变动类型,变动日期,业务流水号\n\n\"11010519491231002X\",\"张\"\"三\",死亡注销,2025/3/1,\"L-1,2\"\n"
        let (records, issues) = try Self.parse("public-security-hukou", csv)
        #expect(issues.isEmpty)
        #expect(records.first?.kind == .death)
        #expect(records.first?.name == "张\"三")
        #expect(records.first?.naturalKey == "L-1,2")
        #expect(records.first?.date == (try LocalDate("2025-03-01")))
        #expect(records.first?.row == 3) // the blank line still counts
    }

    @Test func detectsTheEncoding() throws {
        let text = "身份证号,姓名\n11010519491231002X,王伟\n"
        #expect(CSVReader.detect(path: try Self.write(text)) == .utf8)
        #expect(CSVReader.detect(path: try Self.write(text, encoding: FeedEncoding.gb18030Encoding)) == FeedEncoding.gb18030Encoding)
    }

    @Test func detectsUTF8WhenTheSampleEndsInsideACharacter() throws {
        // setup: the 1 MiB sample ends one byte into 勇, right after the complete 石 — the case where
        // trimming every high byte would leave 石's lead byte alone and call the file GB 18030.
        let padding = String(repeating: "a", count: (1 << 20) - 4)
        let path = try Self.write(padding + "石勇\n")
        #expect(CSVReader.detect(path: path) == .utf8)
    }

    @Test func streamsLargeFilesRowByRow() throws {
        // setup: more rows than fit in one read chunk
        var csv = "身份证号,姓名,结算日期,个人自付金额,结算单号\n"
        for i in 0..<60_000 { csv += "11010519491231002X,王伟,2025-03-01,\(i).5,JS\(i)\n" }
        let (records, issues) = try Self.parse("medical-insurance-claims", csv)
        #expect(issues.isEmpty)
        #expect(records.count == 60_000)
        #expect(records.last?.naturalKey == "JS59999")
        #expect(records.last?.row == 60_001)
    }
}

@Suite struct FeedSampleTests {
    /// Every shipped spec has a sample file, and every sample parses cleanly with its spec.
    @Test func everySampleParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (name, spec) in try FeedCatalogue.bundled() {
            let path = root.appendingPathComponent("feeds/samples/\(name).\(spec.format.rawValue)").path
            #expect(FileManager.default.fileExists(atPath: path), "no sample for \(name)")
            var reader = try FeedRowReader(path: path, spec: spec)
            guard let header = reader.next() else { Issue.record("empty sample \(name)"); continue }
            let parser = try FeedParser(spec: spec, header: header.fields, file: name)
            var rows = 0
            while let row = reader.next() {
                rows += 1
                if case .failure(let e) = parser.parse(row, knownRegion: { _ in true }) { Issue.record("\(name): \(e.issues.map(\.chinese))") }
            }
            #expect(rows > 0, "\(name) has no rows")
        }
    }

    @Test func anExcelWorkbookReadsLikeACSV() throws {
        // The sample was written by Python's zipfile with DEFLATE, laid out as Excel does: shared strings,
        // dates as day numbers, an empty cell left out.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = try #require(try FeedCatalogue.bundled()["real-estate"])
        var reader = try FeedRowReader(path: root.appendingPathComponent("feeds/samples/real-estate.xlsx").path, spec: spec)
        #expect(reader.next()?.fields == ["权利人身份证号", "权利人", "登记日期", "评估价值", "不动产权证号"])
        let next = reader.next()
        let first = try #require(next)
        #expect(first.number == 2)
        #expect(first.fields == ["120103196809022423", "示例乙", "2026-06-30", "860000", "津(2026)示例不动产权第0001234号"])
        #expect(reader.next()?.fields[2...3] == ["2025-12-31", ""])
        #expect(reader.next() == nil)
    }

    @Test func aBrokenWorkbookIsNamedNotCrashedOn() throws {
        let path = try FeedTests.write("这不是压缩包", name: "坏.xlsx")
        let spec = try #require(try FeedCatalogue.bundled()["real-estate"])
        #expect { _ = try FeedRowReader(path: path, spec: spec) } throws: { e in
            (e as? FeedError)?.chinese.contains("无法读取文件 坏.xlsx") == true
        }
    }

    @Test func jsonLinesNameTheLineOfABadRecord() throws {
        let spec = try #require(try FeedCatalogue.bundled()["tax-income"])
        let path = try FeedTests.write("{\"纳税人识别号\": \"11010519491231002X\", \"姓名\": \"王伟\", \"所属年度起\": \"2025-01-01\", \"年度收入额\": 1200.5}\n[1, 2]\n", name: "tax.jsonl")
        var reader = try FeedRowReader(path: path, spec: spec)
        let header = reader.next(), line1 = reader.next(), line2 = reader.next()
        let parser = try FeedParser(spec: spec, header: try #require(header).fields, file: "tax.jsonl")
        guard case .success(let record) = parser.parse(try #require(line1), knownRegion: { _ in true }) else { Issue.record("line 1 refused"); return }
        #expect(record.amount == Cents(120_050) && record.row == 1)
        guard case .failure(let e) = parser.parse(try #require(line2), knownRegion: { _ in true }) else { Issue.record("line 2 accepted"); return }
        #expect(e.issues.first?.chinese == "tax.jsonl 第2行「整行」：不是有效的 JSON 对象")
    }
}
