import Foundation

/// Money as whole 分 (1/100 yuan) in an `Int64`. Never floating point: OpenFisca's float32
/// rounding is the cautionary tale. Every division goes through `divided(by:rounding:)`, the one
/// place where money is rounded.
public struct Cents: Hashable, Comparable, Sendable, Codable, AdditiveArithmetic, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    public static func yuan(_ y: Int64) -> Cents { Cents(y * 100) }

    public static let zero = Cents(0)

    public enum Rounding: Sendable {
        /// Half away from zero (四舍五入), the usual rule for payments.
        case halfUp
        /// Toward zero: never pay more than the rule gives.
        case down
        /// Away from zero: never leave a shortfall.
        case up
    }

    /// Divides with explicit rounding; the only place money is rounded.
    public func divided(by d: Int64, rounding: Rounding) -> Cents {
        precondition(d != 0, "division of money by zero")
        let q = value / d
        let r = value % d
        guard r != 0 else { return Cents(q) }
        let negative = (value < 0) != (d < 0)
        let away = negative ? q - 1 : q + 1
        switch rounding {
        case .down: return Cents(q)
        case .up: return Cents(away)
        case .halfUp: return 2 * abs(r) >= abs(d) ? Cents(away) : Cents(q)
        }
    }

    /// Multiplies by a ratio num/den (e.g. 1.5× a standard as 3/2), rounding once at the end.
    public func multiplied(by num: Int64, over den: Int64, rounding: Rounding) -> Cents {
        Cents(value * num).divided(by: den, rounding: rounding)
    }

    /// Parses a yuan amount as written in data files: `1234`, `1234.5`, `-12.34`, `1,234.50`.
    /// More than two decimals is an error, not a silent rounding.
    public init(yuan text: String) throws(DomainError) {
        var t = text.trimmed
        if t.contains(",") { t = t.replacingOccurrences(of: ",", with: "") }
        if t.hasPrefix("¥") { t.removeFirst() }
        var negative = false
        if t.hasPrefix("-") { negative = true; t.removeFirst() }
        let parts = t.split(separator: ".", omittingEmptySubsequences: false)
        guard !t.isEmpty, parts.count <= 2, let whole = Int64(parts[0]), !parts[0].isEmpty,
              parts[0].allSatisfy(\.isASCIIDigit) else { throw .invalidAmount(text) }
        var frac: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard (1...2).contains(f.count), f.allSatisfy(\.isASCIIDigit), let v = Int64(f) else { throw .invalidAmount(text) }
            frac = f.count == 1 ? v * 10 : v
        }
        let (m, o1) = whole.multipliedReportingOverflow(by: 100)
        let (sum, o2) = m.addingReportingOverflow(frac)
        guard !o1, !o2 else { throw .invalidAmount(text) }
        value = negative ? -sum : sum
    }

    /// `¥1,234.50`
    public var yuanText: String {
        let sign = value < 0 ? "-" : ""
        let mag = value.magnitude
        let whole = String(mag / 100)
        var grouped = ""
        for (i, c) in whole.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        return sign + "¥" + String(grouped.reversed()) + "." + Self.twoDigits(mag % 100)
    }

    /// `1234.50`, for CSV and JSON interchange.
    public var plainYuan: String {
        let sign = value < 0 ? "-" : ""
        return sign + String(value.magnitude / 100) + "." + Self.twoDigits(value.magnitude % 100)
    }

    public var description: String { yuanText }

    // Formatting money is on the hot path of explanations; String(format:) is far slower than this.
    static func twoDigits(_ v: UInt64) -> String { v < 10 ? "0\(v)" : "\(v)" }

    public static func + (a: Cents, b: Cents) -> Cents { Cents(a.value + b.value) }
    public static func - (a: Cents, b: Cents) -> Cents { Cents(a.value - b.value) }
    public static func * (a: Cents, n: Int64) -> Cents { Cents(a.value * n) }
    public static func < (a: Cents, b: Cents) -> Bool { a.value < b.value }

    public init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}
