import Domain
import Fluent
import Foundation
import Store
import Vapor

/// The demo's logins: one user per role, each with the jurisdiction that role usually has.
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
        ]
    }

    /// Generates the city if it is not there yet, and the demo users that are missing. Safe to run again.
    public static func prepare(db: any Database, households: Int, today: LocalDate, bcryptCost: Int,
                               progress: @escaping @Sendable (Int) -> Void) async throws -> (DemoLoader.Outcome, [DemoAccount]) {
        let reference = try RegionReference.bundled()
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), today: today)
        let system = Actor(userID: nil, username: "system", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli")
        let outcome = try await DemoLoader(db).load(city: city, reference: reference, households: households, actor: system, progress: progress)
        let users = UserStore(db)
        let accounts = accounts(city: city)
        for a in accounts where try await users.find(username: a.username) == nil {
            try await users.create(username: a.username, displayName: a.displayName, role: a.role, region: a.region.code,
                                   passwordHash: try Bcrypt.hash(password, cost: bcryptCost), createdBy: system)
        }
        return (outcome, accounts)
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

    public func migrate() async throws { try await app.autoMigrate() }

    /// How many migrations have not been applied yet.
    public func pendingMigrations() async throws -> Int {
        try await app.migrator.setupIfNeeded().get()
        return try await app.migrator.previewPrepareBatch().get().count
    }

    public func prepareDemo(households: Int, today: LocalDate, progress: @escaping @Sendable (Int) -> Void) async throws
        -> (DemoLoader.Outcome, [DemoAccount]) {
        try await DemoSetup.prepare(db: app.db, households: households, today: today, bcryptCost: config.bcryptCost, progress: progress)
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
