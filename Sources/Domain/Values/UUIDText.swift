import Foundation

extension UUID {
    /// The 36-character text, byte for byte what `uuidString` writes (upper case) or its lower-case form.
    /// Foundation formats each UUID through `snprintf`; a screening writes millions of them (keys in
    /// queries, member IDs, evidence, bulk writes), and that formatting was a twentieth of its CPU time.
    public func text(lowercase: Bool) -> String {
        let letters: UInt8 = lowercase ? 0x61 - 10 : 0x41 - 10
        return withUnsafeBytes(of: uuid) { raw in
            String(unsafeUninitializedCapacity: 36) { out in
                var j = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        out[j] = 0x2D
                        j += 1
                    }
                    let hi = raw[i] >> 4, lo = raw[i] & 0x0F
                    out[j] = hi < 10 ? 0x30 + hi : letters + hi
                    out[j + 1] = lo < 10 ? 0x30 + lo : letters + lo
                    j += 2
                }
                return j
            }
        }
    }
}

extension UUID {
    /// Reads the 36-character text (either case), or nil. Foundation's `UUID(uuidString:)` parses with
    /// `sscanf` on Linux, which was a tenth of a SQLite screening (SQLite keeps every key as this text).
    public init?(text: String) {
        var text = text
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let ok = text.withUTF8 { b -> Bool in
            guard b.count == 36, b[8] == 0x2D, b[13] == 0x2D, b[18] == 0x2D, b[23] == 0x2D else { return false }
            func nibble(_ c: UInt8) -> UInt8? {
                switch c {
                case 0x30...0x39: return c - 0x30
                case 0x41...0x46: return c - 0x41 + 10
                case 0x61...0x66: return c - 0x61 + 10
                default: return nil
                }
            }
            return withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var j = 0
                for i in 0..<16 {
                    if j == 8 || j == 13 || j == 18 || j == 23 { j += 1 }
                    guard let hi = nibble(b[j]), let lo = nibble(b[j + 1]) else { return false }
                    out[i] = hi << 4 | lo
                    j += 2
                }
                return true
            }
        }
        guard ok else { return nil }
        self.init(uuid: bytes)
    }
}

/// Version-7 UUIDs (RFC 9562): the Unix time in milliseconds in the first 48 bits, then random bits.
/// Rows written together (an import's facts and events, a screening's warnings) get neighbouring keys, so
/// the key's index grows at one edge instead of taking each new row on a random page: with random keys a
/// million-row import rewrote pages all over the fact and event indexes.
/// The random bits come from SplitMix64 seeded once from the system's generator: asking the system for
/// every ID (two `getrandom` calls each) cost more than building the rows. Its outputs never repeat
/// within one generator, and a fresh seed per generator keeps generators apart.
public struct TimeOrderedUUIDs {
    private var random: SeededRandom

    public init() {
        var system = SystemRandomNumberGenerator()
        random = SeededRandom(seed: system.next())
    }

    public mutating func next(at date: Date = Date()) -> UUID {
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1_000))
        let a = random.next(), b = random.next()
        func byte(_ x: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: x >> shift) }
        return UUID(uuid: (byte(ms, 40), byte(ms, 32), byte(ms, 24), byte(ms, 16), byte(ms, 8), byte(ms, 0),
                           0x70 | (byte(a, 0) & 0x0F), byte(a, 8), 0x80 | (byte(a, 16) & 0x3F), byte(a, 24),
                           byte(b, 0), byte(b, 8), byte(b, 16), byte(b, 24), byte(b, 32), byte(b, 40)))
    }
}
