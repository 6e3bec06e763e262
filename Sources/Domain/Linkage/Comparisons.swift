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
        guard let x = normalisedBody(a), let y = normalisedBody(b) else { return .missing }
        if x == y { return .exact }
        let ax = Array(x), ay = Array(y)
        guard ax.count == ay.count else { return .different }
        let diffs = (0..<ax.count).filter { ax[$0] != ay[$0] }
        if diffs.count == 1 { return .oneSubstitution }
        if diffs.count == 2, diffs[1] == diffs[0] + 1, ax[diffs[0]] == ay[diffs[1]], ax[diffs[1]] == ay[diffs[0]] { return .adjacentTransposition }
        return .different
    }

    /// The 17 digits that carry meaning: from a valid number, or from what was typed when its check
    /// character is wrong (a typo is exactly what linkage must see through).
    static func normalisedBody(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let n = NationalID.normalise(raw)
        if let id = try? NationalID(n) { return String(id.value.prefix(17)) }
        if n.count == 18, n.prefix(17).allSatisfy(\.isASCIIDigit) { return String(n.prefix(17)) }
        if n.count == 15, n.allSatisfy(\.isASCIIDigit) { return String(n.prefix(6)) + "19" + String(n.dropFirst(6)) }
        return nil
    }

    public enum DateLevel: String, Sendable, CaseIterable, Codable {
        case exact, dayMonthSwapped, sameYear, different, missing
    }

    /// Dates, allowing the day and month to have been swapped on entry (2024-03-05 vs 2024-05-03).
    public static func compareDates(_ a: LocalDate?, _ b: LocalDate?) -> DateLevel {
        guard let a, let b else { return .missing }
        if a == b { return .exact }
        if a.year == b.year && a.month == b.day && a.day == b.month { return .dayMonthSwapped }
        if a.year == b.year { return .sameYear }
        return .different
    }

    public enum TextLevel: String, Sendable, CaseIterable, Codable {
        case exact, similar, somewhat, different, missing
    }

    /// Addresses by overlap of character bigrams (Chinese addresses have no spaces to split on).
    public static func compareAddresses(_ a: String?, _ b: String?) -> TextLevel {
        guard let a = a?.filter({ !$0.isWhitespace }), let b = b?.filter({ !$0.isWhitespace }), !a.isEmpty, !b.isEmpty else { return .missing }
        if a == b { return .exact }
        let j = jaccard(bigrams(a), bigrams(b))
        if j >= 0.8 { return .similar }
        if j >= 0.5 { return .somewhat }
        return .different
    }

    static func bigrams(_ s: String) -> Set<String> {
        let c = Array(s)
        guard c.count > 1 else { return [s] }
        return Set((0..<(c.count - 1)).map { String(c[$0...($0 + 1)]) })
    }

    static func jaccard(_ x: Set<String>, _ y: Set<String>) -> Double {
        let union = x.union(y).count
        return union == 0 ? 0 : Double(x.intersection(y).count) / Double(union)
    }
}
