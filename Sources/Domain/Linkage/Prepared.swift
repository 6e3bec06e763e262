import Foundation

/// Level numbers inside the engine: 0… index `Comparison.levels`; these two carry no weight.
let levelMissing: UInt8 = 255
let levelCovered: UInt8 = 254

/// One field of every record, normalised once into the form its comparison needs, so comparing a pair
/// is integer work. Only the storage for the field's comparison is filled.
struct PreparedColumn: Sendable {
    let comparison: Comparison
    /// The normalised value (for blocking, term frequencies and the evidence shown to people).
    var value: [String?] = []
    var idBody = Ragged<UInt8>()
    var scalars = Ragged<UInt32>()
    var sounds = Ragged<UInt64>()
    var date: [Int32] = []
    var bigrams = Ragged<UInt64>()
    /// `.exact`: equal values get equal numbers, in this column and in the one it is compared with.
    var code: [Int32] = []

    init(_ comparison: Comparison, raw: [String?], pinyin: Pinyin, codes: ExactCodes? = nil) {
        self.comparison = comparison
        let codes = codes ?? ExactCodes()
        value.reserveCapacity(raw.count)
        for r in raw {
            let v = Self.normalise(r, comparison)
            value.append(v)
            switch comparison {
            case .nationalId: idBody.append(v.map { Array($0.utf8) } ?? [])
            case .chineseName:
                let s = v.map { $0.unicodeScalars.map(\.value) } ?? []
                scalars.append(s)
                sounds.append(s.map(pinyin.sound))
            case .editDistance: scalars.append(v.map { $0.unicodeScalars.map(\.value) } ?? [])
            case .date: date.append(v.flatMap { Int32($0) } ?? 0)
            case .text: bigrams.append(v.map(Self.bigrams) ?? [])
            case .exact: code.append(v.map(codes.code) ?? -1)
            }
        }
    }

