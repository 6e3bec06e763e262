import Foundation
import Testing
@testable import Domain

@Suite struct PolicyParameterTests {
    let tianjin = try! RegionCode("120000000000")
    let nankai = try! RegionCode("120104000000")
    let binhai = try! RegionCode("120116000000")

    /// Pages say "低保标准", not `dibaoStandard`: every shipped parameter has a Chinese name, and lists of
    /// income kinds and disability categories read in Chinese.
    @Test func everyShippedParameterHasAChineseName() throws {
        let p = try ParameterSet.bundled()
        let unnamed = p.names.filter { ParameterNames.bundled[$0] == nil }
        #expect(unnamed.isEmpty, Comment(rawValue: unnamed.joined(separator: ", ")))
        #expect(ParameterNames.chinese("dibaoStandard") == "低保标准")
        #expect(ParameterNames.chinese(.names(["veteransBenefit", "scholarship"])) == "\(IncomeKind.veteransBenefit.chinese)、\(IncomeKind.scholarship.chinese)")
        let excluded = try p.resolve("excludedIncomeKinds", region: tianjin, date: LocalDate("2026-01-01"))
        #expect(!excluded.display.contains("veteransBenefit"))
    }

    @Test func aDistrictInheritsTheCityValue() throws {
        // setup
        let p = try ParameterSet.bundled()
        // act
        let v = try p.resolve("dibaoStandard", region: RegionCode("120104901001"), date: LocalDate("2025-01-01"))
        // check
        #expect(v.amount == Cents(117_000))
        #expect(v.scope == .region(tianjin))
        #expect(v.effective == (try LocalDate("2024-07-01")))
    }

    @Test func aLocalOverrideWinsOverTheCity() throws {
        let p = try ParameterSet.bundled()
        let date = try LocalDate("2025-01-01")
        #expect(try p.resolve("townshipTemporaryApprovalLimit", region: binhai, date: date).amount == Cents(500_000))
        #expect(try p.resolve("townshipTemporaryApprovalLimit", region: nankai, date: date).amount == Cents(300_000))
    }

    @Test func nationalValuesApplyEverywhere() throws {
        let p = try ParameterSet.bundled()
        let v = try p.resolve("gradualExitMonths", region: nankai, date: LocalDate("2025-01-01"))
        #expect(v.value == .integer(6))
        #expect(v.scope == .national)
        #expect(v.reference.contains("DB"))
    }

    @Test func anEffectiveDateInTheMiddleOfAMonth() throws {
        // setup: a city raises its standard from 15 July
        let file = """
        {"entries": [
          {"region": "120000000000", "effective": "2025-01-01", "values": {"dibaoStandard": {"yuan": "1000.00"}}},
          {"region": "120000000000", "effective": "2025-07-15", "values": {"dibaoStandard": {"yuan": "1050.50"}}}
        ]}
        """
        let p = try ParameterSet(files: [Data(file.utf8)])
        // check: the value in force on the assessment date applies, to the day
        #expect(try p.resolve("dibaoStandard", region: nankai, date: LocalDate("2025-07-14")).amount == Cents(100_000))
        #expect(try p.resolve("dibaoStandard", region: nankai, date: LocalDate("2025-07-15")).amount == Cents(105_050))
        #expect(try p.resolve("dibaoStandard", region: nankai, date: LocalDate("2025-07-31")).amount == Cents(105_050))
    }

