import Foundation

/// What a staff password must be: long enough, not one everybody tries first, not all digits (a phone number or
/// a birthday), and not the username. The length and the list are data (`Resources/security`), read once.
public struct PasswordPolicy: Sendable {
    public let minLength: Int
    let common: Set<String>

    public init(minLength: Int, common: Set<String>) {
        self.minLength = minLength
        self.common = Set(common.map { $0.lowercased() })
    }

    /// Why `password` is refused for `username`, in words for the person choosing it; nil when it is accepted.
    public func problem(_ password: String, username: String) -> String? {
        if password.count < minLength { return "密码至少\(minLength)个字符" }
        if password.allSatisfy(\.isASCIIDigit) { return "密码不能全是数字（电话号码、生日容易被猜中）" }
        let lower = password.lowercased()
        // A common password with a year or "!" added at the end is still the first thing anyone tries.
        let stem = String(lower.reversed().drop { $0.isASCIIDigit || $0.isPunctuation || $0.isSymbol }.reversed())
        if common.contains(lower) || common.contains(stem) { return "这是常见密码，很容易被猜中，请换一个" }
        if username.count >= 3, lower.contains(username.lowercased()) { return "密码不能包含用户名" }
        return nil
    }

    /// A first password for a new account, handed over once: 16 characters from an alphabet without look-alikes
    /// (no 0/O, 1/l/I), drawn from the system's secure generator.
    public static func generated() -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        return String((0..<16).map { _ in alphabet.randomElement(using: &rng)! })
    }

    public static func bundled() throws -> PasswordPolicy {
        struct File: Decodable { let minLength: Int; let commonPasswordsFile: String }
        guard let url = Bundle.module.url(forResource: "password-policy", withExtension: "json", subdirectory: "Resources/security"),
              let file = try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)),
              let list = Bundle.module.url(forResource: (file.commonPasswordsFile as NSString).deletingPathExtension, withExtension: "txt",
                                           subdirectory: "Resources/security"),
              let text = try? String(contentsOf: list, encoding: .utf8) else {
            throw DomainError.invalidData(file: "Resources/security/password-policy.json", reason: "缺失或无法读取（含常见密码表）")
        }
        let words = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        return PasswordPolicy(minLength: file.minLength, common: Set(words))
    }
}
