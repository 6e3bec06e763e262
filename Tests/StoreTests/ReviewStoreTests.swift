import Domain
import Foundation
import SQLKit
import Store
import Testing

/// Periodic reviews in a real database: the schedule opens the reviews due (yearly, half-yearly for a household with
/// a member able to work, at once after a death), running it twice opens nothing new; "continue" restarts the cycle;
/// a review can end in a gradual exit, which the county decides and the schedule stops when its months are over.
@Suite struct ReviewStoreTests {
    struct Picked {
        var enrolment: UUID
        var household: UUID
        var residence: String
        var registered: String
        var amount: Int64
    }

    /// Three dibao enrolments in force (every other enrolment ended), started on the given days, with members who
    /// cannot work unless `able`.
    static func setUp(_ f: Fixture, since: [String], able: [Bool]) async throws -> [Picked] {
        let sql = f.scratch.db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT e.id AS id, e.household_id AS household, e.monthly_amount_cents AS amount, h.residence_region AS residence, h.registered_region AS registered
            FROM enrolments e JOIN households h ON h.id = e.household_id
            WHERE e.status = 'active' AND e.program = 'dibao' AND e.monthly_amount_cents > 10000 AND h.residence_region = h.registered_region ORDER BY e.id
            """).all()
        var picked: [Picked] = []
        for r in rows where picked.count < since.count {
            let household = try r.decode(column: "household", as: UUID.self)
            guard !picked.contains(where: { $0.household == household }) else { continue }
            picked.append(Picked(enrolment: try r.decode(column: "id", as: UUID.self), household: household, residence: try r.decode(column: "residence", as: String.self),
                                 registered: try r.decode(column: "registered", as: String.self), amount: try r.decode(column: "amount", as: Int64.self)))
        }
        try #require(picked.count == since.count)
        try await sql.update("enrolments").set("status", to: "ended").where("id", .notIn, picked.map(\.enrolment)).run()
        for (i, p) in picked.enumerated() {
            try await sql.update("enrolments").set("since", to: since[i]).where("id", .equal, p.enrolment).run()
            try await sql.update("members").set("work_capacity", to: "none").set("employment", to: "retired").where("household_id", .equal, p.household).run()
            if able[i] {
                let member = try #require(try await sql.select().column("id").from("members").where("household_id", .equal, p.household).first())
                try await sql.update("members").set("work_capacity", to: "full").set("employment", to: "flexible")
                    .where("id", .equal, try member.decode(column: "id", as: UUID.self)).run()
            }
        }
        return picked
    }

    static func reviews(_ f: Fixture) throws -> Reviews {
        Reviews(f.scratch.db, parameters: try ParameterSet.bundled(), cycles: try ReviewCycles.bundled())
    }

    static func town(_ p: Picked) throws -> Actor {
        Actor(userID: nil, username: "town", role: .townshipOfficer, jurisdiction: try #require(try RegionCode(p.residence).ancestor(at: .township)), origin: "test")
    }

    @Test func theScheduleOpensWhatIsDueOnceAndContinuingRestartsTheCycle() async throws {
        try await Fixture.with(households: 200) { f in
            let sql = f.scratch.db as! any SQLDatabase
            // 0: stable, started 2025-01-10 (yearly, overdue); 1: a member in flexible work, started 2026-06-01 (half-yearly, due
            // 2026-12-01, within the 30 lead days); 2: stable, started 2026-06-01 (due 2027-06-01: not yet)
            let p = try await Self.setUp(f, since: ["2025-01-10", "2026-06-01", "2026-06-01"], able: [false, true, false])
            let reviews = try Self.reviews(f)
            let today = try LocalDate("2026-11-23")
            var run = try await reviews.openDue(actor: f.system, today: today)
            #expect(run.examined == 3 && run.opened == 2)
            let open = try await reviews.list(actor: f.system, filter: .open, today: today, offset: 0, limit: 10)
            #expect(open.total == 2)
            #expect(open.items.map(\.enrolmentID) == [p[0].enrolment, p[1].enrolment])    // the earliest due first
            let december = try LocalDate("2026-12-01")
            #expect(open.items.map(\.state.cycleID) == ["yearly", "halfYearly"] && open.items[1].state.dueOn == december)
            #expect(open.items.allSatisfy { $0.headName != nil })
            #expect(try await reviews.list(actor: f.system, filter: .overdue, today: today, offset: 0, limit: 10).items.map(\.enrolmentID) == [p[0].enrolment])
            #expect(try await reviews.counts(actor: f.system, today: today) == (2, 1))
            // twice: nothing new
            run = try await reviews.openDue(actor: f.system, today: today)
            #expect(run.opened == 0 && run.examined == 1)
            // another township sees nothing of it
            let far = Actor(userID: nil, username: "far", role: .townshipOfficer, jurisdiction: try RegionCode("120199001000"), origin: "test")
            #expect(try await reviews.list(actor: far, filter: .open, today: today, offset: 0, limit: 10).total == 0)
            #expect(try await reviews.detail(open.items[0].id, actor: far) == nil)
            await #expect(throws: ReviewStoreError.notFound) {
                try await reviews.continue(open.items[0].id, conclusion: "x", expectedVersion: 1, actor: far, today: today)
            }

            // continued: the cycle counts from today, so the next run opens nothing for it
            let first = open.items[0]
            try await reviews.continue(first.id, conclusion: "入户核实：家庭收入、人口无变化", expectedVersion: 1, actor: try Self.town(p[0]), today: today)
            await #expect(throws: ReviewStoreError.workflow(.staleVersion)) {
                try await reviews.continue(first.id, conclusion: "again", expectedVersion: 1, actor: try Self.town(p[0]), today: today)
            }
            #expect(try await sql.select().column("last_reviewed_on").from("enrolments").where("id", .equal, p[0].enrolment).first()?
                .decode(column: "last_reviewed_on", as: String?.self) == "2026-11-23")
            #expect(try await reviews.openDue(actor: f.system, today: try LocalDate("2027-01-05")).opened == 0)
            // a death on file opens a review for the household at once, due three months after the death
            try await sql.insert(into: "facts").columns("id", "household_id", "member_id", "category", "kind", "amount_cents", "basis", "valid_from", "valid_to",
                                                        "source_department", "received_at", "reference", "note")
                .values(SQLBind(UUID()), SQLBind(p[2].household), SQLBind(nil as UUID?), SQLBind("event"), SQLBind("death"), SQLBind(nil as Int64?),
                        SQLBind(nil as String?), SQLBind("2026-11-20"), SQLBind(nil as String?), SQLBind("公安"), SQLBind("2026-11-21T00:00:00Z"),
                        SQLBind("test-death"), SQLBind("")).run()
            let fresh = try await Fixture.freshReviews(f, today: today)
            let february = try LocalDate("2027-02-20")
            #expect(fresh.map(\.cycleID) == ["afterDeath"] && fresh.first?.dueOn == february)
            // …until a year on (lead days before)
            #expect(try await reviews.openDue(actor: f.system, today: try LocalDate("2027-10-25")).opened == 1)   // the other two are open already

        }
    }

    @Test func twoRunsAtOnceOpenEachReviewOnce() async throws {
        try await Fixture.with(households: 200) { f in
            let sql = f.scratch.db as! any SQLDatabase
            _ = try await Self.setUp(f, since: ["2025-01-10", "2025-02-10", "2025-03-10"], able: [false, true, false])
            let reviews = try Self.reviews(f)
            let today = try LocalDate("2026-11-23")
            async let a = reviews.openDue(actor: f.system, today: today)
            async let b = reviews.openDue(actor: f.system, today: today)
            _ = try await (a, b)
            let open = try await sql.raw("SELECT enrolment_id, count(*) AS n FROM reviews WHERE status = 'open' GROUP BY enrolment_id").all()
            #expect(open.count == 3 && open.allSatisfy { (try? $0.decode(column: "n", as: Int.self)) == 1 })
        }
    }

    @Test func aReviewEndsInAGradualExitThatStopsByItself() async throws {
        try await Fixture.with(households: 200) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let p = try await Self.setUp(f, since: ["2025-01-10"], able: [false])
            let reviews = try Self.reviews(f)
            let today = try LocalDate("2026-11-23")
            #expect(try await reviews.openDue(actor: f.system, today: today).opened == 1)
            let review = try #require(try await reviews.list(actor: f.system, filter: .open, today: today, offset: 0, limit: 1).items.first)
            let changes = EnrolmentChanges(f.scratch.db, parameters: try ParameterSet.bundled())
            let town = try Self.town(p[0])
            // more months than the region allows: refused, and the review stays open
            await #expect(throws: ChangeStoreError.workflow(.exitMonthsOutOfRange(max: 6))) {
                _ = try await changes.propose(enrolment: p[0].enrolment, newCents: 0, effectiveOn: try LocalDate("2026-12-01"), reasons: ["家庭收入超过低保标准"],
                                              articles: ["DB 33"], source: .review, origin: .init(review: (review.id, 1)), exitMonths: 9, actor: town, today: today)
            }
            #expect(try await reviews.detail(review.id, actor: town)?.state.status == .open)
            let id = try await changes.propose(enrolment: p[0].enrolment, newCents: 0, effectiveOn: try LocalDate("2026-12-01"), reasons: ["家庭收入超过低保标准"],
                                               articles: ["DB 33"], source: .review, origin: .init(review: (review.id, 1)), exitMonths: 3, actor: town, today: today)
            let after = try #require(try await reviews.detail(review.id, actor: town))
            #expect(after.state.status == .changeProposed && after.changeID == id)
            let county = Actor(userID: nil, username: "county", role: .countyReviewer, jurisdiction: try #require(try RegionCode(p[0].registered).ancestor(at: .county)),
                               origin: "test")
            try await changes.decide(id, approve: true, recovery: nil, expectedVersion: 1, actor: county, today: today)
            func enrolment() async throws -> (String, String?, Int64) {
                let r = try #require(try await sql.select().columns("status", "exit_ends_on", "monthly_amount_cents").from("enrolments").where("id", .equal, p[0].enrolment).first())
                return (try r.decode(column: "status", as: String.self), try r.decode(column: "exit_ends_on", as: String?.self),
                        try r.decode(column: "monthly_amount_cents", as: Int64.self))
            }
            // paid at its amount through February, stopped from March
            #expect(try await enrolment() == ("active", "2027-03-01", p[0].amount))
            // in gradual exit, no review is opened for it; before the end nothing stops
            let before = try await reviews.openDue(actor: f.system, today: try LocalDate("2027-02-28"))
            #expect(before.examined == 0 && before.opened == 0 && before.exitsEnded == 0)
            #expect(try await reviews.openDue(actor: f.system, today: try LocalDate("2027-03-01")).exitsEnded == 1)
            #expect(try await enrolment().0 == "ended")
            #expect(try await sql.select().column("status_changed_on").from("enrolments").where("id", .equal, p[0].enrolment).first()?
                .decode(column: "status_changed_on", as: String.self) == "2027-03-01")
            #expect(try await reviews.openDue(actor: f.system, today: try LocalDate("2027-03-02")).exitsEnded == 0)
        }
    }
}

extension Fixture {
    /// The reviews a run opens today that were not open before, as (cycle, due day).
    static func freshReviews(_ f: Fixture, today: LocalDate) async throws -> [(cycleID: String, dueOn: LocalDate)] {
        let reviews = Reviews(f.scratch.db, parameters: try ParameterSet.bundled(), cycles: try ReviewCycles.bundled())
        let before = Set(try await reviews.list(actor: f.system, filter: .open, today: today, offset: 0, limit: 1000).items.map(\.id))
        _ = try await reviews.openDue(actor: f.system, today: today)
        return try await reviews.list(actor: f.system, filter: .open, today: today, offset: 0, limit: 1000).items.filter { !before.contains($0.id) }
            .map { ($0.state.cycleID, $0.state.dueOn) }
    }
}
