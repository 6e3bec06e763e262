import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu export newly-enrolled|ended --since D`: lists for other departments, audited.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Export a list for another department as CSV: newly-enrolled or ended, since a date.")

    @Argument(help: "newly-enrolled or ended") var list: String
    @Option(help: "From this date (YYYY-MM-DD).") var since: String
    @Option(help: "Write to this file (default: standard output).") var output: String?
    @Option(help: "Jurisdiction of the export (12-digit code; default the city: JIUZHU_CITY, or the registry's one city).") var scope: String?
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
    @Option(help: "Why: \(ExportPurpose.allCases.map(\.rawValue).joined(separator: ", ")). Written into the file's first line and the audit log.")
    var purpose: String
    @Option(help: "Words for the purpose (required for other).") var note: String?
    @OptionGroup var acting: Acting

    func run() async throws {
        let kind: Exports.List
        switch list {
        case "newly-enrolled": kind = .newlyEnrolled
        case "ended": kind = .ended
        default: throw ValidationError("名单应为 newly-enrolled 或 ended")
        }
        let date: LocalDate
        let scopeCode: RegionCode?
        do {
            date = try LocalDate(since)
            scopeCode = try scope.map { try RegionCode($0) }
        } catch let e as DomainError { throw ValidationError(e.chinese) }
        let reason: ExportReason
        switch ExportReason.parse(purpose: purpose, note: note) {
        case .success(let r): reason = r
        case .failure(let problem): throw ValidationError("\(problem.description)（可选：\(ExportPurpose.allCases.map { "\($0.rawValue) \($0.chinese)" }.joined(separator: "、"))）")
        }
        let config = try AppConfig.command(database: database)
        let (csv, rows) = try await withServer(config) { app in
            let user = try await namedUser(acting.username, may: nil, in: app)
            // A narrower area than the user's own, if asked for; never a wider one.
            guard scopeCode.map(user.covers) ?? true else { throw DataError("--scope \(scopeCode!.value) 不在用户「\(user.username)」的辖区内") }
            let actor = Actor(userID: user.userID, username: user.username, role: user.role, jurisdiction: scopeCode ?? user.jurisdiction, origin: "cli")
            let found = try await UserStore(app.db).find(username: user.username)
            let stamp = ExportStamp.text(name: found?.displayName ?? user.username, username: user.username, at: Date(), purpose: reason)
            return try await Exports(app.db).csv(kind, since: date, actor: actor, purpose: reason, stamp: stamp)
        }
        if let output {
            try Data(csv.utf8).write(to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("\(kind.chinese)：\(rows) 人，已写入 \(output)\n".utf8))
        } else {
            print(csv, terminator: "")
        }
    }
}
