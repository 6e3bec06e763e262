import Foundation
import Testing
@testable import Domain

@Suite struct HouseholdQueryTests {
    @Test func readsWhatWasTyped() throws {
        #expect(HouseholdQuery.parse("11010519491231002x") == .nationalID(try NationalID("11010519491231002X")))
        #expect(HouseholdQuery.parse(" 002X ") == .idTail("002X"))
        #expect(HouseholdQuery.parse("１２３４") == .idTail("1234"))
        #expect(HouseholdQuery.parse("王伟") == .text("王伟"))
        // Control and format characters are dropped: a bare NUL is no query at all.
        #expect(HouseholdQuery.parse("\u{0}") == nil)
        #expect(HouseholdQuery.parse("\u{0}\u{1}\u{7F}\u{200B}") == nil)
        #expect(HouseholdQuery.parse("王\u{0}伟") == .text("王伟"))
        #expect(HouseholdQuery.parse("\u{0}1234") == .idTail("1234"))
        #expect(HouseholdQuery.parse("海棠一里社区3号楼") == .text("海棠一里社区3号楼"))
        // too few digits to search, and blanks
        #expect(HouseholdQuery.parse("123") == nil)
        #expect(HouseholdQuery.parse("   ") == nil)
        // 18 digits with a wrong check character is refused, and the refusal says why
        #expect(HouseholdQuery.parse("110105194912310023") == nil)
        #expect(HouseholdQuery.rejection("110105194912310023").contains("校验码错误"))
        #expect(HouseholdQuery.rejection("12").contains("至少输入4位"))
    }
}

@Suite struct ProfileTests {
    @Test func timelineIsNewestFirstAndNamesTheMember() throws {
        // setup
        let hid = Household.ID(UUID())
        let mid = Member.ID(UUID())
        let id = try NationalID("11010519491231002X")
        let member = Member(id: mid, householdID: hid, relation: .head, nationalID: id, name: "测试甲", sex: .female, birthDate: id.birthDate,
                            disability: nil, illnesses: [], workCapacity: .none, employment: .retired, schooling: .notApplicable)
        func fact(_ kind: FactKind, _ date: String) throws -> Fact {
            Fact(id: Fact.ID(UUID()), householdID: hid, memberID: mid, kind: kind, amount: nil, basis: nil, validFrom: try LocalDate(date),
                 validTo: nil, provenance: Provenance(department: .publicSecurity, receivedAt: try LocalDate(date), reference: "r"), note: "")
        }
        let enrolment = Enrolment(id: Enrolment.ID(UUID()), householdID: hid, memberID: nil, program: .dibao, since: try LocalDate("2024-03-01"),
                                  monthlyAmount: Cents(120_000), status: .active)
        let profile = HouseholdProfile(
            household: Household(id: hid, registeredRegion: try RegionCode("110105000000"), residenceRegion: try RegionCode("110105000000"), address: "x"),
            registeredRegionName: "朝阳区", residenceRegionName: "朝阳区", members: [member],
            facts: [try fact(.diagnosis, "2023-05-01"), try fact(.death, "2025-01-02"),
                    Fact(id: Fact.ID(UUID()), householdID: hid, memberID: mid, kind: .pension, amount: Cents(300_000), basis: .perMonth,
                         validFrom: try LocalDate("2020-01-01"), validTo: nil,
                         provenance: Provenance(department: .humanResources, receivedAt: try LocalDate("2024-01-01"), reference: "r"), note: "")],
            enrolments: [enrolment])
        // act
        let timeline = profile.timeline
        // check: events and enrolment starts only, newest first; incomes are facts, not events
        #expect(timeline.map(\.date.description) == ["2025-01-02", "2024-03-01", "2023-05-01"])
        #expect(timeline[0].title == "测试甲 死亡")
        #expect(timeline[1].title == "纳入最低生活保障")
        #expect(timeline[1].detail.contains("¥1,200.00"))
        #expect(profile.factsByCategory.map(\.0) == [.income, .event])
    }
}
