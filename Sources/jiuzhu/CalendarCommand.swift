import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu calendar`: the working calendar's years, and loading the next year's holiday arrangement when the State
/// Council publishes it (each November or December), so that deadlines in that year stop being provisional.
struct CalendarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "calendar", abstract: "Show or load the holiday calendar that deadlines count.",
                                                    subcommands: [Show.self, Load.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the years the calendar covers and the years loaded into the database.")
        @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?

        func run() async throws {
            let config = try AppConfig.command(database: database)
            try await withServer(config) { app in
                let calendar = app.policy.monitoring.calendar
                let years = calendar.years.sorted()
                say("节假日数据覆盖：\(years.first ?? 0)–\(years.last ?? 0) 年（共 \(years.count) 年）")
                let today = LocalDate(Date(), timeZone: .china)
                if !calendar.years.contains(today.year + 1) {
                    say("尚未载入 \(today.year + 1) 年的节假日安排：该年的期限按周末计算，显示为“暂定”。国务院办公厅公布后请运行 jiuzhu calendar load 文件。")
                }
                for y in try await CalendarStore(app.db).loaded() {
                    say("  \(y.year) 年：节假日 \(y.holidays) 天，调休上班 \(y.adjustedWorkdays) 天，来源 \(y.source)，\(y.loadedBy) 载入")
                }
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a year's holidays (JSON like cn-holidays.json: {\"holidays\": {date: name}, \"adjusted_workdays\": {date: name}}).")
        @Argument(help: "The JSON file.") var file: String
        @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
        @OptionGroup var acting: Acting

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw DataError("读不到文件 \(file)") }
            let config = try AppConfig.command(database: database)
            try await withServer(config) { app in
                let actor = try await namedUser(acting.username, may: .manageCalendar, in: app)
                do {
                    let setup = try await app.policy.monitoring.tuned(from: app.db)
                    let outcome = try await CalendarUpdate(app.db, setup: setup, processes: app.policy.processes).load(data, file: file, actor: actor)
                    say("已载入 \(outcome.years.map { "\($0) 年" }.joined(separator: "、"))的节假日安排；按周末暂定的期限已重新计算，预警与入户期限 \(outcome.deadlinesMoved) 项、申请 \(outcome.casesRecounted) 件有变化。"
                        + "运行中的服务重启后使用新安排（在“节假日安排”页面载入则立即生效）。")
                } catch let e as DomainError {
                    throw DataError("\(e.chinese)\n\(e.description)")
                }
            }
        }
    }
}
