import Domain
import Foundation
import SQLKit
import Store
import Testing

/// A resident's request for help becomes an application in one transaction, and the structured steps (materials,
/// commitment, verification report, visit form) are kept with the case and read back; the first review assesses what
/// the visit found.
@Suite struct CaseIntakeTests {
    typealias T = CaseStoreTests

    static func count(_ sql: any SQLDatabase, _ table: String) async throws -> Int {
        try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table).first()?.decode(column: "n", as: Int.self) ?? 0
    }

    @Test func anOnlineRequestBecomesAnApplicationOnce() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await T.setting(f)
            let sql = f.scratch.db as! any SQLDatabase
            let head = try #require(try await sql.select().columns("name", "national_id_sealed").from("members").where("household_id", .equal, s.household).first())
            let township = try #require(s.residence.ancestor(at: .township))
            let requests = HelpRequests(f.scratch.db, calendar: try WorkingCalendar.bundled(), parameters: try ParameterSet.bundled())
            _ = try await requests.submit(HelpRequestForm(name: try head.decode(column: "name", as: String.self),
                                                          nationalID: try DataCipher.inUse().open(try head.decode(column: "national_id_sealed", as: String.self)), phone: "13912345678",
                                                          need: "失业后没有收入", township: township.value, consent: true),
                                          townships: [township], today: T.today, origin: "test")
            let request = try #require(try await requests.list(actor: s.window).items.first)
            #expect(request.householdID == s.household && request.status == .new)
            // converting by hand without a case is refused: the request must point at the application it became
            await #expect(throws: CaseStoreError.helpRequestUnavailable) {
                try await requests.handle(request.id, to: .converted, note: "", actor: s.window)
            }
            // another township's officer cannot take it
            await #expect(throws: CaseStoreError.helpRequestUnavailable) {
                _ = try await s.store.open(NewCase(kind: .dibao, channel: .online, householdID: s.household, applicantName: "申请人", helpRequestID: request.id),
                                           actor: s.hukouTown, today: T.today)
            }
            let c = try await s.store.open(NewCase(kind: .dibao, channel: .online, householdID: s.household, applicantName: request.name,
                                                   helpRequestID: request.id), actor: s.window, today: T.today)
            #expect(c.channel == .online)
            let after = try await requests.list(actor: s.window, all: true).items.first { $0.id == request.id }
            #expect(after?.status == .converted && after?.caseID == c.id)
            #expect(try await requests.list(actor: s.window).total == 0)
            // the same request again: refused, and no second case is written
            let cases = try await Self.count(sql, "cases")
            await #expect(throws: CaseStoreError.helpRequestUnavailable) {
                _ = try await s.store.open(NewCase(kind: .nearDibao, channel: .online, householdID: s.household, applicantName: "x", helpRequestID: request.id),
                                           actor: s.window, today: T.today)
            }
            #expect(try await Self.count(sql, "cases") == cases)
        }
    }

    @Test func theStepsRecordsAreKeptAndTheFirstReviewSeesTheVisit() async throws {
        try await Fixture.with(households: 60) { f in
            let s = try await T.setting(f)
            let admin = Actor(userID: nil, username: "admin", role: .cityAdmin, jurisdiction: f.city.city.code, origin: "test")
            let profile = try #require(try await RegistryStore(f.scratch.db).profile(Household.ID(s.household), actor: admin))
            let household = AssessmentRequest(profile: profile, date: T.today)
            let snapshot = String(decoding: try JSONEncoder().encode(household), as: UTF8.self)
            var c = try await s.store.open(NewCase(kind: .dibao, channel: .window, householdID: s.household, applicantName: "申请人", snapshot: snapshot),
                                           actor: s.window, today: T.today)
            func act(_ a: CaseAction, _ who: Actor, _ d: Int) async throws {
                c = try await s.store.act(c.id, a, expectedVersion: c.version, actor: who, today: T.day(d))
            }
            let askable = try #require(try CaseProcesses.bundled()[.dibao]?.askable().first)
            try await act(.requestMaterials(MaterialsNotice(items: [askable])), s.window, 0)
            // once only; the refused second list writes nothing
            let sql = f.scratch.db as! any SQLDatabase
            let events = try await Self.count(sql, "case_events")
            await #expect(throws: CaseStoreError.workflow(.materialsAlreadyRequested(on: T.today))) {
                try await act(.requestMaterials(MaterialsNotice(items: ["其他"])), s.window, 1)
            }
            #expect(try await Self.count(sql, "case_events") == events)
            try await act(.accept, s.window, 1)
            // every adult of the household as recorded signs
            let signers = CommitmentRecord.signers(household, fromAge: 18, on: T.day(1))
            #expect(!signers.isEmpty)
            if signers.count > 1 {
                await #expect(throws: CaseStoreError.workflow(.commitmentUnsigned(Array(signers.dropFirst())))) {
                    try await act(.signed([signers[0]]), s.coordinator, 1)
                }
            }
            try await act(.signed(signers), s.coordinator, 1)
            let items = EconomicCheckReport.departmentItems(household)
            let declared = Dictionary(uniqueKeysWithValues: items.enumerated().compactMap { i, item in item.foundCents.map { (i, $0) } })
            try await act(.recordVerification(EconomicCheckReport.report(household, declared: declared)), s.window, 2)
            let visit = HomeVisitForm(investigators: ["coord", "coord-2"], present: [signers[0]], housing: .lacking, living: "租住地下室", assetsSeen: "无",
                                      householdSigner: signers[0], investigatorsSigned: true)
            try await act(.recordVisit(visit), s.coordinator, 3)
            // read back
            let detail = try #require(try await s.store.detail(c.id, actor: s.hukouTown, today: T.day(3)))
            #expect(detail.materials?.items == [askable] && detail.state.materialsRequestedOn == T.today)
            #expect(detail.commitment?.signatures.map(\.name) == signers)
            #expect(detail.verification?.consistent == true && detail.verification?.items.count == items.count)
            #expect(detail.visit == visit)
            #expect(detail.events.filter { $0.record != nil }.map(\.action) == ["requestMaterials", "recordCommitment", "recordVerification", "recordVisit"])
            // the registration township's first review assesses the household with the home the visit found
            let verified = try #require(try await s.store.verifiedHousehold(c.id, actor: s.hukouTown))
            #expect(verified.housing == .lacking && household.housing == nil)
            #expect(verified.members == household.members)
            // someone outside both places sees nothing
            let stranger = s.actor("far", .townshipOfficer, try #require(f.city.communities.first {
                $0.code.ancestor(at: .county) != s.residence.ancestor(at: .county) && $0.code.ancestor(at: .county) != s.registration.ancestor(at: .county)
            }?.code.ancestor(at: .township)))
            #expect(try await s.store.verifiedHousehold(c.id, actor: stranger) == nil)
        }
    }
}
