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
    /// A version-7 UUID (RFC 9562): the Unix time in milliseconds in the first 48 bits, then random bits.
    /// Rows written together (an import's facts and events, a screening's warnings) get neighbouring keys, so
    /// the key's index grows at one edge instead of taking each new row on a random page: with random keys a
    /// million-row import rewrote pages all over the fact and event indexes.
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        var random = SystemRandomNumberGenerator()
        let ms = UInt64(max(0, date.timeIntervalSince1970 * 1_000))
        let a = random.next() as UInt64, b = random.next() as UInt64
        func byte(_ x: UInt64, _ shift: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: x >> shift) }
        return UUID(uuid: (byte(ms, 40), byte(ms, 32), byte(ms, 24), byte(ms, 16), byte(ms, 8), byte(ms, 0),
                           0x70 | (byte(a, 0) & 0x0F), byte(a, 8), 0x80 | (byte(a, 16) & 0x3F), byte(a, 24),
                           byte(b, 0), byte(b, 8), byte(b, 16), byte(b, 24), byte(b, 32), byte(b, 40)))
    }
}
