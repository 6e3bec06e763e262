import Crypto
import FluentKit
import Foundation
import SQLKit

/// Backups and restores, while the server runs (等保 level 3, 数据备份恢复).
///
/// SQLite: `VACUUM INTO`, SQLite's own online copy: one consistent snapshot, written beside writers, without
/// stopping the server. PostgreSQL: `pg_dump` in its custom format, restored with `pg_restore` into an empty
/// database. Either way the restore is checked before it is reported done: every table's rows counted, and the
/// audit log's hash chain verified.
public enum DatabaseBackup {
    public enum Failure: Error, CustomStringConvertible {
        case exists(String)
        case missing(String)
        case tool(String, String)
        case notEmpty(String)
        case brokenChain(String)
        case notABackup(String)
        case differs(String)

        public var description: String {
            switch self {
            case .exists(let p): return "文件 \(p) 已存在，不会覆盖 (will not overwrite)"
            case .missing(let p): return "找不到备份文件 \(p) (no such backup)"
            case .tool(let t, let why): return "\(t) 失败：\(why)"
            case .notEmpty(let d): return "目标数据库 \(d) 不是空的：恢复只写入新的空数据库 (restore only into an empty database)"
            case .brokenChain(let why): return "恢复后的审计链已断：\(why)"
            case .notABackup(let p): return "\(p) 不是本系统的 SQLite 备份 (not a Jiuzhu SQLite backup)"
            case .differs(let why): return why
            }
        }
    }

    /// What a backup or a restore holds: rows per table, and the audit chain's length.
    public struct Contents: Sendable, Equatable {
        public var rows: [String: Int]
        public var auditEntries: Int
    }

    /// What a backup holds, written beside it (`FILE.manifest.json`) and checked by the restore.
    public struct Manifest: Codable, Sendable, Equatable {
        public var sha256: String
        public var rows: [String: Int]
        public var auditEntries: Int
        public var takenAt: String
    }

    static func manifestPath(_ path: String) -> String { path + ".manifest.json" }

    /// Writes a backup of `config`'s database to `path` (which must not exist), and its manifest: the rows of every
    /// table and the audit chain as the backup holds them, counted on the very snapshot it was taken from.
    public static func backup(_ db: any Database, config: DatabaseConfig, to path: String) async throws -> Manifest {
        guard !FileManager.default.fileExists(atPath: path), !FileManager.default.fileExists(atPath: manifestPath(path)) else {
            throw Failure.exists(path)
        }
        let contents: Contents
        do {
            switch config {
            case .postgres(let url):
                // pg_dump reads the snapshot this transaction exported, so the counts are the dump's own.
                contents = try await db.transaction { tx in
                    try await tx.sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                    let snapshot = try await tx.sql.raw("SELECT pg_export_snapshot() AS s").first()?.decode(column: "s", as: String.self) ?? ""
                    let counted = try await Self.contents(tx)
                    try run(tool: "pg_dump", ["--format=custom", "--no-owner", "--snapshot=\(snapshot)", "--file=\(path)", "--dbname=\(url)"])
                    return counted
                }
            case .sqlite, .sqliteMemory:
                try await db.sql.raw("VACUUM INTO \(bind: path)").run()
                let copy = try StandaloneDatabase(.sqlite(path: path))
                do { contents = try await Self.contents(copy.db) } catch { await copy.shutdown(); throw error }
                await copy.shutdown()
            }
            let manifest = Manifest(sha256: try sha256(path), rows: contents.rows, auditEntries: contents.auditEntries, takenAt: Timestamp.text(Date()))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(manifest).write(to: URL(fileURLWithPath: manifestPath(path)))
            return manifest
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Restores the backup at `path` into `target` (a SQLite file that does not exist yet, or an empty PostgreSQL
    /// database), then checks it against the manifest: the file's hash, every table's rows, the audit chain whole.
    public static func restore(from path: String, into target: DatabaseConfig) async throws -> Contents {
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.missing(path) }
        guard let data = FileManager.default.contents(atPath: manifestPath(path)),
              let manifest = try? JSONDecoder().decode(Manifest.self, from: data) else { throw Failure.missing(manifestPath(path)) }
        guard try sha256(path) == manifest.sha256 else { throw Failure.differs("备份文件的 SHA-256 与清单不符：文件已损坏或被改动") }
        switch target {
        case .postgres(let url):
            let db = try StandaloneDatabase(target)
            do { try await requireEmpty(db.db, name: target.description) } catch { await db.shutdown(); throw error }
            await db.shutdown()
            try run(tool: "pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", "--dbname=\(url)", path])
        case .sqlite(let file):
            guard !FileManager.default.fileExists(atPath: file) else { throw Failure.exists(file) }
            try FileManager.default.copyItem(atPath: path, toPath: file)
        case .sqliteMemory:
            throw Failure.notABackup(path)
        }
        let restored = try StandaloneDatabase(target)
        let contents: Contents
        do { contents = try await Self.contents(restored.db) } catch { await restored.shutdown(); throw error }
        await restored.shutdown()
        let differing = Set(manifest.rows.keys).union(contents.rows.keys).filter { manifest.rows[$0] != contents.rows[$0] }.sorted()
        guard differing.isEmpty, contents.auditEntries == manifest.auditEntries else {
            throw Failure.differs("恢复后与备份清单不符：" + differing.map { "\($0) 备份 \(manifest.rows[$0] ?? 0) 行，恢复 \(contents.rows[$0] ?? 0) 行" }.joined(separator: "；"))
        }
        return contents
    }

    /// Refuses a PostgreSQL target that already has tables.
    public static func requireEmpty(_ db: any Database, name: String) async throws {
        let sql = db.sql
        let tables: Int
        if sql.dialect.name == "postgresql" {
            tables = try await sql.raw("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'").first()?
                .decode(column: "n", as: Int.self) ?? 0
        } else {
            tables = try await sql.raw("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        guard tables == 0 else { throw Failure.notEmpty(name) }
    }

    /// Every table's rows, and the audit chain verified end to end.
    public static func contents(_ db: any Database) async throws -> Contents {
        let sql = db.sql
        let names: [String]
        if sql.dialect.name == "postgresql" {
            names = try await sql.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
                .all().map { try $0.decode(column: "name", as: String.self) }
        } else {
            names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                .all().map { try $0.decode(column: "name", as: String.self) }
        }
        var rows: [String: Int] = [:]
        for name in names {
            rows[name] = try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from(SQLIdentifier(name)).first()?.decode(column: "n", as: Int.self) ?? 0
        }
        let check = try await AuditChain.verify(db)
        if let broken = check.broken { throw Failure.brokenChain(broken.description) }
        return Contents(rows: rows, auditEntries: check.rows)
    }

    static func sha256(_ path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw Failure.missing(path) }
        defer { try? h.close() }
        var digest = SHA256()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { digest.update(data: chunk) }
        return digest.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Runs a PostgreSQL client tool: from PATH, else the newest installed under /usr/lib/postgresql.
    static func run(tool: String, _ arguments: [String]) throws {
        let candidates = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(tool)" }
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
                .sorted { $0.compare($1, options: .numeric) == .orderedDescending }.map { "/usr/lib/postgresql/\($0)/bin/\(tool)" }
        guard let binary = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw Failure.tool(tool, "未安装（apt-get install postgresql-client）")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failure.tool(tool, String(decoding: message.prefix(2_000), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
