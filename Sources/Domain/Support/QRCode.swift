import Foundation

/// A QR code (ISO/IEC 18004) for a short text such as a status-page address: byte mode, error-correction level M,
/// the smallest version from 1 to 10 that holds it, the mask with the lowest penalty. No maintained Swift package
/// for it is mirrored here, so this is a small encoder; the tests decode what it draws with a standard reader.
public struct QRCode: Sendable, Equatable {
    /// Modules per side (21 for version 1, 4 more per version).
    public let size: Int
    /// `true` is a dark module, row by row.
    public let modules: [[Bool]]

    public enum Failure: Error, Equatable { case tooLong(bytes: Int, max: Int) }

    // Level M, versions 1–10: error-correction codewords per block, and the blocks (count, data codewords each).
    static let ecPerBlock = [10, 16, 26, 18, 24, 16, 18, 22, 22, 26]
    static let blocks: [[(count: Int, data: Int)]] = [
        [(1, 16)], [(1, 28)], [(1, 44)], [(2, 32)], [(2, 43)], [(4, 27)], [(4, 31)], [(2, 38), (2, 39)], [(3, 36), (2, 37)], [(4, 43), (1, 44)],
    ]
    static let alignment: [[Int]] = [[], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]]

    public init(_ text: String) throws(Failure) {
        let bytes = Array(text.utf8)
        var chosen: Int?
        for v in 1...10 {
            let capacity = Self.blocks[v - 1].reduce(0) { $0 + $1.count * $1.data }
            // [ECI UTF-8 (12 bits) +] mode (4 bits) + count (8 bits up to version 9, 16 from 10) + data
            let bits = (Self.needsECI(bytes) ? 12 : 0) + 4 + (v < 10 ? 8 : 16) + 8 * bytes.count
            if bits <= capacity * 8 { chosen = v; break }
        }
        guard let version = chosen else { throw .tooLong(bytes: bytes.count, max: 213) }
        let codewords = Self.codewords(bytes, version: version)
        var best: (penalty: Int, grid: [[Bool]])?
        for mask in 0..<8 {
            var g = Grid(version: version)
            g.drawFunctionPatterns()
            g.drawCodewords(codewords)
            g.applyMask(mask)
            g.drawFormat(mask: mask)
            let p = g.penalty()
            if best == nil || p < best!.penalty { best = (p, g.dark) }
        }
        size = 17 + 4 * version
        modules = best!.grid
    }

    // MARK: data and error correction

    static func needsECI(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 >= 0x80 } }

    static func codewords(_ bytes: [UInt8], version: Int) -> [UInt8] {
        var bits: [Bool] = []
        func put(_ value: Int, _ count: Int) { for i in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) } }
        // Chinese text says it is UTF-8 (ECI 26): without it a reader guesses the byte encoding, and guesses wrong.
        if needsECI(bytes) { put(0b0111, 4); put(26, 8) }
        put(0b0100, 4)
        put(bytes.count, version < 10 ? 8 : 16)
        for b in bytes { put(Int(b), 8) }
        let dataCount = blocks[version - 1].reduce(0) { $0 + $1.count * $1.data }
        put(0, min(4, dataCount * 8 - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { i in bits[i..<i + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) } }
        var pad: UInt8 = 0xEC
        while data.count < dataCount { data.append(pad); pad = pad == 0xEC ? 0x11 : 0xEC }
        // Split into blocks, add each block's error correction, interleave.
        var dataBlocks: [[UInt8]] = []
        var at = 0
        for group in blocks[version - 1] {
            for _ in 0..<group.count { dataBlocks.append(Array(data[at..<at + group.data])); at += group.data }
        }
        let ec = ecPerBlock[version - 1]
        let generator = ReedSolomon.generator(degree: ec)
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator) }
        var out: [UInt8] = []
        for i in 0..<(dataBlocks.map(\.count).max() ?? 0) { for b in dataBlocks where i < b.count { out.append(b[i]) } }
        for i in 0..<ec { for b in ecBlocks { out.append(b[i]) } }
        return out
    }

    enum ReedSolomon {
        /// Multiplication in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
        static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
            var z: Int = 0
            for i in stride(from: 7, through: 0, by: -1) {
                z = (z << 1) ^ ((z >> 7) * 0x11D)
                z ^= ((Int(y) >> i) & 1) * Int(x)
            }
            return UInt8(z & 0xFF)
        }

        static func generator(degree: Int) -> [UInt8] {
            var result = [UInt8](repeating: 0, count: degree)
            result[degree - 1] = 1
            var root: UInt8 = 1
            for _ in 0..<degree {
                for j in 0..<degree {
                    result[j] = multiply(result[j], root)
                    if j + 1 < degree { result[j] ^= result[j + 1] }
                }
                root = multiply(root, 0x02)
            }
            return result
        }

        static func remainder(_ data: [UInt8], _ generator: [UInt8]) -> [UInt8] {
            var result = [UInt8](repeating: 0, count: generator.count)
            for b in data {
                let factor = b ^ result.removeFirst()
                result.append(0)
                for i in 0..<result.count { result[i] ^= multiply(generator[i], factor) }
            }
            return result
        }
    }

    // MARK: the grid

    struct Grid {
        let version: Int
        let size: Int
        var dark: [[Bool]]
        var reserved: [[Bool]]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            dark = Array(repeating: Array(repeating: false, count: size), count: size)
            reserved = dark
        }

        mutating func set(_ x: Int, _ y: Int, _ on: Bool) { dark[y][x] = on; reserved[y][x] = true }

        mutating func drawFunctionPatterns() {
            for i in 0..<size { set(6, i, i % 2 == 0); set(i, 6, i % 2 == 0) }
            for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 { for dx in -4...4 {
                    let (xx, yy) = (x + dx, y + dy)
                    guard (0..<size).contains(xx), (0..<size).contains(yy) else { continue }
                    let d = max(abs(dx), abs(dy))
                    set(xx, yy, d != 2 && d != 4)
                } }
            }
            let positions = QRCode.alignment[version - 1]
            for (i, ax) in positions.enumerated() { for (j, ay) in positions.enumerated() {
                if (i == 0 && j == 0) || (i == 0 && j == positions.count - 1) || (i == positions.count - 1 && j == 0) { continue }
                for dy in -2...2 { for dx in -2...2 { set(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1) } }
            } }
            drawFormat(mask: 0)   // reserves the format areas; drawn for real after masking
            if version >= 7 {
                var rem = version
                for _ in 0..<12 { rem = (rem << 1) ^ ((rem >> 11) * 0x1F25) }
                let bits = version << 12 | rem
                for i in 0..<18 {
                    let on = (bits >> i) & 1 == 1
                    let (a, b) = (size - 11 + i % 3, i / 3)
                    set(a, b, on)
                    set(b, a, on)
                }
            }
        }

        mutating func drawFormat(mask: Int) {
            // Level M is 00.
            let data = (0 << 3) | mask
            var rem = data
            for _ in 0..<10 { rem = (rem << 1) ^ ((rem >> 9) * 0x537) }
            let bits = (data << 10 | rem) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(8, i, bit(i)) }
            set(8, 7, bit(6)); set(8, 8, bit(7)); set(7, 8, bit(8))
            for i in 9..<15 { set(14 - i, 8, bit(i)) }
            for i in 0..<8 { set(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { set(8, size - 15 + i, bit(i)) }
            set(8, size - 8, true)
        }

        mutating func drawCodewords(_ codewords: [UInt8]) {
            var i = 0
            let total = codewords.count * 8
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vert in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = ((right + 1) & 2) == 0
                        let y = upward ? size - 1 - vert : vert
                        if !reserved[y][x] && i < total {
                            dark[y][x] = (codewords[i >> 3] >> (7 - (i & 7))) & 1 == 1
                            i += 1
                        }
                    }
                }
                right -= 2
            }
        }

        mutating func applyMask(_ mask: Int) {
            for y in 0..<size { for x in 0..<size where !reserved[y][x] {
                let flip: Bool
                switch mask {
                case 0: flip = (x + y) % 2 == 0
                case 1: flip = y % 2 == 0
                case 2: flip = x % 3 == 0
                case 3: flip = (x + y) % 3 == 0
                case 4: flip = (x / 3 + y / 2) % 2 == 0
                case 5: flip = x * y % 2 + x * y % 3 == 0
                case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0
                default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { dark[y][x].toggle() }
            } }
        }

        /// The standard's penalty: runs, 2×2 blocks, finder-like patterns, and the balance of dark and light.
        func penalty() -> Int {
            var p = 0
            func runs(_ line: [Bool]) -> Int {
                var score = 0, run = 1
                for i in 1..<line.count {
                    if line[i] == line[i - 1] { run += 1 } else { if run >= 5 { score += run - 2 }; run = 1 }
                }
                if run >= 5 { score += run - 2 }
                return score
            }
            func finders(_ line: [Bool]) -> Int {
                let pattern: [Bool] = [true, false, true, true, true, false, true]
                var score = 0
                for i in 0...(line.count - 7) where Array(line[i..<i + 7]) == pattern {
                    let before = i >= 4 && !line[(i - 4)..<i].contains(true)
                    let after = i + 11 <= line.count && !line[(i + 7)..<(i + 11)].contains(true)
                    if before || after { score += 40 }
                }
                return score
            }
            for y in 0..<size { p += runs(dark[y]) + finders(dark[y]) }
            for x in 0..<size { let col = (0..<size).map { dark[$0][x] }; p += runs(col) + finders(col) }
            for y in 0..<(size - 1) { for x in 0..<(size - 1) {
                let c = dark[y][x]
                if dark[y][x + 1] == c && dark[y + 1][x] == c && dark[y + 1][x + 1] == c { p += 3 }
            } }
            let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
            let total = size * size
            p += (abs(darkCount * 20 - total * 10) + total - 1) / total * 10
            return p
        }
    }

    // MARK: drawing

    /// The code as SVG, `scale` pixels a module, with the four-module quiet zone the standard asks for.
    public func svg(scale: Int = 4, label: String = "二维码") -> String {
        let side = (size + 8) * scale
        var path = ""
        for y in 0..<size { for x in 0..<size where modules[y][x] { path += "M\((x + 4) * scale) \((y + 4) * scale)h\(scale)v\(scale)h-\(scale)z" } }
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" aria-label=\"\(label)\" width=\"\(side)\" height=\"\(side)\" viewBox=\"0 0 \(side) \(side)\">"
            + "<rect width=\"\(side)\" height=\"\(side)\" fill=\"#fff\"/><path fill=\"#000\" d=\"\(path)\"/></svg>"
    }

    /// The code as a plain PBM image (netpbm), for a reader to check it.
    public func pbm(scale: Int = 4) -> String {
        let side = (size + 8) * scale
        var rows: [String] = []
        for py in 0..<side {
            let y = py / scale - 4
            rows.append((0..<side).map { px -> String in
                let x = px / scale - 4
                return (0..<size).contains(x) && (0..<size).contains(y) && modules[y][x] ? "1" : "0"
            }.joined(separator: " "))
        }
        return "P1\n\(side) \(side)\n" + rows.joined(separator: "\n") + "\n"
    }
}
