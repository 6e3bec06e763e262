import Foundation

/// Working days as the State Council's yearly notices define them: Monday to Friday, minus
/// statutory holidays, plus the weekend days worked in lieu (调休). Statutory deadlines such as
/// "home investigation within 3 working days of acceptance" [DB 15] count these days.
///
/// The holidays are data (`cn-holidays.json`), never compiled in, and a date in a year the data
/// does not cover is an error rather than a guess.
public struct WorkingCalendar: Sendable {
    public let holidays: [LocalDate: String]
    public let adjustedWorkdays: [LocalDate: String]
    public let coveredYears: ClosedRange<Int>

    struct File: Decodable {
        let holidays: [String: String]
        let adjusted_workdays: [String: String]
    }

    public init(json: Data, file: String = "cn-holidays.json") throws(DomainError) {
        let parsed: File
        do { parsed = try JSONDecoder().decode(File.self, from: json) } catch {
            throw .invalidData(file: file, reason: "不是有效的节假日JSON（需要 holidays 与 adjusted_workdays 两项）")
        }
        func dates(_ m: [String: String]) throws(DomainError) -> [LocalDate: String] {
            var out: [LocalDate: String] = [:]
            for (k, v) in m {
                do { out[try LocalDate(k)] = v } catch { throw .invalidData(file: file, reason: "日期「\(k)」无效") }
            }
            return out
        }
        holidays = try dates(parsed.holidays)
        adjustedWorkdays = try dates(parsed.adjusted_workdays)
        let years = holidays.keys.map(\.year) + adjustedWorkdays.keys.map(\.year)
        guard let lo = years.min(), let hi = years.max() else {
            throw .invalidData(file: file, reason: "没有任何节假日")
        }
        coveredYears = lo...hi
    }

    /// The calendar shipped with the package.
    public static func bundled() throws -> WorkingCalendar {
        try WorkingCalendar(json: BundledData.data("cn-holidays", "json"))
    }

    public func isWorkingDay(_ date: LocalDate) throws(DomainError) -> Bool {
        guard coveredYears.contains(date.year) else { throw .dateOutsideCalendar(date, covered: coveredYears) }
        if adjustedWorkdays[date] != nil { return true }
        if holidays[date] != nil { return false }
        return !date.isWeekend
    }

    /// The date `n` working days after `date` (the start day itself is not counted, as a
    /// deadline "within 3 working days of acceptance" starts the day after acceptance).
    public func adding(workingDays n: Int, to date: LocalDate) throws(DomainError) -> LocalDate {
        precondition(n >= 0, "use a non-negative number of working days")
        var cur = date
        var left = n
        while left > 0 {
            cur = cur.adding(days: 1)
            if try isWorkingDay(cur) { left -= 1 }
        }
        return cur
    }

    /// The number of working days in (start, end]: how many have passed since `start` by `end`.
    public func workingDays(from start: LocalDate, to end: LocalDate) throws(DomainError) -> Int {
        if end < start { return -(try workingDays(from: end, to: start)) }
        var count = 0
        var cur = start
        while cur < end {
            cur = cur.adding(days: 1)
            if try isWorkingDay(cur) { count += 1 }
        }
        return count
    }
}
