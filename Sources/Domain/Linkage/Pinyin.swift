import Foundation

/// Which characters sound alike: every reading (toneless pinyin) of about 26,000 characters, from
/// `Resources/linkage/pinyin.tsv` (pinyin-data, MIT). Clerks type names by ear, so 张伟 becomes 张玮;
/// two names whose characters share a reading position by position are homophones.
public struct Pinyin: Sendable {
    /// Per character, up to four syllable numbers packed 16 bits each (0 = none), so a comparison is a
    /// few integer tests, not a set intersection.
    let sounds: [UInt32: UInt64]
    public let syllables: [String]

    public static let shared: Pinyin = {
        guard let url = Bundle.module.url(forResource: "pinyin", withExtension: "tsv", subdirectory: "Resources/linkage"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return Pinyin(sounds: [:], syllables: []) }
        return Pinyin(table: text)
    }()

    init(sounds: [UInt32: UInt64], syllables: [String]) {
        self.sounds = sounds
        self.syllables = syllables
    }

    /// Reads the table: one syllable per line, a tab, then the characters that can be read so.
    public init(table: String) {
        var sounds: [UInt32: UInt64] = [:]
        var syllables: [String] = []
        for line in table.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { continue }
            syllables.append(String(parts[0]))
            let number = UInt64(syllables.count)
            for scalar in parts[1].unicodeScalars {
                let packed = sounds[scalar.value, default: 0]
                // Keep the first four readings; characters with more are rare in names.
                for slot in 0..<4 where (packed >> (16 * UInt64(slot))) & 0xFFFF == 0 {
                    sounds[scalar.value] = packed | (number << (16 * UInt64(slot)))
                    break
                }
            }
        }
        self.sounds = sounds
        self.syllables = syllables
    }

    public var isEmpty: Bool { sounds.isEmpty }

    func sound(_ scalar: UInt32) -> UInt64 { sounds[scalar] ?? 0 }

    /// The readings of a character, e.g. 行 → ["hang", "heng", "xing"].
    public func readings(_ character: Character) -> [String] {
        guard let s = character.unicodeScalars.first else { return [] }
        let packed = sound(s.value)
        return (0..<4).compactMap { slot in
            let n = Int((packed >> (16 * UInt64(slot))) & 0xFFFF)
            return n == 0 ? nil : syllables[n - 1]
        }
    }

    /// Do two characters share a reading?
    static func alike(_ a: UInt64, _ b: UInt64) -> Bool {
        guard a != 0, b != 0 else { return false }
        var x = a
        while x != 0 {
            let s = x & 0xFFFF
            var y = b
            while y != 0 {
                if y & 0xFFFF == s { return true }
                y >>= 16
            }
            x >>= 16
        }
        return false
    }

    public func homophones(_ a: String, _ b: String) -> Bool {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        guard x.count == y.count else { return false }
        return zip(x, y).allSatisfy { $0 == $1 || Self.alike(sound($0.value), sound($1.value)) }
    }
}
