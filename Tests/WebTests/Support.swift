import Domain
import Fluent
import Foundation
import NIOCore
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// A real application on a scratch database (SQLite; PostgreSQL too when DATABASE_URL is set),
/// with a small demo city, one user per role, and a household outside the city.
struct TestSite {
    let app: Application
    let scratch: ScratchDatabase
    let city: DemoCity
    let accounts: [DemoAccount]
    /// A household in the coordinator's own community: inside every demo user's jurisdiction.
    let inside: HouseholdBundle
    /// A household in another city: outside every demo user's jurisdiction.
    let outside: HouseholdBundle
    /// The administrators must sign in with a second factor: each is enrolled at setup, and `Browser.login` spends
    /// one of their recovery codes (a code from the app would be good once per 30 seconds; these are not timed).
    let recovery: RecoveryCodePool
    static let password = DemoSetup.password

    /// Enrols every account whose role must use a second factor, through the real enrolment, and keeps the
    /// recovery codes it hands out.
    static func enrolSecondFactors(_ app: Application, _ accounts: [DemoAccount], into pool: RecoveryCodePool) async throws {
        let store = SecondFactorStore(app.db, cipher: .development, policy: app.storage[SecondFactorPolicyKey.self]!)
        for a in accounts where store.policy.alwaysRequiredFor.contains(a.role) {
            let user = try #require(try await UserStore(app.db).find(username: a.username))
            let secret = store.newSecret()
            let now = Date()
            let code = store.totp(secret).code(step: store.totp(secret).step(at: now))
            let codes = try #require(try await store.enrol(user, secret: secret, confirmedBy: code, actor: user.actor(origin: "test"), now: now))
            pool.add(a.username, codes)
        }
    }

    static func make(households: Int = 200, mode: AppConfig.Mode = .testing, lockoutFailures: Int = 3,
                     logLevel: Logger.Level = .warning, city: RegionCode? = nil, departmentData: Bool = false,
                     adjust: (inout AppConfig) -> Void = { _ in }) async throws -> TestSite {
        let scratch = try await ScratchDatabase.make(label: "web")
        var config = AppConfig(mode: mode, database: scratch.config, sessionSecret: String(repeating: "s", count: 40), bcryptCost: 4,
                               lockout: LoginThrottle(maxFailures: lockoutFailures, lockSeconds: 900), logLevel: logLevel, city: city,
                               // One process seals with one key: a production-mode site is given the development key's bytes.
                               dataKey: mode == .production ? DataCipher.developmentKeyBase64 : nil)
        adjust(&config)
        let app = try await makeApplication(config, environment: .testing)
        do {
            try await app.autoMigrate()
            let (_, accounts) = try await DemoSetup.prepare(db: app.db, policy: app.storage[PolicyKey.self]!, households: households, today: LocalDate("2026-11-22"), bcryptCost: 4,
                                                         departmentData: departmentData) { _ in }
            let city = try DemoCity(reference: RegionReference.bundled(), settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate("2026-11-22"))
            let community = accounts.first { $0.role == .coordinator }!.region.code
            // Make sure the coordinator's community has a household whatever the random draw.
            var inside = Array(city.households(count: households)).first { $0.household.residenceRegion == community }
            if inside == nil {
                var b = Array(city.households(count: households + 1)).last!
                b = Self.moved(b, to: community)
                try await RegistryWriter(app.db).insert([b])
                inside = b
            }
            let outside = try await Self.householdElsewhere(app.db)
            let recovery = RecoveryCodePool()
            try await Self.enrolSecondFactors(app, accounts, into: recovery)
            return TestSite(app: app, scratch: scratch, city: city, accounts: accounts, inside: inside!, outside: outside, recovery: recovery)
        } catch {
            try await app.asyncShutdown()
            try await scratch.drop()
            throw error
        }
    }

    static func moved(_ b: HouseholdBundle, to region: RegionCode) -> HouseholdBundle {
        var b = b
        b.household.residenceRegion = region
        b.household.registeredRegion = region
        return b
    }

    /// A household in 北京市东城区, an invented community there.
    static func householdElsewhere(_ db: any Database) async throws -> HouseholdBundle {
        let community = try Region(code: RegionCode("110101901001"), name: "外市测试社区", isDemo: true)
        let street = try Region(code: RegionCode("110101901000"), name: "外市测试街道", isDemo: true)
        let reference = try RegionReference.bundled()
        let chain = community.code.ancestors.compactMap { reference[$0] }
        try await RegistryWriter(db).insert(regions: chain + [street, community])
        let hid = Household.ID(UUID())
        let id = try NationalID(addressCode: "110101", birthDate: LocalDate("1961-05-04"), sequence: 777)
        let member = Member(id: Member.ID(UUID()), householdID: hid, relation: .head, nationalID: id, name: "外市测试户主", sex: .male,
                            birthDate: id.birthDate, disability: nil, illnesses: [], workCapacity: .full, employment: .employed, schooling: .notApplicable)
        let b = HouseholdBundle(household: Household(id: hid, registeredRegion: community.code, residenceRegion: community.code, address: "东城区外市测试街道1号"),
                                members: [member], facts: [], enrolments: [])
        try await RegistryWriter(db).insert([b])
        return b
    }

