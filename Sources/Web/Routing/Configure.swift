import Crypto
import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// Sets up an application: database, migrations, sessions, middleware and routes.
public func configure(_ app: Application, _ config: AppConfig) async throws {
    app.storage[AppConfigKey.self] = config
    // SQLite runs every statement on a thread of this pool, and a statement waiting for another connection's
    // write lock (a session saved while an import writes) keeps its thread until it gets it: with the default
    // pool of one thread per core, two such waiters left the writer none. Our own writes wait their turn without
    // a thread (`SQLiteWriteTurn`); the pool is large enough that the few writes outside it cannot starve one.
    if !config.database.isPostgres { app.threadPool = NIOThreadPool(numberOfThreads: DatabaseConfig.sqliteThreads) }
    // The rules' parameters and the indicator catalogue are read once at start: a broken file stops the server
    // here, not mid-request.
    app.storage[PolicyKey.self] = try config.policy()
    // ID, phone and account numbers are encrypted at rest: production without its key does not start, and the key is
    // the process's from here on (the store seals and opens with it).
    let cipher = try config.dataCipher()
    try DataCipher.install(cipher)
    app.storage[PaymentsKey.self] = PaymentsSetup(cipher: cipher, formats: try config.bankFormats())
    app.storage[ScreeningJobsKey.self] = ScreeningJobs()
    app.lifecycle.use(BackgroundWorkLifecycle<ScreeningJobsKey>())
    app.storage[ImportJobsKey.self] = ImportJobs()
    // 30 public requests a minute per address: a resident checks their case or asks for help a few times, a script
    // walking through tokens is stopped.
    app.storage[PublicRateLimitKey.self] = PublicRateLimit(limit: 30, window: 60)
    app.lifecycle.use(BackgroundWorkLifecycle<ImportJobsKey>())
    app.storage[LoginAddressesKey.self] = PublicRateLimit(limit: config.loginAddressFailures, window: config.lockout.lockSeconds)
    // Unknown usernames cost what known ones do: a hash at the configured cost, made once.
    app.storage[DummyPasswordHashKey.self] = try Bcrypt.hash(UUID().uuidString, cost: config.bcryptCost)
    app.storage[PasswordPolicyKey.self] = try PasswordPolicy.bundled()
    app.storage[SecondFactorPolicyKey.self] = try SecondFactorPolicy.bundled()
    app.logger.logLevel = config.logLevel
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port

    try config.database.register(on: app.databases)
    app.migrations.add(StoreMigrations.all)
    app.migrations.add(SessionRecord.migration)

    app.sessions.use { app in SignedInSessions(base: app.fluent.sessions.driver()) }
    app.lifecycle.use(SessionPurgeLifecycle(every: StaffSession.purgeInterval))
    let secure = config.mode == .production
    // In production the cookie is `__Host-`: the browser keeps it only if it came over HTTPS for this host and path /,
    // so no sibling subdomain can set or shadow it.
    app.sessions.configuration.cookieName = StaffSession.cookieName(secure: secure)
    app.storage[CSRFKeyKey.self] = config.sessionSecret.map { SymmetricKey(data: SHA256.hash(data: Data(("jiuzhu-csrf:" + $0).utf8))) }
        ?? SymmetricKey(size: .bits256)
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: Int(config.sessionLifetime), path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    // Order matters: errors become pages inside the session (so the page knows who is signed in),
    // and the CSRF check sees the session's token.
    app.middleware = Middlewares()
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))
    // Method and path only: query strings (search terms) and bodies (what residents type) are never logged.
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(AnonymousCSRFCookieMiddleware())
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(StaffSessionMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)
}

/// Builds a configured application for a given configuration.
public func makeApplication(_ config: AppConfig, environment: Environment? = nil) async throws -> Application {
    let env = environment ?? {
        switch config.mode {
        case .production: return .production
        case .testing: return .testing
        case .development: return .development
        }
    }()
    let app = try await Application.make(env)
    do {
        try await configure(app, config)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    return app
}

/// One route collection per area; each registers its own routes from `SiteURL`'s patterns.
func routes(_ app: Application) throws {
    let areas: [any RouteCollection] = [
        AssetRoutes(), AdminRoutes(), SecondFactorRoutes(), UserRoutes(), IDRevealRoutes(), RegistryRoutes(), AssessmentRoutes(), FeedRoutes(), LinkageRoutes(), MonitoringRoutes(), WarningRoutes(), CalendarRoutes(), CaseRoutes(), EmergencyRoutes(), PaymentRoutes(), PaymentAPIRoutes(), PaymentReportRoutes(), HelpRequestRoutes(), ReserveFundRoutes(), ChangeRoutes(), ChangeAPIRoutes(), ReviewRoutes(), ReviewAPIRoutes(), DeliberationRoutes(), DeliberationAPIRoutes(), HonestyRoutes(), HonestyAPIRoutes(),
    ]
    for area in areas { try app.register(collection: area) }
}
