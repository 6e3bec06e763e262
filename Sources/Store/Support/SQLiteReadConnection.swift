import Logging
import NIOCore
import NIOPosix
import SQLiteKit
import SQLKit

/// A second connection to the registry's SQLite file, for a screening's reads. Fluent's SQLite driver gives
/// each event loop one connection (its pool size is not configurable), so a batch's reads queued behind the
/// batch before it being written. In write-ahead-log mode another connection reads the last commit while
/// that write goes on. Only in WAL mode: with the rollback journal a writer's commit shuts readers out.
struct SQLiteReadConnection: SQLDatabase, SQLiteDatabase {
    let connection: SQLiteConnection
    private let sqlView: any SQLDatabase

    /// Opens `count` when `db` is a SQLite file in WAL mode; none otherwise.
    static func open(_ count: Int, beside db: any SQLDatabase) async throws -> [SQLiteReadConnection] {
        guard db is any SQLiteDatabase else { return [] }
        let mode = try await db.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
        guard mode?.lowercased() == "wal" else { return [] }
        guard let file = try await db.raw("PRAGMA database_list").all()
            .first(where: { (try? $0.decode(column: "name", as: String.self)) == "main" })?
            .decode(column: "file", as: String.self), !file.isEmpty else { return [] }
        var opened: [SQLiteReadConnection] = []
        do {
            while opened.count < count {
                let connection = try await SQLiteConnection.open(storage: .file(path: file), threadPool: .singleton, logger: db.logger,
                                                                 on: MultiThreadedEventLoopGroup.singleton.any())
                opened.append(SQLiteReadConnection(connection: connection, sqlView: connection.sql()))
                // Reads only: a mistake that tried to write here fails instead of taking the write lock.
                try await connection.query("PRAGMA query_only = ON", [])
            }
        } catch {
            for reader in opened { await reader.close() }
            throw error
        }
        return opened
    }

    /// Through the future: the `async` close is skipped when the task is cancelled (a stopped screening), and
    /// a connection never closed is a fault.
    func close() async { try? await connection.close().get() }

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { sqlView.version }
    var dialect: any SQLDialect { sqlView.dialect }
    var queryLogLevel: Logger.Level? { sqlView.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        sqlView.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        try await sqlView.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    func query(_ query: String, _ binds: [SQLiteData], logger: Logger, _ onRow: @escaping @Sendable (SQLiteRow) -> Void) -> EventLoopFuture<Void> {
        connection.query(query, binds, logger: logger, onRow)
    }

    func query(_ query: String, _ binds: [SQLiteData], _ onRow: @escaping @Sendable (SQLiteRow) -> Void) async throws {
        try await connection.query(query, binds, onRow)
    }

    func withConnection<T>(_ closure: @escaping @Sendable (SQLiteConnection) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(connection)
    }

    func withConnection<T>(_ closure: @escaping @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        try await closure(connection)
    }
}
