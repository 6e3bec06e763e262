import Domain
import Foundation
import SQLKit
import Store
import Testing

/// Cases in a real database (SQLite, and PostgreSQL when DATABASE_URL is set): a household living in one district
/// and registered in another applies where it lives; each office sees its own tasks; the registration county
/// approves and the enrolment appears; two people on one version, one wins.
@Suite struct CaseStoreTests {
    static let today = try! LocalDate("2026-11-23")

    struct Setting {
        let f: Fixture
        let store: CaseStore
        let household: UUID
        let residence: RegionCode
        let registration: RegionCode
        let window: Actor, coordinator: Actor, hukouTown: Actor, county: Actor, residenceCounty: Actor

        func actor(_ name: String, _ role: Role, _ region: RegionCode) -> Actor {
            Actor(userID: UUID(), username: name, role: role, jurisdiction: region, origin: "test")
        }
    }

    /// A household with no enrolment, moved (on paper) to be registered in another district: the 一城通办 case.
    static func setting(_ f: Fixture) async throws -> Setting {
        let sql = f.scratch.db as! any SQLDatabase
        let row = try #require(try await sql.raw("""
            SELECT h.id AS id, h.residence_region AS residence FROM households h
            WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = h.id) ORDER BY h.id LIMIT 1
            """).first())
        let id = try row.decode(column: "id", as: UUID.self)
        let residence = try RegionCode(try row.decode(column: "residence", as: String.self))
        // Registered in a community of another county of the city.
        let other = try #require(f.city.communities.first { $0.code.ancestor(at: .county) != residence.ancestor(at: .county) }).code
        try await sql.update("households").set("registered_region", to: other.value).where("id", .equal, id).run()
        let store = CaseStore(f.scratch.db, processes: try CaseProcesses.bundled(), calendar: try WorkingCalendar.bundled(), parameters: try ParameterSet.bundled())
        func a(_ n: String, _ r: Role, _ c: RegionCode?) -> Actor { Actor(userID: UUID(), username: n, role: r, jurisdiction: c!, origin: "test") }
        return Setting(f: f, store: store, household: id, residence: residence, registration: other,
                       window: a("window", .townshipOfficer, residence.ancestor(at: .township)),
                       coordinator: a("coord", .coordinator, residence),
                       hukouTown: a("hukou", .townshipOfficer, other.ancestor(at: .township)),
                       county: a("county", .countyReviewer, other.ancestor(at: .county)),
                       residenceCounty: a("county-res", .countyReviewer, residence.ancestor(at: .county)))
    }

    static func day(_ n: Int) -> LocalDate { today.adding(days: n) }

    @Test func anApplicationWhereTheHouseholdLivesIsDecidedWhereItIsRegistered() async throws {
        try await Fixture.with(households: 60) { f in
            // setup
            let s = try await Self.setting(f)
            var c = try await s.store.open(NewCase(kind: .dibao, channel: .window, householdID: s.household, applicantName: "申请人"),
                                           actor: s.window, today: Self.today)
            #expect(c.code.hasPrefix("DB-2611-") && c.step == .acceptance && c.version == 1)
            // act: every step by its own office
            func act(_ a: CaseAction, _ who: Actor, _ d: Int) async throws {
                c = try await s.store.act(c.id, a, expectedVersion: c.version, actor: who, today: Self.day(d))
            }
            let windowInbox = try await s.store.inbox(actor: s.window, filter: CaseFilter(), today: Self.today, offset: 0, limit: 10)
            #expect(windowInbox.total == 1 && windowInbox.items.first?.id == c.id)
            try await act(.accept, s.window, 0)
            try await act(.signed(["申请人"]), s.coordinator, 0)
            try await act(.checked, s.window, 1)
            // the visit is due 3 working days after acceptance, and shows in the coordinator's inbox
            #expect(c.stepDueOn != nil)
            #expect(try await s.store.inbox(actor: s.coordinator, filter: CaseFilter(), today: Self.day(1), offset: 0, limit: 10).total == 1)
            try await act(.visited(["coord", "coord-2"], "两人入户核实"), s.coordinator, 2)
            // now the registration township's task, not the residence's
            #expect(try await s.store.inbox(actor: s.hukouTown, filter: CaseFilter(), today: Self.day(2), offset: 0, limit: 10).total == 1)
            #expect(try await s.store.inbox(actor: s.window, filter: CaseFilter(), today: Self.day(2), offset: 0, limit: 10).total == 0)
            // both townships see the case
            #expect(try await s.store.inbox(actor: s.window, filter: CaseFilter(tasksOnly: false), today: Self.day(2), offset: 0, limit: 10).total == 1)
            try await act(.firstReview(recommend: true, opinion: "符合低保条件"), s.hukouTown, 3)
            try await act(.postNotice, s.hukouTown, 4)
            try await act(.closeNotice, s.hukouTown, 11)
            // the county where the household lives does not decide; the registration county does
            #expect(try await s.store.inbox(actor: s.residenceCounty, filter: CaseFilter(), today: Self.day(11), offset: 0, limit: 10).total == 0)
            #expect(try await s.store.inbox(actor: s.county, filter: CaseFilter(), today: Self.day(11), offset: 0, limit: 10).total == 1)
            try await act(.approve(amountCents: 120_000), s.county, 12)
            // check
            // approved on 5 December: the demo city (Tianjin) pays from the decision date [YC]; the national rule would say 1 January [DB 24–25]
            let decided = try LocalDate("2026-12-05")
            #expect(c.status == .approved && c.decision?.startsOn == decided)
            let sql = f.scratch.db as! any SQLDatabase
            let enrolments = try await sql.select().columns("program", "since", "monthly_amount_cents").from("enrolments")
                .where("household_id", .equal, s.household).all()
            #expect(enrolments.count == 1)
            #expect(try enrolments.first?.decode(column: "monthly_amount_cents", as: Int64.self) == 120_000)
            #expect(try enrolments.first?.decode(column: "since", as: String.self) == "2026-12-05")
            let detail = try #require(try await s.store.detail(c.id, actor: s.county, today: Self.day(12)))
            #expect(detail.events.map(\.action) == ["open", "accept", "recordCommitment", "recordVerification", "recordVisit", "firstReview", "postNotice",
                                                    "closeNotice", "approve"])
            #expect(detail.statusToken.count == 32)
            let audit = try await AuditLog(f.scratch.db).recent(actor: f.actor(.auditor, f.city.city.code), limit: 50)
            #expect(audit.filter { $0.action == AuditAction.actOnCase.rawValue }.count == 8 && audit.contains { $0.action == AuditAction.openCase.rawValue }
                    && audit.contains { $0.action == AuditAction.readCase.rawValue })
        }
    }

    @Test func aStaleVersionIsToldAndOutsidersSeeNothing() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await Self.setting(f)
            let c = try await s.store.open(NewCase(kind: .dibao, channel: .proxy, householdID: s.household, applicantName: "申请人"), actor: s.coordinator, today: Self.today)
            // two officers act on version 1 at once: one wins, the other is told
            async let a: Result<CaseSummary, Error> = { do { return .success(try await s.store.act(c.id, .accept, expectedVersion: 1, actor: s.window, today: Self.today)) } catch { return .failure(error) } }()
            async let b: Result<CaseSummary, Error> = { do { return .success(try await s.store.act(c.id, .accept, expectedVersion: 1, actor: s.hukouTown, today: Self.today)) } catch { return .failure(error) } }()
            let results = await [a, b]
            let wins = results.filter { if case .success = $0 { return true } else { return false } }
            #expect(wins.count == 1)
            let lost = results.compactMap { if case .failure(let e) = $0 { return e as? CaseStoreError } else { return nil } }
            #expect(lost == [.workflow(.staleVersion(current: 2))])
            // someone of another township sees nothing of it
            let stranger = s.actor("x", .townshipOfficer, try #require(f.city.communities.first {
                $0.code.ancestor(at: .township) != s.residence.ancestor(at: .township) && $0.code.ancestor(at: .township) != s.registration.ancestor(at: .township)
            }?.code.ancestor(at: .township)))
            #expect(try await s.store.summary(c.id, actor: stranger) == nil)
            await #expect(throws: CaseStoreError.notFound) { try await s.store.act(c.id, .withdraw(reason: "x"), expectedVersion: 2, actor: stranger, today: Self.today) }
            // a data officer may not open cases at all
            await #expect(throws: DomainError.forbidden) {
                try await s.store.open(NewCase(kind: .dibao, channel: .window, householdID: s.household, applicantName: "x"),
                                       actor: s.actor("d", .dataOfficer, f.city.city.code), today: Self.today)
            }
        }
    }

    /// Accepted just before the new year with no holidays loaded for it: the limit is provisional, and loading the
    /// year counts it again, with a line in the timeline.
    @Test func loadingTheNewYearRecountsACasesProvisionalDeadline() async throws {
        try await Fixture.with(households: 40) { f in
            let s = try await Self.setting(f)
            let december = try LocalDate("2026-12-21")
            var c = try await s.store.open(NewCase(kind: .dibao, channel: .window, householdID: s.household, applicantName: "x"), actor: s.window, today: december)
            c = try await s.store.act(c.id, .accept, expectedVersion: c.version, actor: s.window, today: december)
            let weekdaysOnly = try LocalDate("2027-02-01"), counted = try LocalDate("2027-02-03")
            #expect(c.processDueProvisional && c.processDueOn == weekdaysOnly)
            let setup = try MonitoringSetup.bundled()
            let admin = Actor(userID: nil, username: "admin", role: .cityAdmin, jurisdiction: f.city.city.code, origin: "test")
            let year = Data(#"{"holidays": {"2027-01-01": "元旦", "2027-01-29": "春节"}, "adjusted_workdays": {}}"#.utf8)
            let outcome = try await CalendarUpdate(f.scratch.db, setup: setup, processes: try CaseProcesses.bundled()).load(year, file: "2027.json", actor: admin,
                                                                                                                          today: december)
            #expect(outcome.casesRecounted == 1)
            let after = try #require(try await s.store.summary(c.id, actor: s.window))
            // Two holidays more in the 30 working days: two days later, and firm.
            #expect(!after.processDueProvisional && after.processDueOn == counted)
            let detail = try #require(try await s.store.detail(c.id, actor: s.window, today: december))
            #expect(detail.events.last?.action == "recomputeDeadline")
        }
    }
}

/// Tekun is applied for by a person: the enrolment is that member's, and the county's spot check is kept and counted.
@Suite struct TekunCaseTests {
    @Test func aTekunCaseEnrolsTheMemberAndItsSpotCheckCounts() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await CaseStoreTests.setting(f)
            let sql = f.scratch.db as! any SQLDatabase
            let member = try #require(try await sql.select().column("id").from("members").where("household_id", .equal, s.household).first()?
                .decode(column: "id", as: UUID.self))
            // Tekun is applied for where the person is registered [TK 10].
            let hukouCoordinator = s.actor("hc", .coordinator, s.registration)
            var c = try await s.store.open(NewCase(kind: .tekun, channel: .window, householdID: s.household, memberID: member, applicantName: "老人"),
                                           actor: s.hukouTown, today: CaseStoreTests.today)
            func act(_ a: CaseAction, _ who: Actor, _ d: Int) async throws {
                c = try await s.store.act(c.id, a, expectedVersion: c.version, actor: who, today: CaseStoreTests.day(d))
            }
            try await act(.accept, s.hukouTown, 0)
            try await act(.signed(["老人"]), hukouCoordinator, 0)
            try await act(.checked, s.hukouTown, 1)
            try await act(.visited(["hc", "hukou"], "六项日常活动评估", unable: [.eating, .dressing, .toileting, .bathing]), hukouCoordinator, 2)
            try await act(.firstReview(recommend: true, opinion: "符合特困条件"), s.hukouTown, 3)
            try await act(.postNotice, s.hukouTown, 4)
            try await act(.closeNotice, s.hukouTown, 11)
            try await act(.recordSpotCheck(findings: "县级电话核实"), s.county, 12)
            try await act(.approve(amountCents: 152_100), s.county, 12)
            let enrolled = try await sql.select().column("member_id").from("enrolments").where("household_id", .equal, s.household)
                .where("program", .equal, "tekun").all()
            let enrolledMember = try enrolled.first?.decode(column: "member_id", as: UUID?.self)
            #expect(enrolled.count == 1 && enrolledMember == member)
            let figures = try await s.store.figures(actor: s.county, today: CaseStoreTests.day(12))
            #expect(figures.tekunDecided == 1 && figures.tekunSpotChecked == 1)
        }
    }
}

/// Many applications at once: from a screening's warnings, in one transaction, each audited; the same batch again
/// makes no second case for a household.
@Suite struct CaseBatchTests {
    @Test func warningsBecomeApplicationsOnceEach() async throws {
        try await Fixture.with(households: 300) { f in
            let admin = Actor(userID: nil, username: "admin", role: .cityAdmin, jurisdiction: f.city.city.code, origin: "test")
            _ = try await Monitor(f.scratch.db, setup: try MonitoringSetup.bundled()).screen(region: f.city.city.code, actor: admin)
            let sql = f.scratch.db as! any SQLDatabase
            let rows = try await sql.select().columns("id", "household_id").from("warnings").all()
            let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
            let households = Set(try rows.map { try $0.decode(column: "household_id", as: UUID.self) })
            #expect(ids.count > 10)
            let store = CaseStore(f.scratch.db, processes: try CaseProcesses.bundled(), calendar: try WorkingCalendar.bundled(), parameters: try ParameterSet.bundled())
            let officer = Actor(userID: nil, username: "town", role: .townshipOfficer, jurisdiction: f.city.city.code, origin: "test")
            let created = try await store.openFromWarnings(ids, kind: .dibao, actor: officer, today: CaseStoreTests.today)
            #expect(created.count == households.count)
            #expect(try await store.openFromWarnings(ids, kind: .dibao, actor: officer, today: CaseStoreTests.today).isEmpty)
            let inbox = try await store.inbox(actor: officer, filter: CaseFilter(), today: CaseStoreTests.today, offset: 0, limit: 5)
            #expect(inbox.total == households.count && inbox.items.allSatisfy { $0.channel == .warning && $0.step == .acceptance })
            let audited = try await sql.raw("SELECT count(*) AS n FROM audit_entries WHERE action = 'openCase'").first()?.decode(column: "n", as: Int.self)
            #expect(audited == households.count)
            // a coordinator of one community converts only what lies in it
            let community = try #require(f.city.communities.first).code
            let coordinator = Actor(userID: nil, username: "c", role: .coordinator, jurisdiction: community, origin: "test")
            let theirs = try await store.openFromWarnings(ids, kind: .nearDibao, actor: coordinator, today: CaseStoreTests.today)
            let inside = try await sql.select().column("household_id").from("warnings").where("residence_region", .equal, community.value).all()
            #expect(theirs.count == Set(try inside.map { try $0.decode(column: "household_id", as: UUID.self) }).count)
        }
    }
}
