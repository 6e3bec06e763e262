import Crypto
import Domain
import Foundation
import NIOConcurrencyHelpers

/// Personal data at rest — ID numbers, phone numbers, account numbers, second-factor secrets: AES-256-GCM, a fresh
/// nonce per value, the sealed box (nonce, ciphertext, tag) kept as base64. Exact lookup goes by a keyed hash (the
/// blind index, HMAC-SHA256 under a key derived from the same secret), so an index alone tells nothing without the key.
/// The key comes from configuration (`JIUZHU_DATA_KEY`, 32 bytes in base64); production refuses to start without one.
/// Development and tests use a fixed key that says what it is, so their data is never mistaken for protected.
public struct DataCipher: Sendable {
    let key: SymmetricKey
    /// The blind index's own key: HKDF of the data key, so neither key reveals the other's use.
    let indexKey: SymmetricKey
    /// Whether this is the fixed development key.
    public let isDevelopmentKey: Bool

    public enum CipherError: Error, Equatable, CustomStringConvertible {
        case badKey
        case badIndexKey
        case unreadable
        /// No key was installed for this process (`install`): nothing is sealed or opened without one.
        case notInstalled
        /// A second, different key for the same process: data would be sealed under two keys.
        case secondKey
        public var description: String {
            switch self {
            case .badKey: return "JIUZHU_DATA_KEY 应为32字节密钥的 base64 编码（如 openssl rand -base64 32 的输出）"
            case .badIndexKey: return "JIUZHU_INDEX_KEY 应为32字节密钥的 base64 编码（jiuzhu keys index-key 的输出）"
            case .unreadable: return "加密数据无法解密：密钥不符或数据已损坏 (sealed data cannot be opened: wrong key or damaged)"
            case .notInstalled: return "个人信息加密密钥未配置 (no data key installed)"
            case .secondKey: return "同一进程不能使用两个不同的个人信息加密密钥 (a second, different data key)"
            }
        }
    }

    /// `indexKey`: the blind index's key where it is configured on its own (`JIUZHU_INDEX_KEY`, so that the data key
    /// can be changed while every stored index stays valid); else derived from the data key.
    public init(base64Key: String, indexKey: String? = nil) throws {
        guard let data = Self.keyBytes(base64Key) else { throw CipherError.badKey }
        let index = try indexKey.map { text in
            guard let bytes = Self.keyBytes(text) else { throw CipherError.badIndexKey }
            return SymmetricKey(data: bytes)
        }
        self.init(key: SymmetricKey(data: data), indexKey: index, isDevelopmentKey: false)
    }

    private init(key: SymmetricKey, indexKey: SymmetricKey? = nil, isDevelopmentKey: Bool) {
        self.key = key
        self.indexKey = indexKey ?? HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("jiuzhu blind index v1".utf8), outputByteCount: 32)
        self.isDevelopmentKey = isDevelopmentKey
    }

    private static func keyBytes(_ base64: String) -> Data? {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else { return nil }
        return data
    }

    /// The blind index's key in base64, to be configured as `JIUZHU_INDEX_KEY` before the data key is changed.
    public var indexKeyBase64: String { indexKey.withUnsafeBytes { Data($0) }.base64EncodedString() }

    /// Whether two ciphers make the same blind indexes.
    public func sharesIndex(with other: DataCipher) -> Bool { blindIndex("index key check") == other.blindIndex("index key check") }

    /// The fixed key for development, the demo and tests: derived from a public text, so it protects nothing.
    public static let development = DataCipher(key: developmentKey, isDevelopmentKey: true)
    private static let developmentKey = SymmetricKey(data: SHA256.hash(data: Data("jiuzhu development account key — not for production".utf8)))
    /// The development key's bytes, as configuration would give them: a test's production-mode server seals with it,
    /// since one process seals with one key.
    public static var developmentKeyBase64: String { developmentKey.withUnsafeBytes { Data($0) }.base64EncodedString() }

    // MARK: the process's key

    /// The key the store seals and opens personal data with, installed once at start (`configure`, a scratch database).
    /// The store's readers are reached through `any Database` from everywhere — pages, the CLI, background work — so the
    /// key is the process's, like its database configuration; a second, different key is refused rather than mixed in.
    private static let installed = NIOLockedValueBox<DataCipher?>(nil)

    public static func install(_ cipher: DataCipher) throws {
        try installed.withLockedValue { current in
            if let current, current.fingerprint != cipher.fingerprint { throw CipherError.secondKey }
            current = cipher
        }
    }

    /// The installed key; sealing or opening before `install` is an error, never a silent development key.
    public static func inUse() throws -> DataCipher {
        guard let c = installed.withLockedValue({ $0 }) else { throw CipherError.notInstalled }
        return c
    }

    /// Tells keys apart without keeping their bytes anywhere else.
    var fingerprint: Data { Data(HMAC<SHA256>.authenticationCode(for: Data("fingerprint".utf8), using: key)) }

    /// The keyed hash an exact lookup compares: the same text always gives the same index under one key.
    public func blindIndex(_ text: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: indexKey)).base64EncodedString()
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
