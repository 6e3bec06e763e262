import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// The generated route × role × jurisdiction matrix. Every registered route has an entry below saying who may use
/// it at all and which object its path names; a route without one fails the test. Each route is then requested by
/// every role placed three ways — in its own jurisdiction (holding the demo street's objects), in a sibling (the
/// same level next door) and in the parent — and the answer must be: refused for a role the route is not for;
/// for the others, the object shown where the placement holds it and not found (or refused) where it does not;
/// and never a server error.
@Suite struct RouteMatrixTests {
    /// Who may use a route.
    enum Gate {
        /// Anyone, signed in or not.
        case open
        /// Any signed-in staff member.
        case staff
        /// Roles holding a permission.
        case permission(Permission)
        /// Exactly these roles.
        case roles(Set<Role>)

        func admits(_ role: Role) -> Bool {
            switch self {
            case .open, .staff: return true
            case .permission(let p): return p.isGranted(to: role)
            case .roles(let r): return r.contains(role)
            }
        }
    }

    /// The object a route's path names, found in the fixture; its region decides who may see it.
    enum Object: String {
        case household, member, account, warning, visit, caseFile, caseToken, change, review, deliberation, spotCheck, payroll, payrollLine,
             paymentCheck, bankAccount, hold, link, importJob, helpRequest, region
    }

    struct Entry {
        let gate: Gate
        let object: Object?
        /// The object named in the query rather than the path (`/cases/new?household=…`).
        let query: String?
        /// May answer 404 for its own object: the document is not there yet (a decision notice before the decision),
        /// or an empty form names nothing to find.
        let mayBeAbsent: Bool
        init(_ gate: Gate, _ object: Object? = nil, query: String? = nil, mayBeAbsent: Bool = false) {
            self.gate = gate
            self.object = object
            self.query = query
            self.mayBeAbsent = mayBeAbsent
        }
    }

    static let staffOnly = Entry(.staff)
    static func p(_ permission: Permission, _ object: Object? = nil, query: String? = nil, mayBeAbsent: Bool = false) -> Entry {
        Entry(.permission(permission), object, query: query, mayBeAbsent: mayBeAbsent)
    }

