import Foundation
import Testing
@testable import Domain

/// A household as the register holds it, built up fact by fact for screening tests.
struct RegisterHousehold {
    static let today = try! LocalDate("2026-11-20")
    static let region = try! RegionCode("120104901001")
    var household = Household(id: Household.ID(UUID()), registeredRegion: region, residenceRegion: region, address: "测试路1号")
    var members: [Member] = []
    var facts: [Fact] = []
    var enrolments: [Enrolment] = []

    static func ago(_ days: Int) -> LocalDate { today.adding(days: -days) }

    /// A member aged `age` on the test day.
    @discardableResult
    mutating func member(_ name: String, age: Int, _ relation: Relation = .head, disability: (DisabilityCategory, Int)? = nil,
                         illnesses: [Illness] = [], work: WorkCapacity = .full, employment: Employment = .employed,
                         schooling: Schooling = .notApplicable) -> Member.ID {
        let birth = try! LocalDate(year: Self.today.year - age, month: 1, day: 15)
        let id = Member.ID(UUID())
        members.append(Member(id: id, householdID: household.id, relation: relation,
                              nationalID: try! NationalID(addressCode: "120104", birthDate: birth, sequence: 100 + members.count * 2),
                              name: name, sex: .male, birthDate: birth, disability: disability.map { try! Disability(category: $0.0, grade: $0.1) },
                              illnesses: illnesses, workCapacity: work, employment: employment, schooling: schooling))
        return id
    }

    mutating func fact(_ member: Member.ID?, _ kind: FactKind, yuan: Int64? = nil, basis: AmountBasis? = nil, from: LocalDate, to: LocalDate? = nil,
                       department: Department = .humanResources, note: String = "") {
        facts.append(Fact(id: Fact.ID(UUID()), householdID: household.id, memberID: member, kind: kind, amount: yuan.map { Cents($0 * 100) },
                          basis: basis ?? (kind.category == .income ? .perMonth : .total), validFrom: from, validTo: to,
                          provenance: Provenance(department: department, receivedAt: Self.today, reference: "test"), note: note))
    }

    mutating func enrol(_ program: Program, member: Member.ID? = nil, since: LocalDate = try! LocalDate("2026-01-01"), status: EnrolmentStatus = .active) {
        enrolments.append(Enrolment(id: Enrolment.ID(UUID()), householdID: household.id, memberID: member, program: program, since: since,
                                    monthlyAmount: Cents(100_000), status: status))
    }

    var profile: HouseholdProfile {
        HouseholdProfile(household: household, registeredRegionName: "", residenceRegionName: "", members: members, facts: facts, enrolments: enrolments)
    }

    /// An ordinary working family that raises nothing: two earners, a child at school.
    static var ordinary: RegisterHousehold {
        var h = RegisterHousehold()
        let dad = h.member("父", age: 42)
        let mum = h.member("母", age: 40, .spouse)
        h.member("子", age: 12, .child, employment: .notInLabourForce, schooling: .primary)
        h.fact(dad, .wage, yuan: 6_000, from: ago(900))
        h.fact(mum, .wage, yuan: 5_000, from: ago(900))
        return h
    }

    static func single(age: Int, pension: Int64? = nil) -> RegisterHousehold {
        var h = RegisterHousehold()
        let m = h.member("独居", age: age, employment: .retired)
        if let pension { h.fact(m, .pension, yuan: pension, from: ago(2_000)) }
        return h
    }
}

enum Screen {
    static let catalogue = try! IndicatorCatalogue.bundled()
    static let screener = Screener(catalogue: catalogue, calculator: PolicyCalculator(parameters: try! ParameterSet.bundled()))
    static let standards = try! screener.calculator.standards(region: RegisterHousehold.region, date: RegisterHousehold.today)

    static func fired(_ h: RegisterHousehold) throws -> HouseholdScreening {
        try screener.screen(h.profile, on: RegisterHousehold.today, standards: standards)
    }
}

