import Domain
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix
import SQLKit

/// Where the registry lives: a SQLite file by default (the demo needs no server), PostgreSQL
/// when `DATABASE_URL` is set (production).
public enum DatabaseConfig: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String)
    case sqliteMemory
    case postgres(url: String)

    /// `DATABASE_URL` wins; otherwise the SQLite file at `sqlitePath`.
    public static func from(environment env: [String: String], sqlitePath: String) -> DatabaseConfig {
        if let url = env["DATABASE_URL"], !url.isEmpty { return .postgres(url: url) }
        return .sqlite(path: sqlitePath)
    }

    public var description: String {
        switch self {
        case .sqlite(let path): return "SQLite \(path)"
        case .sqliteMemory: return "SQLite (memory)"
        case .postgres(let url):
            // Never print a password.
            guard var c = URLComponents(string: url) else { return "PostgreSQL" }
            if c.password != nil { c.password = "***" }
            return "PostgreSQL \(c.string ?? "")"
        }
    }

    public var isPostgres: Bool { if case .postgres = self { return true } else { return false } }

    /// Threads for SQLite's blocking calls (see `configure`): a few more than the writers that may wait on the
    /// file's lock at once outside `SQLiteWriteTurn`.
    public static let sqliteThreads = 16

    /// Registers the database as the default on `databases`.
    public func register(on databases: Databases) throws {
        switch self {
        case .sqlite(let path):
            databases.use(.sqlite(.file(path)), as: .sqlite)
        case .sqliteMemory:
            databases.use(.sqlite(.memory), as: .sqlite)
        case .postgres(let url):
            var configuration = try SQLPostgresConfiguration(url: url)
            // No JIT compilation: the store's queries take milliseconds, but a batch's read of 2,000 households
            // is costed above `jit_above_cost`, and compiling it anew for every batch took 6% of the server's
            // CPU in a full screening.
            configuration.coreConfiguration.options.additionalStartupParameters.append(("jit", "off"))
            databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4), as: .psql)
        }
    }
}

/// The store's migrations, in order. Never edit one that has landed: add a new one.
public enum StoreMigrations {
    public static var all: [any Migration] {
        [
            CreateRegion(), CreateHousehold(), CreateMember(), CreateFact(), CreateEnrolment(),
            CreateUser(), CreateAuditEntry(), CreateSetting(), AddRegistryIndexes(), AddSearchIndexes(), AddFeedImports(), AddEnrolmentStatusChangedOn(), AddPersonLinks(), AddMonitoring(), UseWriteAheadLog(),
            AddHoldReleaseReason(),
            AddScreeningProgress(),
            AddEventBatches(),
            AddUnlinkedDisability(),
        ]
    }
}

/// A database opened without a web server: for the command line and the store's tests.
public final class StandaloneDatabase: @unchecked Sendable {
    public let databases: Databases
    public let migrations: Migrations
    public let logger: Logger
    public let config: DatabaseConfig
    private let threadPool: NIOThreadPool?

    public init(_ config: DatabaseConfig, extraMigrations: [any Migration] = [], logger: Logger? = nil) throws {
        self.config = config
        self.logger = logger ?? {
            var l = Logger(label: "jiuzhu.store")
            l.logLevel = .warning
            return l
        }()
        // SQLite: a pool of its own, for the reason `sqliteThreads` gives.
        threadPool = config.isPostgres ? nil : NIOThreadPool(numberOfThreads: DatabaseConfig.sqliteThreads)
        threadPool?.start()
        databases = Databases(threadPool: threadPool ?? NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        migrations = Migrations()
        try config.register(on: databases)
        migrations.add(StoreMigrations.all + extraMigrations)
    }

    public var db: any Database {
        databases.database(logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())!
    }

    public func migrate() async throws {
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// Drops every table the migrations created (tests and `demo --reset` on PostgreSQL).
    public func revertAll() async throws {
        let migrator = Migrator(databases: databases, migrations: migrations, logger: logger, on: MultiThreadedEventLoopGroup.singleton.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.revertAllBatches().get()
    }

    public func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool?.shutdownGracefully()
    }
}

extension Database {
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Timestamps are stored as ISO 8601 text in UTC, which sorts and reads the same on SQLite and PostgreSQL.
enum Timestamp {
    /// UTC with milliseconds, as `ISO8601DateFormatter` with internet date-time and fractional seconds writes it
    /// ("2026-12-02T08:13:32.123Z", tested against it). Built by hand: every import batch and screening batch
    /// stamps its rows, and creating Foundation's formatter took longer than writing the batch.
    static func text(_ d: Date) -> String {
        // To the nearest millisecond, counted as Foundation counts (from 2001-01-01).
        let totalMs = Int64(((d.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1_000).rounded())
        let ms = Int(((totalMs % 1_000) + 1_000) % 1_000)
        let seconds = (totalMs - Int64(ms)) / 1_000
        let days = Int((seconds - ((seconds % 86_400) + 86_400) % 86_400) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        let milliseconds = String(String(1_000 + ms).dropFirst())
        return "\(LocalDate(dayNumber: days))T\(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(milliseconds)Z"
    }

    static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }
}
