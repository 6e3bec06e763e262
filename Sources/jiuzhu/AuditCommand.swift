import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu audit`: checks the audit log's hash chain, archives entries older than the law's six months into a signed
/// file, and checks such a file. Run by the audit administrator, named with `--as`.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Verify, archive and check the tamper-evident audit log.",
                                                    subcommands: [Verify.self, Archive.self, VerifyFile.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute the audit log's hash chain and name the first entry where it breaks.")
        @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?

        func run() async throws {
            let config = try AppConfig.command(database: database)
            let result = try await withServer(config) { app in
                let bar = ProgressBar(total: try await AuditChain.entries(app.db), label: "核对审计链")
                defer { bar.finish() }
                return try await AuditChain.verify(app.db) { bar.update($0) }
            }
            if let broken = result.broken {
                throw DataError("审计链在此断开：\(broken)。此前 \(result.rows) 条完好。The audit chain breaks at entry \(broken.seq).")
            }
            say("审计链完好：\(result.rows) 条记录逐条核对无误。The audit chain is intact (\(result.rows) entries).")
        }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move entries before a Beijing day (at least \(AuditArchive.minimumRetentionDays) days ago) into a signed file, after verifying the chain.")
        @Option(help: "Archive entries before this day (YYYY-MM-DD).") var before: String
        @Option(help: "The archive file to write.") var out: String
        @Option(name: .customLong("as"), help: "The audit administrator doing it (a username).") var username: String
        @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?

        func run() async throws {
            guard let day = try? LocalDate(before) else { throw DataError("日期「\(before)」无效，应为 YYYY-MM-DD") }
            guard !FileManager.default.fileExists(atPath: out) else { throw DataError("文件 \(out) 已存在，不会覆盖") }
            let config = try AppConfig.command(database: database)
            let key = try config.auditSigningKey()
            let summary = try await withServer(config) { app in
                let actor = try await namedUser(username, may: .viewAuditLog, in: app)
                do {
                    return try await AuditArchive.archive(app.db, before: day, today: LocalDate(Date(), timeZone: .china), path: out, key: key, actor: actor)
                } catch let e as AuditArchive.Failure {
                    throw DataError(e.description)
                }
            }
            say("已归档 \(summary.rows) 条（至第 \(summary.throughSeq) 条）到 \(out)，文件 SHA-256 \(summary.fileSHA256)。请另行保存该文件。")
        }
    }

    struct VerifyFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify-file", abstract: "Check an archive file's signature and its chain.")
        @Argument(help: "The archive file.") var file: String

        func run() async throws {
            let config = try AppConfig.command()
            do {
                let rows = try AuditArchive.verifyFile(file, key: try config.auditSigningKey())
                say("归档文件完好：签名正确，\(rows) 条记录的哈希链无误。")
            } catch let e as AuditArchive.Failure {
                throw DataError(e.description)
            }
        }
    }
}

/// The staff account a command acts as (`--as USERNAME`): commands that read or change households act as a person,
/// whom the audit log names, with that person's role and jurisdiction, never as an anonymous city administrator.
/// A scheduled run (cron) names the account set up for it.
struct Acting: ParsableArguments {
    @Option(name: .customLong("as"), help: "The staff account this command acts as (a username): its role and jurisdiction apply, and the audit log names it.")
    var username: String
}

/// The staff account a command acts as: it must exist, be enabled and hold `permission` (when one is named; the
/// stores check the rest).
func namedUser(_ username: String, may permission: Permission?, in app: Server) async throws -> Actor {
    let found: StaffUser?
    do { found = try await UserStore(app.db).find(username: username) } catch let e as UserStoreError { throw DataError(e.description) }
    guard let user = found else { throw DataError("没有用户「\(username)」(no such user)") }
    guard !user.isDisabled else { throw DataError("用户「\(username)」已停用 (disabled)") }
    guard user.isGranted else { throw DataError("用户「\(username)」的角色尚待安全管理员授权 (role not yet granted)") }
    let actor = user.actor(origin: "cli")
    if let permission, !actor.may(permission) { throw DataError("用户「\(username)」（\(user.role.chinese)）无权执行此操作 (not permitted)") }
    return actor
}
