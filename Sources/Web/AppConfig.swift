import Crypto
import Domain
import Fluent
import Foundation
import Logging
import Store

/// All configuration, read once from the environment (see `.env.example`) and, for the command line, its flags:
/// the server, `demo` and every command use this one. Tests build one directly.
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
    /// Failed sign-ins one address may make within the lockout's time, across all accounts.
    public var loginAddressFailures: Int
    /// The reverse proxies in front of the server (`JIUZHU_TRUSTED_PROXIES`, addresses separated by commas): only a
    /// request from one of them has its `X-Forwarded-For` believed, for the audit log's origin and the per-address limits.
    public var trustedProxies: Set<String>
    /// How long a staff session lasts from sign-in, checked by the server: a working day by default, so a shared
    /// office computer or a lost phone is not still signed in to household records the next morning.
    public var sessionLifetime: TimeInterval
    /// A staff session left untouched this long ends (`JIUZHU_IDLE_MINUTES`): a screen left open at the window.
    public var idleTimeout: TimeInterval = 30 * 60
    public var logLevel: Logger.Level
    /// Policy parameter files to use instead of the shipped ones (national rules plus the demo city).
    public var policyFiles: [String]?
    /// An indicator catalogue to use instead of the shipped one.
    public var indicatorsFile: String?
    /// The city this installation serves (`JIUZHU_CITY`); when unset, the one city in the database's regions.
    public var city: RegionCode?
    /// The key personal data rests under — ID, phone and account numbers (`JIUZHU_DATA_KEY`, 32 bytes in base64; the
    /// earlier name `JIUZHU_ACCOUNT_KEY` is still read); production needs one.
    public var dataKey: String?
    /// The blind index's own key (`JIUZHU_INDEX_KEY`), set before the data key is changed; else derived from the data key.
    public var indexKey: String?
    /// The key audit archives are signed with (`JIUZHU_AUDIT_KEY`, 32 bytes in base64); production archives need one.
    public var auditKey: String?
    /// Bank file formats to use instead of the shipped ones (`JIUZHU_BANK_FORMATS_FILE`).
    public var bankFormatsFile: String?

    public init(mode: Mode, database: DatabaseConfig, host: String = "127.0.0.1", port: Int = 8080, sessionSecret: String? = nil,
                bcryptCost: Int = 12, lockout: LoginThrottle = LoginThrottle(maxFailures: 5, lockSeconds: 15 * 60),
                loginAddressFailures: Int = 30, trustedProxies: Set<String> = [], sessionLifetime: TimeInterval = 8 * 3600, logLevel: Logger.Level = .notice, policyFiles: [String]? = nil,
                indicatorsFile: String? = nil, city: RegionCode? = nil, dataKey: String? = nil, bankFormatsFile: String? = nil) {
        self.dataKey = dataKey
        self.bankFormatsFile = bankFormatsFile
        self.indicatorsFile = indicatorsFile
        self.city = city
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
        self.loginAddressFailures = loginAddressFailures
        self.trustedProxies = trustedProxies
    }

    /// The bcrypt work factors the environment may choose.
    public static let bcryptCosts = 10...31

    public enum ConfigError: Error, CustomStringConvertible {
        case missingSecret
        case missingDataKey
        case missingAuditKey
        case invalid(String, String)
        case unreadable(String, String)
        case noCity
        public var description: String {
            switch self {
            case .missingSecret:
                return "生产模式必须设置 JIUZHU_SESSION_SECRET（至少32个字符）。Production mode needs JIUZHU_SESSION_SECRET (32+ characters)."
            case .missingDataKey:
                return "生产模式必须设置 JIUZHU_DATA_KEY（身份证号、电话、收款账号的加密密钥，32字节的 base64，如 openssl rand -base64 32）。Production mode needs JIUZHU_DATA_KEY."
            case .missingAuditKey:
                return "生产模式归档审计日志必须设置 JIUZHU_AUDIT_KEY（签名密钥，32字节的 base64）。Production audit archives need JIUZHU_AUDIT_KEY."
            case .invalid(let k, let v): return "环境变量 \(k) 的值「\(v)」无效 (invalid value for \(k))"
            case .unreadable(let k, let path): return "\(k) 指定的文件 \(path) 不存在或无权读取 (cannot read \(path))"
            case .noCity:
                return "未设置本市：请设置 JIUZHU_CITY（本市12位区划代码，如 120100000000），或先载入本市区划。Set JIUZHU_CITY to the city's region code."
            }
        }
    }

    public static func from(environment env: [String: String]) throws -> AppConfig {
        let mode = Mode(rawValue: env["JIUZHU_ENV"] ?? "development") ?? .development
        func int(_ key: String, _ def: Int, in range: ClosedRange<Int> = 1...Int.max) throws -> Int {
            guard let raw = env[key], !raw.isEmpty else { return def }
            guard let v = Int(raw), range.contains(v) else { throw ConfigError.invalid(key, raw) }
            return v
        }
        let secret = env["JIUZHU_SESSION_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        let dataKeyName = env["JIUZHU_DATA_KEY"].map { !$0.isEmpty } == true ? "JIUZHU_DATA_KEY" : "JIUZHU_ACCOUNT_KEY"
        let dataKey = env[dataKeyName].flatMap { $0.isEmpty ? nil : $0 }
        if mode == .production {
            guard let s = secret, s.count >= 32 else { throw ConfigError.missingSecret }
            // Personal data is encrypted at rest: without the key the server does not start.
            guard dataKey != nil else { throw ConfigError.missingDataKey }
        }
        if let dataKey, (try? DataCipher(base64Key: dataKey)) == nil { throw ConfigError.invalid(dataKeyName, "（已隐藏）") }
        let indexKey = env["JIUZHU_INDEX_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let indexKey, Data(base64Encoded: indexKey)?.count != 32 { throw ConfigError.invalid("JIUZHU_INDEX_KEY", "（已隐藏）") }
        if indexKey != nil, dataKey == nil { throw ConfigError.invalid("JIUZHU_INDEX_KEY", "须与 JIUZHU_DATA_KEY 一同配置") }
        let auditKey = env["JIUZHU_AUDIT_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        if let auditKey, Data(base64Encoded: auditKey)?.count != 32 { throw ConfigError.invalid("JIUZHU_AUDIT_KEY", "（已隐藏）") }
        var config = AppConfig(
            mode: mode,
            database: DatabaseConfig.from(environment: env, sqlitePath: env["JIUZHU_SQLITE_PATH"] ?? "jiuzhu.sqlite"),
            host: env["JIUZHU_HOST"] ?? "127.0.0.1",
            port: try int("JIUZHU_PORT", 8080),
            sessionSecret: secret,
            // Below 10 a stolen table of hashes is guessed too cheaply (OWASP's floor); bcrypt itself stops at 31.
            bcryptCost: try int("JIUZHU_BCRYPT_COST", 12, in: Self.bcryptCosts),
            lockout: LoginThrottle(maxFailures: try int("JIUZHU_LOCKOUT_FAILURES", 5),
                                   lockSeconds: TimeInterval(try int("JIUZHU_LOCKOUT_MINUTES", 15) * 60)),
            loginAddressFailures: try int("JIUZHU_LOGIN_ADDRESS_FAILURES", 30),
            trustedProxies: try Set((env["JIUZHU_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { part in
                let address = part.trimmingCharacters(in: .whitespaces)
                guard ClientAddress.isIPAddress(address) else { throw ConfigError.invalid("JIUZHU_TRUSTED_PROXIES", address) }
                return address
            }),
            sessionLifetime: TimeInterval(try int("JIUZHU_SESSION_HOURS", 8) * 3600),
            logLevel: Logger.Level(rawValue: env["LOG_LEVEL"] ?? "notice") ?? .notice,
            policyFiles: env["JIUZHU_POLICY_FILES"].flatMap { $0.isEmpty ? nil : $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } },
            indicatorsFile: env["JIUZHU_INDICATORS_FILE"].flatMap { $0.isEmpty ? nil : $0 },
            city: try env["JIUZHU_CITY"].flatMap { $0.isEmpty ? nil : $0 }.map { raw in
                guard let code = try? RegionCode(raw), code.level == .city || code.level == .province else { throw ConfigError.invalid("JIUZHU_CITY", raw) }
                return code
            }, dataKey: dataKey, bankFormatsFile: env["JIUZHU_BANK_FORMATS_FILE"].flatMap { $0.isEmpty ? nil : $0 })
        config.auditKey = auditKey
        config.indexKey = indexKey
        config.idleTimeout = TimeInterval(try int("JIUZHU_IDLE_MINUTES", 30) * 60)
        return config
    }

    // MARK: what the configuration names, loaded

    /// The personal data's cipher: the configured key, else (never in production) the development key.
    public func dataCipher() throws -> DataCipher {
        if let dataKey { return try DataCipher(base64Key: dataKey, indexKey: indexKey) }
        guard mode != .production else { throw ConfigError.missingDataKey }
        return DataCipher.development
    }

    /// The key audit archives are signed and checked with: the configured one, else (never in production) a
    /// development key, which signs nothing anyone should rely on.
    public func auditSigningKey() throws -> SymmetricKey {
        if let auditKey, let bytes = Data(base64Encoded: auditKey) { return SymmetricKey(data: bytes) }
        guard mode != .production else { throw ConfigError.missingAuditKey }
        return SymmetricKey(data: SHA256.hash(data: Data("jiuzhu-development-audit-key".utf8)))
    }

    /// The bank file formats: the file named, else the shipped ones. A broken file is refused here, by name.
    public func bankFormats() throws -> BankFileFormats {
        guard let path = bankFormatsFile else { return try BankFileFormats.bundled() }
        guard let d = FileManager.default.contents(atPath: path) else { throw ConfigError.unreadable("JIUZHU_BANK_FORMATS_FILE", path) }
        return try BankFileFormats(json: d, file: path)
    }

    /// The rules' parameters: the files named, else the shipped ones. A broken file is refused here, by name.
    public func parameters() throws -> ParameterSet {
        guard let files = policyFiles, !files.isEmpty else { return try ParameterSet.bundled() }
        return try ParameterSet(files: try files.map { path in
            guard let d = FileManager.default.contents(atPath: path) else { throw ConfigError.unreadable("JIUZHU_POLICY_FILES / --policy", path) }
            return d
        })
    }

    /// The indicator catalogue as shipped or as named. The city's tuning lives in the database and is applied
    /// by `MonitoringSetup.tuned(from:)` where a screening or a page reads it.
    public func catalogue() throws -> IndicatorCatalogue {
        guard let path = indicatorsFile else { return try IndicatorCatalogue.bundled() }
        guard let d = FileManager.default.contents(atPath: path) else { throw ConfigError.unreadable("JIUZHU_INDICATORS_FILE", path) }
        return try IndicatorCatalogue.load(d, file: path)
    }

    /// The calculator over these parameters, and monitoring with this catalogue and the holiday calendar.
    public func policy() throws -> Policy {
        let calculator = PolicyCalculator(parameters: try parameters())
        return Policy(calculator: calculator, monitoring: MonitoringSetup(screener: Screener(catalogue: try catalogue(), calculator: calculator),
                                                                          calendar: try WorkingCalendar.bundled()),
                      processes: try CaseProcesses.bundled(), reviewCycles: try ReviewCycles.bundled(),
                      deliberationLevels: try DeliberationLevels.bundled())
    }

    /// The city the configuration names, else the registry's own (`RegistryStore.city`). Never the demo's
    /// settings file: an installation serves its own city.
    public func city(in db: any Database) async throws -> RegionCode {
        if let city { return city }
        if let recorded = try await RegistryStore(db).city() { return recorded }
        throw ConfigError.noCity
    }
}

/// The rules and the monitoring one configuration names, loaded once (the server at start, a command when it runs).
public struct Policy: Sendable {
    public let calculator: PolicyCalculator
    public let monitoring: MonitoringSetup
    /// Each programme's determination process (`Resources/cases/processes.json`).
    public let processes: CaseProcesses
    /// The periodic review cycles (`Resources/reviews/cycles.json`).
    public let reviewCycles: ReviewCycles
    /// The levels of case-by-case deliberation and the situations (`Resources/deliberations/levels.json`).
    public let deliberationLevels: DeliberationLevels
}