    func account(_ role: Role) -> DemoAccount { accounts.first { $0.role == role }! }

    /// Runs `body` on a fresh site and always shuts it down, even when the body throws.
    static func with(households: Int = 200, mode: AppConfig.Mode = .testing, lockoutFailures: Int = 3, logLevel: Logger.Level = .warning,
                     city: RegionCode? = nil, departmentData: Bool = false, adjust: (inout AppConfig) -> Void = { _ in },
                     _ body: (TestSite) async throws -> Void) async throws {
        let site = try await make(households: households, mode: mode, lockoutFailures: lockoutFailures, logLevel: logLevel, city: city,
                                  departmentData: departmentData, adjust: adjust)
        do {
            try await body(site)
        } catch {
            try? await site.shutdown()
            throw error
        }
        try await site.shutdown()
    }

    func shutdown() async throws {
        try await app.asyncShutdown()
        try await scratch.drop()
    }

    /// The city administrator, signed in, after screening the whole city from the dashboard (and waiting for it):
    /// pages then have warnings, scores and a screening run to show.
    func cityAdminAfterScreening() async throws -> Browser {
        let admin = browser()
        try await admin.login(account(.cityAdmin).username)
        let board = try await admin.get(SiteURL.monitoring.path)
        try await admin.post(SiteURL.screenings.path, form: ["_csrf": try #require(Browser.csrf(in: board))])
        await app.screeningJobs.waitForAll()
        return admin
    }

    /// A client that keeps the session cookie like a browser does.
    func browser() -> Browser { Browser(app: app, recovery: recovery) }
}

/// Recovery codes by username, each handed out once.
final class RecoveryCodePool: @unchecked Sendable {
    private var codes: [String: [String]] = [:]
    private let lock = NSLock()
    func add(_ username: String, _ list: [String]) { lock.withLock { codes[username, default: []] += list } }
    func take(_ username: String) -> String? { lock.withLock { codes[username]?.popLast() } }
}

final class Browser: @unchecked Sendable {
    let app: Application
    /// Every cookie the server set, as a browser keeps them (an expired one is dropped).
    var cookies: [String: String] = [:]
    let recovery: RecoveryCodePool?
    init(app: Application, recovery: RecoveryCodePool? = nil) {
        self.app = app
        self.recovery = recovery
    }

    static let cookieName = "jiuzhu_session"
    /// The staff session's cookie.
    var cookie: String? { cookies[Self.cookieName] }

    var cookieHeader: String? {
        cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
    }

    func keepCookies(_ res: TestingHTTPResponse) {
        for set in res.headers[.setCookie] {
            guard let eq = set.firstIndex(of: "=") else { continue }
            let name = String(set[..<eq])
            let value = String(set[set.index(after: eq)...].prefix { $0 != ";" })
            cookies[name] = value.isEmpty || set.contains("Max-Age=0") || set.contains("1970") ? nil : value
        }
    }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, body: nil)
    }

    @discardableResult
    func post(_ path: String, form: [String: String]) async throws -> TestingHTTPResponse {
        var c = URLComponents()
        c.queryItems = form.map { URLQueryItem(name: $0.key, value: $0.value) }
        let encoded = (c.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return try await send(.POST, path, body: encoded)
    }

    /// A JSON request as an API client with a session sends it: the CSRF token in its header.
    func sendJSON(_ method: HTTPMethod, _ path: String, json: String, csrf: String?) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let cookieHeader { headers.add(name: .cookie, value: cookieHeader) }
        if let csrf { headers.add(name: CSRFMiddleware.header, value: csrf) }
        headers.contentType = .json
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: ByteBuffer(string: json))
        keepCookies(res)
        return res
    }

    func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let cookieHeader { headers.add(name: .cookie, value: cookieHeader) }
        var buffer: ByteBuffer?
        if let body {
            headers.contentType = .urlEncodedForm
            buffer = ByteBuffer(string: body)
        }
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        keepCookies(res)
        return res
    }

    /// The CSRF token in the last page's forms.
    static func csrf(in res: TestingHTTPResponse) -> String? {
        let html = res.body.string
        guard let r = html.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(html[r.upperBound...].prefix { $0 != "\"" })
    }

    /// Signs in through the real login form.
    @discardableResult
    func login(_ username: String, password: String = TestSite.password) async throws -> TestingHTTPResponse {
        let page = try await get("/login")
        let token = try #require(Self.csrf(in: page))
        let res = try await post("/login", form: ["_csrf": token, "username": username, "password": password])
        // An account with a second factor is asked for a code next: one of its recovery codes, when the site has one.
        guard res.headers.first(name: .location) == SiteURL.loginCode.path, let code = recovery?.take(username) else { return res }
        let ask = try await get(SiteURL.loginCode.path)
        return try await post(SiteURL.loginCode.path, form: ["_csrf": Self.csrf(in: ask) ?? "", "code": code])
    }
}
