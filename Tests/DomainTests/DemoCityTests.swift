import Foundation
import Testing
@testable import Domain

@Suite struct DemoCityTests {
    let city: DemoCity
    let bundles: [HouseholdBundle]

    init() throws {
        city = try DemoCity(reference: RegionReference.bundled(), settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate("2026-11-22"))
        bundles = Array(city.households(count: 3_000))
    }

    /// The demo's amounts are the policy parameters' (they lived in demo-city.json too, and could drift apart).
    @Test func amountsComeFromThePolicyParameters() throws {
        let shipped = try ParameterSet.bundled()
        let tekun = bundles.flatMap(\.enrolments).filter { $0.program == .tekun }
        let care = bundles.flatMap(\.enrolments).filter { $0.program == .disabilityCare }
        #expect(!tekun.isEmpty && !care.isEmpty)
        let standards = try PolicyCalculator(parameters: shipped).standards(region: city.city.code, date: city.today)
        #expect(tekun.allSatisfy { $0.monthlyAmount == standards.tekunBasic })
        #expect(care.allSatisfy { $0.monthlyAmount == standards.careAllowance })
        // a city that raises its dibao standard (and so tekun, set as a multiple of it) gets demo amounts to match
        let raise = #"{"note": "测试", "entries": [{"region": "120000000000", "effective": "2026-01-01", "reference": "测试", "values": {"dibaoStandard": {"yuan": "2000.00"}}}]}"#
        let raised = try ParameterSet(files: [try BundledData.data("policy/national", "json"), try BundledData.data("policy/tianjin-demo", "json"), Data(raise.utf8)])
        let other = try DemoCity(reference: RegionReference.bundled(), settings: DemoSettings.bundled(), parameters: raised, today: city.today)
        let raisedTekun = Array(other.households(count: 3_000)).flatMap(\.enrolments).filter { $0.program == .tekun }
        #expect(!raisedTekun.isEmpty && raisedTekun.allSatisfy { $0.monthlyAmount == Cents(260_000) })
    }

    @Test func usesTheRealDistrictsAndMarksInventedLevels() {
        #expect(city.city.name == "天津市")
        #expect(city.districts.count == 16)
        #expect(city.districts.allSatisfy { !$0.isDemo })
        #expect(city.streets.allSatisfy { $0.isDemo && $0.level == .township })
        #expect(city.communities.allSatisfy { $0.isDemo && $0.level == .village })
    }

    @Test func everyIDIsValidUniqueAndMatchesTheBirthDateAndSex() throws {
        var seen = Set<String>()
        for b in bundles {
            for m in b.members {
                #expect(try NationalID(m.nationalID.value) == m.nationalID)
                #expect(m.nationalID.birthDate == m.birthDate)
                #expect(m.nationalID.sex == m.sex)
                #expect(seen.insert(m.nationalID.value).inserted)
            }
        }
    }

    @Test func everyMemberBelongsToExactlyItsHousehold() {
        var memberHousehold: [Member.ID: Household.ID] = [:]
        for b in bundles {
            #expect(b.members.filter { $0.relation == .head }.count == 1)
            for m in b.members {
                #expect(m.householdID == b.household.id)
                #expect(memberHousehold.updateValue(b.household.id, forKey: m.id) == nil)
            }
            for f in b.facts { #expect(f.householdID == b.household.id) }
        }
    }

    @Test func isRealisticEnough() {
        let people = bundles.flatMap(\.members)
        let elderAlone = bundles.filter { $0.members.count == 1 && $0.members[0].birthDate.age(on: city.today) >= 60 }
        let disabled = people.filter { $0.disability != nil }
        let dibao = bundles.filter { $0.enrolments.contains { $0.program == .dibao } }
        let tekun = bundles.filter { $0.enrolments.contains { $0.program == .tekun } }
        let meanSize = Double(people.count) / Double(bundles.count)
        #expect((2.0...3.2).contains(meanSize))
        #expect(elderAlone.count > bundles.count / 20)
        #expect(disabled.count > people.count / 50)
        #expect(Set(disabled.compactMap { $0.disability?.grade }) == [1, 2, 3, 4])
        #expect(!dibao.isEmpty && dibao.count < bundles.count / 10)
        #expect(!tekun.isEmpty)
        #expect(people.contains { $0.hasSeriousIllness })
        #expect(bundles.contains { $0.facts.contains { $0.kind == .vehicle } })
        #expect(bundles.contains { $0.facts.contains { $0.kind == .employeePension } })
        // every household lives in an invented community of the demo city
        let communities = Set(city.communities.map(\.code))
        #expect(bundles.allSatisfy { communities.contains($0.household.residenceRegion) })
    }

    @Test func isDeterministicForASeed() {
        let again = Array(city.households(count: 50))
        #expect(again.map(\.household.id) == bundles.prefix(50).map(\.household.id))
        #expect(again.flatMap(\.members).map(\.nationalID) == bundles.prefix(50).flatMap(\.members).map(\.nationalID))
    }
}
