import Foundation

/// Finds what must never be on a page the public sees (a notice posted on the community board, the applicant's
/// status page): a whole ID number, a mobile number, a bank card number. PIPL art. 28 counts ID and financial
/// account numbers as sensitive personal information, and the 公示 rules publish names, household size and amounts
/// only. A masked number (`120104********1234`) is broken by its stars and is not found.
public enum PublicOutputScanner {
    public enum Kind: String, Sendable, Equatable {
        case nationalID, mobile, bankCard
        public var chinese: String {
            switch self {
            case .nationalID: return "身份证号"
            case .mobile: return "手机号"
            case .bankCard: return "银行卡号"
            }
        }
    }

    /// The kinds of number found in `text`, each once, in the order first seen. Numbers are whole runs of digits
    /// (an ID may end in X): a run inside a longer one is not a number of its own.
    public static func findings(in text: String) -> [Kind] {
        var found: [Kind] = []
        func add(_ k: Kind) { if !found.contains(k) { found.append(k) } }
        var run: [Character] = []
        func flush() {
            defer { run.removeAll(keepingCapacity: true) }
            guard run.count >= 11 else { return }
            let s = String(run)
            if run.count == 18, (try? NationalID(s)) != nil { add(.nationalID); return }
            guard run.allSatisfy(\.isASCIIDigit) else { return }
            if run.count == 11, run[0] == "1", ("3"..."9").contains(run[1]) { add(.mobile); return }
            if (16...19).contains(run.count), luhn(run) { add(.bankCard) }
        }
        for c in text {
            if c.isASCIIDigit || ((c == "X" || c == "x") && run.count == 17) {
                run.append(c)
            } else {
                flush()
            }
        }
        flush()
        return found
    }

    /// The check digit bank card numbers carry (ISO/IEC 7812).
    static func luhn(_ digits: [Character]) -> Bool {
        var sum = 0
        for (i, c) in digits.reversed().enumerated() {
            guard var d = c.wholeNumberValue else { return false }
            if i % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }
}
