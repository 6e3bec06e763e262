import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu import --feed NAME FILE`: one department file through the import pipeline.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import a department data file through its feed spec (all or nothing unless --accept-partial).")

    @Option(help: "The feed spec's name (see Sources/Domain/Resources/feeds).") var feed: String
    @Argument(help: "The CSV file.") var file: String
    @Flag(help: "Import the good rows and write the rejected ones, with reasons, to FILE.rejects.csv.") var acceptPartial = false
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
    @OptionGroup var acting: Acting

    func run() async throws {
        let specs = try FeedCatalogue.bundled()
        guard let spec = specs[feed] else { throw ValidationError("没有名为 \(feed) 的数据接口；可选：\(specs.keys.sorted().joined(separator: "、"))") }
        let config = try AppConfig.command(database: database)
        let bar = ProgressBar(total: max(1, lineCount(file) - 1), label: "导入 \(spec.title)")
        do {
            let report = try await withServer(config) { app in
                let actor = try await namedUser(acting.username, may: .importData, in: app)
                return try await AfterCommit(app.db, monitoring: app.policy.monitoring)
                    .importFile(FeedImporter(app.db, spec: spec, actor: actor), path: file, acceptPartial: acceptPartial) { bar.update($0) }
            }
            bar.finish()
            if report.alreadyImported {
                print("该文件已导入过（SHA-256 \(report.fileHash.prefix(12))…），未做任何改动。")
                return
            }
            print("读取 \(report.rowsRead) 行：关联 \(report.linked)（其中概率匹配 \(report.probablyLinked)），新增 \(report.newFacts)，变更 \(report.changed)，" +
                  "未变 \(report.unchanged)，拒绝 \(report.rejected)，送人工核对 \(report.review)，库中无此人 \(report.newPersons)，事件 \(report.events)")
            for issue in report.idIssues.prefix(10) { print("  \(issue.chinese)") }
            if let rejects = report.rejectsFile { print("被拒绝的行及原因：\(rejects)") }
            if let s = report.screening {
                print("预警筛查（导入后即时）：\(s.households) 户，新预警 \(s.raised)，更新 \(s.updated)，暂停发放 \(s.holds)，用时 \(String(format: "%.1f", s.seconds)) s")
            } else if let e = report.screeningError {
                print("导入已完成，但预警筛查失败（下次导入或 jiuzhu screen 会补做）：\(e)")
            }
        } catch let e as FeedError {
            bar.finish()
            throw DataError(e.chinese)
        }
    }

    func lineCount(_ path: String) -> Int {
        guard let h = FileHandle(forReadingAtPath: path) else { return 1 }
        defer { try? h.close() }
        var n = 0
        while true {
            let d = h.readData(ofLength: 1 << 20)
            if d.isEmpty { break }
            n += d.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        }
        return n
    }
}