    @Test func aMissingParameterNamesTheRegionAndDate() throws {
        let p = try ParameterSet.bundled()
        let date = try LocalDate("2022-01-01")
        let beijing = try RegionCode("110105000000")
        // no value anywhere in Beijing's chain
        #expect(throws: PolicyError.missingParameter(name: "dibaoStandard", region: beijing, date: date)) {
            try p.resolve("dibaoStandard", region: beijing, date: date)
        }
        // Tianjin has values, but none in force before mid-2023
        let early = try LocalDate("2023-06-30")
        #expect(throws: PolicyError.missingParameter(name: "dibaoStandard", region: nankai, date: early)) {
            try p.resolve("dibaoStandard", region: nankai, date: early)
        }
        let message = PolicyError.missingParameter(name: "dibaoStandard", region: nankai, date: early).chinese
        #expect(message.contains("低保标准") && !message.contains("dibaoStandard") && message.contains("120104000000") && message.contains("2023-06-30"))
        // and the calculator refuses rather than assuming zero
        let calc = PolicyCalculator(parameters: p)
        #expect(throws: PolicyError.self) { try calc.standards(region: beijing, date: date) }
    }

    @Test func indexedStandardsMoveWithTheDibaoStandard() throws {
        let p = try ParameterSet.bundled()
        // tekun basic = 1.3 × dibao standard, in both periods
        let before = try p.resolve("tekunBasicStandard", region: nankai, date: LocalDate("2024-06-30"))
        let after = try p.resolve("tekunBasicStandard", region: nankai, date: LocalDate("2024-07-01"))
        #expect(before.amount == Cents(144_300)) // 1.3 × 1110
        #expect(after.amount == Cents(152_100))  // 1.3 × 1170
        // a county that overrides the dibao standard moves its own tekun standard too
        let file = """
        {"entries": [
          {"region": "120000000000", "effective": "2024-01-01", "values": {"dibaoStandard": {"yuan": "1000"}, "tekunBasicStandard": {"multipleOf": "dibaoStandard", "ratio": "1.3"}}},
          {"region": "120116000000", "effective": "2024-01-01", "values": {"dibaoStandard": {"yuan": "1200"}}}
        ]}
        """
        let q = try ParameterSet(files: [Data(file.utf8)])
        #expect(try q.resolve("tekunBasicStandard", region: binhai, date: LocalDate("2024-05-01")).amount == Cents(156_000))
        #expect(try q.resolve("tekunBasicStandard", region: nankai, date: LocalDate("2024-05-01")).amount == Cents(130_000))
    }

    @Test func badFilesAreRefusedWithTheEntryNamed() {
        let float = #"{"entries": [{"region": "national", "effective": "2024-01-01", "values": {"x": 1.5}}]}"#
        let date = #"{"entries": [{"region": "national", "effective": "2024-02-30", "values": {"x": 1}}]}"#
        let money = #"{"entries": [{"region": "national", "effective": "2024-01-01", "values": {"x": {"yuan": "1.234"}}}]}"#
        for bad in [float, date, money, "[]"] {
            #expect(throws: PolicyError.self) { try ParameterSet(files: [Data(bad.utf8)]) }
        }
        do {
            _ = try ParameterSet(files: [Data(date.utf8)])
        } catch {
            #expect(error.chinese.contains("entries[0]"))
            #expect(error.chinese.contains("2024-02-30"))
        }
    }

    @Test func ratiosAreExact() throws {
        #expect(try Ratio(decimal: "1.5") == Ratio(15, 10))
        #expect(try Ratio(decimal: "1.5").of(Cents(117_000)) == Cents(175_500))
        #expect(try Ratio(decimal: "0.333").of(Cents(100)) == Cents(33))
        #expect(throws: DomainError.self) { try Ratio(decimal: "1.5.1") }
        #expect(throws: DomainError.self) { try Ratio(decimal: "-1") }
    }

    @Test func ratiosPrintAsDecimals() throws {
        #expect(Ratio(15, 10).description == "1.5")
        #expect(try Ratio(decimal: " 0.250 ").description == "0.25")
        #expect(Ratio(3, 1).description == "3")
        #expect(Ratio(1, 3).description == "0.333333")
        #expect(Ratio(2, 3).description == "0.666667")
    }
}

/// Residents read field names, not JSON paths.
@Suite struct FieldPathTests {
    @Test func pathsReadInChinese() {
        #expect(FieldPath.chinese("members[0].birthDate") == "第1位成员的出生日期")
        #expect(FieldPath.chinese("members.[2].disability.grade") == "第3位成员的残疾的等级")
        #expect(FieldPath.chinese("incomes[1].amountCents") == "第2项收入的金额")
        #expect(FieldPath.chinese("household.json: assets.[0].member") == "household.json 中的第1项财产的所属成员")
        #expect(FieldPath.chinese("调整幅度") == "调整幅度")
        #expect(PolicyError.invalidInput(field: "members[0].birthDate", reason: "出生日期晚于评估日期").chinese == "第1位成员的出生日期有误：出生日期晚于评估日期")
        #expect(FieldPath.expected(Int.self) == "整数")
    }

