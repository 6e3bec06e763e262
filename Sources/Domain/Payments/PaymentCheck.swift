import Foundation

/// How a payee was reached for the month's payment verification.
public enum PaymentCheckMethod: String, ChineseLabelled {
    case phone, visit
    public var chinese: String { self == .phone ? "电话回访" : "入户核验" }
}

/// What a payment verification found: did the money arrive, is the payee alive, do they live there. Anything but
/// three yeses is a failure, which must say what was found, and is raised as a warning.
public struct PaymentCheck: Sendable, Equatable {
    public var method: PaymentCheckMethod
    public var arrived: Bool
    public var alive: Bool
    public var livesThere: Bool
    public var note: String

    public init(method: PaymentCheckMethod, arrived: Bool, alive: Bool, livesThere: Bool, note: String) {
        self.method = method
        self.arrived = arrived
        self.alive = alive
        self.livesThere = livesThere
        self.note = note.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public var passed: Bool { arrived && alive && livesThere }

    /// The finding in words, for the record and the warning's fact.
    public var finding: String {
        var parts: [String] = []
        if !arrived { parts.append("款项未到账") }
        if !alive { parts.append("收款人已死亡") }
        if !livesThere { parts.append("收款人不在当地居住") }
        let head = parts.isEmpty ? "款项已到账，本人健在并在当地居住" : parts.joined(separator: "，")
        return "\(method.chinese)：" + head + (note.isEmpty ? "" : "（\(note)）")
    }

    public enum Invalid: Error, Equatable {
        case noteRequired
        public var chinese: String { "核验未通过的，请写明核实的情况" }
    }

    public func validated() throws(Invalid) -> PaymentCheck {
        guard passed || !note.isEmpty else { throw .noteRequired }
        return self
    }
}
