import FluentKit
import Foundation
import SQLKit

/// A fresh, empty, migrated database that is thrown away afterwards: a temporary SQLite file, or,
/// when `DATABASE_URL` names a PostgreSQL server, a new database created on it. Used by tests
/// (so they can run in parallel) and by `jiuzhu bench`.
public final class ScratchDatabase: @unchecked Sendable {
    public let store: StandaloneDatabase
    public let config: DatabaseConfig
    /// Named by the caller to be reused: `drop()` is not meant for it.
    public let isKept: Bool
    private let cleanup: @Sendable () async throws -> Void

    /// With `keepSQLiteFile`, the SQLite database lives in that file and is kept (the benchmark reuses it);
    /// with `keepPostgresDatabase`, the PostgreSQL database of that name is created if missing and kept.
    public static func make(environment env: [String: String] = ProcessInfo.processInfo.environment, label: String = "scratch",
                            keepSQLiteFile: String? = nil, keepPostgresDatabase: String? = nil) async throws -> ScratchDatabase {
        // Scratch data is made up: it is sealed with the development key.
        try DataCipher.install(.development)
        if let url = env["DATABASE_URL"], !url.isEmpty {
            let kept = keepPostgresDatabase.map { String($0.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }.prefix(40)) }
            let name = kept ?? "jz_\(label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(20))_\(UUID().uuidString.prefix(8).lowercased())"
            let admin = try StandaloneDatabase(.postgres(url: url))
            do {
                let exists = try await admin.db.sql.raw("SELECT 1 AS one FROM pg_database WHERE datname = \(bind: name)").first() != nil
                if !exists { try await admin.db.sql.raw("CREATE DATABASE \(unsafeRaw: name)").run() }
            } catch {
                // A pool must be shut down before it goes, even when the server refused us (too many clients).
                await admin.shutdown()
                throw error
            }
            await admin.shutdown()
            guard var c = URLComponents(string: url) else { throw DomainStoreError.badURL }
            c.path = "/" + name
            let config = DatabaseConfig.postgres(url: c.string!)
            let store = try StandaloneDatabase(config)
            do { try await store.migrate() } catch { await store.shutdown(); throw error }
            return ScratchDatabase(store: store, config: config, kept: kept != nil) {
                await store.shutdown()
                let admin = try StandaloneDatabase(.postgres(url: url))
                do {
                    try await admin.db.sql.raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                } catch {
                    await admin.shutdown()
                    throw error
                }
                await admin.shutdown()
            }
        }
        let path = keepSQLiteFile ?? NSTemporaryDirectory() + "jiuzhu-\(label)-\(UUID().uuidString).sqlite"
        let config = DatabaseConfig.sqlite(path: path)
        let store = try StandaloneDatabase(config)
        do { try await store.migrate() } catch { await store.shutdown(); throw error }
        return ScratchDatabase(store: store, config: config, kept: keepSQLiteFile != nil) {
            await store.shutdown()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    private init(store: StandaloneDatabase, config: DatabaseConfig, kept: Bool, cleanup: @escaping @Sendable () async throws -> Void) {
        self.store = store
        self.config = config
        self.isKept = kept
        self.cleanup = cleanup
    }

    public var db: any Database { store.db }

    public func drop() async throws { try await cleanup() }
}

public enum DomainStoreError: Error { case badURL }

