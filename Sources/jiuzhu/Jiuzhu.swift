import ArgumentParser
import Domain
import Foundation
import Store
import Web

@main
struct Jiuzhu: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jiuzhu",
        abstract: "智慧救助 Jiuzhu: find and help households in hardship before they ask.",
        subcommands: [Demo.self, Serve.self, Migrate.self, UserCommand.self, Import.self, Export.self, Assess.self, Simulate.self, Link.self, Screen.self, ReviewCommand.self,
                      CalendarCommand.self, PayrollCommand.self, AuditCommand.self, BackupCommand.self, RestoreCommand.self, KeysCommand.self, GrantAppRole.self, Bench.self]
    )
}

/// A line written at once, even into a pipe or a file (`print` waits for its buffer to fill): a long run's
/// figures are not lost if it is stopped, and a server's start shows in its log while it runs.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

extension AppConfig {
    /// A command's configuration: the environment's (as `serve` reads it), with the command's own flags on top:
    /// `--database FILE` (a SQLite file instead of DATABASE_URL / JIUZHU_SQLITE_PATH) and `--policy FILE`
    /// (parameter files instead of JIUZHU_POLICY_FILES or the shipped ones).
    static func command(database: String? = nil, policy: [String] = []) throws -> AppConfig {
        var config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
        if let database { config.database = .sqlite(path: database) }
        if !policy.isEmpty { config.policyFiles = policy }
        return config
    }
}

/// What the server and every command other than `migrate` check before touching data, so that they stop with the
/// reason rather than fail mid-way: the schema is current (not a missing column later) and the data key is the
/// database's (`DataKeyCheck`).
func ready(_ server: Server, _ config: AppConfig, checkingKey: Bool = true) async throws {
    if try await server.pendingMigrations() > 0 {
        throw DataError("数据库结构不是最新的，请先运行 jiuzhu migrate（\(config.database)）。The database needs `jiuzhu migrate` first.")
    }
    if checkingKey { try await server.confirmDataKey() }
}

