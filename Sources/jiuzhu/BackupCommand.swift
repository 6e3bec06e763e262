import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu backup`: an online backup (SQLite `VACUUM INTO`, PostgreSQL `pg_dump` on an exported snapshot) with a
/// manifest of what it holds, taken by a named administrator and audited. `jiuzhu restore`: into a new SQLite file or
/// an empty PostgreSQL database, checked against the manifest (every table's rows, the audit chain whole).
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Back up the database while the server runs, with a manifest.")
    @Option(help: "The backup file to write (its manifest is written beside it as FILE.manifest.json).") var out: String
    @Option(name: .customLong("as"), help: "The administrator taking it (a username).") var username: String
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?

    func run() async throws {
        let config = try AppConfig.command(database: database)
        let manifest = try await withServer(config) { app in
            let actor = try await namedUser(username, may: .backupData, in: app)
            do {
                let m = try await DatabaseBackup.backup(app.db, config: config.database, to: out)
                try await AuditLog(app.db).record(actor: actor, action: .backup, targetKind: "database", targetID: (out as NSString).lastPathComponent,
                                                  detail: "备份 \(m.rows.values.reduce(0, +)) 行，审计链 \(m.auditEntries) 条，SHA-256 \(m.sha256)")
                return m
            } catch let e as DatabaseBackup.Failure {
                throw DataError(e.description)
            }
        }
        say("已备份到 \(out)：\(manifest.rows.count) 张表共 \(manifest.rows.values.reduce(0, +)) 行，审计链 \(manifest.auditEntries) 条完好，SHA-256 \(manifest.sha256)。")
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a backup into a new SQLite file or an empty PostgreSQL database, and check it.")
    @Argument(help: "The backup file (with FILE.manifest.json beside it).") var file: String
    @Option(help: "A new SQLite file to restore into.") var toSqlite: String?
    @Option(help: "An empty PostgreSQL database to restore into (postgres://…).") var toUrl: String?

    func run() async throws {
        guard (toSqlite == nil) != (toUrl == nil) else { throw DataError("请指定 --to-sqlite 或 --to-url 之一 (give one target)") }
        let target: DatabaseConfig = toUrl.map { .postgres(url: $0) } ?? .sqlite(path: toSqlite!)
        do {
            let contents = try await DatabaseBackup.restore(from: file, into: target)
            say("已恢复到 \(target)：\(contents.rows.count) 张表共 \(contents.rows.values.reduce(0, +)) 行与备份清单一致，审计链 \(contents.auditEntries) 条完好。")
        } catch let e as DatabaseBackup.Failure {
            throw DataError(e.description)
        }
    }
}
