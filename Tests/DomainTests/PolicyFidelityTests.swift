import Foundation
import Testing
@testable import Domain

/// The rules #21 found wrong or missing: pensions told apart [TK 6–7], a tekun person's own assets, supporters judged
/// from their own data [TK 8], housing and service assistance, and deliberation when nothing fits. Demo standard in
/// Tianjin from 2024-07: ¥1,170.00/month; previous year's disposable income ¥53,500 (¥4,458.33/month).
@Suite struct PolicyFidelityTests {
    static func alone(_ birth: String = "1950-01-01", supporter: SupporterStatus? = SupporterStatus.nobody, supporters: [SupporterInput]? = nil,
                      selfCare: Int? = 0) -> MemberInput {
        MemberInput(id: "a", name: "老人", relation: .head, birthDate: try! LocalDate(birth), selfCareUnableActivities: selfCare,
                    legalSupporter: supporter, supporters: supporters)
    }

    static func request(_ members: [MemberInput], incomes: [IncomeInput] = [], assets: [AssetInput] = [], expenditures: [ExpenditureInput] = [],
                        emergency: EmergencyInput? = nil, housing: HousingCondition? = nil, score: Int? = nil) -> AssessmentRequest {
        AssessmentRequest(date: H.date, region: H.nankai, members: members, incomes: incomes, assets: assets, expenditures: expenditures,
                          emergency: emergency, housing: housing, hardshipScore: score)
    }

    static func assess(_ r: AssessmentRequest) throws -> Assessment { try H.calc.assess(r) }

    // MARK: TK 6–7

    @Test("TK 6–7: a 75-year-old with a ¥2,600 landless-farmer pension is not tekun, and is told by how much")
    func landLossPensionCounts() throws {
        let a = try Self.assess(Self.request([Self.alone()], incomes: [H.income("a", .landLossPension, yuan: 2_600)]))
        let t = try #require(a.decision(.tekun, member: "a"))
        #expect(t.outcome == .doesNotQualify)
        #expect(t.changes.contains { $0.contains("高出 ¥1,430.00") })
        #expect(t.steps.contains { $0.article == "TK 6–7" && $0.result.contains("不低于低保标准") })
    }

    @Test("TK 6–7: every pension but the residents' basic pension counts", arguments: [
        (IncomeKind.employeePension, false), (.landLossPension, false), (.pension, false),
        (.oldAgeAllowance, true), (.veteransBenefit, true), (.socialInsuranceBenefit, true),
    ])
    func pensionKinds(kind: IncomeKind, excluded: Bool) throws {
        let a = try Self.assess(Self.request([Self.alone()], incomes: [H.income("a", kind, yuan: 2_000)]))
        let t = try #require(a.decision(.tekun, member: "a"))
        #expect((t.outcome == .qualifies) == excluded, "\(kind)")
    }

    @Test("TK 6–7; DB 13: a residents' pension counts above its basic part, given or the standard in force")
    func residentPensionAboveTheBasicPart() throws {
        // ¥1,500 of which the file says ¥200 is basic: ¥1,300 counts, above ¥1,170.
        var line = H.income("a", .residentPension, yuan: 1_500)
        line.basicPartCents = 20_000
        let over = try Self.assess(Self.request([Self.alone()], incomes: [line]))
        #expect(over.decision(.tekun, member: "a")?.outcome == .doesNotQualify)
        // ¥400 basic: ¥1,100 counts.
        line.basicPartCents = 40_000
        let under = try Self.assess(Self.request([Self.alone()], incomes: [line]))
        #expect(under.decision(.tekun, member: "a")?.outcome == .qualifies)
        // Not given: the national basic pension of the date (¥143 in 2025) is left out, so ¥300 counts ¥157.
        let plain = try Self.assess(Self.request([Self.alone()], incomes: [H.income("a", .residentPension, yuan: 300)]))
        #expect(plain.figures.monthlyIncomeCents == 15_700)
        let step = try #require(plain.decision(.tekun, member: "a")?.steps.first { $0.article == "TK 6–7" })
        #expect(step.parameters.contains { $0.name == "residentBasicPension" && $0.value == "¥143.00" })
        // In 2023 the basic pension was ¥103.
        let earlier = try H.calc.assess(AssessmentRequest(date: try LocalDate("2023-08-01"), region: H.nankai, members: [Self.alone()],
                                                          incomes: [H.income("a", .residentPension, yuan: 300)]))
        #expect(earlier.figures.monthlyIncomeCents == 19_700)
    }

