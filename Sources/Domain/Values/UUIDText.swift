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
