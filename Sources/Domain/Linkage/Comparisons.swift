import Foundation

/// Field comparisons for person linkage (Fellegi–Sunter levels). Each returns a level; the model
/// turns levels into weights. Pure and small, so each is tested on its own.
public enum Linkage {
    /// How two ID numbers relate. A typo or a transposition is strong evidence but not proof.
    public enum IDLevel: String, Sendable, CaseIterable, Codable {
        case exact, oneSubstitution, adjacentTransposition, different, missing
    }

    /// Compares two raw ID strings after normalisation (full-width, spaces, lower-case x, 15→18 digits).
    /// Near matches are judged on the first 17 characters, since a typo also breaks the check character.
    public static func compareIDs(_ a: String?, _ b: String?) -> IDLevel {
        let level = withBuffers(normalisedBody(a).map { Array($0.utf8) } ?? [], normalisedBody(b).map { Array($0.utf8) } ?? [], PreparedColumn.idLevel)
        return level == levelMissing ? .missing : [.exact, .oneSubstitution, .adjacentTransposition, .different][Int(level)]
    }

    /// Two ID numbers that both pass their checks (GB 11643: date and check character) and are not the same
    /// number. A clerk's typo changes one digit or swaps two, and the check character catches either, so two
    /// valid numbers that differ are two people — twins or siblings born on one day in one place differ in the
    /// serial digits alone — however alike the rest of their records. Such a pair is never linked without a person.
    ///
    /// A legacy 15-digit number has no century (the upgrade to 18 digits assumes 19xx), so against it only
    /// the 15 digits it does carry are compared: `…050312…` may be the person born in 2005 whose 18-digit
    /// number reads `…20050312…`.
    public static func distinctValidIDs(_ a: String?, _ b: String?) -> Bool {
        // The same text is the same number; most automatic links are, so they skip parsing both.
        guard let a, let b, a != b, let x = try? NationalID(a), let y = try? NationalID(b) else { return false }
        if isLegacy(a) || isLegacy(b) { return legacyForm(x) != legacyForm(y) }
        return x != y
    }

    private static func isLegacy(_ raw: String) -> Bool { NationalID.normalise(raw).utf8.count == 15 }

    /// The 15 digits a legacy number holds: the 18 without the century and the check character.
    private static func legacyForm(_ id: NationalID) -> Substring {
        let v = id.value
        return v.prefix(6) + v.dropFirst(8).prefix(9)
    }

    public static let distinctValidIDsReason = "两个身份证号都通过校验且不相同，应是两个人（如同日出生的双胞胎、兄弟姐妹），须人工核对"

    /// The 17 digits that carry meaning: from a valid number, or from what was typed when its check
    /// character is wrong (a typo is exactly what linkage must see through).
    public static func normalisedBody(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let n = NationalID.normalise(raw)
        let digits = n.utf8.prefix(17).allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        if n.utf8.count == 18, digits { return String(n.prefix(17)) }
        if n.utf8.count == 15, digits, n.utf8.last.map({ $0 >= 0x30 && $0 <= 0x39 }) == true { return String(n.prefix(6)) + "19" + String(n.dropFirst(6)) }
        return nil
    }

    public enum DateLevel: String, Sendable, CaseIterable, Codable {
        case exact, dayMonthSwapped, sameYear, different, missing
    }

    /// Dates, allowing the day and month to have been swapped on entry (2024-03-05 vs 2024-05-03).
    public static func compareDates(_ a: LocalDate?, _ b: LocalDate?) -> DateLevel {
        func number(_ d: LocalDate?) -> Int32 { d.map { Int32($0.year * 10_000 + $0.month * 100 + $0.day) } ?? 0 }
        let level = PreparedColumn.dateLevel(number(a), number(b))
        return level == levelMissing ? .missing : [.exact, .dayMonthSwapped, .sameYear, .different][Int(level)]
    }

    public enum TextLevel: String, Sendable, CaseIterable, Codable {
        case exact, similar, somewhat, different, missing
    }

    /// Addresses by overlap of character bigrams (Chinese addresses have no spaces to split on).
    public static func compareAddresses(_ a: String?, _ b: String?) -> TextLevel {
        func grams(_ s: String?) -> [UInt64] { PreparedColumn.normalise(s, .text).map(PreparedColumn.bigrams) ?? [] }
        let level = withBuffers(grams(a), grams(b), PreparedColumn.textLevel)
        return level == levelMissing ? .missing : [.exact, .similar, .somewhat, .different][Int(level)]
    }
}
