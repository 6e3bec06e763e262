import Foundation
import Testing
@testable import Domain

@Suite struct FactAuthorityTests {
    let household = Household.ID(UUID())
    let member = Member.ID(UUID())

    func fact(_ kind: FactKind, _ yuan: Int64?, _ basis: AmountBasis = .perMonth, from department: Department, received: String = "2026-10-01", note: String = "") throws -> Fact {
        Fact(id: Fact.ID(UUID()), householdID: household, memberID: member, kind: kind, amount: yuan.map { Cents($0 * 100) }, basis: yuan == nil ? nil : basis,
             validFrom: try LocalDate("2026-01-01"), validTo: nil,
             provenance: Provenance(department: department, receivedAt: try LocalDate(received), reference: "\(department)"), note: note)
    }

    /// The shortcut for households with no repeated report gives what the grouping gives, in the same order.
    @Test func theShortcutAgreesWithTheGrouping() throws {
        let other = Member.ID(UUID())
        var all = [try fact(.medicalSelfPay, 800, .total, from: .medicalInsurance), try fact(.wage, 5_000, from: .humanResources),
                   try fact(.medicalSelfPay, 300, .total, from: .health), try fact(.vehicle, 90_000, .total, from: .vehicles),
                   try fact(.pension, 2_000, from: .humanResources), try fact(.disabilityCertificate, nil, from: .disabledFederation, note: "肢体残疾二级")]
        all[3].memberID = other
        for n in 0...all.count {
            for start in 0..<max(1, all.count) {
                let facts = Array((all[start...] + all[..<start]).prefix(n))
                let shortcut = FactAuthority.bundled.resolve(facts)
                let grouped = FactAuthority.bundled.resolveByGroups(facts)
                #expect(shortcut.used.map(\.id) == grouped.used.map(\.id))
                #expect(shortcut.conflicts.isEmpty && grouped.conflicts.isEmpty)
            }
        }
        #expect(FactAuthority.hasRepeatedReport([try fact(.wage, 5_000, from: .humanResources), try fact(.wage, 4_000, from: .tax)]))
        #expect(!FactAuthority.hasRepeatedReport(all))
    }

    @Test func theIssuingDepartmentWinsAndSaysWhy() throws {
        let hr = try fact(.wage, 5_000, from: .humanResources), tax = try fact(.wage, 50_400, .perYear, from: .tax)
        let (used, conflicts) = FactAuthority.bundled.resolve([hr, tax])
        #expect(used.map(\.provenance.department) == [.tax])
        #expect(conflicts.count == 1 && conflicts[0].used == .tax && conflicts[0].reason.contains("税务"))
        #expect(conflicts[0].facts.count == 2)
    }

    @Test func withoutAnAuthorityTheNewestReportWins() throws {
        let a = try fact(.otherIncome, 300, from: .civilAffairs, received: "2026-09-01"), b = try fact(.otherIncome, 500, from: .emergency, received: "2026-10-15")
        let (used, conflicts) = FactAuthority.bundled.resolve([a, b])
        #expect(used.map(\.provenance.department) == [.emergency])
        #expect(conflicts.first?.reason.contains("2026-10-15") == true)
    }

    @Test func agreeingReportsAndBillsAreNotConflicts() throws {
        // 60,000 a year and 5,000 a month are the same wage; two hospital bills add up.
        let (used, conflicts) = FactAuthority.bundled.resolve([try fact(.wage, 5_000, from: .humanResources), try fact(.wage, 60_000, .perYear, from: .tax),
                                                                try fact(.medicalSelfPay, 800, .total, from: .medicalInsurance), try fact(.medicalSelfPay, 300, .total, from: .health)])
        #expect(conflicts.isEmpty && used.count == 4)
        let grades = [try fact(.disabilityCertificate, nil, from: .civilAffairs, note: "肢体残疾三级"), try fact(.disabilityCertificate, nil, from: .disabledFederation, note: "肢体残疾二级")]
        #expect(FactAuthority.bundled.resolve(grades).conflicts.first?.used == .disabledFederation)
    }

    @Test func theMeansTestCountsAConflictingWageOnce() throws {
        let head = Member(id: member, householdID: household, relation: .head, nationalID: try NationalID("11010519491231002X"), name: "甲", sex: .male,
                          birthDate: try LocalDate("1949-12-31"), disability: nil, illnesses: [], workCapacity: .full, employment: .employed, schooling: .notApplicable)
        let profile = HouseholdProfile(household: Household(id: household, registeredRegion: try RegionCode("120104001001"), residenceRegion: try RegionCode("120104001001"), address: "x"),
                                       registeredRegionName: "", residenceRegionName: "", members: [head],
                                       facts: [try fact(.wage, 5_000, from: .humanResources), try fact(.wage, 50_400, .perYear, from: .tax)], enrolments: [])
        let request = AssessmentRequest(profile: profile, date: try LocalDate("2026-11-01"))
        #expect(request.incomes?.count == 1)
        #expect(request.incomes?.first?.source?.department == .tax)
        #expect(profile.conflicts(on: try LocalDate("2026-11-01")).count == 1)
        #expect(profile.factsByDimension.map(\.0) == [.income])
    }
}
