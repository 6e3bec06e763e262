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
    @Option(help: "Jurisdiction of the export (12-digit code; default the demo city).") var scope: String?
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?

    func run() async throws {
        let kind: Exports.List
        switch list {
        case "newly-enrolled": kind = .newlyEnrolled
        case "ended": kind = .ended
        default: throw ValidationError("名单应为 newly-enrolled 或 ended")
        }
        let date: LocalDate
        let region: RegionCode
        do {
            date = try LocalDate(since)
            region = try scope.map { try RegionCode($0) } ?? DemoSettings.bundled().cityCode
        } catch let e as DomainError { throw ValidationError(e.chinese) }
        var config = try AppConfig.from(environment: ProcessInfo.processInfo.environment)
        if let database { config.database = .sqlite(path: database) }
        let actor = Actor(userID: nil, username: "cli:export", role: .cityAdmin, jurisdiction: region, origin: "cli")
        let (csv, rows) = try await withServer(config) { try await Exports($0.db).csv(kind, since: date, actor: actor) }
        if let output {
            try Data(csv.utf8).write(to: URL(fileURLWithPath: output))
            FileHandle.standardError.write(Data("\(kind.chinese)：\(rows) 人，已写入 \(output)\n".utf8))
        } else {
            print(csv, terminator: "")
        }
    }
}
