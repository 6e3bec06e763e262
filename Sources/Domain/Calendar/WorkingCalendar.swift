import Foundation

/// Working days as the State Council's yearly notices define them: Monday to Friday, minus
/// statutory holidays, plus the weekend days worked in lieu (调休). Statutory deadlines such as
/// "home investigation within 3 working days of acceptance" [DB 15] count these days.
///
/// The holidays are data (`cn-holidays.json`), never compiled in. The strict functions refuse a date in a year the
/// data does not cover; `deadline` and `elapsed` count weekends only there and say the answer is provisional, so
/// the office does not stop on 1 January while the State Council's notice for the new year is not yet loaded
/// (`loading`).
public struct WorkingCalendar: Sendable {
    public private(set) var holidays: [LocalDate: String]
    public private(set) var adjustedWorkdays: [LocalDate: String]
    /// The years the data covers (not necessarily contiguous once a year is loaded ahead).
    public private(set) var years: Set<Int>
    public var coveredYears: ClosedRange<Int> { (years.min() ?? 0)...(years.max() ?? 0) }

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
        years = Set(holidays.keys.map(\.year) + adjustedWorkdays.keys.map(\.year))
        guard !years.isEmpty else { throw .invalidData(file: file, reason: "没有任何节假日") }
    }

    /// The calendar shipped with the package.
    public static func bundled() throws -> WorkingCalendar {
        try WorkingCalendar(json: BundledData.data("cn-holidays", "json"))
    }

    public func isWorkingDay(_ date: LocalDate) throws(DomainError) -> Bool {
        guard years.contains(date.year) else { throw .dateOutsideCalendar(date, covered: coveredYears) }
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

    // MARK: provisional deadlines

    /// Whether `date` is a working day, and whether that is only a guess (a year without holiday data: weekdays).
    public func workingDay(_ date: LocalDate) -> (working: Bool, provisional: Bool) {
        guard years.contains(date.year) else { return (!date.isWeekend, true) }
        if adjustedWorkdays[date] != nil { return (true, false) }
        if holidays[date] != nil { return (false, false) }
        return (!date.isWeekend, false)
    }

    /// The date `n` working days after `date`, never refused: a day in a year without holiday data counts if it is a
    /// weekday, and the deadline is then provisional, to be recomputed once that year is loaded.
    public func deadline(workingDays n: Int, after date: LocalDate) -> Deadline {
        var cur = date
        var left = max(0, n)
        var provisional = false
        while left > 0 {
            cur = cur.adding(days: 1)
            let day = workingDay(cur)
            provisional = provisional || day.provisional
            if day.working { left -= 1 }
        }
        return Deadline(date: cur, provisional: provisional)
    }

    /// Working days in (start, end], never refused; provisional when a day was counted without holiday data.
    public func elapsed(from start: LocalDate, to end: LocalDate) -> (days: Int, provisional: Bool) {
        guard start < end else {
            if start == end { return (0, false) }
            let back = elapsed(from: end, to: start)
            return (-back.days, back.provisional)
        }
        var count = 0
        var provisional = false
        var cur = start
        while cur < end {
            cur = cur.adding(days: 1)
            let day = workingDay(cur)
            provisional = provisional || day.provisional
            if day.working { count += 1 }
        }
        return (count, provisional)
    }

    // MARK: loading a new year

    /// One year's days in the file format, to keep a loaded year.
    public func yearJSON(_ year: Int) -> Data {
        func pick(_ m: [LocalDate: String]) -> [String: String] {
            Dictionary(uniqueKeysWithValues: m.filter { $0.key.year == year }.map { ($0.key.description, $0.value) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(["holidays": pick(holidays), "adjusted_workdays": pick(adjustedWorkdays)])) ?? Data()
    }

    /// This calendar with the years in `json` (same format as the shipped file) loaded over it: each year the file
    /// covers replaces what was known of that year. The file is checked first, and a bad file changes nothing: every
    /// year must have its New Year's Day, an adjusted working day (调休) falls on a weekend and is not also a holiday,
    /// and names are not empty.
    public func loading(_ json: Data, file: String) throws(DomainError) -> (calendar: WorkingCalendar, years: [Int]) {
        let new = try WorkingCalendar(json: json, file: file)
        for (d, name) in new.holidays where name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalidData(file: file, reason: "\(d) 的节日名称为空")
        }
        for (d, name) in new.adjustedWorkdays {
            if name.trimmingCharacters(in: .whitespaces).isEmpty { throw .invalidData(file: file, reason: "\(d) 的调休说明为空") }
            if !d.isWeekend { throw .invalidData(file: file, reason: "调休上班日 \(d) 不是周六或周日") }
            if new.holidays[d] != nil { throw .invalidData(file: file, reason: "\(d) 同时列为节假日和调休上班日") }
        }
        for y in new.years.sorted() {
            guard let newYear = try? LocalDate(year: y, month: 1, day: 1), new.holidays[newYear] != nil else {
                throw .invalidData(file: file, reason: "\(y) 年缺少元旦（\(y)-01-01），不像完整的全年安排")
            }
            if y < (years.min() ?? y) - 1 || y > (years.max() ?? y) + 5 {
                throw .invalidData(file: file, reason: "\(y) 年超出可加载范围（\((years.min() ?? y) - 1)–\((years.max() ?? y) + 5) 年）")
            }
        }
        var merged = self
        merged.holidays = merged.holidays.filter { !new.years.contains($0.key.year) }.merging(new.holidays) { $1 }
        merged.adjustedWorkdays = merged.adjustedWorkdays.filter { !new.years.contains($0.key.year) }.merging(new.adjustedWorkdays) { $1 }
        merged.years.formUnion(new.years)
        return (merged, new.years.sorted())
    }
}

/// A deadline on the working calendar, provisional when it was counted through a year without holiday data.
public struct Deadline: Sendable, Equatable, Codable {
    public var date: LocalDate
    public var provisional: Bool
    public init(date: LocalDate, provisional: Bool) {
        self.date = date
        self.provisional = provisional
    }
}
