import Foundation

/// A calendar date with no time and no time zone: birth dates, effective dates, deadlines.
/// Arithmetic goes through a day number (days since 1970-01-01) so it needs no Calendar or locale.
public struct LocalDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Fails with `DomainError.invalidDate` for dates that do not exist, such as 31 February.
    public init(year: Int, month: Int, day: Int) throws(DomainError) {
        guard LocalDate.isValid(year: year, month: month, day: day) else {
            throw .invalidDate(String(format: "%04d-%02d-%02d", year, month, day))
        }
        self.year = year
        self.month = month
        self.day = day
    }

    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init(_ text: String) throws(DomainError) {
        // The stored and the usual form, `YYYY-MM-DD`, read on the bytes (screening reads millions of dates).
        if let (y, m, d) = LocalDate.isoParts(text) {
            guard LocalDate.isValid(year: y, month: m, day: d) else { throw .invalidDate(text) }
            self.init(unchecked: y, m, d)
            return
        }
        let parts = text.trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else {
            throw .invalidDate(text)
        }
        guard LocalDate.isValid(year: y, month: m, day: d) else { throw .invalidDate(text) }
        self.init(unchecked: y, m, d)
    }

    private static func isoParts(_ text: String) -> (Int, Int, Int)? {
        let utf8 = text.utf8
        guard utf8.count == 10 else { return nil }
        return utf8.withContiguousStorageIfAvailable { b -> (Int, Int, Int)? in
            guard b[4] == 45, b[7] == 45 else { return nil } // "-"
            var digits = [0, 0, 0]
            for (part, range) in [(0, 0..<4), (1, 5..<7), (2, 8..<10)] {
                for i in range {
                    let v = Int(b[i]) - 48
                    guard (0...9).contains(v) else { return nil }
                    digits[part] = digits[part] * 10 + v
                }
            }
            return (digits[0], digits[1], digits[2])
        } ?? nil
    }

    public static func isLeap(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...9999).contains(year) && (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The inverse of `dayNumber` (civil_from_days).
    public init(dayNumber z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(unchecked: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + days) }

    /// The first day of this date's month, and of the month after (where a benefit that starts "next month" starts).
    public var firstOfMonth: LocalDate { LocalDate(unchecked: year, month, 1) }
    public var firstOfNextMonth: LocalDate { month == 12 ? LocalDate(unchecked: year + 1, 1, 1) : LocalDate(unchecked: year, month + 1, 1) }

    /// The same day `months` later (or earlier), on the month's last day where that month is shorter (31 January
    /// + 1 month = 28 or 29 February): how "review within three months" and "every six months" are counted.
    public func adding(months: Int) -> LocalDate {
        let index = year * 12 + (month - 1) + months
        let y = index >= 0 ? index / 12 : (index - 11) / 12
        let m = index - y * 12 + 1
        return LocalDate(unchecked: y, m, min(day, LocalDate.daysIn(month: m, year: y)))
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let w = (dayNumber + 3) % 7 // 1970-01-01 was a Thursday
        return (w < 0 ? w + 7 : w) + 1
    }

    public var isWeekend: Bool { isoWeekday >= 6 }

    /// Whole years of age on `date` (a person turns N on their birthday; 29 February birthdays turn on 1 March in common years).
    public func age(on date: LocalDate) -> Int {
        var years = date.year - year
        if (date.month, date.day) < (month, day) { years -= 1 }
        return years
    }

    /// The date in the given time zone at the given instant. Time is injected by the caller.
    public init(_ instant: Date, timeZone: TimeZone) {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
        self.init(dayNumber: Int((Double(seconds) / 86_400).rounded(.down)))
    }

    /// The instant this day begins in the given time zone (China has kept one offset since 1991).
    public func startInstant(in timeZone: TimeZone) -> Date {
        let utcMidnight = Date(timeIntervalSince1970: TimeInterval(dayNumber) * 86_400)
        return utcMidnight.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: utcMidnight)))
    }

    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let text = try c.decode(String.self)
        do { try self.init(text) } catch {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: error.chinese)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension TimeZone {
    /// China Standard Time: all of the country keeps Beijing time.
    public static let china = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
}
