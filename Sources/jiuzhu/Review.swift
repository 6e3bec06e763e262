import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu review --due`: opens the periodic reviews the cycles make due and stops the gradual exits that have
/// ended. Run it daily (e.g. from cron), like `jiuzhu screen --scheduled`; running it twice opens nothing new.
struct ReviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Open the periodic reviews due (定期核查) and stop the gradual exits that have ended.")

    @Flag(help: "Open the reviews due today (within the lead days of the periodicReviewLeadDays parameter).") var due = false
    @Option(help: "Region code (default: the whole city).") var region: String?
    @Option(help: "The day to run as, YYYY-MM-DD (default: today in Beijing).") var date: String?
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
    @OptionGroup var acting: Acting

    func validate() throws {
        guard due else { throw ValidationError("请指定 --due（生成到期的定期核查任务）") }
        if let date { _ = try Self.day(date) }
    }

    static func day(_ text: String) throws -> LocalDate {
        do { return try LocalDate(text) } catch { throw ValidationError("--date：\(error.chinese)") }
    }

    func run() async throws {
        let config = try AppConfig.command(database: database)
        let today = try date.map(Self.day) ?? LocalDate(Date(), timeZone: .china)
        try await withServer(config) { app in
            let city = try await config.city(in: app.db)
            let area = try region.map { try RegionCode($0) } ?? city
            guard city.contains(area) else { throw ValidationError("--region \(area.value) 不在本市（\(city.value)）") }
            let user = try await namedUser(acting.username, may: nil, in: app)
            guard user.covers(area) else { throw DataError("--region \(area.value) 不在用户「\(user.username)」的辖区内") }
            let actor = Actor(userID: user.userID, username: user.username, role: user.role, jurisdiction: area, origin: "cli")
            let reviews = Reviews(app.db, parameters: app.policy.calculator.parameters, cycles: app.policy.reviewCycles)
            let bar = ProgressBar(total: 1, label: "定期核查 \(area.value)")
            let started = Date()
            let run = try await reviews.openDue(actor: actor, today: today) { done, total in bar.update(done, of: total) }
            bar.finish()
            print("定期核查（\(today)）：检查在保 \(run.examined) 项，新生成核查任务 \(run.opened) 项，渐退期满停发 \(run.exitsEnded) 项，"
                  + "用时 \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
    }
}
