import Domain
import Foundation
import SQLKit
import Store
import Testing

/// Help first against a real database: the county funds a township, the township's grant draws on it in the same
/// transaction as the approval, a grant over the balance is refused and writes nothing, two grants at once cannot
/// overdraw it, and the paperwork after a grant is the township's task until done.
@Suite struct ReserveFundTests {
    typealias T = CaseStoreTests

    static func grantable(_ s: CaseStoreTests.Setting, household: UUID? = nil) async throws -> CaseSummary {
        var c = try await s.store.open(NewCase(kind: .temporaryEmergency, channel: .window, householdID: household ?? s.household, applicantName: "申请人"),
                                       actor: s.window, today: T.today)
        c = try await s.store.act(c.id, .accept, expectedVersion: c.version, actor: s.window, today: T.today)
        return c
    }

    @Test func aGrantDrawsOnTheFundAndNeverOverdrawsIt() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await T.setting(f)
            let funds = ReserveFunds(f.scratch.db)
            let township = try #require(s.residence.ancestor(at: .township))
            let county = s.actor("county-res", .countyReviewer, try #require(s.residence.ancestor(at: .county)))
            // only the county (or city) funds a township, and only one of its own
            await #expect(throws: DomainError.forbidden) {
                _ = try await funds.credit(.allocation, township: township, amount: Cents(100_000), note: "", actor: s.window)
            }
            await #expect(throws: CaseStoreError.notFound) {
                _ = try await funds.credit(.allocation, township: township, amount: Cents(100_000), note: "", actor: s.county)
            }
            #expect(try await funds.credit(.allocation, township: township, amount: Cents(200_000), note: "年初拨付", actor: county) == Cents(200_000))

            // a grant of ¥1,500 within the ¥2,000 balance: approved, drawn, the paperwork due
            let first = try await Self.grantable(s)
            let granted = try await s.store.act(first.id, .approve(amountCents: 150_000, payee: "申请人"), expectedVersion: first.version, actor: s.window,
                                                today: T.today)
            #expect(granted.status == .approved && granted.paperworkPending)
            #expect(try await funds.balance(township: township, actor: s.window) == Cents(50_000))
            let ledger = try await funds.ledger(township: township, actor: s.window, offset: 0, limit: 10)
            #expect(ledger.total == 2 && ledger.items.first?.kind == .grant && ledger.items.first?.caseID == first.id && ledger.items.first?.balanceAfter == Cents(50_000))

            // the next, over the ¥500 left: refused with the balance, and nothing written — the case still waits, no ledger line
            let second = try await Self.grantable(s)
            await #expect(throws: CaseStoreError.reserveFund(.insufficient(balance: Cents(50_000), needed: Cents(100_000)))) {
                _ = try await s.store.act(second.id, .approve(amountCents: 100_000, payee: "申请人"), expectedVersion: second.version, actor: s.window,
                                          today: T.today)
            }
            #expect(try await s.store.summary(second.id, actor: s.window)?.status == .open)
            #expect(try await funds.ledger(township: township, actor: s.window, offset: 0, limit: 10).total == 2)

            // the paperwork is the township's task, and done once
            let tasks = try await s.store.inbox(actor: s.window, filter: CaseFilter(), today: T.today, offset: 0, limit: 50)
            #expect(tasks.items.contains { $0.id == first.id })
            let late = try await s.store.inbox(actor: s.window, filter: CaseFilter(overdueOnly: true), today: T.day(30), offset: 0, limit: 50)
            #expect(late.items.contains { $0.id == first.id })
            let figures = try await s.store.figures(actor: s.window, today: T.day(30))
            #expect(figures.paperworkPending == 1 && figures.paperworkOverdue == 1)
            let done = try await s.store.act(first.id, .completePaperwork(note: "已补办核对和入户调查"), expectedVersion: granted.version, actor: s.window,
                                             today: T.day(5))
            #expect(!done.paperworkPending)
            #expect(!(try await s.store.inbox(actor: s.window, filter: CaseFilter(), today: T.day(5), offset: 0, limit: 50).items.contains { $0.id == first.id }))
            // the grant made no enrolment (a one-off payment), and the paperwork did not make a second
            let sql = f.scratch.db as! any SQLDatabase
            #expect(try await sql.select().column("id").from("enrolments").where("household_id", .equal, s.household).where("program", .equal, "temporary").all().isEmpty)
        }
    }

    @Test func twoGrantsAtOnceCannotOverdrawTheFund() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await T.setting(f)
            let funds = ReserveFunds(f.scratch.db)
            let township = try #require(s.residence.ancestor(at: .township))
            let county = s.actor("county-res", .countyReviewer, try #require(s.residence.ancestor(at: .county)))
            _ = try await funds.credit(.allocation, township: township, amount: Cents(150_000), note: "", actor: county)
            let cases = [try await Self.grantable(s), try await Self.grantable(s), try await Self.grantable(s)]
            let store = s.store
            let window = s.window
            let results = await withTaskGroup(of: Bool.self) { group in
                for c in cases {
                    group.addTask {
                        (try? await store.act(c.id, .approve(amountCents: 100_000, payee: "申请人"), expectedVersion: c.version, actor: window,
                                              today: T.today)) != nil
                    }
                }
                var out: [Bool] = []
                for await r in group { out.append(r) }
                return out
            }
            // ¥1,500 covers one grant of ¥1,000, not two
            #expect(results.filter { $0 }.count == 1)
            #expect(try await funds.balance(township: township, actor: window) == Cents(50_000))
            #expect(try await funds.ledger(township: township, actor: window, offset: 0, limit: 10).total == 2)
        }
    }
}