    @Test("A basic part is only for a residents' pension and never above it")
    func basicPartIsChecked() {
        var wage = H.income("a", .wage, yuan: 1_000)
        wage.basicPartCents = 100
        #expect(throws: PolicyError.invalidInput(field: "incomes[0].basicPartCents", reason: "只适用于城乡居民养老保险养老金（residentPension）")) {
            try Self.assess(Self.request([Self.alone()], incomes: [wage]))
        }
        var pension = H.income("a", .residentPension, yuan: 300)
        pension.basicPartCents = 40_000
        #expect(throws: PolicyError.invalidInput(field: "incomes[0].basicPartCents", reason: "基础养老金部分不能大于养老金总额")) {
            try Self.assess(Self.request([Self.alone()], incomes: [pension]))
        }
    }

    @Test("A supporter's figures are checked like every amount, by their path")
    func supporterFiguresAreChecked() {
        var s = Self.supporter("1950-01-01", income: 1, assets: 0)
        s.incomePerMemberCents = -1
        #expect(throws: PolicyError.invalidInput(field: "members[0].supporters[0].incomePerMemberCents", reason: "金额不能为负")) {
            try Self.assess(Self.request([Self.alone(supporters: [s])]))
        }
        s = Self.supporter("2030-01-01")
        #expect(throws: PolicyError.invalidInput(field: "members[0].supporters[0].birthDate", reason: "出生日期晚于评估日期")) {
            try Self.assess(Self.request([Self.alone(supporters: [s])]))
        }
        #expect(throws: PolicyError.invalidInput(field: "hardshipScore", reason: "预警分值不能为负")) {
            try Self.assess(Self.request([Self.alone()], score: -1))
        }
    }

    // MARK: tekun assets are the person's own

    @Test("TK 6–7: tekun weighs the person's own assets; assets given to no one are shared equally")
    func ownAssets() throws {
        let grandmother = Self.alone("1945-01-01")
        let son = MemberInput(id: "s", name: "儿子", relation: .child, birthDate: try LocalDate("1975-01-01"), employment: .employed)
        // The son's ¥200,000 is his, not his mother's (limit: ¥1,170 × 24 = ¥28,080).
        let sons = try Self.assess(Self.request([grandmother, son], incomes: [H.income("s", .wage, yuan: 3_000)],
                                                assets: [AssetInput(member: "s", kind: .deposit, amountCents: 20_000_000)]))
        #expect(sons.decision(.tekun, member: "a")?.outcome == .qualifies)
        // ¥60,000 on no one's name in a household of two: ¥30,000 each, above the limit.
        let shared = try Self.assess(Self.request([grandmother, son], assets: [AssetInput(kind: .deposit, amountCents: 6_000_000)]))
        let t = try #require(shared.decision(.tekun, member: "a"))
        #expect(t.outcome == .doesNotQualify)
        #expect(t.changes.contains { $0.contains("金融资产超出上限 ¥1,920.00") })
        // Her own ¥20,000 passes.
        let own = try Self.assess(Self.request([grandmother, son], assets: [AssetInput(member: "a", kind: .deposit, amountCents: 2_000_000)]))
        #expect(own.decision(.tekun, member: "a")?.outcome == .qualifies)
    }

    // MARK: TK 8

    static func supporter(_ birth: String? = "1980-01-01", disability: (DisabilityCategory, Int)? = nil, condition: SupporterCondition? = nil,
                          enrolments: [Program]? = nil, income: Int64? = nil, assets: Int64? = nil) -> SupporterInput {
        SupporterInput(name: "义务人", relation: "子女", birthDate: birth.map { try! LocalDate($0) },
                       disability: disability.map { DisabilityInput(category: $0.0, grade: $0.1) }, condition: condition, enrolments: enrolments,
                       incomePerMemberCents: income.map { $0 * 100 }, assetsPerMemberCents: assets.map { $0 * 100 })
    }

    @Test("TK 8: whether a supporter is unable is worked out from their own data", arguments: [
        // (supporter, unable)
        (supporter(condition: .prison), true),
        (supporter(condition: .missing), true),
        (supporter(condition: .noCivilCapacity), true),
        (supporter(enrolments: [.tekun]), true),
        (supporter("1960-01-01", enrolments: [.dibao]), true),    // 65 and on dibao
        (supporter("1970-01-01", enrolments: [.dibao]), false),   // 55 and on dibao
        (supporter("1950-01-01", income: 2_000, assets: 10_000), true),  // 75, poor
        (supporter("1950-01-01", income: 4_459, assets: 10_000), false), // 75, income not below ¥4,458.33
        (supporter("1950-01-01", income: 2_000, assets: 42_121), false), // 75, assets above ¥1,170 × 36
        (supporter("1950-01-01"), false),                                  // 75, means unknown: not proven unable
        (supporter(disability: (.physical, 2), income: 2_000, assets: 0), true),
        (supporter(disability: (.intellectual, 3), income: 2_000, assets: 0), true),
        (supporter(disability: (.physical, 3), income: 2_000, assets: 0), false),
        (supporter(income: 0, assets: 0), false),                          // 45 and able-bodied: poverty alone is not inability
    ])
    func supporterJudged(s: SupporterInput, unable: Bool) throws {
        // The form's tick says "unable" every time: the supporter's own data decides.
        let a = try Self.assess(Self.request([Self.alone(supporter: .unable, supporters: [s])]))
        let t = try #require(a.decision(.tekun, member: "a"))
        #expect((t.outcome == .qualifies) == unable)
        let step = try #require(t.steps.first { $0.article == "TK 8" })
        #expect(step.inputs.contains { $0.value.hasPrefix(unable ? "无履行能力" : "有履行能力") })
    }

    @Test("TK 8: no supporters at all, or one able among several")
    func supporterLists() throws {
        let none = try Self.assess(Self.request([Self.alone(supporter: nil, supporters: [])]))
        #expect(none.decision(.tekun, member: "a")?.outcome == .qualifies)
        let mixed = try Self.assess(Self.request([Self.alone(supporter: nil, supporters: [Self.supporter(condition: .prison), Self.supporter()])]))
        #expect(mixed.decision(.tekun, member: "a")?.outcome == .doesNotQualify)
    }

    // MARK: housing and service

    @Test("ZX 37–40; JC: housing assistance for a covered household in dangerous or no housing, decided only when the home is known")
    func housing() throws {
        let poor = [H.member("a", "1980-01-01", employment: .unemployed), H.member("b", "2015-01-01", .child, schooling: .primary)]
        let dibao = try Self.assess(Self.request(poor, housing: .dangerous))
        #expect(dibao.decision(.dibao)?.outcome == .qualifies)
        #expect(dibao.decision(.housing)?.outcome == .qualifies)
        #expect(dibao.decision(.housing)?.notes.contains { $0.contains("危房改造") } == true)
        #expect(try Self.assess(Self.request(poor)).decision(.housing) == nil)
        #expect(try Self.assess(Self.request(poor, housing: .adequate)).decision(.housing)?.outcome == .doesNotQualify)
        // Near-dibao (¥1,500 a head, under ¥1,755) with no home of its own.
        let near = try Self.assess(Self.request(poor, incomes: [H.income("a", .wage, yuan: 3_300)], housing: .lacking))
        #expect(near.decision(.nearDibao)?.outcome == .qualifies)
        #expect(near.decision(.housing)?.outcome == .qualifies)
        // Well off: the home is dangerous, but housing assistance is not for this household.
        let rich = try Self.assess(Self.request(poor, incomes: [H.income("a", .wage, yuan: 9_000)], housing: .dangerous))
        #expect(rich.decision(.housing)?.outcome == .doesNotQualify)
        // A tekun person in an institution is housed there [ZX 37: tekun supported at home].
        var resident = Self.alone()
        resident.supportMode = .institutional
        #expect(try Self.assess(Self.request([resident], housing: .lacking)).decision(.housing)?.outcome == .doesNotQualify)
        resident.supportMode = .dispersed
        #expect(try Self.assess(Self.request([resident], housing: .lacking)).decision(.housing)?.outcome == .qualifies)
    }

    @Test("JC: care services for a member of a covered household who cannot look after themselves, not for tekun (care is in its standard)")
    func service() throws {
        var ill = H.member("a", "1980-01-01", employment: .notInLabourForce)
        ill.selfCareUnableActivities = 3
        let covered = try Self.assess(Self.request([ill, H.member("b", "2015-01-01", .child, schooling: .primary)]))
        #expect(covered.decision(.service, member: "a")?.outcome == .qualifies)
        let wellOff = try Self.assess(Self.request([ill], incomes: [H.income("a", .wage, yuan: 9_000)]))
        #expect(wellOff.decision(.service, member: "a") == nil)
        let tekun = try Self.assess(Self.request([Self.alone(selfCare: 5)]))
        #expect(tekun.decision(.tekun, member: "a")?.outcome == .qualifies)
        #expect(tekun.decision(.service, member: "a") == nil)
    }

    // MARK: deliberation

    @Test("LS; JC: rigid spending above income with no programme that fits proposes deliberation, with what each programme lacks")
    func deliberationForRigidSpending() throws {
        let a = try Self.assess(Self.request([H.member("a", "1980-01-01", employment: .employed)], incomes: [H.income("a", .wage, yuan: 5_000)],
                                             expenditures: [ExpenditureInput(member: "a", kind: .medicalSelfPay, amountCents: 8_000_000)]))
        let p = try #require(a.deliberation)
        #expect(p.hardship.contains { $0.contains("刚性支出 ¥80,000.00 超过家庭年收入 ¥56,400.00") })
        #expect(Set(p.nearMisses.map(\.program)).isSuperset(of: [.dibao, .nearDibao, .expenditureHardship]))
        #expect(p.nearMisses.first { $0.program == .dibao }?.missing.contains { $0.contains("高出") } == true)
        #expect(p.nearMisses.first { $0.program == .expenditureHardship }?.missing == ["家庭人均月收入 ¥4,700.00 不低于上年人均可支配收入折合每月 ¥4,458.33"])
        #expect(AssessmentText.render(a).contains("建议一事一议"))
    }

    @Test("LS; JC: someone who cannot look after themselves at all, or a high hardship score, proposes deliberation when nothing fits")
    func deliberationForSelfCareAndScore() throws {
        var m = H.member("a", "1980-01-01", employment: .notInLabourForce)
        m.selfCareUnableActivities = 6
        let wage = [H.income("a", .wage, yuan: 2_500)]  // ¥2,200 after the cost of working: above the near-dibao line
        let lost = try Self.assess(Self.request([m], incomes: wage))
        #expect(lost.deliberation?.hardship.contains { $0.contains("完全丧失生活自理能力") } == true)
        m.selfCareUnableActivities = 2
        #expect(try Self.assess(Self.request([m], incomes: wage)).deliberation == nil)
        #expect(try Self.assess(Self.request([m], incomes: wage, score: 60)).deliberation?.hardship.contains { $0.contains("预警分值 60") } == true)
        #expect(try Self.assess(Self.request([m], incomes: wage, score: 59)).deliberation == nil)
        // A programme that fits is the answer, whatever the score.
        #expect(try Self.assess(Self.request([m], score: 90)).deliberation == nil)
        // So is help for an emergency.
        #expect(try Self.assess(Self.request([m], incomes: wage, emergency: EmergencyInput(kind: .fire, occurredOn: H.date), score: 90)).deliberation == nil)
    }
}
