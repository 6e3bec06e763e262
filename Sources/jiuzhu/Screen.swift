import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu screen`: a full or incremental screening, or the screenings the schedule says are due.
struct Screen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Screen households against the warning indicators (full, since a time, or as scheduled) and report the warnings raised.")

    @Option(help: "Region code to screen (default: the whole city).") var region: String?
    @Flag(help: "Screen every household in the region (the default).") var full = false
    @Option(help: "Only households with department events recorded since this date or ISO time (e.g. 2026-11-01).") var since: String?
    @Flag(help: "Run the screenings the catalogue's schedule says are due (e.g. districts monthly, the city quarterly).") var scheduled = false
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
    @OptionGroup var acting: Acting

    func validate() throws {
        if full && since != nil { throw ValidationError("--full 与 --since 只能选一个") }
        if scheduled && (full || since != nil || region != nil) { throw ValidationError("--scheduled 按计划运行，不能再指定 --full、--since 或 --region") }
    }

    func run() async throws {
        let config = try AppConfig.command(database: database)
        let sinceDate = try since.map(Self.parseSince)
        try await withServer(config) { app in
            let city = try await config.city(in: app.db)
            let actor = try await namedUser(acting.username, may: .handleWarnings, in: app)
            let setup = app.policy.monitoring
            let monitor = Monitor(app.db, setup: setup)
            var targets: [RegionCode] = []
            if scheduled {
                let today = LocalDate(Date(), timeZone: .china)
                targets = try await ScreeningPlan(app.db).due(setup.screener.catalogue.schedules, city: city, today: today)
                if targets.isEmpty { print("按计划无到期的筛查。") }
            } else {
                targets = [try region.map { try RegionCode($0) } ?? city]
            }
            for target in targets {
                let bar = ProgressBar(total: 1, label: "预警筛查 \(target.value)")
                let report = try await monitor.screen(region: target, since: sinceDate, actor: actor) { done, total in bar.update(done, of: total) }
                bar.finish()
                print("筛查 \(target.value)（\(report.mode == .full ? "全量" : "增量")）：\(report.households) 户，新预警 \(report.raised)，更新 \(report.updated)，" +
                      "已处置未变不重复 \(report.suppressed)，条件已消除 \(report.cleared)，用时 \(String(format: "%.1f", report.seconds)) s")
                print("  （\(report.phases.description)）")
            }
        }
    }

    static func parseSince(_ text: String) throws -> Date {
        if let d = try? LocalDate(text) {
            var c = DateComponents()
            (c.year, c.month, c.day) = (d.year, d.month, d.day)
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = .china
            if let date = cal.date(from: c) { return date }
        }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return d }
        throw ValidationError("--since 应为日期（2026-11-01）或 ISO 时间（2026-11-01T08:00:00+08:00）：「\(text)」")
    }
}
