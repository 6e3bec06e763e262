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
        // Most amounts in a department file are plain (`1234.50`): read those from the bytes. A 1M-row import
        // spent a tenth of its parsing in the general path's trimming and splitting.
        if let plain = Self.plain(text.utf8) { value = plain } else { value = try Self.general(text) }
    }

    /// Any accepted spelling: spaces around it, thousands separators, a `¥` and a sign.
    static func general(_ text: String) throws(DomainError) -> Int64 {
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
        return negative ? -sum : sum
    }

    /// `digits` or `digits.d` or `digits.dd`, at most 15 whole digits (no overflow possible); nil for anything
    /// else, which the general path then reads or rejects.
    static func plain(_ bytes: String.UTF8View) -> Int64? {
        let zero = UInt8(ascii: "0"), point = UInt8(ascii: ".")
        var whole: Int64 = 0, wholeDigits = 0, frac: Int64 = 0, fracDigits = 0, seenPoint = false
        for b in bytes {
            if b == point {
                guard !seenPoint, wholeDigits > 0 else { return nil }
                seenPoint = true
                continue
            }
            let d = b &- zero
            guard d < 10 else { return nil }
            if seenPoint {
                fracDigits += 1
                guard fracDigits <= 2 else { return nil }
                frac = frac * 10 + Int64(d)
            } else {
                wholeDigits += 1
                guard wholeDigits <= 15 else { return nil }
                whole = whole * 10 + Int64(d)
            }
        }
        guard wholeDigits > 0, !seenPoint || fracDigits > 0 else { return nil }
        return whole * 100 + (fracDigits == 1 ? frac * 10 : frac)
    }

    /// `¥1,234.50`. Built as UTF-8 bytes: evidence states amounts in every sentence, and grouping the digits
    /// as `Character`s was a twentieth of the screening that follows a medical-insurance feed.
    public var yuanText: String {
        let mag = value.magnitude
        let whole = String(mag / 100).utf8
        var out: [UInt8] = []
        out.reserveCapacity(whole.count + whole.count / 3 + 7)
        if value < 0 { out.append(0x2D) }
        out += [0xC2, 0xA5] // ¥
        for (i, digit) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { out.append(0x2C) }
            out.append(digit)
        }
        let cents = UInt8(mag % 100)
        out += [0x2E, 0x30 + cents / 10, 0x30 + cents % 10]
        return String(decoding: out, as: UTF8.self)
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