    @Test func aDecodingErrorNamesTheFieldInChineseAndTheTypeInWords() {
        let json = #"{"date":"2026-01-01","region":"120104000000","members":[{"id":"a","relation":"head","birthDate":"1950-01-01"}],"incomes":[{"member":"a","kind":"wage","amountCents":"many","basis":"perMonth"}]}"#
        do {
            _ = try AssessmentRequest.decode(Data(json.utf8), file: "h.json")
            Issue.record("decoded")
        } catch {
            #expect(error.chinese == "h.json 中的第1项收入的金额有误：格式不对（应为整数）", Comment(rawValue: error.chinese))
        }
    }
}

/// The interchange format refuses what it does not know, says where JSON broke, and lists an enum's values.
@Suite struct RequestDecodingTests {
    static func refusal(_ json: String) -> String? {
        do { _ = try AssessmentRequest.decode(Data(json.utf8), file: "h.json"); return nil } catch { return error.chinese }
    }

    @Test func aMisspeltFieldIsRefusedByItsPath() {
        let json = #"{"date":"2026-01-01","region":"120104000000","members":[{"id":"a","relation":"head","birthDate":"1960-01-01","disabilty":{"category":"physical","grade":1}}]}"#
        let message = Self.refusal(json)
        #expect(message?.contains("未知字段") == true && message?.contains("disabilty") == true, Comment(rawValue: message ?? "accepted"))
        // null is not a field given; the right spelling is accepted
        #expect(Self.refusal(json.replacingOccurrences(of: "disabilty", with: "disability")) == nil)
        #expect(Self.refusal(#"{"date":"2026-01-01","region":"120104000000","members":[{"id":"a","relation":"head","birthDate":"1960-01-01","disability":null}]}"#) == nil)
    }

    @Test func anEnumErrorListsTheAllowedValues() {
        let message = Self.refusal(#"{"date":"2026-01-01","region":"120104000000","members":[{"id":"a","relation":"boss","birthDate":"1960-01-01"}]}"#)
        #expect(message?.contains("应为以下之一") == true && message?.contains("head（户主）") == true, Comment(rawValue: message ?? ""))
        let kind = Self.refusal(#"{"date":"2026-01-01","region":"120104000000","members":[{"id":"a","relation":"head","birthDate":"1960-01-01"}],"incomes":[{"member":"a","kind":"salary","amountCents":1,"basis":"perMonth"}]}"#)
        #expect(kind?.contains("wage（\(IncomeKind.wage.chinese)）") == true, Comment(rawValue: kind ?? ""))
    }

    @Test func theNewFieldsAreCheckedLikeTheOld() {
        let base = #"{"date":"2026-01-01","region":"120104000000","members":[{"id":"a","relation":"head","birthDate":"1950-01-01","supporters":[SUP]}]HOUSING}"#
        func json(_ supporter: String, housing: String = "") -> String {
            base.replacingOccurrences(of: "SUP", with: supporter).replacingOccurrences(of: "HOUSING", with: housing)
        }
        #expect(Self.refusal(json(#"{"relation":"儿子","condition":"prison"}"#, housing: #","housing":"dangerous","hardshipScore":70"#)) == nil)
        let typo = Self.refusal(json(#"{"relation":"儿子","incomPerMemberCents":100}"#))
        #expect(typo?.contains("第1位成员的第1位义务人的incomPerMemberCents") == true && typo?.contains("未知字段") == true, Comment(rawValue: typo ?? "accepted"))
        let condition = Self.refusal(json(#"{"condition":"jail"}"#))
        #expect(condition?.contains("prison（在监狱服刑）") == true, Comment(rawValue: condition ?? "accepted"))
        let housing = Self.refusal(json("", housing: #","housing":"bad""#))
        #expect(housing?.contains("dangerous（") == true && housing?.contains("住房状况") == true, Comment(rawValue: housing ?? "accepted"))
    }

    @Test func brokenJSONSaysWhere() {
        let message = Self.refusal("{\"date\": \"2026-01-01\",\n \"region\": }")
        #expect(message?.contains("不是有效的JSON") == true)
        #expect(message?.contains("第 2 行") == true, Comment(rawValue: message ?? ""))
    }
}
