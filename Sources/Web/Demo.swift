import Domain
import Fluent
import Foundation
import SQLKit
import Store
import Vapor

/// The demo's logins: one user per role, each with the jurisdiction that role usually has.
extension [DemoAccount] {
    /// The demo account of `role` acting in its own region, as the demo's seeds make their records.
    func actor(_ role: Role) -> Actor {
        let a = first { $0.role == role }!
        return Actor(userID: nil, username: a.username, role: role, jurisdiction: a.region.code, origin: "demo")
    }
}

public struct DemoAccount: Sendable {
    public var username: String
    public var displayName: String
    public var role: Role
    public var region: Region
}

public enum DemoSetup {
    /// Printed by `jiuzhu demo`; a demo secret, not a real one.
    public static let password = "jiuzhu-demo-2026"

    /// Picks regions for the demo users: the city, 南开区, its first invented street and that street's first community.
    public static func accounts(city: DemoCity) -> [DemoAccount] {
        let district = city.districts.first { $0.name == "南开区" } ?? city.districts[0]
        let street = city.streets.first { district.code.contains($0.code) }!
        let community = city.communities.first { street.code.contains($0.code) }!
        return [
            DemoAccount(username: "admin", displayName: "陈明（演示）", role: .cityAdmin, region: city.city),
            DemoAccount(username: "reviewer", displayName: "李静（演示）", role: .countyReviewer, region: district),
            DemoAccount(username: "township", displayName: "王磊（演示）", role: .townshipOfficer, region: street),
            DemoAccount(username: "coordinator", displayName: "赵芳（演示）", role: .coordinator, region: community),
            DemoAccount(username: "dataofficer", displayName: "孙浩（演示）", role: .dataOfficer, region: city.city),
            DemoAccount(username: "auditor", displayName: "周敏（演示）", role: .auditor, region: city.city),
            DemoAccount(username: "sysadmin", displayName: "吴强（演示）", role: .systemAdmin, region: city.city),
            DemoAccount(username: "secadmin", displayName: "郑洁（演示）", role: .securityAdmin, region: city.city),
        ]
    }

    /// Generates the city if it is not there yet, and the demo users that are missing. Safe to run again.
    /// With `departmentData`, a freshly generated city also gets a few department records imported, some
    /// with a mistyped ID, so the probable-match review queue is not empty in the demo.
    /// `policy`: the configured rules (the demo's amounts are theirs) and monitoring.
    public static func prepare(db: any Database, policy: Policy, households: Int, today: LocalDate, bcryptCost: Int, departmentData: Bool = false,
                               cipher: DataCipher = .development, progress: @escaping @Sendable (Int) -> Void) async throws -> (DemoLoader.Outcome, [DemoAccount]) {
        let reference = try RegionReference.bundled()
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: policy.calculator.parameters, today: today)
        let system = Actor(userID: nil, username: "system", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli")
        let outcome = try await DemoLoader(db).load(city: city, reference: reference, households: households, actor: system, progress: progress)
        let users = UserStore(db)
        let accounts = accounts(city: city)
        if departmentData, case .generated = outcome {
            // A first full screening a month ago, as a city does when it starts monitoring, and part of what it found
            // handled since: the inbox and the dashboard are alive from the start (handled, pending, overdue).
            let setup = policy.monitoring
            let monthAgo = Date().addingTimeInterval(-Double(DemoSetup.screenedDaysAgo) * 86_400)
            _ = try await Monitor(db, setup: setup, now: { monthAgo }).screen(region: city.city.code, actor: system)
            try await handleSomeWarnings(db: db, setup: setup, since: monthAgo, city: city.city.code)
            let street = accounts.first { $0.role == .townshipOfficer }!.region.code
            let community = accounts.first { $0.role == .coordinator }!.region.code
            // The coordinator's community first, so their phone shows the warnings the imports raise.
            let bundles = Array(city.households(count: min(households, 5_000))).filter { street.contains($0.household.residenceRegion) }
                .sorted { (community.contains($0.household.residenceRegion) ? 0 : 1) < (community.contains($1.household.residenceRegion) ? 0 : 1) }
            let officer = Actor(userID: nil, username: "dataofficer", role: .dataOfficer, jurisdiction: city.city.code, origin: "cli")
            let intake = AfterCommit(db, monitoring: setup)
            try await importDemoFeeds(intake, db: db, members: Array(bundles.flatMap(\.members).prefix(6)), today: today, officer: officer)
            try await importDemoMonitoringFeeds(intake, db: db, bundles: bundles, today: today, officer: officer)
            try await DemoCases.seed(db: db, policy: policy, accounts: accounts, city: city, today: today)
            try await DemoReviews.seed(db: db, policy: policy, accounts: accounts, city: city, today: today)
            try await DemoDeliberations.seed(db: db, policy: policy, accounts: accounts, today: today)
            try await DemoHonesty.seed(db: db, policy: policy, accounts: accounts, today: today)
            try await DemoPayments.seed(db: db, policy: policy, cipher: cipher, accounts: accounts, today: today)
            try await DemoPayments.verify(db: db, policy: policy, accounts: accounts, today: today)
        }
        for a in accounts where try await users.find(username: a.username) == nil {
            try await users.create(username: a.username, displayName: a.displayName, role: a.role, region: a.region.code,
                                   passwordHash: try Bcrypt.hash(password, cost: bcryptCost), createdBy: system)
        }
        return (outcome, accounts)
    }
}

