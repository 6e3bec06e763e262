import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu simulate`: what a parameter change would do across the registry.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Policy simulation: change one parameter by a percentage in a region from a date, and report the households newly qualifying or losing help, and the monthly cost, by sub-region.")

    @Option(help: "The parameter, e.g. dibaoStandard, nearDibaoMultiple.") var parameter = "dibaoStandard"
    @Option(help: "Change in whole percent, e.g. 5 or -5.") var percent: Int
    @Option(help: "Where the change applies (12-digit code).") var region: String
    @Option(help: "From this date (YYYY-MM-DD).") var from: String
    @Option(help: "Which households to run over (default: the region of the change).") var scope: String?
    @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
    @OptionGroup var acting: Acting
    @Option(help: "A policy parameter file to use instead of the shipped ones (repeat for several; default JIUZHU_POLICY_FILES).") var policy: [String] = []

    func run() async throws {
        let change: ParameterChange
        let scopeCode: RegionCode
        do {
            change = ParameterChange(name: parameter, region: try RegionCode(region), effective: try LocalDate(from), percent: percent)
            scopeCode = try scope.map { try RegionCode($0) } ?? change.region
        } catch let e as DomainError {
            throw ValidationError(e.chinese)
        }
        let config = try AppConfig.command(database: database, policy: policy)
        let simulation: Simulation
        do {
            simulation = try Simulation(parameters: try config.parameters(), change: change, scope: scopeCode, today: LocalDate(Date(), timeZone: .china))
        } catch let e as PolicyError {
            throw ValidationError(e.chinese)
        }
        let started = Date()
        let bar = ProgressBar(total: 1, label: "模拟")
        let result = try await withServer(config) { app in
            let actor = try await namedUser(acting.username, may: .runSimulation, in: app)
            return try await RegistryStore(app.db).simulate(simulation, region: scopeCode, actor: actor) { bar.update(min($0, 1)) }
        }
        bar.finish()
        print("政策模拟：\(change.chinese)；范围 \(scopeCode.value)；\(String(format: "%.1f", Date().timeIntervalSince(started))) 秒")
        print("区划           户数     新增符合   失去救助   现每月           调整后每月       变化")
        for t in result.rows + [result.total] {
            let label = t.region == scopeCode ? "合计" : t.region.value
            print("\(label.padding(toLength: 14, withPad: " ", startingAt: 0))\(pad(t.households, 8))\(pad(t.newlyQualifying, 10))\(pad(t.losing, 10))   " +
                  "\(t.baselineMonthly.yuanText.padding(toLength: 16, withPad: " ", startingAt: 0))\(t.changedMonthly.yuanText.padding(toLength: 16, withPad: " ", startingAt: 0))\(t.costChange.yuanText)")
        }
        if result.failures > 0 { print("无法评估的家庭：\(result.failures)") }
    }

    func pad(_ n: Int, _ w: Int) -> String { String(repeating: " ", count: max(0, w - String(n).count)) + String(n) }
}
