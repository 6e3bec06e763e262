import Foundation

/// Why an ID number was rejected. Each case says exactly what is wrong, for the person who typed it.
public enum NationalIDError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case wrongLength(Int)
    case invalidCharacter(position: Int, character: Character)
    case impossibleDate(String)
    case wrongCheckCharacter(expected: Character, found: Character)

    public var chinese: String {
        switch self {
        case .empty: return "身份证号码为空"
        case .wrongLength(let n): return "身份证号码长度为\(n)位，应为18位（或旧版15位）"
        case .invalidCharacter(let p, let c): return "身份证号码第\(p)位字符「\(c)」无效：前17位应为数字，第18位为数字或X"
        case .impossibleDate(let d): return "身份证号码中的出生日期 \(d) 不存在"
        case .wrongCheckCharacter(let e, let f): return "身份证号码校验码错误：第18位为「\(f)」，按前17位计算应为「\(e)」"
        }
    }

    public var description: String {
        switch self {
        case .empty: return "national ID is empty"
        case .wrongLength(let n): return "national ID has \(n) characters; expected 18 (or legacy 15)"
        case .invalidCharacter(let p, let c): return "national ID character \(p) '\(c)' is invalid: digits only, X allowed as the 18th"
        case .impossibleDate(let d): return "national ID birth date \(d) does not exist"
        case .wrongCheckCharacter(let e, let f): return "national ID check character is '\(f)'; expected '\(e)'"
        }
    }
}

/// 居民身份证号码, GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence
/// (odd for men, even for women) and an ISO 7064 MOD 11-2 check character.
public struct NationalID: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The 18 normalised characters.
    public let value: String

    public static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checkCharacters: [Character] = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]

    /// Accepts what people actually type: surrounding and inner spaces, full-width digits and X,
    /// a lower-case x, and a legacy 15-digit number, which is converted to 18 digits.
    public init(_ raw: String) throws(NationalIDError) {
        // Nearly every ID read back from the store, and most in department files, is already 18 canonical
        // characters: checked on the bytes, without building Characters (a screening reads millions).
        if NationalID.isCanonical(raw) {
            value = raw
            return
        }
        let text = NationalID.normalise(raw)
        guard !text.isEmpty else { throw .empty }
        let chars = Array(text)
        switch chars.count {
        case 18: break
        case 15:
            for (i, c) in chars.enumerated() where !c.isASCIIDigit {
                throw .invalidCharacter(position: i + 1, character: c)
            }
            let body = String(chars[0..<6]) + "19" + String(chars[6..<15])
            try NationalID.checkDate(Array(body))
            value = body + String(NationalID.checkCharacter(for: Array(body)))
            return
        default: throw .wrongLength(chars.count)
        }
        for i in 0..<17 where !chars[i].isASCIIDigit {
            throw .invalidCharacter(position: i + 1, character: chars[i])
        }
        guard chars[17].isASCIIDigit || chars[17] == "X" else {
            throw .invalidCharacter(position: 18, character: chars[17])
        }
        try NationalID.checkDate(chars)
        let expected = NationalID.checkCharacter(for: chars)
        guard expected == chars[17] else { throw .wrongCheckCharacter(expected: expected, found: chars[17]) }
        value = text
    }

    /// Builds a valid number from its parts; used by the demo generator.
    public init(addressCode: String, birthDate: LocalDate, sequence: Int) throws(NationalIDError) {
        let body = addressCode + String(format: "%04d%02d%02d%03d", birthDate.year, birthDate.month, birthDate.day, sequence)
        guard body.count == 17 else { throw .wrongLength(body.count + 1) }
        try self.init(body + String(NationalID.checkCharacter(for: Array(body))))
    }

    /// Trims, removes spaces, turns full-width digits and letters into ASCII, and upper-cases x.
    public static func normalise(_ raw: String) -> String {
        var out = ""
        out.reserveCapacity(18)
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0xFF10...0xFF19: out.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            case 0xFF38, 0xFF58, 0x78: out.append("X")
            default:
                if CharacterSet.whitespacesAndNewlines.contains(scalar) || scalar.value == 0x3000 { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// 17 ASCII digits, a valid birth date and the right check character (digit or upper-case X).
    static func isCanonical(_ raw: String) -> Bool {
        let utf8 = raw.utf8
        guard utf8.count == 18 else { return false }
        return utf8.withContiguousStorageIfAvailable { b -> Bool in
            var sum = 0
            for i in 0..<17 {
                let d = Int(b[i]) - 48
                guard (0...9).contains(d) else { return false }
                sum += d * weights[i]
            }
            func number(_ from: Int, _ count: Int) -> Int { (from..<from + count).reduce(0) { $0 * 10 + Int(b[$1]) - 48 } }
            let y = number(6, 4), m = number(10, 2), d = number(12, 2)
            guard y >= 1800, LocalDate.isValid(year: y, month: m, day: d) else { return false }
            return checkBytes[sum % 11] == b[17]
        } ?? false // not contiguous (never for native strings): the general path decides

    }

    static let checkBytes: [UInt8] = checkCharacters.map { $0.asciiValue! }

    public static func checkCharacter(for chars: [Character]) -> Character {
        var sum = 0
        for i in 0..<17 { sum += Int(String(chars[i]))! * weights[i] }
        return checkCharacters[sum % 11]
    }

    private static func checkDate(_ chars: [Character]) throws(NationalIDError) {
        let text = String(chars[6..<14])
        let y = Int(text.prefix(4))!, m = Int(text.dropFirst(4).prefix(2))!, d = Int(text.suffix(2))!
        // The oldest living people were born in the late 19th century; GB 11643's own example is 1880.
        guard y >= 1800, LocalDate.isValid(year: y, month: m, day: d) else {
            throw .impossibleDate("\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))")
        }
    }

    public var addressCode: String { String(value.prefix(6)) }

    public var birthDate: LocalDate {
        let d = Array(value)
        // Validated on construction.
        return try! LocalDate(year: Int(String(d[6..<10]))!, month: Int(String(d[10..<12]))!, day: Int(String(d[12..<14]))!)
    }

    public var sex: Sex { Int(String(Array(value)[16]))! % 2 == 1 ? .male : .female }

    /// For lists and public notices: `110105********002X`.
    public var masked: String { value.prefix(6) + String(repeating: "*", count: 8) + value.suffix(4) }

    public var description: String { masked }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        do { try self.init(raw) } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(value)
    }
}

public enum Sex: String, Codable, Sendable, CaseIterable {
    case male, female
    public var chinese: String { self == .male ? "男" : "女" }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
