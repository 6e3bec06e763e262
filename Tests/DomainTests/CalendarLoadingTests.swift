import Foundation
import Testing
@testable import Domain

/// The office must not stop on 1 January: a year without holiday data counts weekends only and says so, and the
/// next year's arrangement is loaded when the State Council publishes it.
@Suite struct CalendarLoadingTests {
    let shipped: WorkingCalendar
    init() throws { shipped = try WorkingCalendar.bundled() }

    /// An invented arrangement for 2027 (not the State Council's): New Year's Day on Friday 1 January, a Spring
    /// Festival week with one Sunday worked in lieu.
    static let year2027 = Data(#"""
    {"holidays": {"2027-01-01": "New Year's Day", "2027-02-05": "Spring Festival", "2027-02-08": "Spring Festival",
                  "2027-02-09": "Spring Festival", "2027-02-10": "Spring Festival", "2027-02-11": "Spring Festival"},
     "adjusted_workdays": {"2027-02-14": "Spring Festival"}}
    """#.utf8)

    @Test func aDeadlineIntoAYearWithoutDataCountsWeekdaysAndIsProvisional() throws {
        // setup: Wednesday 30 December 2026
        let start = try LocalDate("2026-12-30")
        // act
        let due = shipped.deadline(workingDays: 3, after: start)
        // check: 31 Dec (2026, known), then Fri 1 Jan and Mon 4 Jan 2027 counted as weekdays
        #expect(due == Deadline(date: try LocalDate("2027-01-04"), provisional: true))
        // Within a covered year nothing is provisional, and the answer is the strict function's.
        let known = shipped.deadline(workingDays: 3, after: try LocalDate("2024-09-30"))
        #expect(known == Deadline(date: try shipped.adding(workingDays: 3, to: LocalDate("2024-09-30")), provisional: false))
        #expect(shipped.elapsed(from: start, to: try LocalDate("2027-01-05")).provisional)
        #expect(shipped.elapsed(from: start, to: try LocalDate("2027-01-05")).days == 4)
    }

    @Test func loadingTheYearMakesItsDeadlinesFirm() throws {
        let (loaded, years) = try shipped.loading(Self.year2027, file: "2027.json")
        #expect(years == [2027])
        // 1 Jan 2027 is now a holiday: 31 Dec, 4 Jan, 5 Jan.
        #expect(loaded.deadline(workingDays: 3, after: try LocalDate("2026-12-30")) == Deadline(date: try LocalDate("2027-01-05"), provisional: false))
        // The festival week does not count; Friday 12 February and the Sunday worked in lieu do.
        #expect(loaded.deadline(workingDays: 2, after: try LocalDate("2027-02-04")) == Deadline(date: try LocalDate("2027-02-14"), provisional: false))
        #expect(try loaded.isWorkingDay(LocalDate("2027-02-14")))
        // The shipped years are untouched, and a year's JSON reads back to the same days.
        #expect(loaded.holidays.count == shipped.holidays.count + 6)
        let again = try shipped.loading(loaded.yearJSON(2027), file: "stored")
        #expect(again.calendar.holidays == loaded.holidays && again.calendar.adjustedWorkdays == loaded.adjustedWorkdays)
        // Loading a corrected file for the same year replaces it rather than adding to it.
        let corrected = try loaded.loading(Data(#"{"holidays": {"2027-01-01": "New Year's Day"}, "adjusted_workdays": {}}"#.utf8), file: "fix.json")
        #expect(corrected.calendar.holidays.count == shipped.holidays.count + 1)
    }

    @Test(arguments: [
        (#"{"holidays": {"2027-02-05": "Spring Festival"}, "adjusted_workdays": {}}"#, "缺少元旦"),
        (#"{"holidays": {"2027-01-01": "New Year's Day"}, "adjusted_workdays": {"2027-02-10": "x"}}"#, "不是周六或周日"),
        (#"{"holidays": {"2027-01-01": "New Year's Day", "2027-02-14": "x"}, "adjusted_workdays": {"2027-02-14": "x"}}"#, "同时列为"),
        (#"{"holidays": {"2027-01-01": " "}, "adjusted_workdays": {}}"#, "名称为空"),
        (#"{"holidays": {"2027-02-30": "x"}, "adjusted_workdays": {}}"#, "2027-02-30"),
        (#"{"holidays": {"2099-01-01": "New Year's Day"}, "adjusted_workdays": {}}"#, "超出可加载范围"),
        (#"{"days": []}"#, "不是有效的节假日JSON"),
    ])
    func aBadFileIsRefusedByNameAndReason(json: String, reason: String) {
        do {
            _ = try shipped.loading(Data(json.utf8), file: "next.json")
            Issue.record("accepted: \(json)")
        } catch {
            #expect(error.chinese.contains("next.json") && error.chinese.contains(reason), Comment(rawValue: error.chinese))
        }
    }
}
