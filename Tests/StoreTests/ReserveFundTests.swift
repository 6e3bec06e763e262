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

    /// Help first wherever the emergency struck [LS; ZX 48]: a street where the household neither lives nor is
    /// registered finds the person by ID number, opens help first there, grants from its own reserve fund and does
    /// the paperwork; the household's profile stays with its own townships.
    @Test func theStreetWhereTheEmergencyStruckGrantsForAHouseholdFromElsewhere() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await T.setting(f)
            let sql = f.scratch.db as! any SQLDatabase
            let homeTownships = [s.residence.ancestor(at: .township), s.registration.ancestor(at: .township)]
            let struckStreet = try #require(f.city.streets.first { !homeTownships.contains($0.code) }).code
            let passingThrough = s.actor("struck", .townshipOfficer, struckStreet)
            let elsewhere = s.actor("elsewhere", .townshipOfficer, try #require(f.city.streets.first { !homeTownships.contains($0.code) && $0.code != struckStreet }).code)
            let head = try #require(try await sql.select().columns("id", "national_id_sealed").from("members").where("household_id", .equal, s.household)
                .where("relation", .equal, Relation.head.rawValue).first())

            // an ordinary application stays with the household's own townships
            await #expect(throws: CaseStoreError.notFound) {
                _ = try await s.store.open(NewCase(kind: .temporaryExpenditure, channel: .window, householdID: s.household, applicantName: "申请人"),
                                           actor: passingThrough, today: T.today)
            }
            // the person is found by exact ID number anywhere in the city, and the look-up is audited
            let person = try await s.store.emergencyPerson(try NationalID(try DataCipher.inUse().open(try head.decode(column: "national_id_sealed", as: String.self))), actor: passingThrough)
            let headID = try head.decode(column: "id", as: UUID.self)
            #expect(person.householdID == s.household && person.memberID == headID && person.maskedID.contains("********"))
            #expect(try await sql.select().column("detail").from("audit_entries").where("action", .equal, "findEmergencyPerson")
                .where("username", .equal, "struck").first() != nil)
            await #expect(throws: CaseStoreError.personNotFound) {
                _ = try await s.store.emergencyPerson(try NationalID(addressCode: "110101", birthDate: T.day(-20_000), sequence: 7), actor: passingThrough)
            }
            // the place must be inside the opener's jurisdiction
            await #expect(throws: CaseStoreError.emergencyPlaceRequired) {
                _ = try await s.store.open(NewCase(kind: .temporaryEmergency, channel: .window, householdID: s.household, applicantName: "申请人",
                                                   emergencyRegion: s.residence), actor: passingThrough, today: T.today)
            }
            var c = try await s.store.open(NewCase(kind: .temporaryEmergency, channel: .window, householdID: s.household, memberID: person.memberID,
                                                   applicantName: person.name, note: "途经本街道时遭遇交通事故"), actor: passingThrough, today: T.today)
            #expect(c.emergencyRegion == struckStreet.value && c.residenceRegion == s.residence.value)
            c = try await s.store.act(c.id, .accept, expectedVersion: c.version, actor: passingThrough, today: T.today)

            // granted from the struck street's fund, not the home street's
            let county = s.actor("county-struck", .countyReviewer, try #require(struckStreet.ancestor(at: .county)))
            let funds = ReserveFunds(f.scratch.db)
            _ = try await funds.credit(.allocation, township: struckStreet, amount: Cents(200_000), note: "", actor: county)
            let granted = try await s.store.act(c.id, .approve(amountCents: 120_000, payee: person.name), expectedVersion: c.version, actor: passingThrough,
                                                today: T.today)
            #expect(granted.status == .approved && granted.paperworkPending)
            #expect(try await funds.balance(township: struckStreet, actor: passingThrough) == Cents(80_000))
            let home = try #require(s.residence.ancestor(at: .township))
            #expect(try await funds.ledger(township: home, actor: s.window, offset: 0, limit: 10).total == 0)

            // the struck street has the paperwork as its task; the home street sees the case but it is not its task
            #expect(try await s.store.inbox(actor: passingThrough, filter: CaseFilter(), today: T.today, offset: 0, limit: 50).items.map(\.id) == [c.id])
            #expect(!(try await s.store.inbox(actor: s.window, filter: CaseFilter(), today: T.today, offset: 0, limit: 50).items.contains { $0.id == c.id }))
            #expect(try await s.store.inbox(actor: s.window, filter: CaseFilter(tasksOnly: false), today: T.today, offset: 0, limit: 50).items.contains { $0.id == c.id })
            #expect(try await s.store.summary(c.id, actor: elsewhere) == nil)
            // counted where it struck
            let figures = try await s.store.figures(actor: county, today: T.today)
            #expect(figures.paperworkPending == 1 && figures.areas.contains { $0.region == struckStreet.value })
            await #expect(throws: CaseStoreError.workflow(.outsideJurisdiction(.emergency))) {
                _ = try await s.store.act(c.id, .completePaperwork(note: "已核对"), expectedVersion: granted.version, actor: s.window, today: T.day(2))
            }
            let done = try await s.store.act(c.id, .completePaperwork(note: "已补办核对"), expectedVersion: granted.version, actor: passingThrough, today: T.day(2))
            #expect(!done.paperworkPending)
            // the household's profile is still not the struck street's to read
            #expect(try await RegistryStore(f.scratch.db).profile(Household.ID(s.household), actor: passingThrough) == nil)
            // but the payee's account for the grant may be entered there, and confirmed by its county; not by a street it did not touch
            let accounts = BankAccounts(f.scratch.db, cipher: .development)
            let entered = try await accounts.enter(member: person.memberID, bank: "演示银行", account: "6230123412341234", accountName: person.name, note: "",
                                                   actor: passingThrough)
            try await accounts.confirm(entered, actor: county)
            await #expect(throws: BankAccountError.notFound) {
                _ = try await accounts.enter(member: person.memberID, bank: "演示银行", account: "6230123412345678", accountName: person.name, note: "", actor: elsewhere)
            }
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