    /// One entry per route, keyed "METHOD /pattern".
    static let entries: [String: Entry] = [
        "GET /": staffOnly, "GET /account/password": staffOnly, "POST /account/password": staffOnly,
        "GET /account/second-factor": staffOnly, "POST /account/second-factor": staffOnly,
        "GET /api/openapi.json": Entry(.open), "POST /api/v1/assessments": Entry(.open),
        "GET /api/v1/cases": p(.viewCases), "POST /api/v1/cases": p(.openCases, mayBeAbsent: true), "GET /api/v1/cases/:caseID": p(.viewCases, .caseFile),
        "POST /api/v1/cases/:caseID/transitions": p(.viewCases, .caseFile),
        "GET /api/v1/changes": p(.viewCases), "POST /api/v1/changes": p(.handleCases, mayBeAbsent: true),
        "POST /api/v1/changes/:changeID/decision": p(.handleCases, .change),
        "GET /api/v1/deliberations": p(.viewCases), "POST /api/v1/deliberations": p(.viewCases),
        "POST /api/v1/deliberations/:deliberationID/meetings": p(.viewCases, .deliberation),
        "GET /api/v1/households": p(.viewHouseholds), "GET /api/v1/households/:householdID": p(.viewHouseholds, .household),
        "GET /api/v1/households/:householdID/assessment": p(.viewHouseholds, .household),
        "POST /api/v1/households/:householdID/members/:memberID/national-id": p(.viewHouseholds, .member),
        "POST /api/v1/households/search": p(.viewHouseholds),
        "GET /api/v1/payment-checks": p(.viewPayments), "POST /api/v1/payment-checks/:checkID": p(.viewPayments, .paymentCheck),
        "POST /api/v1/payment-checks/draw": p(.managePayments), "GET /api/v1/payment-reports": p(.viewPayments),
        "GET /api/v1/payrolls": p(.viewPayments), "POST /api/v1/payrolls": p(.managePayments),
        "GET /api/v1/payrolls/:payrollID": p(.viewPayments, .payroll), "POST /api/v1/payrolls/:payrollID/approve": p(.managePayments, .payroll),
        "POST /api/v1/payrolls/:payrollID/bank-file": p(.managePayments, .payroll), "GET /api/v1/payrolls/:payrollID/lines": p(.viewPayments, .payroll),
        "POST /api/v1/payrolls/:payrollID/lines/:lineID": p(.managePayments, .payrollLine), "POST /api/v1/payrolls/:payrollID/return": p(.managePayments, .payroll),
        "GET /api/v1/reviews": p(.viewCases), "POST /api/v1/reviews/:reviewID/continue": p(.handleCases, .review),
        "GET /api/v1/screenings": p(.viewWarnings), "POST /api/v1/screenings": p(.handleWarnings),
        "GET /api/v1/spot-checks": p(.viewCases), "POST /api/v1/spot-checks/:checkID/result": p(.viewCases, .spotCheck),
        "GET /api/v1/warnings": p(.viewWarnings), "GET /api/v1/warnings/:warningID": p(.viewWarnings, .warning),
        "POST /api/v1/warnings/:warningID/actions": p(.handleWarnings, .warning),
        "GET /audit": p(.viewAuditLog), "GET /calendar": staffOnly, "POST /calendar": p(.manageCalendar),
        "GET /cases": p(.viewCases), "POST /cases": p(.openCases, mayBeAbsent: true), "GET /cases/:caseID": p(.viewCases, .caseFile),
        "POST /cases/:caseID/actions": p(.viewCases, .caseFile), "GET /cases/:caseID/decision": p(.viewCases, .caseFile, mayBeAbsent: true),
        "GET /cases/:caseID/materials": p(.viewCases, .caseFile, mayBeAbsent: true), "GET /cases/dashboard": p(.viewCases),
        "GET /cases/emergency": p(.openCases), "POST /cases/emergency": p(.openCases), "GET /cases/new": p(.openCases, .household, query: "household"),
        "GET /changes": p(.viewCases), "POST /changes": Entry(.roles([.townshipOfficer]), mayBeAbsent: true), "GET /changes/:changeID": p(.viewCases, .change),
        "POST /changes/:changeID/decision": p(.handleCases, .change), "GET /changes/:changeID/notice": p(.viewCases, .change, mayBeAbsent: true),
        "GET /changes/new": Entry(.roles([.townshipOfficer]), .household, query: "household"),
        "GET /deliberations": p(.viewCases), "POST /deliberations": p(.viewCases, mayBeAbsent: true), "GET /deliberations/:deliberationID": p(.viewCases, .deliberation),
        "POST /deliberations/:deliberationID/meetings": p(.viewCases, .deliberation), "GET /deliberations/new": p(.viewCases, .household, query: "household"),
        "GET /dishonesty": p(.viewCases), "GET /dishonesty/export.csv": Entry(.roles([.countyReviewer, .cityAdmin])),
        "GET /exports": Entry(.roles([.countyReviewer, .cityAdmin])), "POST /exports": Entry(.roles([.countyReviewer, .cityAdmin])),
        "GET /healthz": Entry(.open),
        "GET /help-requests": p(.handleCases), "POST /help-requests": Entry(.open), "POST /help-requests/:requestID": p(.handleCases, .helpRequest),
        "POST /help-requests/calls": p(.handleCases), "POST /help-requests/search": p(.handleCases),
        "GET /households": p(.viewHouseholds), "POST /households": p(.viewHouseholds), "GET /households/:householdID": p(.viewHouseholds, .household),
        "GET /households/:householdID/accounts": p(.viewPayments, .household), "POST /households/:householdID/accounts": p(.manageBankAccounts, .household),
        "POST /households/:householdID/accounts/:accountID": p(.manageBankAccounts, .bankAccount),
        "POST /households/:householdID/holds/:holdID/release": p(.releasePaymentHolds, .hold),
        "GET /households/:householdID/members/:memberID/national-id": p(.viewHouseholds, .member),
        "POST /households/:householdID/members/:memberID/national-id": p(.viewHouseholds, .member),
        "GET /imports": p(.importData), "POST /imports": p(.importData), // An import job is its uploader's: another data officer finds none.
        "GET /imports/jobs/:jobID": p(.importData, .importJob, mayBeAbsent: true),
        "GET /imports/jobs/:jobID/rejects.csv": p(.importData, .importJob, mayBeAbsent: true), "GET /imports/templates/:feed": p(.importData),
        "GET /link-reviews": p(.reviewLinks), "GET /link-reviews/:linkID": p(.reviewLinks, .link), "POST /link-reviews/:linkID/:decision": p(.reviewLinks, .link),
        "GET /login": Entry(.open), "POST /login": Entry(.open), "GET /login/code": Entry(.open), "POST /login/code": Entry(.open),
        "POST /logout": staffOnly,
        "GET /monitoring": p(.viewWarnings), "GET /monitoring/indicators": p(.viewWarnings), "POST /monitoring/indicators/:code": p(.tuneIndicators),
        "GET /monitoring/ranking": p(.viewWarnings), "GET /notices": Entry(.open),
        "GET /payment-checks": p(.viewPayments), "POST /payment-checks/:checkID": p(.viewPayments, .paymentCheck),
        "POST /payment-checks/draw": p(.managePayments), "GET /payment-reports": p(.viewPayments),
        "GET /payrolls": p(.viewPayments), "POST /payrolls": p(.managePayments), "GET /payrolls/:payrollID": p(.viewPayments, .payroll),
        "POST /payrolls/:payrollID/approve": p(.managePayments, .payroll), "POST /payrolls/:payrollID/bank-file": p(.managePayments, .payroll),
        "POST /payrolls/:payrollID/lines/:lineID": p(.managePayments, .payrollLine), "POST /payrolls/:payrollID/return": p(.managePayments, .payroll),
        "GET /regions/:regionCode": p(.viewStatistics, .region),
        "GET /reserve-funds": p(.viewCases), "POST /reserve-funds": p(.manageReserveFunds),
        "GET /reviews": p(.viewCases), "GET /reviews/:reviewID": p(.viewCases, .review), "POST /reviews/:reviewID/continue": p(.handleCases, .review),
        "GET /screenings": p(.viewWarnings), "POST /screenings": p(.handleWarnings),
        "GET /security": p(.grantRoles), "POST /security": p(.grantRoles),
        "GET /self-assessment": Entry(.open), "POST /self-assessment": Entry(.open),
        "GET /simulation": p(.runSimulation), "POST /simulation": p(.runSimulation),
        "GET /spot-checks": p(.viewCases), "GET /spot-checks/:checkID": p(.viewCases, .spotCheck),
        "POST /spot-checks/:checkID/result": p(.viewCases, .spotCheck), "POST /spot-checks/draw": Entry(.roles([.countyReviewer, .cityAdmin])),
        "GET /static/site.css": Entry(.open), "GET /static/site.js": Entry(.open), "GET /status/:token": Entry(.open, .caseToken),
        "GET /users": Entry(.roles([.systemAdmin, .securityAdmin])), "POST /users": p(.manageUsers),
        "POST /users/:username/:action": p(.manageUsers, .account),
        "GET /visits": p(.recordVisits), // A link to the list, where the form is: it names no object.
        "GET /visits/:visitID/complete": p(.recordVisits), "POST /visits/:visitID/complete": p(.recordVisits, .visit),
        "GET /warnings": p(.viewWarnings), "GET /warnings/:warningID": p(.viewWarnings, .warning), "POST /warnings/:warningID/:step": p(.handleWarnings, .warning),
    ]

