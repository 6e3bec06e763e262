import Domain
import Foundation
import SQLKit
import Store
import Testing

/// 一事一议 in a real database: opened by the community for a household of its own, escalated to the township, decided
/// there within its limit (a parameter), refused over it; a monthly decision enrols the household in the same
/// transaction; the decided one is a precedent, found by its situation and not by another jurisdiction.
@Suite struct DeliberationStoreTests {
    static func meeting(_ level: DeliberationLevel, _ outcome: DeliberationOutcome, people: Int = 3) -> DeliberationMeeting {
        DeliberationMeeting(level: level, heldOn: try! LocalDate("2026-11-20"), participants: (1...people).map { DeliberationParticipant(name: "代表\($0)", role: "议事代表") },
                            opinions: ["家庭确有特殊困难，同意救助"], outcome: outcome, reasons: ["户主突发重病，现有救助项目均不适用"])
    }

    @Test func aDeliberationClimbsIsDecidedAndBecomesAPrecedent() async throws {
        try await Fixture.with(households: 200) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let row = try #require(try await sql.raw("""
                SELECT h.id AS id, h.residence_region AS residence FROM households h
                WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = h.id AND e.program = 'dibao' AND e.status = 'active')
                AND h.residence_region = h.registered_region ORDER BY h.id LIMIT 1
                """).first())
            let household = try row.decode(column: "id", as: UUID.self)
            let community = try RegionCode(try row.decode(column: "residence", as: String.self))
            let coordinator = Actor(userID: nil, username: "coord", role: .coordinator, jurisdiction: community, origin: "test")
            let town = Actor(userID: nil, username: "town", role: .townshipOfficer, jurisdiction: try #require(community.ancestor(at: .township)), origin: "test")
            let store = Deliberations(f.scratch.db, parameters: try ParameterSet.bundled(), levels: try DeliberationLevels.bundled())
            let today = try LocalDate("2026-11-25")
            let far = Actor(userID: nil, username: "far", role: .townshipOfficer, jurisdiction: try RegionCode("120199001000"), origin: "test")
            await #expect(throws: DeliberationStoreError.notFound) {
                _ = try await store.open(household: household, situation: "x", tags: [], actor: far, today: today)
            }
            let id = try await store.open(household: household, situation: "户主突发脑出血，自付医疗费高，不符合现有救助条件", tags: ["illness"], actor: coordinator, today: today)
            #expect(try await store.detail(id, actor: town)?.state.level == .community)
            try await store.recordMeeting(id, Self.meeting(.community, .escalate), expectedVersion: 1, actor: coordinator, today: today)
            // over the township's limit (the demo city's ¥10,000): refused, nothing written
            await #expect(throws: DeliberationStoreError.workflow(.overLimit(limitCents: 1_000_000, level: .township))) {
                try await store.recordMeeting(id, Self.meeting(.township, .monthly(program: .dibao, amountCents: 1_200_000)), expectedVersion: 2, actor: town, today: today)
            }
            #expect(try await store.detail(id, actor: town)?.state.meetings.count == 1)
            try await store.recordMeeting(id, Self.meeting(.township, .monthly(program: .dibao, amountCents: 90_000)), expectedVersion: 2, actor: town, today: today)
            await #expect(throws: DeliberationStoreError.workflow(.staleVersion)) {
                try await store.recordMeeting(id, Self.meeting(.township, .refuse), expectedVersion: 2, actor: town, today: today)
            }
            let decided = try #require(try await store.detail(id, actor: town))
            #expect(decided.state.status == .approved && decided.decidedOn == today && decided.state.meetings.map(\.level) == [.community, .township])
            // enrolled in the same transaction, from the decision date (the demo city's rule [YC])
            let e = try #require(try await sql.select().columns("monthly_amount_cents", "since").from("enrolments").where("household_id", .equal, household)
                .where("program", .equal, "dibao").where("status", .equal, "active").first())
            #expect(try e.decode(column: "monthly_amount_cents", as: Int64.self) == 90_000 && e.decode(column: "since", as: String.self) == "2026-11-25")
            // the precedent list: found by its words and its situation, not by another jurisdiction
            #expect(try await store.list(actor: town, filter: .decided, text: "脑出血", offset: 0, limit: 10).items.map(\.id) == [id])
            #expect(try await store.list(actor: town, filter: .decided, tag: "illness", offset: 0, limit: 10).total == 1)
            #expect(try await store.list(actor: town, filter: .decided, tag: "housing", offset: 0, limit: 10).total == 0)
            #expect(try await store.list(actor: town, filter: .decided, text: "100%_", offset: 0, limit: 10).total == 0)
            #expect(try await store.list(actor: far, filter: .decided, offset: 0, limit: 10).total == 0)
            #expect(try await store.list(actor: town, filter: .open, offset: 0, limit: 10).total == 0)
            #expect(try await store.decidedBySituation(actor: town)["illness"]?.approved == 1)
        }
    }
}
