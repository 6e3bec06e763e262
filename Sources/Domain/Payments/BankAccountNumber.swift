import Foundation

/// A bank account or card number as a payee gives it: digits only once spaces and dashes are taken out, 10 to 32
/// of them (a social-assistance card, 一卡通, is a 16–19 digit card; passbook accounts run longer).
public struct BankAccountNumber: Sendable, Equatable, CustomStringConvertible {
    public let digits: String

    public init(_ raw: String) throws(DomainError) {
        let d = raw.filter { $0 != " " && $0 != "-" }
        guard (10...32).contains(d.count), d.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidData(file: "收款账户", reason: "账号应为10–32位数字（可含空格），收到「\(raw.prefix(40))」")
        }
        digits = d
    }

    /// The last four digits: what lists show, and what is stored in clear beside the encrypted number.
    public var tail: String { String(digits.suffix(4)) }

    /// `6230 **** **** 2345`: the bank's prefix and the last four, never the whole number.
    public static func masked(prefix: String?, tail: String) -> String {
        (prefix.map { $0 + " " } ?? "") + "**** **** " + tail
    }

    public var masked: String { Self.masked(prefix: String(digits.prefix(4)), tail: tail) }
    public var description: String { masked }
}