    /// The canonical text of a raw value, or nil when it is missing or cannot be read.
    static func normalise(_ raw: String?, _ comparison: Comparison) -> String? {
        guard let trimmed = raw?.trimmed, !trimmed.isEmpty else { return nil }
        switch comparison {
        case .nationalId: return Linkage.normalisedBody(trimmed)
        case .chineseName, .text: return trimmed.filter { !$0.isWhitespace }
        case .exact: return trimmed.uppercased()
        case .editDistance: return trimmed.lowercased()
        case .date:
            // 1985-03-12, 1985/3/12 or 19850312 → 19850312; the calendar is not checked, since a
            // swapped day and month is exactly what must still compare.
            if trimmed.utf8.count == 8, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return trimmed }
            let parts = trimmed.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." })
            guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
                  (1...9999).contains(y), (1...31).contains(m), (1...31).contains(d) else { return nil }
            return String(y * 10_000 + m * 100 + d).leftPadded(to: 8)
        }
    }

    static func bigrams(_ s: String) -> [UInt64] {
        let c = s.unicodeScalars.map { UInt64($0.value) }
        guard c.count > 1 else { return c }
        return Array(Set((0..<(c.count - 1)).map { c[$0] << 32 | c[$0 + 1] })).sorted()
    }

    /// The level of record `i` of this column against record `j` of `other`. Values are read in place:
    /// an array per record was retained and released on every comparison, a quarter of linkage's time,
    /// with both cores contending for the same counts.
    func level(_ i: Int, _ other: PreparedColumn, _ j: Int) -> UInt8 {
        switch comparison {
        case .nationalId: return Ragged.pair(idBody, i, other.idBody, j, Self.idLevel)
        case .chineseName:
            return Ragged.pair(scalars, i, other.scalars, j) { a, b in Ragged.pair(sounds, i, other.sounds, j) { sa, sb in Self.nameLevel(a, sa, b, sb) } }
        case .editDistance: return Ragged.pair(scalars, i, other.scalars, j, Self.editLevel)
        case .date: return Self.dateLevel(date[i], other.date[j])
        case .text: return Ragged.pair(bigrams, i, other.bigrams, j, Self.textLevel)
        case .exact:
            guard code[i] >= 0, other.code[j] >= 0 else { return levelMissing }
            return code[i] == other.code[j] ? 0 : 1
        }
    }

    /// exact, one substitution, adjacent transposition, different — judged on the 17 meaningful digits.
    static func idLevel(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> UInt8 {
        guard !a.isEmpty, !b.isEmpty else { return levelMissing }
        guard a.count == b.count else { return 3 }
        var first = -1, second = -1, diffs = 0
        for k in 0..<a.count where a[k] != b[k] {
            diffs += 1
            if diffs > 2 { return 3 }
            if first < 0 { first = k } else { second = k }
        }
        if diffs == 0 { return 0 }
        if diffs == 1 { return 1 }
        return second == first + 1 && a[first] == b[second] && a[second] == b[first] ? 2 : 3
    }

    /// exact, homophone (every character equal or sharing a reading), one character off, different.
    static func nameLevel(_ a: UnsafeBufferPointer<UInt32>, _ sa: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt32>,
                          _ sb: UnsafeBufferPointer<UInt64>) -> UInt8 {
        guard !a.isEmpty, !b.isEmpty else { return levelMissing }
        if a.elementsEqual(b) { return 0 }
        if a.count == b.count, (0..<a.count).allSatisfy({ a[$0] == b[$0] || Pinyin.alike(sa[$0], sb[$0]) }) { return 1 }
        return withinOneEdit(a, b) ? 2 : 3
    }

    /// One substitution, insertion, deletion or adjacent transposition apart — without the DP tables,
    /// since random-pair sampling asks this millions of times.
    static func withinOneEdit(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> Bool {
        if a.count == b.count {
            var first = -1, second = -1
            for k in 0..<a.count where a[k] != b[k] {
                if first < 0 { first = k } else if second < 0 { second = k } else { return false }
            }
            return second < 0 || (second == first + 1 && a[first] == b[second] && a[second] == b[first])
        }
        let (long, short) = a.count > b.count ? (a, b) : (b, a)
        guard long.count == short.count + 1 else { return false }
        var i = 0, j = 0, skipped = false
        while i < long.count && j < short.count {
            if long[i] == short[j] { i += 1; j += 1 } else if skipped { return false } else { skipped = true; i += 1 }
        }
        return true
    }

    static func editLevel(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>) -> UInt8 {
        guard !a.isEmpty, !b.isEmpty else { return levelMissing }
        return UInt8(min(3, editDistance(a, b, limit: 2)))
    }

    /// exact, day and month swapped, same year, different. Dates are yyyymmdd numbers.
    static func dateLevel(_ a: Int32, _ b: Int32) -> UInt8 {
        guard a != 0, b != 0 else { return levelMissing }
        if a == b { return 0 }
        guard a / 10000 == b / 10000 else { return 3 }
        let (am, ad, bm, bd) = (a / 100 % 100, a % 100, b / 100 % 100, b % 100)
        return am == bd && ad == bm ? 1 : 2
    }

    /// exact, similar (bigram Jaccard ≥ 0.8), somewhat (≥ 0.5), different.
    static func textLevel(_ a: UnsafeBufferPointer<UInt64>, _ b: UnsafeBufferPointer<UInt64>) -> UInt8 {
        guard !a.isEmpty, !b.isEmpty else { return levelMissing }
        if a.elementsEqual(b) { return 0 }
        var i = 0, j = 0, common = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { common += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        let jaccard = Double(common) / Double(a.count + b.count - common)
        return jaccard >= 0.8 ? 1 : jaccard >= 0.5 ? 2 : 3
    }

    /// Optimal-string-alignment distance (substitutions, insertions, deletions, adjacent transpositions),
    /// giving up once it exceeds `limit`.
    static func editDistance(_ a: UnsafeBufferPointer<UInt32>, _ b: UnsafeBufferPointer<UInt32>, limit: Int) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        let n = b.count
        var twoBack = [Int](repeating: 0, count: n + 1)
        var previous = Array(0...n)
        var current = [Int](repeating: 0, count: n + 1)
        for i in 1...max(1, a.count) where !a.isEmpty {
            current[0] = i
            var rowMin = i
            for j in stride(from: 1, through: n, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, twoBack[j - 2] + 1) }
                current[j] = d
                rowMin = min(rowMin, d)
            }
            if rowMin > limit { return limit + 1 }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return a.isEmpty ? n : previous[n]
    }
}

/// A run of values per record, all in one buffer with where each run ends.
struct Ragged<Element: Sendable>: Sendable {
    private(set) var elements: [Element] = []
    private(set) var ends: [Int] = []

    mutating func append(_ run: some Sequence<Element>) {
        elements.append(contentsOf: run)
        ends.append(elements.count)
    }

    /// Record `i` of `x` and record `j` of `y`, read in place.
    @inline(__always)
    static func pair<R>(_ x: Ragged, _ i: Int, _ y: Ragged, _ j: Int, _ body: (UnsafeBufferPointer<Element>, UnsafeBufferPointer<Element>) -> R) -> R {
        x.with(i) { a in y.with(j) { b in body(a, b) } }
    }

    /// Record `i`'s run, read in place.
    @inline(__always)
    func with<R>(_ i: Int, _ body: (UnsafeBufferPointer<Element>) -> R) -> R {
        let start = i == 0 ? 0 : ends[i - 1]
        return elements.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<ends[i]])) }
    }
}

/// Two arrays' storage, for the comparisons, which read buffers, called from outside the engine.
func withBuffers<A, B, R>(_ a: [A], _ b: [B], _ body: (UnsafeBufferPointer<A>, UnsafeBufferPointer<B>) -> R) -> R {
    a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in body(a, b) } }
}

/// Numbers for the values of an `.exact` field, shared by the two columns compared, so that comparing is
/// comparing integers. A class: both columns add to the same table while they are prepared.
final class ExactCodes: @unchecked Sendable {
    private var codes: [String: Int32] = [:]
    private let lock = NSLock()

    func code(_ value: String) -> Int32 {
        lock.lock(); defer { lock.unlock() }
        if let c = codes[value] { return c }
        let c = Int32(codes.count)
        codes[value] = c
        return c
    }
}

extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
