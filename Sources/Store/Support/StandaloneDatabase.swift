import Domain
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix
import SQLKit

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