extension DemoSetup {
    /// One digit of the serial part mistyped, as a clerk might: the check character no longer fits.
    static func mistyped(_ id: NationalID) -> String {
        var c = Array(id.value)
        c[15] = c[15] == "0" ? "1" : "0"
        return String(c)
    }

    /// Invented department files about six residents of the demo street: disability certificates (one with
    /// a mistyped ID, linked at once: it can only help), pensions and a cremation with mistyped IDs (they
    /// could stop or reduce a benefit, so they wait for the township officer).
    static func importDemoFeeds(_ intake: AfterCommit, db: any Database, members: [Member], today: LocalDate, officer: Actor) async throws {
        guard members.count >= 4 else { return }
        let day = today.adding(days: -20).description
        let files: [(String, String)] = [
            ("disabled-federation-certificates", "身份证号,姓名,残疾类别,残疾等级,发证日期,残疾人证号\n"
                + "\(mistyped(members[0].nationalID)),\(members[0].name),肢体残疾,三级,\(day),DEMO-C-1\n"
                + "\(members[1].nationalID.value),\(members[1].name),视力残疾,二级,\(day),DEMO-C-2\n"),
            ("hr-pension", "身份证号,姓名,养老金类别,月养老金,发放起始\n"
                + "\(mistyped(members[2].nationalID)),\(members[2].name),职工基本养老金,2350.00,\(day)\n"
                + "\(mistyped(members[3].nationalID)),\(members[3].name),被征地农民养老保障金,1980.00,\(day)\n"),
            ("funeral-cremation", "逝者身份证号,逝者姓名,火化日期,火化证编号\n"
                + "\(mistyped(members[members.count - 1].nationalID)),\(members[members.count - 1].name),\(day),DEMO-H-1\n"),
        ]
        try await importFiles(intake, files, db: db, officer: officer)
    }

    static func importFiles(_ intake: AfterCommit, _ files: [(String, String)], db: any Database, officer: Actor) async throws {
        let specs = try FeedCatalogue.bundled()
        let dir = NSTemporaryDirectory() + "jiuzhu-demo-feeds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (feed, csv) in files {
            guard let spec = specs[feed] else { continue }
            let path = dir + "/演示-\(spec.title).csv"
            try Data(csv.utf8).write(to: URL(fileURLWithPath: path))
            _ = try await intake.importFile(FeedImporter(db, spec: spec, actor: officer), path: path)
        }
    }

    static let screenedDaysAgo = 30

    /// Demo only: the first screening's warnings handled over the following days by a demo officer, through the
    /// same workflow the pages use, with the time set back accordingly — six in seven within about a week, as a
    /// working office would, so the backlog and the overdue count look like one office's, not a month of neglect.
    static func handleSomeWarnings(db: any Database, setup: MonitoringSetup, since: Date, city: RegionCode) async throws {
        let store = WarningStore(db, setup: setup)
        let officer = Actor(userID: nil, username: "演示经办人", role: .cityAdmin, jurisdiction: city, origin: "demo")
        let outcomes: [(DispositionOutcome, String)] = [
            (.enrol, "入户核实属实，已启动低保申请"), (.noAction, "核实已有其他保障，无需处置"), (.pushToDepartment, "已推送人社部门就业帮扶"),
            (.adjustAmount, "家庭收入变化，调整救助金额"), (.deliberation, "情况复杂，提交一事一议"), (.startTermination, "核实收入超标，启动停保程序"),
        ]
        let ids = try await (db as! any SQLDatabase).select().column("id").from("warnings").orderBy("id").all().map { try $0.decode(column: "id", as: UUID.self) }
        for (i, id) in ids.enumerated() where i % 7 != 0 {
            let days = 1 + i % 8
            let when = since.addingTimeInterval(Double(days) * 86_400)
            let day = LocalDate(when, timeZone: .china)
            _ = try await store.act(id, .assign(to: "社区协理员"), actor: officer, today: day, now: when)
            let (outcome, reason) = outcomes[i % outcomes.count]
            _ = try await store.act(id, .dispose(outcome, reason: "演示：" + reason), actor: officer, today: day, now: when)
            if i % 3 != 0 { _ = try await store.act(id, .close, actor: officer, today: day, now: when) }
        }
    }

    /// Invented department records with exact IDs that raise each kind of warning in the demo street the moment
    /// they arrive: a cremation for someone still paid (held at once), another place's recipients list naming a
    /// dibao member, a car bought by a dibao household, a job lost and a flood in households not enrolled.
    static func importDemoMonitoringFeeds(_ intake: AfterCommit, db: any Database, bundles: [HouseholdBundle], today: LocalDate, officer: Actor) async throws {
        let day = today.adding(days: -7).description
        let adult = { (m: Member) in (25...58).contains(m.birthDate.age(on: today)) }
        let dibao = bundles.filter { b in b.enrolments.contains { $0.program == .dibao && $0.status == .active } }
        let notEnrolled = bundles.filter { $0.enrolments.isEmpty }
        var files: [(String, String)] = []
        if let b = bundles.first(where: { b in b.enrolments.contains { $0.memberID != nil && $0.status == .active } && b.members.count > 1 }),
           let payee = b.enrolments.first(where: { $0.memberID != nil && $0.status == .active })?.memberID,
           let m = b.members.first(where: { $0.id == payee }) {
            files.append(("funeral-cremation", "逝者身份证号,逝者姓名,火化日期,火化证编号\n\(m.nationalID.value),\(m.name),\(day),DEMO-H-2\n"))
        }
        if let m = dibao.first?.members.first {
            files.append(("civil-affairs-elsewhere", "身份证号,姓名,救助项目及发放地,起始日期,终止日期,名单编号\n"
                + "\(m.nationalID.value),\(m.name),最低生活保障（演示：外省某县）,\(today.adding(days: -200)),,DEMO-SJ-1\n"))
        }
        if dibao.count > 1, let m = dibao[1].members.first(where: adult) {
            files.append(("vehicles", "车主身份证号,车主,登记日期,车辆价值,号牌号码,车辆类型\n\(m.nationalID.value),\(m.name),\(day),86000.00,津A·演示01,小型轿车\n"))
        }
        let workers = notEnrolled.compactMap { $0.members.first(where: adult) }
        if let m = workers.first {
            files.append(("hr-unemployment", "身份证号,姓名,登记日期,登记编号\n\(m.nationalID.value),\(m.name),\(day),DEMO-SY-1\n"))
        }
        if workers.count > 1 {
            let m = workers[1]
            files.append(("emergency-disaster", "身份证号,姓名,受灾日期,灾害类型,直接经济损失,核灾编号\n\(m.nationalID.value),\(m.name),\(day),内涝,12000.00,DEMO-ZH-1\n"))
        }
        try await importFiles(intake, files, db: db, officer: officer)
    }
}

