@testable import Domain
import Foundation
@testable import Store
import Testing

/// The hand-built score JSON is byte for byte what JSONEncoder (sorted keys) writes, and reads back the same.
@Suite struct ScoreJSONTests {
    @Test func matchesTheEncoder() throws {
        let score = HardshipScore(total: 42, maximum: 100, byDimension: [.health: 20, .assets: 7, .lifeEvents: 15], contributions: [
            .init(code: "H-01", name: "大病\"自付\"\\高", dimension: .health, points: 20),
            .init(code: "L-02", name: "主要劳动力死亡\n", dimension: .lifeEvents, points: 15),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let dims = Dictionary(uniqueKeysWithValues: score.byDimension.map { ($0.key.rawValue, $0.value) })
        #expect(ScoreJSON.dimensions(score) == String(decoding: try encoder.encode(dims), as: UTF8.self))
        let decoded = try JSONDecoder().decode([HardshipScore.Contribution].self, from: Data(ScoreJSON.contributions(score).utf8))
        #expect(decoded == score.contributions)
        #expect(ScoreJSON.contributions(HardshipScore.zero) == "[]")
        #expect(ScoreJSON.dimensions(HardshipScore.zero) == "{}")
    }

    /// The hand-built evidence JSON reads back as the same evidence, including quotes, backslashes, slashes,
    /// control characters and absent fields, and has JSONEncoder's sorted keys.
    @Test func evidenceReadsBack() throws {
        let evidence = [
            Evidence(text: "张三：医疗自付 1,234.50元（\"住院\"\\门诊/急诊\n）", department: .medicalInsurance, date: try LocalDate("2026-03-04"),
                     reference: "medical#12 A/B", factID: UUID().uuidString, key: "fact:1|123450|2026-03-04|"),
            Evidence(text: "综合困难评分 60", key: "score:60"),
            Evidence(text: "\u{1}\t"),
        ]
        let json = EvidenceJSON.encode(evidence)
        #expect(try JSONDecoder().decode([Evidence].self, from: Data(json.utf8)) == evidence)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(json == String(decoding: try encoder.encode(evidence), as: UTF8.self))
        #expect(EvidenceJSON.encode([]) == "[]")
    }

    /// Bulk rows' JSON: every kind of character a value may hold comes back as it went in, and plain runs are copied as they are.
    @Test func bulkRowsReadBack() throws {
        let texts = ["", "plain", "引号\"里\"有\\反斜杠", "{\"a\":[1,\"b\"]}", "行一\n行二\r\t\u{1}\u{1f}末", "\u{1F600}表情\"", "\\"]
        let rows: [[BulkJSON.Value]] = texts.map { [.text($0), .int(-42), .null] }
        let json = BulkJSON.encode(rows)
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]])
        #expect(decoded.map { $0[0] as? String } == texts)
        #expect(decoded.allSatisfy { ($0[1] as? Int) == -42 && $0[2] is NSNull })
        var out = ""
        BulkJSON.appendQuoted("a\"b", to: &out)
        #expect(out == #""a\"b""#)
    }
}

/// The hand-written timestamp is exactly what Foundation's ISO 8601 formatter writes, and reads back.
@Suite struct TimestampTests {
    @Test func matchesTheFormatter() {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var rng = SystemRandomNumberGenerator()
        var dates = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 951_782_400.999), Date(timeIntervalSince1970: 1_764_633_212.1239),
                     Date(timeIntervalSince1970: 4_107_542_399.5), Date(timeIntervalSince1970: 1_709_164_800)]
        for _ in 0..<3_000 { dates.append(Date(timeIntervalSince1970: Double(rng.next() % 4_000_000_000_000) / 1_000 + Double(rng.next() % 1_000) / 1_000_000)) }
        for d in dates {
            #expect(Timestamp.text(d) == f.string(from: d), "\(d.timeIntervalSince1970)")
        }
        #expect(Timestamp.date(Timestamp.text(dates[2])).map { Int($0.timeIntervalSince1970 * 1_000) } == 1_764_633_212_124, "rounded to the nearest millisecond, as Foundation does")
    }
}