/// Each indicator in the shipped catalogue: one household that fires it, one that does not (the nearest
/// household on the other side of its line).
@Suite struct IndicatorTests {
    typealias Build = @Sendable () -> RegisterHousehold
    static let ago = RegisterHousehold.ago

    static let cases: [String: (fires: Build, quiet: Build)] = [
        "JZ-S01": ({ .single(age: 85) }, { .single(age: 85, pension: 5_000) }),
        "JZ-S02": ({ var h = RegisterHousehold(); h.member("甲", age: 70); h.member("乙", age: 68, .spouse); return h },
                   { var h = RegisterHousehold(); h.member("甲", age: 70); h.member("乙", age: 50, .child); return h }),
        "JZ-S03": ({ var h = RegisterHousehold.ordinary; h.members[1].workCapacity = .none; h.members[2].workCapacity = .none; return h },
                   { var h = RegisterHousehold.ordinary; h.members[1].workCapacity = .none; return h }),
        "JZ-S04": ({ var h = RegisterHousehold(); h.member("兄", age: 15, employment: .notInLabourForce); h.member("妹", age: 12, .sibling); return h },
                   { var h = RegisterHousehold(); h.member("叔", age: 40); h.member("兄", age: 15, .other); return h }),
        "JZ-I01": ({ var h = RegisterHousehold.ordinary; h.facts.removeLast(); h.facts[0].amount = Cents(150_000); return h },
                   { .ordinary }),
        "JZ-I02": ({ var h = RegisterHousehold.ordinary; h.facts[0].validTo = ago(30); return h },
                   { var h = RegisterHousehold.ordinary; h.facts[0].validTo = ago(30); h.fact(h.members[0].id, .wage, yuan: 4_000, from: ago(20)); return h }),
        "JZ-I03": ({ var h = RegisterHousehold.ordinary; h.enrol(.dibao); return h },
                   { var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); return h }),
        "JZ-I04": ({ var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); h.fact(h.members[0].id, .wage, yuan: 2_000, from: ago(60)); return h },
                   { var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); h.fact(h.members[0].id, .wage, yuan: 2_000, from: ago(700), to: ago(400)); return h }),
        "JZ-A01": ({ var h = RegisterHousehold.ordinary; h.enrol(.dibao); h.fact(h.members[0].id, .vehicle, yuan: 80_000, from: ago(30), department: .vehicles); return h },
                   { var h = RegisterHousehold.ordinary; h.enrol(.dibao); h.fact(h.members[0].id, .vehicle, yuan: 80_000, from: ago(1_000), department: .vehicles); return h }),
        "JZ-A02": ({ var h = RegisterHousehold.ordinary; h.enrol(.nearDibao); h.fact(h.members[0].id, .realEstate, yuan: 900_000, from: ago(30), department: .realEstate); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[0].id, .realEstate, yuan: 900_000, from: ago(30), department: .realEstate); return h }),
        "JZ-A03": ({ var h = RegisterHousehold.ordinary; h.enrol(.dibao); h.fact(h.members[1].id, .business, from: ago(10), department: .marketRegulation); return h },
                   { var h = RegisterHousehold.ordinary; h.enrol(.dibao); h.fact(h.members[1].id, .business, from: ago(10), to: ago(5), department: .marketRegulation); return h }),
        "JZ-A04": ({ var h = RegisterHousehold(); let m = h.member("青年", age: 30); h.fact(m, .wage, yuan: 6_000, from: ago(300)); h.enrol(.tekun, member: m); return h },
                   { var h = RegisterHousehold.single(age: 85); h.enrol(.tekun, member: h.members[0].id); return h }),
        "JZ-E01": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[2].id, .medicalSelfPay, yuan: 15_000, from: ago(100), department: .medicalInsurance); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[2].id, .medicalSelfPay, yuan: 10_000, from: ago(100), department: .medicalInsurance); return h }),
        "JZ-E02": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[2].id, .medicalSelfPay, yuan: 5_000, from: ago(100), department: .medicalInsurance); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[2].id, .medicalSelfPay, yuan: 5_000, from: ago(400), department: .medicalInsurance); return h }),
        "JZ-E03": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[2].id, .educationCost, yuan: 8_000, from: ago(60), department: .education); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[2].id, .educationCost, yuan: 5_000, from: ago(60), department: .education); return h }),
        "JZ-E04": ({ var h = RegisterHousehold(); let a = h.member("甲", age: 50); h.member("乙", age: 48, .spouse, illnesses: [.serious], work: .none, employment: .notInLabourForce)
                     h.fact(a, .wage, yuan: 8_000, from: ago(900)); h.fact(h.members[1].id, .medicalSelfPay, yuan: 60_000, from: ago(90), department: .medicalInsurance); return h },
                   { var h = RegisterHousehold(); let a = h.member("甲", age: 50); h.member("乙", age: 48, .spouse, illnesses: [.serious], work: .none, employment: .notInLabourForce)
                     h.fact(a, .wage, yuan: 8_000, from: ago(900)); h.fact(h.members[1].id, .medicalSelfPay, yuan: 3_000, from: ago(90), department: .medicalInsurance); return h }),
        "JZ-H01": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[1].id, .diagnosis, from: ago(20), department: .health, note: "恶性肿瘤"); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[1].id, .diagnosis, from: ago(200), department: .health, note: "恶性肿瘤"); return h }),
        "JZ-H02": ({ var h = RegisterHousehold.ordinary; h.members[1].illnesses = [.serious]; return h },
                   { var h = RegisterHousehold.ordinary; h.members[1].illnesses = [.chronic]; return h }),
        "JZ-H03": ({ var h = RegisterHousehold.ordinary; h.members[0].illnesses = [.chronic]; h.members[1].illnesses = [.chronic]; return h },
                   { var h = RegisterHousehold.ordinary; h.members[0].illnesses = [.chronic]; return h }),
        "JZ-D01": ({ var h = RegisterHousehold.ordinary; h.members[2].disability = try! Disability(category: .intellectual, grade: 2)
                     h.fact(h.members[2].id, .disabilityCertificate, from: ago(30), department: .disabledFederation); return h },
                   { var h = RegisterHousehold.ordinary; h.members[2].disability = try! Disability(category: .intellectual, grade: 3)
                     h.fact(h.members[2].id, .disabilityCertificate, from: ago(30), department: .disabledFederation); return h }),
        "JZ-D02": ({ var h = RegisterHousehold.ordinary; h.members[1].disability = try! Disability(category: .physical, grade: 1); return h },
                   { var h = RegisterHousehold.ordinary; h.members[1].disability = try! Disability(category: .physical, grade: 1)
                     h.enrol(.disabilityCare, member: h.members[1].id); return h }),
        "JZ-D03": ({ var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); h.members[1].disability = try! Disability(category: .physical, grade: 3); return h },
                   { var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); h.members[1].disability = try! Disability(category: .physical, grade: 3)
                     h.enrol(.disabilityLiving, member: h.members[1].id); return h }),
        "JZ-D04": ({ var h = RegisterHousehold.ordinary; h.members[1].disability = try! Disability(category: .hearing, grade: 2); return h },
                   { var h = RegisterHousehold.ordinary; h.members[1].disability = try! Disability(category: .hearing, grade: 4); return h }),
        "JZ-J01": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[1].id, .unemploymentRegistered, from: ago(20)); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[1].id, .unemploymentRegistered, from: ago(120)); return h }),
        "JZ-J02": ({ var h = RegisterHousehold.ordinary; h.members[0].employment = .unemployed; h.members[1].employment = .notInLabourForce; return h },
                   { var h = RegisterHousehold.ordinary; h.members[0].employment = .unemployed; return h }),
        "JZ-ED1": ({ var h = RegisterHousehold.ordinary; h.members[2].schooling = .droppedOut; h.fact(h.members[2].id, .schoolDropout, from: ago(30), department: .education); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[0].id, .schoolDropout, from: ago(30), department: .education); return h }),
        "JZ-ED2": ({ var h = RegisterHousehold.ordinary; h.member("女", age: 9, .child, employment: .notInLabourForce, schooling: .primary); return h },
                   { .ordinary }),
        "JZ-ED3": ({ var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); return h },
                   { var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); h.enrol(.education, member: h.members[2].id); return h }),
        "JZ-L01": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[0].id, .death, from: ago(30), department: .publicSecurity); return h },
                   { var h = RegisterHousehold.ordinary; h.member("祖父", age: 86, .grandparent, employment: .retired)
                     h.fact(h.members[3].id, .death, from: ago(30), department: .publicSecurity); return h }),
        "JZ-L02": ({ var h = RegisterHousehold.ordinary; h.fact(h.members[0].id, .disaster, from: ago(10), department: .emergency, note: "洪涝"); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[0].id, .disaster, from: ago(100), department: .emergency, note: "洪涝"); return h }),
        "JZ-L03": ({ var h = RegisterHousehold.ordinary; h.enrol(.nearDibao); h.fact(h.members[0].id, .hukouMove, from: ago(30), department: .publicSecurity); return h },
                   { var h = RegisterHousehold.ordinary; h.fact(h.members[0].id, .hukouMove, from: ago(30), department: .publicSecurity); return h }),
        "JZ-C01": ({ var h = RegisterHousehold.ordinary; h.facts.removeAll(); return h },
                   { var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao); return h }),
        "JZ-C02": ({ .single(age: 75) }, { var h = RegisterHousehold.single(age: 75); h.enrol(.tekun, member: h.members[0].id); return h }),
        "JZ-C03": ({ var h = RegisterHousehold.ordinary; h.facts[0].amount = Cents(300_000); h.facts[1].amount = Cents(200_000); return h },
                   { var h = RegisterHousehold.ordinary; h.facts[0].amount = Cents(300_000); h.facts[1].amount = Cents(200_000); h.enrol(.nearDibao); return h }),
        "JZ-P01": ({ var h = RegisterHousehold.single(age: 80); h.enrol(.tekun, member: h.members[0].id, status: .suspended)
                     h.fact(h.members[0].id, .death, from: ago(5), department: .funeral); return h },
                   { var h = RegisterHousehold.single(age: 80); h.enrol(.tekun, member: h.members[0].id, status: .ended)
                     h.fact(h.members[0].id, .death, from: ago(5), department: .funeral); return h }),
        // The month's payment verification found the money had not arrived; one found two months ago is history.
        "JZ-P02": ({ var h = RegisterHousehold.ordinary; h.enrol(.dibao); h.fact(h.members[0].id, .paymentUnverified, from: ago(3), department: .civilAffairs); return h },
                   { var h = RegisterHousehold.ordinary; h.enrol(.dibao); h.fact(h.members[0].id, .paymentUnverified, from: ago(90), department: .civilAffairs); return h }),
        "JZ-R01": ({ var h = RegisterHousehold.single(age: 70); h.members[0].disability = try! Disability(category: .visual, grade: 2)
                     h.enrol(.tekun, member: h.members[0].id); h.enrol(.disabilityLiving, member: h.members[0].id); return h },
                   { var h = RegisterHousehold.single(age: 70); h.member("侄", age: 40, .other, disability: (.visual, 2))
                     h.enrol(.tekun, member: h.members[0].id); h.enrol(.disabilityLiving, member: h.members[1].id); return h }),
        "JZ-R02": ({ var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao)
                     h.fact(h.members[1].id, .assistanceElsewhere, from: ago(200), department: .civilAffairs, note: "最低生活保障（河北省廊坊市）"); return h },
                   { var h = RegisterHousehold.ordinary; h.facts.removeAll(); h.enrol(.dibao)
                     h.fact(h.members[1].id, .assistanceElsewhere, from: ago(400), to: ago(300), department: .civilAffairs, note: "最低生活保障（河北省廊坊市）"); return h }),
        "JZ-X01": ({ var h = RegisterHousehold.ordinary; h.members[0].illnesses = [.chronic]; h.members[1].illnesses = [.serious, .chronic]; h.members[2].disability = try! Disability(category: .mental, grade: 2)
                     h.fact(h.members[1].id, .medicalSelfPay, yuan: 16_000, from: ago(60), department: .medicalInsurance); return h },
                   { var h = RegisterHousehold.ordinary; h.members[1].illnesses = [.serious]; return h }),
    ]

    /// TK 4; DB 7: a tekun member left in the household's dibao count is one person paid twice, and the warning
    /// says so — duplicate assistance naming both enrolments — from the calculator's own list of exclusive pairs.
    @Test func aTekunMemberInTheDibaoCountIsDuplicateAssistance() throws {
        var h = RegisterHousehold.single(age: 80)
        h.member("子", age: 50, .child, employment: .unemployed)
        h.enrol(.dibao)
        h.enrol(.tekun, member: h.members[0].id)
        let result = try Screen.fired(h)
        let duplicate = try #require(result.fired.first { $0.indicator.code == "JZ-R01" })
        #expect(duplicate.indicator.kind == .duplicateAssistance)
        #expect(duplicate.evidence.contains { $0.text.contains(Program.dibao.chinese) } && duplicate.evidence.contains { $0.text.contains(Program.tekun.chinese) })
        // every pair the calculator excludes is one the screening looks for, and no other
        #expect(PolicyCalculator.excludes(.tekun, .dibao) && PolicyCalculator.excludes(.dibao, .tekun) && !PolicyCalculator.excludes(.dibao, .medical))
    }

    @Test func everyIndicatorHasACase() {
        let codes = Set(Screen.catalogue.indicators.map(\.code))
        #expect(codes == Set(Self.cases.keys), "missing: \(codes.subtracting(Self.cases.keys).sorted()), unknown: \(Set(Self.cases.keys).subtracting(codes).sorted())")
    }

    @Test(arguments: Screen.catalogue.indicators.map(\.code))
    func firesAndStaysQuiet(code: String) throws {
        let c = try #require(Self.cases[code])
        let fires = try Screen.fired(c.fires())
        #expect(fires.fired.contains { $0.indicator.code == code }, "\(code) should fire; fired: \(fires.fired.map(\.indicator.code))")
        if let f = fires.fired.first(where: { $0.indicator.code == code }) {
            #expect(!f.evidence.isEmpty || code == "JZ-S02", "\(code) fired without evidence")
        }
        let quiet = try Screen.fired(c.quiet())
        #expect(!quiet.fired.contains { $0.indicator.code == code }, "\(code) should not fire")
    }

    /// A batch screening skips the evidence of score-only indicators, and only that: the same indicators fire,
    /// with the same score and the same warnings, evidence and fingerprints.
    @Test(arguments: Screen.catalogue.indicators.map(\.code))
    func batchScreeningDecidesTheSame(code: String) throws {
        let c = try #require(Self.cases[code])
        for h in [c.fires(), c.quiet()] {
            let full = try Screen.fired(h)
            let batch = try Screen.screener.screen(h.profile, on: RegisterHousehold.today, standards: Screen.standards, scoreOnlyEvidence: false)
            #expect(batch.fired.map(\.indicator.code) == full.fired.map(\.indicator.code))
            #expect(batch.score == full.score)
            #expect(batch.findings == full.findings)
            #expect(batch.fired.filter { !$0.indicator.raisesWarning }.allSatisfy { $0.evidence.isEmpty })
        }
    }

    @Test func anOrdinaryFamilyRaisesNothing() throws {
        let s = try Screen.fired(.ordinary)
        #expect(s.fired.isEmpty, "\(s.fired.map(\.indicator.code))")
        #expect(s.score.total == 0)
    }

    @Test func catalogueShape() {
        let c = Screen.catalogue
        #expect(c.indicators.filter(\.raisesWarning).count >= 24)
        #expect(Set(c.indicators.map(\.dimension)).count >= 5)
        for kind in WarningKind.allCases { #expect(c.indicators.contains { $0.kind == kind && $0.raisesWarning }, "no indicator raises \(kind)") }
    }
}
