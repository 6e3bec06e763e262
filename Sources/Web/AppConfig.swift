import Domain
import Foundation
import Logging
import Store

/// All configuration, read once from the environment (see `.env.example`). Tests build one directly.
public struct AppConfig: Sendable {
    public enum Mode: String, Sendable { case development, production, testing }

    public var mode: Mode
    public var database: DatabaseConfig
    public var host: String
    public var port: Int
    /// Signs nothing by itself (sessions are server-side), but its presence is how production proves it was configured;
    /// it also keys the CSRF tokens.
    public var sessionSecret: String?
    /// bcrypt work factor: 12 in production; tests lower it to stay fast.
    public var bcryptCost: Int
    public var lockout: LoginThrottle
    /// How long a staff session lasts from sign-in, checked by the server: a working day by default, so a shared
    /// office computer or a lost phone is not still signed in to household records the next morning.
    public var sessionLifetime: TimeInterval
    public var logLevel: Logger.Level
    /// Policy parameter files to use instead of the shipped ones (national rules plus the demo city).
    public var policyFiles: [String]?

    public init(mode: Mode, database: DatabaseConfig, host: String = "127.0.0.1", port: Int = 8080, sessionSecret: String? = nil,
                bcryptCost: Int = 12, lockout: LoginThrottle = LoginThrottle(maxFailures: 5, lockSeconds: 15 * 60),
                sessionLifetime: TimeInterval = 8 * 3600, logLevel: Logger.Level = .notice, policyFiles: [String]? = nil) {
        self.sessionLifetime = sessionLifetime
        self.logLevel = logLevel
        self.policyFiles = policyFiles
        self.mode = mode
        self.database = database
        self.host = host
        self.port = port
        self.sessionSecret = sessionSecret
        self.bcryptCost = bcryptCost
        self.lockout = lockout
    }

    public enum ConfigError: Error, CustomStringConvertible {
        case missingSecret
        case invalid(String, String)
        public var description: String {
            switch self {
            case .missingSecret:
                return "生产模式必须设置 JIUZHU_SESSION_SECRET（至少32个字符）。Production mode needs JIUZHU_SESSION_SECRET (32+ characters)."
            case .invalid(let k, let v): return "环境变量 \(k) 的值「\(v)」无效 (invalid value for \(k))"
            }
        }
    }

    public static func from(environment env: [String: String]) throws -> AppConfig {
        let mode = Mode(rawValue: env["JIUZHU_ENV"] ?? "development") ?? .development
        func int(_ key: String, _ def: Int) throws -> Int {
            guard let raw = env[key], !raw.isEmpty else { return def }
            guard let v = Int(raw), v > 0 else { throw ConfigError.invalid(key, raw) }
            return v
        }
        let secret = env["JIUZHU_SESSION_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if mode == .production {
            guard let s = secret, s.count >= 32 else { throw ConfigError.missingSecret }
        }
        return AppConfig(
            mode: mode,
            database: DatabaseConfig.from(environment: env, sqlitePath: env["JIUZHU_SQLITE_PATH"] ?? "jiuzhu.sqlite"),
            host: env["JIUZHU_HOST"] ?? "127.0.0.1",
            port: try int("JIUZHU_PORT", 8080),
            sessionSecret: secret,
            bcryptCost: try int("JIUZHU_BCRYPT_COST", 12),
            lockout: LoginThrottle(maxFailures: try int("JIUZHU_LOCKOUT_FAILURES", 5),
                                   lockSeconds: TimeInterval(try int("JIUZHU_LOCKOUT_MINUTES", 15) * 60)),
            sessionLifetime: TimeInterval(try int("JIUZHU_SESSION_HOURS", 8) * 3600),
            logLevel: Logger.Level(rawValue: env["LOG_LEVEL"] ?? "notice") ?? .notice,
            policyFiles: env["JIUZHU_POLICY_FILES"].map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } })
    }
}
