import Foundation
import Testing
@testable import Domain

@Suite struct SimulationTests {
    let nankai = try! RegionCode("120104000000")
    let hexi = try! RegionCode("120103000000")
    let july = try! LocalDate("2025-07-01")

    /// A change below −100%, far above the stated bound, or dated where no parameter file speaks is refused.
    @Test func absurdChangesAreRefusedWithTheBound() throws {
        let p = try ParameterSet.bundled()
        let today = try LocalDate("2026-12-06")
        func check(_ percent: Int, _ date: String) throws -> Bool {
            do { try ParameterChange(name: "dibaoStandard", region: nankai, effective: try LocalDate(date), percent: percent).validate(against: p, today: today); return true }
            catch { return false }
        }
        for (percent, date) in [(5, "2026-12-06"), (-100, "2026-07-01"), (200, "2028-12-31")] { #expect(try check(percent, date)) }
        for (percent, date) in [(-101, "2026-07-01"), (201, "2026-07-01"), (5, "2029-01-01"), (5, "1999-01-01")] { #expect(try !check(percent, date)) }
        #expect(throws: PolicyError.self) {
            try Simulation(parameters: p, change: ParameterChange(name: "dibaoStandard", region: nankai, effective: today, percent: -150), scope: nankai, today: today)
        }
    }

    @Test func aChangeIsALocalOverrideAndIndexedValuesFollow() throws {
        // setup
        let p = try ParameterSet.bundled()
        // act
        let q = try p.applying(ParameterChange(name: "dibaoStandard", region: nankai, effective: july, percent: 5))
        // check
        #expect(try q.resolve("dibaoStandard", region: RegionCode("120104901001"), date: july).amount == Cents(122_850))
        #expect(try q.resolve("dibaoStandard", region: hexi, date: july).amount == Cents(117_000))
        #expect(try q.resolve("dibaoStandard", region: nankai, date: july.adding(days: -1)).amount == Cents(117_000))
        #expect(try q.resolve("tekunBasicStandard", region: nankai, date: july).amount == Cents(159_705)) // 1.3 × ¥1,228.50
        #expect(throws: PolicyError.self) { try p.applying(ParameterChange(name: "gradualExitMonths", region: nankai, effective: july, percent: 5)) }
    }

    @Test func tallyNewlyQualifyingLosingAndCost() throws {
        // setup: one household ¥20 above today's standard in Nankai, one in Hexi, one well below in Nankai
        func profile(_ region: String, wageYuan: Int64) throws -> HouseholdProfile {
            let hid = Household.ID(UUID())
            let id = try NationalID(addressCode: "120104", birthDate: LocalDate("1980-01-01"), sequence: Int.random(in: 1...900))
            let m = Member(id: Member.ID(UUID()), householdID: hid, relation: .head, nationalID: id, name: "x", sex: id.sex, birthDate: id.birthDate,
                           disability: nil, illnesses: [], workCapacity: .full, employment: .employed, schooling: .notApplicable)
            let wage = Fact(id: Fact.ID(UUID()), householdID: hid, memberID: m.id, kind: .wage, amount: Cents(wageYuan * 100), basis: .perMonth,
                            validFrom: try LocalDate("2025-01-01"), validTo: nil,
                            provenance: Provenance(department: .humanResources, receivedAt: try LocalDate("2025-01-01"), reference: "t"), note: "")
            return HouseholdProfile(household: Household(id: hid, registeredRegion: try RegionCode(region), residenceRegion: try RegionCode(region), address: ""),
                                    registeredRegionName: "", residenceRegionName: "", members: [m], facts: [wage], enrolments: [])
        }
        var sim = try Simulation(parameters: ParameterSet.bundled(), change: ParameterChange(name: "dibaoStandard", region: nankai, effective: july, percent: 5),
                                 scope: RegionCode("120100000000"))
        // act: ¥1,490 wage − ¥300 costs = ¥1,190 counted, ¥20 above ¥1,170 but below ¥1,228.50
        sim.add(try profile("120104901001", wageYuan: 1_490))
        sim.add(try profile("120103901001", wageYuan: 1_490))
        sim.add(try profile("120104901002", wageYuan: 300))
        // check
        let n = try #require(sim.tallies[nankai])
        #expect(n.households == 2)
        #expect(n.newlyQualifying == 1)
        #expect(n.losing == 0)
        #expect(n.costChange == Cents(3_850 + 5_850)) // ¥38.50 for the new household, ¥58.50 more for the poorer one
        #expect(sim.tallies[hexi]?.costChange == .zero)
        #expect(sim.total.households == 3)
    }
}