/// Opens the application for a one-off command and always closes it, whether the command succeeds or not.
/// `checkingKey: false` only for a key rotation, which checks the old key itself.
func withServer<T: Sendable>(_ config: AppConfig, migrating: Bool = false, checkingKey: Bool = true, _ body: (Server) async throws -> T) async throws -> T {
    let server = try await Server.make(config)
    do {
        if !migrating {
            try await ready(server, config, checkingKey: checkingKey)
            try await server.loadStoredCalendar()
        }
        let result = try await body(server)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create (or reuse) a demo city in a SQLite file and serve it.")

    @Option(help: "How many households to generate.") var households = 20_000
    @Option(help: "The SQLite file.") var database = "jiuzhu-demo.sqlite"
    @Option(help: "Listen address.") var host = "127.0.0.1"
    @Option(help: "Listen port.") var port = 8080
    @Flag(help: "Delete the demo database first and start afresh.") var reset = false
    @Flag(help: "Prepare the data and users, then exit without serving.") var noServe = false

    func run() async throws {
        if reset {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        }
        let config = AppConfig(mode: .development, database: .sqlite(path: database), host: host, port: port, bcryptCost: 10)
        let app = try await Server.make(config)
        do {
            try await app.migrate()
            try await app.confirmDataKey()
            let bar = ProgressBar(total: households, label: "生成演示数据")
            let (outcome, accounts) = try await app.prepareDemo(households: households, today: LocalDate(Date(), timeZone: .china)) { bar.update($0) }
            bar.finish()
            switch outcome {
            case .generated(let n): say("已生成演示城市：\(n) 户，保存在 \(database)")
            case .reused(let n): say("沿用已有演示数据（\(n) 户）：\(database)。使用 --reset 重新生成。")
            }
            say("\n演示账号（密码均为 \(DemoSetup.password)）：")
            for a in accounts {
                say("  \(a.username.padding(toLength: 12, withPad: " ", startingAt: 0)) \(a.role.chinese)  辖区：\(a.region.name)（\(a.region.code.value)）")
            }
            say("\n本数据为演示用虚构数据。街道、社区及全部人员均为虚构。")
            if noServe {
                try await app.shutdown()
                return
            }
            try await app.loadStoredCalendar()
            say("打开 http://\(host):\(port)/ （Ctrl-C 退出）")
        } catch {
            try await app.shutdown()
            throw error
        }
        try await app.run()
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve Jiuzhu. Reads DATABASE_URL, JIUZHU_HOST, JIUZHU_PORT, JIUZHU_ENV and JIUZHU_SESSION_SECRET from the environment.")

    func run() async throws {
        let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
        let app = try await Server.make(config)
        do {
            try await ready(app, config)
            try await app.loadStoredCalendar()
        } catch {
            try? await app.shutdown()
            throw error
        }
        // Written at once (`say`): `print` is buffered when the output is a pipe or a log file, and a server
        // runs until stopped, so a service manager's log showed nothing until then.
        say("Jiuzhu serving \(config.database) on \(config.host):\(config.port) in \(config.mode.rawValue) mode")
        try await app.run()
    }
}

/// `jiuzhu grant-app-role ROLE`: on PostgreSQL, gives the role the server connects as what it needs, and on the
/// audit log only reading and appending (`DatabaseRoles`). Run as the owner, after `jiuzhu migrate`.
struct GrantAppRole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "grant-app-role",
                                                    abstract: "PostgreSQL: grant the server's role its rights; the audit log only SELECT and INSERT.")
    @Argument(help: "The role the server connects as (it must exist).") var role: String

    func run() async throws {
        let config = try AppConfig.command()
        try await withServer(config) { app in
            do {
                try await DatabaseRoles.grantApplicationRole(app.db, role: role)
            } catch let e as DatabaseRoles.Failure {
                throw DataError(e.description)
            }
        }
        say("已授权角色 \(role)：业务表可读写，审计日志只能查询和追加。")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations (DATABASE_URL or JIUZHU_SQLITE_PATH).")

    func run() async throws {
        let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
        try await withServer(config, migrating: true) { server in
            try await server.migrate()
            try await server.confirmDataKey()
        }
        print("数据库已是最新结构：\(config.database)")
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage staff accounts.", subcommands: [Add.self, List.self, Grant.self, Disable.self, Enable.self])

    /// `user grant`: the security administrator's (三权分立); never one's own account.
    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant an account its role (a security administrator; never your own).")
        @Argument(help: "The account.") var username: String
        @Option(help: "Role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @Option(name: .customLong("as"), help: "The security administrator doing it (a username).") var admin: String
        func run() async throws {
            let role = try UserCommand.role(role)
            let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
            try await withServer(config) { app in
                let actor = try await namedUser(admin, may: .grantRoles, in: app)
                do { try await UserStore(app.db).grant(username, role: role, actor: actor) } catch let e as UserStoreError { throw DataError(e.description) }
            }
            say("已授予 \(username) 角色：\(role.chinese)。")
        }
    }

    static func role(_ raw: String) throws -> Role {
        guard let role = Role(rawValue: raw) else {
            throw ValidationError("未知角色「\(raw)」，可选：\(Role.allCases.map { "\($0.rawValue)（\($0.chinese)）" }.joined(separator: "、"))")
        }
        return role
    }

    /// `user disable` / `user enable`: by a named administrator, audited; a disabled account's sessions end at its
    /// next request.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a staff account: it signs in to nothing and its sessions end.")
        @Argument(help: "The account to disable.") var username: String
        @Option(name: .customLong("as"), help: "The administrator doing it (a username).") var admin: String
        func run() async throws { try await setDisabled(username, true, by: admin) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled staff account again.")
        @Argument(help: "The account to enable.") var username: String
        @Option(name: .customLong("as"), help: "The administrator doing it (a username).") var admin: String
        func run() async throws { try await setDisabled(username, false, by: admin) }
    }

    static func setDisabled(_ username: String, _ disabled: Bool, by admin: String) async throws {
        let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
        try await withServer(config) { app in
            let actor = try await namedUser(admin, may: .manageUsers, in: app)
            do {
                try await UserStore(app.db).setDisabled(username, disabled, actor: actor)
            } catch let e as UserStoreError {
                throw DataError(e.description)
            }
        }
        say(disabled ? "已停用用户 \(username)，其登录即时失效。" : "已恢复用户 \(username)。")
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a staff user. Reads the password from standard input, or generates one.",
            discussion: """
                With --as, a system administrator opens the account and its role waits for a security administrator's grant
                (`user grant`). Without it, the installer at the server's console sets up accounts whose roles hold at once
                (the first system, security and audit administrators); whoever runs it holds the database anyway.
                """)

        @Option(help: "Login name (letters, digits, . _ -).") var username: String
        @Option(help: "Name shown on pages.") var name: String
        @Option(help: "Role: \(Role.allCases.map(\.rawValue).joined(separator: ", ")).") var role: String
        @Option(help: "Jurisdiction: a 12-digit region code.") var region: String
        @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
        @Option(name: .customLong("as"), help: "The system administrator opening it (a username); the role then waits for a grant.") var admin: String?

        func run() async throws {
            let role = try UserCommand.role(role)
            let code: RegionCode
            do { code = try RegionCode(region) } catch { throw ValidationError(error.chinese) }
            var password: String
            var generated = false
            if passwordStdin {
                password = readLine(strippingNewline: true) ?? ""
                if let problem = try PasswordPolicy.bundled().problem(password, username: username) { throw ValidationError(problem) }
            } else {
                password = PasswordPolicy.generated()
                generated = true
            }
            let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
            let console = Actor(userID: nil, username: "cli:\(ProcessInfo.processInfo.environment["USER"] ?? "root")", role: .systemAdmin,
                                jurisdiction: code, origin: "cli")
            do {
                try await withServer(config) { app in
                    var opener = console
                    if let admin { opener = try await namedUser(admin, may: .manageUsers, in: app) }
                    try await UserStore(app.db).create(username: username, displayName: name, role: role, region: code,
                                                       passwordHash: PasswordHashing.hash(password, cost: config.bcryptCost), createdBy: opener,
                                                       proposed: admin != nil,
                                                       // A password the account's owner did not choose is changed at first sign-in.
                                                       passwordGiven: generated || admin != nil)
                }
            } catch let e as DataError {
                throw e
            } catch {
                throw DataError("\(error)")
            }
            print("已创建用户 \(username)（\(role.chinese)\(admin != nil ? "，待安全管理员授权" : "")，辖区 \(code.value)）")
            if generated { print("初始密码（只显示这一次）：\(password)") }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff users.")
        func run() async throws {
            let config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
            let users = try await withServer(config) { try await UserStore($0.db).all() }
            for u in users {
                print("\(u.username)\t\(u.role.chinese)\(u.isGranted ? "" : "（待授权）")\(u.isDisabled ? "（已停用）" : "")\t\(u.region.value)\t\(u.displayName)")
            }
        }
    }
}

/// A progress bar on a terminal; plain milestones otherwise (logs stay readable).
final class ProgressBar: @unchecked Sendable {
    private(set) var total: Int
    let label: String
    let start = Date()
    let isTTY = isatty(FileHandle.standardError.fileDescriptor) != 0
    private var lastPrinted = -1
    private let lock = NSLock()

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }

    /// For work whose size is learnt as it goes.
    func update(_ done: Int, of total: Int) {
        lock.lock()
        self.total = max(total, 1)
        lock.unlock()
        update(done)
    }

    func update(_ done: Int) {
        lock.lock(); defer { lock.unlock() }
        let pct = min(100, done * 100 / total)
        guard pct != lastPrinted else { return }
        lastPrinted = pct
        let elapsed = Date().timeIntervalSince(start)
        if isTTY {
            let filled = pct * 30 / 100
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: 30 - filled)
            FileHandle.standardError.write(Data("\r\(label) \(bar) \(pct)% \(done)/\(total) \(String(format: "%.1f", elapsed))s".utf8))
        } else if pct % 10 == 0 {
            FileHandle.standardError.write(Data("\(label) \(pct)% \(done)/\(total) \(String(format: "%.1f", elapsed))s\n".utf8))
        }
    }

    func finish() {
        if isTTY && lastPrinted >= 0 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
