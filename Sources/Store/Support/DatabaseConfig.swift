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
