import Foundation

/// The second factor for staff sign-in: a time-based one-time password (RFC 6238) from any authenticator app, and
/// single-use recovery codes for a lost phone. Its numbers are data (`Resources/security/second-factor.json`);
/// the HMAC-SHA1 it needs is passed in, so the rule stays pure (the store gives it swift-crypto's).
public struct SecondFactorPolicy: Sendable, Equatable {
    public let issuer: String
    public let digits: Int
    public let period: Int
    public let driftSteps: Int
    public let secretBytes: Int
    public let recoveryCodes: Int
    /// The longest code field read: a recovery code typed with spaces fits; anything longer is not a code.
    public static let maxTypedLength = 24
    /// How long a correct password waits for its code before the sign-in starts again.
    public let pendingSeconds: Int
    /// Roles that always need it: the three administrators (the issue's and 等保's minimum). The security
    /// administrator may require it of others too (`SecondFactorPolicy.required`).
    public let alwaysRequiredFor: Set<Role>

    public init(issuer: String, digits: Int, period: Int, driftSteps: Int, secretBytes: Int, recoveryCodes: Int, pendingSeconds: Int,
                alwaysRequiredFor: Set<Role>) {
        self.issuer = issuer
        self.digits = digits
        self.period = period
        self.driftSteps = driftSteps
        self.secretBytes = secretBytes
        self.recoveryCodes = recoveryCodes
        self.pendingSeconds = pendingSeconds
        self.alwaysRequiredFor = alwaysRequiredFor
    }

    /// Whether `role` must use a second factor, given the roles the security administrator has added.
    public func required(for role: Role, configured: Set<Role>) -> Bool {
        alwaysRequiredFor.contains(role) || configured.contains(role)
    }

    public static func bundled() throws -> SecondFactorPolicy {
        struct File: Decodable {
            let issuer: String, digits: Int, periodSeconds: Int, driftSteps: Int, secretBytes: Int, recoveryCodes: Int, pendingSeconds: Int
            let alwaysRequiredFor: [String]
        }
        let path = "Resources/security/second-factor.json"
        guard let url = Bundle.module.url(forResource: "second-factor", withExtension: "json", subdirectory: "Resources/security"),
              let f = try? JSONDecoder().decode(File.self, from: Data(contentsOf: url)) else {
            throw DomainError.invalidData(file: path, reason: "缺失或无法读取")
        }
        let roles = f.alwaysRequiredFor.compactMap(Role.init(rawValue:))
        guard roles.count == f.alwaysRequiredFor.count, (6...8).contains(f.digits), f.periodSeconds > 0, f.driftSteps >= 0, f.secretBytes >= 16,
              f.recoveryCodes > 0, f.pendingSeconds > 0 else {
            throw DomainError.invalidData(file: path, reason: "参数无效（口令6–8位，密钥至少16字节，角色须为已知角色）")
        }
        return SecondFactorPolicy(issuer: f.issuer, digits: f.digits, period: f.periodSeconds, driftSteps: f.driftSteps, secretBytes: f.secretBytes,
                                  recoveryCodes: f.recoveryCodes, pendingSeconds: f.pendingSeconds, alwaysRequiredFor: Set(roles))
    }
}

/// RFC 6238 over RFC 4226: the code of a 30-second step is HMAC-SHA1(secret, step) dynamically truncated to
/// `digits` decimal digits.
public struct TOTP: Sendable {
    public typealias HMACSHA1 = @Sendable (_ key: [UInt8], _ message: [UInt8]) -> [UInt8]

    public let secret: [UInt8]
    public let policy: SecondFactorPolicy
    let hmac: HMACSHA1

    public init(secret: [UInt8], policy: SecondFactorPolicy, hmac: @escaping HMACSHA1) {
        self.secret = secret
        self.policy = policy
        self.hmac = hmac
    }

    /// The step a moment falls in: whole periods since 1970.
    public func step(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / Double(policy.period)).rounded(.down)) }

    /// The code of one step (RFC 4226 5.3: the last nibble of the MAC picks four bytes, their top bit cleared).
    public func code(step: Int64) -> String {
        let message = (0..<8).reversed().map { UInt8(truncatingIfNeeded: step >> ($0 * 8)) }
        let mac = hmac(secret, message)
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<policy.digits { modulus *= 10 }
        let text = String(binary % modulus)
        return String(repeating: "0", count: policy.digits - text.count) + text
    }

    /// The step a typed code belongs to, within the allowed drift, and later than `lastUsed` (a code is good once:
    /// one seen over a shoulder or replayed is refused); nil when it is none of them.
    public func matchingStep(_ typed: String, at date: Date, after lastUsed: Int64?) -> Int64? {
        let code = typed.filter { !$0.isWhitespace }
        guard code.count == policy.digits, code.allSatisfy(\.isASCIIDigit) else { return nil }
        let now = step(at: date)
        for s in (now - Int64(policy.driftSteps))...(now + Int64(policy.driftSteps)) where s > (lastUsed ?? Int64.min) {
            if ConstantTime.equal(self.code(step: s), code) { return s }
        }
        return nil
    }

    /// The `otpauth://` link an authenticator app reads from the enrolment QR code (Key Uri Format).
    public func uri(account: String) -> String {
        // Issuer and account each encoded, joined by a literal colon (the Key Uri Format's label).
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: ":/?&=#"))
        let label = [policy.issuer, account].map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0 }.joined(separator: ":")
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret))&issuer=\(policy.issuer)&digits=\(policy.digits)&period=\(policy.period)"
    }
}

/// Comparing secrets (a code, a token) in time that does not depend on where they first differ.
public enum ConstantTime {
    public static func equal(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// RFC 4648 base32 without padding, as authenticator apps take a secret typed by hand.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = "", buffer = 0, bits = 0
        for b in bytes {
            buffer = (buffer << 8) | Int(b)
            bits += 8
            while bits >= 5 { out.append(alphabet[(buffer >> (bits - 5)) & 31]); bits -= 5 }
        }
        if bits > 0 { out.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return out
    }

    /// Nil for a character outside the alphabet; spaces, hyphens, padding and case are forgiven.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = [], buffer = 0, bits = 0
        for ch in text.uppercased() where !" -=".contains(ch) {
            guard let v = alphabet.firstIndex(of: ch) else { return nil }
            buffer = (buffer << 5) | v
            bits += 5
            if bits >= 8 { out.append(UInt8((buffer >> (bits - 8)) & 0xFF)); bits -= 8 }
        }
        return out
    }
}

/// Single-use codes for a lost phone, shown once at enrolment: two groups of five characters from an alphabet
/// without look-alikes (about 49 bits each). The store keeps only their hashes.
public enum RecoveryCodes {
    static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func generate(_ count: Int) -> [String] {
        var rng = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            let chars = (0..<10).map { _ in alphabet.randomElement(using: &rng)! }
            return String(chars[0..<5]) + "-" + String(chars[5..<10])
        }
    }

    /// As typed: case, spaces and the hyphen do not matter.
    public static func normalised(_ typed: String) -> String {
        String(typed.lowercased().filter { alphabet.contains($0) })
    }
}
