import Domain
import Foundation
import SQLKit
import Store
import Testing

/// The honesty loop in a real database: an approved commitment case is drawn (20% rounded up: the one of one), not
/// twice; a warning raised after the decision opens a trace-back; a truthful check is an honest record that waives
/// the marked certificates of the next application; a false declaration puts the head on the dishonesty list and
/// proposes stopping the enrolment in the same transaction; the list exports for the credit platform, county only.
@Suite struct SpotCheckStoreTests {
    typealias T = CaseStoreTests

    @Test func drawCheckAndList() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await T.setting(f)
            let sql = f.scratch.db as! any SQLDatabase
            var c = try await s.store.open(NewCase(kind: .dibao, channel: .window, householdID: s.household, applicantName: "申请人"), actor: s.window, today: T.today)
            func act(_ a: CaseAction, _ who: Actor, _ d: Int) async throws {
                c = try await s.store.act(c.id, a, expectedVersion: c.version, actor: who, today: T.day(d))
            }
            try await act(.accept, s.window, 0)
            try await act(.signed(["申请人"]), s.coordinator, 0)
            try await act(.checked, s.window, 1)
            try await act(.visited(["coord", "coord-2"]), s.coordinator, 2)
            try await act(.firstReview(recommend: true, opinion: "符合"), s.hukouTown, 3)
            try await act(.postNotice, s.hukouTown, 4)
            try await act(.closeNotice, s.hukouTown, 11)
            try await act(.approve(amountCents: 120_000), s.county, 12)

