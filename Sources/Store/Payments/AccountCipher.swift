import Crypto
import Domain
import Foundation

/// Account numbers at rest: AES-256-GCM, a fresh nonce per number, the sealed box (nonce, ciphertext, tag) kept as
/// base64. The key comes from configuration (`JIUZHU_ACCOUNT_KEY`, 32 bytes in base64); production refuses to start
/// without one. Development and tests use a fixed key that says what it is, so their data is never mistaken for
/// protected.
public struct AccountCipher: Sendable {
    let key: SymmetricKey
    /// Whether this is the fixed development key.
    public let isDevelopmentKey: Bool

    public enum CipherError: Error, Equatable, CustomStringConvertible {
        case badKey
        case unreadable
        public var description: String {
            switch self {
            case .badKey: return "JIUZHU_ACCOUNT_KEY 应为32字节密钥的 base64 编码（如 openssl rand -base64 32 的输出）"
            case .unreadable: return "收款账号无法解密：密钥不符或数据已损坏"
            }
        }
    }

    public init(base64Key: String) throws {
        guard let data = Data(base64Encoded: base64Key.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else { throw CipherError.badKey }
        key = SymmetricKey(data: data)
        isDevelopmentKey = false
    }

    /// The fixed key for development, the demo and tests: derived from a public text, so it protects nothing.
    public static let development = AccountCipher(developmentKey: ())

    private init(developmentKey: Void) {
        key = SymmetricKey(data: SHA256.hash(data: Data("jiuzhu development account key — not for production".utf8)))
        isDevelopmentKey = true
    }

    public func seal(_ account: BankAccountNumber) throws -> String { try seal(text: account.digits) }

    /// Any short secret at rest under the same key (a staff member's second-factor secret).
    public func seal(text: String) throws -> String {
        guard let combined = try AES.GCM.seal(Data(text.utf8), using: key).combined else { throw CipherError.unreadable }
        return combined.base64EncodedString()
    }

    public func open(_ sealed: String) throws -> String {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
              let plain = try? AES.GCM.open(box, using: key) else { throw CipherError.unreadable }
        return String(decoding: plain, as: UTF8.self)
    }
}
