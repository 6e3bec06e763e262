import Domain
import Foundation
import SQLKit
import Store
import Testing

/// Changes to an enrolment in a real database: the township proposes a decrease from a warning with the calculator's
/// view, the county decides it, the enrolment's amount changes from the effective month and the amount to recover is
/// recorded — all in one transaction; a stop ends the enrolment; outside the jurisdiction nothing is found.
@Suite struct EnrolmentChangeTests {
    @Test func aDecreaseAndAStopTakeEffectWhenTheCountyDecides() async throws {
        try await Fixture.with(households: 200) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let rows = try await sql.raw("""
                SELECT e.id AS id, e.monthly_amount_cents AS amount, h.residence_region AS residence, h.registered_region AS registered
                FROM enrolments e JOIN households h ON h.id = e.household_id
                WHERE e.status = 'active' AND e.program = 'dibao' AND e.monthly_amount_cents > 10000 ORDER BY e.id LIMIT 2
                """).all()
            #expect(rows.count == 2)
            func actor(_ name: String, _ role: Role, _ region: String, _ level: RegionLevel) throws -> Actor {
                Actor(userID: nil, username: name, role: role, jurisdiction: try #require(try RegionCode(region).ancestor(at: level)), origin: "test")
            }
            let changes = EnrolmentChanges(f.scratch.db, parameters: try ParameterSet.bundled())
            let today = try LocalDate("2026-11-23")
            let first = try rows[0].decode(column: "id", as: UUID.self)
            let amount = try rows[0].decode(column: "amount", as: Int64.self)
            let town = try actor("town", .townshipOfficer, try rows[0].decode(column: "residence", as: String.self), .township)
            let county = try actor("county", .countyReviewer, try rows[0].decode(column: "registered", as: String.self), .county)
            // a township elsewhere finds nothing
            let far = Actor(userID: nil, username: "far", role: .townshipOfficer, jurisdiction: try RegionCode("120199001000"), origin: "test")
            await #expect(throws: ChangeStoreError.notFound) {
                _ = try await changes.propose(enrolment: first, newCents: amount / 2, effectiveOn: today, reasons: ["x"], articles: ["DB 32"], source: .staff,
                                              actor: far, today: today)
            }
            let id = try await changes.propose(enrolment: first, newCents: amount / 2, effectiveOn: try LocalDate("2026-12-01"),
                                               reasons: ["预警核实：子女就业，家庭收入增加"], articles: ["DB 32"], source: .warning, actor: town, today: today)
            let listed = try await changes.list(actor: county, pendingOnly: true, offset: 0, limit: 10)
            #expect(listed.total == 1 && listed.items.first?.state.kind == .decrease)
            try await changes.decide(id, approve: true, recovery: Recovery(amountCents: amount, basis: "未按规定报告收入变化超过3个月"), expectedVersion: 1,
                                     actor: county, today: today)
            let e = try #require(try await sql.select().columns("monthly_amount_cents", "status", "status_changed_on").from("enrolments").where("id", .equal, first).first())
            #expect(try e.decode(column: "monthly_amount_cents", as: Int64.self) == amount / 2)
            #expect(try e.decode(column: "status", as: String.self) == "active")
            #expect(try e.decode(column: "status_changed_on", as: String.self) == "2026-12-01")
            #expect(try await changes.detail(id, actor: county)?.state.recovery?.amountCents == amount)
            // deciding again: refused, nothing changed
            await #expect(throws: ChangeStoreError.workflow(.staleVersion)) {
                try await changes.decide(id, approve: false, recovery: nil, expectedVersion: 1, actor: county, today: today)
            }
            #expect(try await sql.select().column("id").from("recoveries").all().count == 1)

            // a stop ends the enrolment
            let second = try rows[1].decode(column: "id", as: UUID.self)
            let town2 = try actor("town2", .townshipOfficer, try rows[1].decode(column: "residence", as: String.self), .township)
            let county2 = try actor("county2", .countyReviewer, try rows[1].decode(column: "registered", as: String.self), .county)
            let stop = try await changes.propose(enrolment: second, newCents: 0, effectiveOn: try LocalDate("2026-12-01"), reasons: ["家庭收入超过低保标准"],
                                                 articles: ["DB 32"], source: .review, actor: town2, today: today)
            try await changes.decide(stop, approve: true, recovery: nil, expectedVersion: 1, actor: county2, today: today)
            #expect(try await sql.select().column("status").from("enrolments").where("id", .equal, second).first()?.decode(column: "status", as: String.self) == "ended")
            // a stopped enrolment takes no further change
            await #expect(throws: ChangeStoreError.notFound) {
                _ = try await changes.propose(enrolment: second, newCents: 1000, effectiveOn: try LocalDate("2026-12-01"), reasons: ["x"], articles: [],
                                              source: .staff, actor: town2, today: today)
            }
        }
    }

    @Test func twoProposalsAtOnceOneIsToldToWait() async throws {
        try await Fixture.with(households: 200) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let row = try #require(try await sql.raw("""
                SELECT e.id AS id, e.monthly_amount_cents AS amount, h.residence_region AS residence FROM enrolments e JOIN households h ON h.id = e.household_id
                WHERE e.status = 'active' AND e.program = 'dibao' AND e.monthly_amount_cents > 10000 ORDER BY e.id LIMIT 1
                """).first())
            let enrolment = try row.decode(column: "id", as: UUID.self)
            let amount = try row.decode(column: "amount", as: Int64.self)
            let town = Actor(userID: nil, username: "town", role: .townshipOfficer,
                             jurisdiction: try #require(try RegionCode(try row.decode(column: "residence", as: String.self)).ancestor(at: .township)), origin: "test")
            let changes = EnrolmentChanges(f.scratch.db, parameters: try ParameterSet.bundled())
            let today = try LocalDate("2026-11-23")
            let outcomes = await withTaskGroup(of: String.self) { group in
                for i in 0..<4 {
                    group.addTask {
                        do {
                            _ = try await changes.propose(enrolment: enrolment, newCents: amount - Int64(i + 1) * 100, effectiveOn: today,
                                                          reasons: ["收入增加"], articles: ["DB 32"], source: .staff, actor: town, today: today)
                            return "ok"
                        } catch let e as ChangeStoreError { return e == .workflow(.pendingExists) ? "wait" : "other \(e)" } catch { return "error \(error)" }
                    }
                }
                var out: [String] = []
                for await r in group { out.append(r) }
                return out
            }
            #expect(outcomes.filter { $0 == "ok" }.count == 1 && outcomes.filter { $0 == "wait" }.count == 3, "\(outcomes)")
            #expect(try await sql.select().column("id").from("enrolment_changes").where("enrolment_id", .equal, enrolment).all().count == 1)
        }
    }
}
