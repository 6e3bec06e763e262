import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu payroll`: the month's payrolls by county and programme, the bank file once a second person has approved
/// one (on its page), and the bank's return.
struct PayrollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payroll",
        abstract: "Monthly payrolls (社会化发放): prepare, write the bank file, import the bank's return.",
        subcommands: [Prepare.self, BankFile.self, Return.self])

    struct Scope: ParsableArguments {
        @Option(help: "The month, YYYY-MM.") var month: String
        @Option(help: "A county's region code (default: every county of the city).") var county: String?
        @Option(help: "A programme (dibao, tekun, nearDibao, expenditureHardship, temporary; default: all).") var program: String?
        @Option(help: "The SQLite file (default: DATABASE_URL, else JIUZHU_SQLITE_PATH).") var database: String?
        @OptionGroup var acting: Acting

        /// The named user this command acts as; their jurisdiction must cover each county it touches.
        func actor(_ server: Server) async throws -> Actor {
            try await namedUser(acting.username, may: .managePayments, in: server)
        }

        func payMonth() throws -> PayMonth {
            do { return try PayMonth(month) } catch { throw ValidationError("--month：\(error.chinese)") }
        }

        func programs() throws -> [Program] {
            guard let program else { return [.dibao, .tekun, .nearDibao, .expenditureHardship, .temporary] }
            guard let p = Program(rawValue: program) else { throw ValidationError("--program：没有「\(program)」这个项目") }
            return [p]
        }

        /// The counties named, inside the city.
        func counties(_ server: Server, city: RegionCode) async throws -> [RegionCode] {
            if let county {
                guard let c = try? RegionCode(county), c.level == .county, city.contains(c) else {
                    throw ValidationError("--county \(county) 不是本市（\(city.value)）的区县")
                }
                return [c]
            }
            let actor = try await actor(server)
            // A county's own reviewer pays their county; the city's administrator every county.
            if actor.jurisdiction.level == .county { return [actor.jurisdiction] }
            return try await RegistryStore(server.db).children(of: city, actor: actor).map(\.code)
        }
    }

    struct Prepare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prepare the month's payrolls (a payroll a crash left half-prepared is taken up where it stopped; one prepared is not prepared again).")
        @OptionGroup var scope: Scope

        func run() async throws {
            let config = try AppConfig.command(database: scope.database)
            let month = try scope.payMonth()
            let programs = try scope.programs()
            try await withServer(config) { server in
                let city = try await config.city(in: server.db)
                let payrolls = Payrolls(server.db, parameters: server.policy.calculator.parameters)
                for county in try await scope.counties(server, city: city) {
                    for program in programs {
                        let bar = ProgressBar(total: 1, label: "发放名册 \(county.value) \(program.chinese) \(month)")
                        do {
                            let run = try await payrolls.prepare(county: county, program: program, month: month, actor: try await scope.actor(server)) { done, total in
                                bar.update(done, of: total)
                            }
                            bar.finish()
                            let p = run.payroll
                            guard p.lineCount > 0 else { say("\(county.value) \(program.chinese) \(month)：无应发放，未生成名册"); continue }
                            say("\(p.code)：\(run.resumed ? "接续生成，" : "")\(p.lineCount) 笔（不予发放 \(p.blockedCount) 笔），合计 \(Cents(p.totalCents).yuanText)，"
                                + "用时 \(String(format: "%.1f", run.seconds)) s；待另一人在「资金发放」页面审批")
                        } catch PayrollStoreError.workflow(.alreadyPrepared(let status)) {
                            bar.finish()
                            say("\(county.value) \(program.chinese) \(month)：已生成（\(status.chinese)），未重复生成")
                        }
                    }
                }
            }
        }
    }

    struct BankFile: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bank-file", abstract: "Write an approved payroll's bank file.")
        @OptionGroup var scope: Scope
        @Option(help: "The bank file format's code (see bank-formats.json).") var format = "fixed-gb18030"
        @Option(help: "The file to write.") var out: String
        @Flag(help: "Only the lines re-issued after a failure (a supplementary file).") var reissue = false

        func run() async throws {
            let config = try AppConfig.command(database: scope.database)
            guard let f = try config.bankFormats()[format] else { throw DataError("没有代码为「\(format)」的银行文件格式") }
            let (county, program) = try await one(config)
            try await withServer(config) { server in
                let payrolls = Payrolls(server.db, parameters: server.policy.calculator.parameters)
                let actor = try await scope.actor(server)
                guard let p = try await payrolls.find(county: county, program: program, month: try scope.payMonth(), actor: actor) else {
                    throw DataError("\(county.value) \(program.chinese) \(scope.month) 尚未生成发放名册")
                }
                let started = Date()
                do {
                    let r = try await payrolls.writeBankFile(p.id, format: f, to: out, cipher: try config.dataCipher(), reissue: reissue, actor: actor,
                                                             today: LocalDate(Date(), timeZone: .china))
                    say("已写入 \(out)：\(r.count) 笔，合计 \(Cents(r.totalCents).yuanText)，SHA-256 \(r.sha256)，用时 \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
                } catch let e as PayrollStoreError { throw DataError(e.chinese) }
            }
        }

        func one(_ config: AppConfig) async throws -> (RegionCode, Program) {
            guard let c = scope.county, let county = try? RegionCode(c), county.level == .county else { throw ValidationError("请用 --county 指定一个区县") }
            guard let p = try scope.programs().first, scope.program != nil else { throw ValidationError("请用 --program 指定一个项目") }
            return (county, p)
        }
    }

    struct Return: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "return", abstract: "Import the bank's return file for a payroll sent to it.")
        @OptionGroup var scope: Scope
        @Option(help: "The bank file format's code.") var format = "fixed-gb18030"
        @Option(help: "The return file.") var file: String

        func run() async throws {
            let config = try AppConfig.command(database: scope.database)
            guard let f = try config.bankFormats()[format] else { throw DataError("没有代码为「\(format)」的银行文件格式") }
            guard let c = scope.county, let county = try? RegionCode(c), county.level == .county, let program = try scope.programs().first, scope.program != nil else {
                throw ValidationError("请用 --county 和 --program 指定一个发放名册")
            }
            try await withServer(config) { server in
                let payrolls = Payrolls(server.db, parameters: server.policy.calculator.parameters)
                let actor = try await scope.actor(server)
                guard let p = try await payrolls.find(county: county, program: program, month: try scope.payMonth(), actor: actor) else {
                    throw DataError("\(county.value) \(program.chinese) \(scope.month) 尚未生成发放名册")
                }
                let started = Date()
                do {
                    let r = try await payrolls.importReturn(p.id, path: file, format: f, actor: actor)
                    say("回盘已导入：成功 \(r.paid) 笔，失败 \(r.failed) 笔（进入重发队列），名册状态：\(r.status.chinese)，"
                        + "用时 \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
                } catch let e as PayrollStoreError { throw DataError(e.chinese) }
            }
        }
    }
}