/// Hashing for the command line's `user add`, so it needs no knowledge of bcrypt.
public enum PasswordHashing {
    public static func hash(_ password: String, cost: Int) throws -> String { try Bcrypt.hash(password, cost: cost) }
}

/// The application as the command line sees it: start, migrate, prepare the demo, serve, stop.
/// Keeps Vapor's types out of the executable.
public final class Server: @unchecked Sendable {
    let app: Application
    public let config: AppConfig

    public static func make(_ config: AppConfig) async throws -> Server {
        Server(app: try await makeApplication(config), config: config)
    }

    private init(app: Application, config: AppConfig) {
        self.app = app
        self.config = config
    }

    public var db: any Database { app.db }
    /// The rules and monitoring this server was configured with.
    public var policy: Policy { app.storage[PolicyKey.self]! }

    public func migrate() async throws { try await app.autoMigrate() }

    /// Refuses to go on with a data key that is not this database's (recorded the first time): see `DataKeyCheck`.
    public func confirmDataKey() async throws {
        try await DataKeyCheck.confirm(app.db, cipher: app.storage[PaymentsKey.self]!.cipher)
    }

    /// The holiday years loaded into this database, over the shipped calendar, into the calendar every deadline uses.
    public func loadStoredCalendar() async throws {
        policy.monitoring.calendars.replace(with: try await CalendarStore(app.db).calendar(onto: try WorkingCalendar.bundled()))
    }

    /// How many migrations have not been applied yet.
    public func pendingMigrations() async throws -> Int {
        try await app.migrator.setupIfNeeded().get()
        return try await app.migrator.previewPrepareBatch().get().count
    }

    public func prepareDemo(households: Int, today: LocalDate, progress: @escaping @Sendable (Int) -> Void) async throws
        -> (DemoLoader.Outcome, [DemoAccount]) {
        try await DemoSetup.prepare(db: app.db, policy: app.storage[PolicyKey.self]!, households: households, today: today, bcryptCost: config.bcryptCost,
                                    departmentData: true, cipher: app.storage[PaymentsKey.self]!.cipher, progress: progress)
    }

    /// Serves until interrupted (SIGINT/SIGTERM), then shuts down.
    public func run() async throws {
        // Vapor's serve command handles signals; give it no arguments of ours to parse.
        app.environment.arguments = [CommandLine.arguments.first ?? "jiuzhu", "serve"]
        try await app.execute()
        try await app.asyncShutdown()
    }

    public func shutdown() async throws { try await app.asyncShutdown() }
}
