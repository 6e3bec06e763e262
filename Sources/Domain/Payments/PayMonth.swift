import Foundation

/// A calendar month, the unit benefits are paid in ("2026-12"). A payroll pays one month; an enrolment is paid at
/// most once for each month.
public struct PayMonth: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) throws(DomainError) {
        guard (1...12).contains(month), (1900...9999).contains(year) else {
            throw .invalidMonth("\(year)-\(month)")
        }
        self.year = year
        self.month = month
    }

    /// "2026-12"; anything else ("2026-13", "2026-1", "12/2026") is refused with what was given.
    public init(_ text: String) throws(DomainError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m),
              (1900...9999).contains(y) else { throw .invalidMonth(text) }
        year = y
        month = m
    }

    public init(containing day: LocalDate) {
        year = day.year
        month = day.month
    }

    /// Arithmetic, not text: a payroll asks these of every enrolment for every month it may owe.
    private init(valid year: Int, _ month: Int) {
        self.year = year
        self.month = month
    }

    public var first: LocalDate { LocalDate(unchecked: year, month, 1) }
    public var days: Int { LocalDate.daysIn(month: month, year: year) }
    public var last: LocalDate { LocalDate(unchecked: year, month, days) }
    public var next: PayMonth { month == 12 ? PayMonth(valid: year + 1, 1) : PayMonth(valid: year, month + 1) }
    public var previous: PayMonth { month == 1 ? PayMonth(valid: year - 1, 12) : PayMonth(valid: year, month - 1) }

    /// The months from `self` up to but not including `end`, in order.
    public func upTo(_ end: PayMonth) -> [PayMonth] {
        var out: [PayMonth] = []
        var m = self
        while m < end { out.append(m); m = m.next }
        return out
    }

    /// How many months from `self` to `other` (negative when `other` is earlier).
    public func months(to other: PayMonth) -> Int { (other.year - year) * 12 + other.month - month }

    public var chinese: String { "\(year)年\(month)月" }
    /// "2026-12" (the year has four digits: 1900–9999). Written out by hand: a payroll writes it twice a line, and
    /// `String(format:)` took 1.4 µs each.
    public var description: String { String(year) + (month < 10 ? "-0" : "-") + String(month) }

    public static func < (a: PayMonth, b: PayMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }

    public init(from decoder: any Decoder) throws { try self.init(try decoder.singleValueContainer().decode(String.self)) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