            let checks = SpotChecks(f.scratch.db, parameters: try ParameterSet.bundled())
            var g = SeededRandom(seed: 42)
            await #expect(throws: DomainError.forbidden) {
                _ = try await checks.draw(from: T.day(0), to: T.day(20), actor: s.hukouTown, today: T.day(13), using: &g)
            }
            var drawn = try await checks.draw(from: T.day(0), to: T.day(20), actor: s.county, today: T.day(13), using: &g)
            #expect(drawn == SpotCheckDraw(candidates: 1, drawn: 1, tracedBack: 0))
            drawn = try await checks.draw(from: T.day(0), to: T.day(20), actor: s.county, today: T.day(13), using: &g)
            #expect(drawn == SpotCheckDraw(candidates: 0, drawn: 0, tracedBack: 0))
            // a warning after the decision: traced back, once
            let warning = UUID()
            try await sql.insert(into: "warnings").columns("id", "household_id", "indicator", "kind", "severity", "dimension", "residence_region",
                                                           "registered_region", "title", "status", "score", "fingerprint", "evidence", "raised_on", "due_on", "updated_at")
                .values(SQLBind(warning), SQLBind(s.household), SQLBind("incomeRise"), SQLBind("change"), SQLBind("high"), SQLBind("income"),
                        SQLBind(s.residence.value), SQLBind(s.registration.value), SQLBind("工资收入明显增加"), SQLBind("new"), SQLBind(30), SQLBind("f"),
                        SQLBind("{}"), SQLBind(T.day(15).description), SQLBind(T.day(20).description), SQLBind("2026-12-08T00:00:00.000Z")).run()
            #expect(try await checks.draw(from: T.day(0), to: T.day(20), actor: s.county, today: T.day(16), using: &g).tracedBack == 1)
            #expect(try await checks.draw(from: T.day(0), to: T.day(20), actor: s.county, today: T.day(16), using: &g).tracedBack == 0)
            let open = try await checks.list(actor: s.hukouTown, filter: .open, offset: 0, limit: 10)
            #expect(open.total == 2 && Set(open.items.map(\.state.kind)) == [.random, .traceBack])
            let far = Actor(userID: nil, username: "far", role: .townshipOfficer, jurisdiction: try RegionCode("120199001000"), origin: "test")
            #expect(try await checks.list(actor: far, filter: .open, offset: 0, limit: 10).total == 0)

            // a township's own change already waiting on the benefit: a false finding still lists the head, and proposes no
            // second change (the page says so and links to propose the stop afterwards) — shown on a copy of the random check
            let enrolment = try #require(try await sql.select().column("id").from("enrolments").where("household_id", .equal, s.household)
                .where("status", .equal, "active").first()?.decode(column: "id", as: UUID.self))
            let changes = EnrolmentChanges(f.scratch.db, parameters: try ParameterSet.bundled())
            let pending = try await changes.propose(enrolment: enrolment, newCents: 100_000, effectiveOn: T.day(40), reasons: ["收入增加"], articles: ["DB 32"],
                                                    source: .report, actor: s.hukouTown, today: T.day(16))
            let copy = UUID()
            try await sql.raw("""
                INSERT INTO spot_checks (id, case_id, household_id, warning_id, kind, program, status, version, residence_region, registered_region, drawn_on)
                SELECT \(bind: copy), case_id, household_id, \(bind: UUID()), 'traceBack', program, 'open', 1, residence_region, registered_region, drawn_on
                FROM spot_checks WHERE kind = 'random'
                """).run()
            try await checks.record(copy, truthful: false, finding: "隐瞒收入", recoverCents: nil, expectedVersion: 1, actor: s.hukouTown, today: T.day(16))
            #expect(try await checks.detail(copy, actor: s.county)?.changeID == nil)
            #expect(try await DishonestyList(f.scratch.db).list(actor: s.county, offset: 0, limit: 10).total == 1)
            try await changes.decide(pending, approve: false, recovery: nil, expectedVersion: 1, actor: s.county, today: T.day(16))
            try await sql.delete(from: "dishonesty_list").run()

            // truthful: an honest record, which waives the marked certificates of the next application
            let random = try #require(open.items.first { $0.state.kind == .random })
            #expect(!(try await SpotChecks.hasHonestRecord(s.household, in: f.scratch.db)))
            try await checks.record(random.id, truthful: true, finding: "入户核对收入、存款，与申报一致", recoverCents: nil, expectedVersion: 1,
                                    actor: s.hukouTown, today: T.day(17))
            #expect(try await SpotChecks.hasHonestRecord(s.household, in: f.scratch.db))
            var next = try await s.store.open(NewCase(kind: .temporaryExpenditure, channel: .window, householdID: s.household, applicantName: "申请人"),
                                              actor: s.window, today: T.day(18))
            let waived = try #require(try CaseProcesses.bundled()[.temporaryExpenditure]?.materials?.first { $0.honestRecordWaiver == true }?.name)
            await #expect(throws: CaseStoreError.workflow(.materialNotAskable(item: waived, why: "该户诚信申报记录良好，免予提交"))) {
                next = try await s.store.act(next.id, .requestMaterials(MaterialsNotice(items: [waived])), expectedVersion: next.version, actor: s.window,
                                             today: T.day(18))
            }

            // false: the dishonesty list, and the stop goes to the county, in one transaction
            let traced = try #require(open.items.first { $0.state.kind == .traceBack })
            await #expect(throws: SpotCheckStoreError.workflow(.findingRequired)) {
                try await checks.record(traced.id, truthful: false, finding: "", recoverCents: nil, expectedVersion: 1, actor: s.hukouTown, today: T.day(19))
            }
            #expect(try await sql.select().column("id").from("dishonesty_list").all().isEmpty)
            try await checks.record(traced.id, truthful: false, finding: "隐瞒子女工资收入（每月约4000元）", recoverCents: 240_000, expectedVersion: 1,
                                    actor: s.hukouTown, today: T.day(19))
            let done = try #require(try await checks.detail(traced.id, actor: s.county))
            #expect(done.state.status == .falseDeclaration && done.state.recoverCents == 240_000 && done.changeID != nil)
            let changeID = try #require(done.changeID)
            let change = try #require(try await EnrolmentChanges(f.scratch.db, parameters: try ParameterSet.bundled()).detail(changeID, actor: s.county))
            #expect(change.state.kind == .stop && change.state.source == .honesty && change.state.reasons.first?.contains("应追回 ¥2,400.00") == true)
            #expect(!(try await SpotChecks.hasHonestRecord(s.household, in: f.scratch.db)))
            let list = DishonestyList(f.scratch.db)
            #expect(try await list.list(actor: s.window, offset: 0, limit: 10).total == 1)
            await #expect(throws: DomainError.forbidden) { _ = try await list.export(actor: s.hukouTown, purpose: ExportReason(kind: .departmentCheck, note: "报送信用平台")) }
            let exported = try await list.export(actor: s.county, purpose: ExportReason(kind: .departmentCheck, note: "报送信用平台"))
            #expect(exported.count == 1 && exported[0].nationalID.count == 18 && exported[0].basis.contains("问题倒查"))
        }
    }
}