    /// How an answer is judged: past the gate, refused, not found, or broken.
    enum Outcome: Equatable { case passed, forbidden, notFound, error(UInt) }

    static func outcome(_ status: HTTPResponseStatus) -> Outcome {
        switch status.code {
        case 403: return .forbidden
        case 404: return .notFound
        case 500...: return .error(status.code)
        default: return .passed
        }
    }

    @Test func everyRouteHasAnEntry() async throws {
        let app = try await Application.make(.testing)
        do {
            try routes(app)
            let registered = Set(app.routes.all.map { "\($0.method.rawValue) /" + $0.path.map(\.description).joined(separator: "/") })
            #expect(registered.subtracting(Self.entries.keys).isEmpty, "routes without an entry in the matrix: \(registered.subtracting(Self.entries.keys).sorted())")
            #expect(Set(Self.entries.keys).subtracting(registered).isEmpty, "entries for no route: \(Set(Self.entries.keys).subtracting(registered).sorted())")
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    /// The objects the routes name: each the demo street's, with the region that decides who sees it.
    struct Fixture {
        var ids: [Object: (path: [String], region: RegionCode)] = [:]
    }

    /// What the demo's seed leaves out of a small city, made the way staff and residents make it: a resident's
    /// request for help, a home visit started from a warning, and the county's random spot check.
    static func addMissing(_ site: TestSite) async throws {
        let sql = site.app.db as! any SQLDatabase
        let street = site.account(.townshipOfficer).region.code
        let head = site.inside.members[0]
        let resident = site.browser()
        _ = try await resident.post(SiteURL.helpRequests.path, form: ["_csrf": "", "name": head.name, "nationalID": head.nationalID.value, "phone": "13800138000",
                                                                      "need": "老人生病，家里没钱看病", "township": street.value, "consent": "on"])
        let township = Actor(userID: nil, username: "township", role: .townshipOfficer, jurisdiction: street, origin: "test")
        let store = WarningStore(site.app.db, setup: site.app.storage[PolicyKey.self]!.monitoring)
        if let w = try await sql.select().column("id").from("warnings").where("status", .equal, WarningStatus.new.rawValue)
            .where("residence_region", .like, SQLBind(String(street.value.prefix(9)) + "%")).limit(1).first() {
            let id = try w.decode(column: "id", as: UUID.self)
            _ = try await store.act(id, .assign(to: "coordinator"), actor: township, today: site.city.today)
            _ = try await store.act(id, .startVerification, actor: township, today: site.city.today)
        }
        let county = site.browser()
        try await county.login(site.account(.countyReviewer).username)
        let list = try await county.get(SiteURL.spotChecks(filter: nil).path)
        _ = try await county.post(SiteURL.spotCheckDraw.path, form: ["_csrf": Browser.csrf(in: list) ?? "", "from": "2000-01-01", "to": site.city.today.description])
    }

    static func fixture(_ site: TestSite) async throws -> Fixture {
        try await addMissing(site)
        let sql = site.app.db as! any SQLDatabase
        let street = site.account(.townshipOfficer).region.code
        var f = Fixture()
        func first(_ table: String, _ columns: [String], region: String = "residence_region", extra: ((SQLSelectBuilder) -> SQLSelectBuilder)? = nil) async throws -> (any SQLRow)? {
            // The demo street's if it has one, else any in the city: whoever's placement holds it should see it.
            for prefix in [String(street.value.prefix(9)), String(street.value.prefix(4))] {
                var q = sql.select().columns(columns.map { SQLColumn($0) } + [SQLColumn(region)]).from(table)
                    .where(SQLColumn(region), .like, SQLBind(prefix + "%"))
                if let extra { q = extra(q) }
                if let row = try await q.limit(1).first() { return row }
            }
            return nil
        }
        func text(_ r: any SQLRow, _ c: String) throws -> String {
            if let u = try? r.decode(column: c, as: UUID.self) { return u.uuidString.lowercased() }
            return try r.decode(column: c, as: String.self)
        }
        let inside = site.inside
        f.ids[.household] = ([inside.household.id.description], inside.household.residenceRegion)
        f.ids[.member] = ([inside.household.id.description, inside.members[0].id.description], inside.household.residenceRegion)
        f.ids[.region] = ([inside.household.residenceRegion.value], inside.household.residenceRegion)
        f.ids[.account] = (["matrix.target"], site.account(.coordinator).region.code)
        let tables: [(Object, String, [String], String)] = [
            (.warning, "warnings", ["id"], "residence_region"), (.visit, "home_visits", ["id"], "residence_region"),
            (.caseFile, "cases", ["id"], "residence_region"), (.caseToken, "cases", ["status_token"], "residence_region"),
            (.change, "enrolment_changes", ["id"], "residence_region"), (.review, "reviews", ["id"], "residence_region"),
            (.deliberation, "deliberations", ["id"], "residence_region"), (.spotCheck, "spot_checks", ["id"], "residence_region"),
            (.payroll, "payrolls", ["id"], "county_region"), (.paymentCheck, "payment_verifications", ["id"], "residence_region"),
            (.bankAccount, "bank_accounts", ["household_id", "id"], "residence_region"), (.hold, "payment_holds", ["household_id", "id"], "residence_region"),
            (.link, "person_links", ["id"], "residence_region"), (.helpRequest, "help_requests", ["id"], "township_region"),
        ]
        for (object, table, columns, region) in tables {
            guard let r = try await first(table, columns, region: region) else { continue }
            f.ids[object] = (try columns.map { try text(r, $0) }, try RegionCode(try text(r, region)))
        }
        if let line = try await first("payroll_lines", ["payroll_id", "id"]) {
            f.ids[.payrollLine] = ([try text(line, "payroll_id"), try text(line, "id")], try RegionCode(try text(line, "residence_region")))
        }
        if let job = try await sql.select().column("id").from("feed_imports").limit(1).first() {
            f.ids[.importJob] = ([try text(job, "id")], site.city.city.code)
        }
        return f
    }

    /// The path of a route for the fixture's object (or a harmless value for a parameter that names no object).
    static func path(_ pattern: String, entry: Entry, fixture: Fixture) -> String? {
        var values = entry.object.flatMap { fixture.ids[$0]?.path } ?? []
        // A random spot check may draw nothing from a small city: then an id no one has, which everyone must not find.
        if entry.object == .spotCheck, values.isEmpty { values = [UUID().uuidString.lowercased()] }
        if entry.object != nil, values.isEmpty { return nil }
        if entry.query != nil { values = Array(values.prefix(1)) }
        var out: [String] = []
        for part in pattern.split(separator: "/").map(String.init) {
            guard part.hasPrefix(":") else { out.append(part); continue }
            switch part {
            case ":feed": out.append("hr-pension")
            case ":code": out.append("JZ-C01")
            case ":username": out.append(values.isEmpty ? "matrix.target" : values.removeFirst())
            case ":action": out.append(UserAction.enable.rawValue)
            case ":step": out.append(WarningStep.allCases[0].rawValue)
            case ":decision": out.append(LinkDecision.reject.rawValue)
            default: out.append(values.isEmpty || entry.query != nil ? UUID().uuidString.lowercased() : values.removeFirst())
            }
        }
        let path = "/" + out.joined(separator: "/")
        if let name = entry.query { return path + "?\(name)=" + values.joined() }
        return path
    }

    /// Where each role is placed: its own demo account's region, a sibling at the same level, and the parent.
    static func placements(_ site: TestSite, _ role: Role) async throws -> [(name: String, region: RegionCode)] {
        let own = site.account(role).region.code
        let sql = site.app.db as! any SQLDatabase
        let parent = own.level == .city ? try RegionCode("120000000000") : try #require(own.ancestors.last { $0 != own })
        let sibling: RegionCode
        if own.level == .city {
            sibling = try RegionCode("110100000000")
        } else {
            let row = try #require(try await sql.select().column("code").from("regions").where("level", .equal, own.level.rawValue)
                .where("code", .like, String(parent.value.prefix(parent.level.significantDigits)) + "%").where("code", .notEqual, own.value)
                .limit(1).first())
            sibling = try RegionCode(try row.decode(column: "code", as: String.self))
        }
        return [("own", own), ("sibling", sibling), ("parent", parent)]
    }

    /// One site for every role (its seed is the slow part): a city of 1,000 households with the demo's department
    /// data, so that each kind of object exists in the demo street.
    @Test func everyRouteForEveryRoleAndPlacement() async throws {
        try await TestSite.with(households: 1000, departmentData: true) { site in
            let fixture = try await Self.fixture(site)
            let users = UserStore(site.app.db)
            let system = Actor(userID: nil, username: "test", role: .systemAdmin, jurisdiction: site.city.city.code, origin: "test")
            try await users.create(username: "matrix.target", displayName: "矩阵测试对象", role: .coordinator, region: site.account(.coordinator).region.code,
                                   passwordHash: try Bcrypt.hash(TestSite.password, cost: 4), createdBy: system)
            var failures: [String] = []
            var checked = 0
            for role in Role.allCases { for (placement, region) in try await Self.placements(site, role) {
                let username = "m.\(role.rawValue.lowercased()).\(placement)"
                try await users.create(username: username, displayName: "矩阵 \(placement)", role: role, region: region,
                                       passwordHash: try Bcrypt.hash(TestSite.password, cost: 4), createdBy: system)
                try await TestSite.enrolSecondFactors(site.app, [DemoAccount(username: username, displayName: "x", role: role,
                                                                             region: try #require(try await RegistryStore(site.app.db).region(region)))],
                                                      into: site.recovery)
                let b = site.browser()
                let login = try await b.login(username)
                #expect(login.status == .seeOther, "\(username) signs in")
                let csrf = Browser.csrf(in: try await b.get(SiteURL.changePassword.path)) ?? ""
                // Signing out last: everything else is asked while signed in.
                for (key, entry) in Self.entries.sorted(by: { ($0.key == "POST /logout" ? 1 : 0, $0.key) < ($1.key == "POST /logout" ? 1 : 0, $1.key) }) {
                    let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
                    guard let path = Self.path(parts[1], entry: entry, fixture: fixture) else {
                        failures.append("\(key): the fixture has no \(entry.object!.rawValue)")
                        continue
                    }
                    let res: TestingHTTPResponse
                    if parts[0] == "GET" {
                        res = try await b.get(path)
                    } else if path.hasPrefix("/api/") {
                        res = try await b.sendJSON(.POST, path, json: "{}", csrf: csrf)
                    } else {
                        res = try await b.post(path, form: ["_csrf": csrf])
                    }
                    checked += 1
                    let got = Self.outcome(res.status)
                    let label = "\(role.rawValue)@\(placement) \(key) → \(res.status.code)"
                    if case .error = got { failures.append(label + " (server error)"); continue }
                    if case .open = entry.gate { continue }
                    guard entry.gate.admits(role) else {
                        if got == .passed { failures.append(label + " (should be refused)") }
                        continue
                    }
                    let sees = entry.object.map { o in fixture.ids[o].map { region.contains($0.region) } ?? false } ?? true
                    if sees && got != .passed && !(entry.mayBeAbsent && got == .notFound) { failures.append(label + " (should pass)") }
                    // Not seen: refused or not found; or a form refused as incomplete before anything is looked up (400),
                    // which tells nothing of the object either.
                    if !sees && got == .passed && !(res.status == .badRequest && parts[0] == "POST") {
                        failures.append(label + " (should not see another jurisdiction's object)")
                    }
                }
            } }
            #expect(failures.isEmpty, "\(failures.count) of \(checked):\n\(failures.joined(separator: "\n"))")
            #expect(checked == Self.entries.count * 3 * Role.allCases.count)
        }
    }
}
