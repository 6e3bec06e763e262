import Foundation
import Testing
@testable import Domain

/// Households described the way the interchange format describes them.
enum H {
    static let nankai = try! RegionCode("120104901001")
    static let binhai = try! RegionCode("120116901001")
    static let date = try! LocalDate("2025-03-15")
    static let calc = PolicyCalculator(parameters: try! ParameterSet.bundled())

    static func member(_ id: String, _ birth: String, _ relation: Relation = .head, status: MemberStatus? = nil,
                       disability: (DisabilityCategory, Int)? = nil, ill: Bool = false, employment: Employment? = nil,
                       schooling: Schooling? = nil, selfCare: Int? = nil, supporter: SupporterStatus? = nil,
                       parents: ParentsStatus? = nil) -> MemberInput {
        MemberInput(id: id, name: id, relation: relation, birthDate: try! LocalDate(birth), status: status,
                    disability: disability.map { DisabilityInput(category: $0.0, grade: $0.1) }, seriousIllness: ill,
                    employment: employment, schooling: schooling, selfCareUnableActivities: selfCare, legalSupporter: supporter, parents: parents)
    }

    static func income(_ member: String?, _ kind: IncomeKind, yuan: Int64, basis: AmountBasis = .perMonth) -> IncomeInput {
        IncomeInput(member: member, kind: kind, amountCents: yuan * 100, basis: basis,
                    source: SourceInput(department: .humanResources, receivedAt: try! LocalDate("2025-02-01"), reference: "test"))
    }

    static func assess(_ members: [MemberInput], incomes: [IncomeInput] = [], assets: [AssetInput] = [], expenditures: [ExpenditureInput] = [],
                       enrolments: [CurrentEnrolment] = [], emergency: EmergencyInput? = nil, region: RegionCode = nankai,
                       date: LocalDate = date) throws -> Assessment {
        try calc.assess(AssessmentRequest(date: date, region: region, members: members, incomes: incomes, assets: assets,
                                          expenditures: expenditures, enrolments: enrolments, emergency: emergency))
    }
}

/// Scenario table: each names the article it checks. Demo standard in Tianjin from 2024-07: ¥1,170.00/month.
@Suite struct PolicyScenarioTests {
    @Test("DB 23: the benefit is the gap between standard × members and household income")
    func dibaoGap() throws {
        // setup: a couple and a child; one wage of ¥2,000, less ¥300 costs of working [DB 13]
        let a = try H.assess([H.member("dad", "1985-04-01", employment: .employed), H.member("mum", "1987-02-01", .spouse),
                              H.member("kid", "2015-06-01", .child, schooling: .primary)],
                             incomes: [H.income("dad", .wage, yuan: 2_000)])
        // check
        let d = try #require(a.decision(.dibao))
        #expect(d.outcome == .qualifies)
        #expect(d.amountCents == Int64(117_000 * 3 - 170_000)) // ¥1,810.00
        #expect(a.tier == .basic)
        #expect(a.figures.monthlyIncomeCents == 170_000)
        #expect(d.steps.contains { $0.article == "DB 23" && $0.parameters.contains { $0.name == "dibaoStandard" && $0.scope == "120000000000" } })
        #expect(d.steps.contains { $0.article == "DB 13" && $0.inputs.contains { $0.source == "人社 2025-02-01" } })
        #expect(a.decision(.education, member: "kid")?.outcome == .qualifies)
        #expect(a.decision(.medical)?.outcome == .qualifies)
    }

    @Test("DB 13: excluded incomes are not counted; of a residents' pension only the basic pension is left out")
    func excludedIncomes() throws {
        let a = try H.assess([H.member("a", "1950-01-01", employment: .retired), H.member("b", "2005-01-01", .grandchild, schooling: .tertiary)],
                             incomes: [H.income("a", .residentPension, yuan: 300), H.income("b", .scholarship, yuan: 5_000, basis: .perYear),
                                       H.income("a", .otherIncome, yuan: 600)])
        // 2025: the national basic pension is ¥143 a month; the other ¥157 of the residents' pension is income.
        #expect(a.figures.monthlyIncomeCents == 60_000 + 30_000 - 14_300)
        #expect(a.decision(.dibao)?.amountCents == Int64(117_000 * 2 - 75_700))
    }

    @Test("DB 13: annual figures count as one twelfth a month, rounded half up to the cent")
    func annualConversion() throws {
        let a = try H.assess([H.member("a", "1960-01-01", employment: .flexible)],
                             incomes: [IncomeInput(member: "a", kind: .otherIncome, amountCents: 1_000_001, basis: .perYear)])
        #expect(a.figures.monthlyIncomeCents == 83_333) // 10,000.01 ÷ 12 = 833.33417 → ¥833.33
        #expect(MonthlyConversion.monthly(Cents(1_000_006), basis: .perYear) == Cents(83_334)) // 833.3383 → ¥833.34
    }

    @Test("DB 14: financial assets above standard × members × months disqualify")
    func assetLimit() throws {
        let members = [H.member("a", "1970-01-01", employment: .unemployed)]
        let limit: Int64 = 117_000 * 1 * 24
        let within = try H.assess(members, assets: [AssetInput(kind: .deposit, amountCents: limit)])
        let over = try H.assess(members, assets: [AssetInput(kind: .deposit, amountCents: limit + 1)])
        #expect(within.decision(.dibao)?.outcome == .qualifies)
        #expect(over.decision(.dibao)?.outcome == .doesNotQualify)
        #expect(over.decision(.dibao)?.changes.contains("金融资产超出上限 ¥0.01") == true)
    }

    @Test("DB 14: a vehicle for a disabled member is exempt; another vehicle is not")
    func vehicleExemption() throws {
        let members = [H.member("a", "1970-01-01", disability: (.physical, 3), employment: .unemployed)]
        let exempt = try H.assess(members, assets: [AssetInput(kind: .vehicle, amountCents: 2_000_000, forDisabledMember: true)])
        let counted = try H.assess(members, assets: [AssetInput(kind: .vehicle, amountCents: 2_000_000)])
        #expect(exempt.decision(.dibao)?.outcome == .qualifies)
        #expect(counted.decision(.dibao)?.outcome == .doesNotQualify)
    }

    @Test("DB 8: a seriously disabled member of a near-dibao household is included on their own")
    func individualInclusion() throws {
        // income per member ¥1,400: above the standard (¥1,170), below 1.5 × (¥1,755)
        let a = try H.assess([H.member("dad", "1980-01-01", employment: .employed), H.member("son", "2003-01-01", .child, disability: (.intellectual, 1))],
                             incomes: [H.income("dad", .wage, yuan: 3_100)])
        #expect(a.decision(.dibao, member: nil)?.outcome == .doesNotQualify)
        #expect(a.decision(.nearDibao)?.outcome == .qualifies)
        let single = try #require(a.decisions.first { $0.program == .dibao && $0.member == "son" })
        #expect(single.outcome == .qualifies)
        #expect(single.amountCents == 117_000)
        #expect(single.steps.contains { $0.article == "DB 8" })
        #expect(a.tier == .basic)
    }

    @Test("DD: an unemployed adult with severe disability may be a one-person household")
    func singlePersonHousehold() throws {
        let a = try H.assess([H.member("mum", "1960-01-01", employment: .retired), H.member("son", "1990-01-01", .child, disability: (.physical, 2), employment: .unemployed)],
                             incomes: [H.income("mum", .pension, yuan: 4_000)])
        let single = try #require(a.decisions.first { $0.program == .dibao && $0.member == "son" })
        #expect(single.outcome == .qualifies)
        #expect(single.amountCents == 117_000)
        #expect(single.steps.contains { $0.article == "DD" })
    }

    @Test("TK 4–8, 21–22: an elderly person alone with no means and no able supporter")
    func tekun() throws {
        let a = try H.assess([H.member("granny", "1940-05-05", selfCare: 4, supporter: .nobody)],
                             incomes: [H.income("granny", .residentPension, yuan: 350)])
        let t = try #require(a.decision(.tekun, member: "granny"))
        #expect(t.outcome == .qualifies)
        #expect(t.amountCents == Int64(152_100 + 150_000)) // 1.3 × standard + full care
        #expect(t.steps.map(\.article).contains("TK 21–22"))
        // tekun and dibao are not both paid for the same person
        #expect(a.decision(.dibao, member: nil)?.outcome == .doesNotQualify)
        #expect(a.decision(.dibao, member: nil)?.amountCents == 0)
        #expect(a.tier == .basic)
    }

    @Test("TK 21–22: self-care level sets the care standard", arguments: [(0, 12_000), (1, 60_000), (3, 60_000), (4, 150_000), (6, 150_000)])
    func careTiers(unable: Int, care: Int64) throws {
        let a = try H.assess([H.member("p", "1940-01-01", selfCare: unable, supporter: .unable)])
        #expect(a.decision(.tekun)?.amountCents == Int64(152_100) + care)
    }

    @Test("TK 4: an able supporter rules tekun out; an unassessed person needs a home visit")
    func tekunSupporterAndUnassessed() throws {
        let able = try H.assess([H.member("p", "1940-01-01", selfCare: 2, supporter: .able)])
        #expect(able.decision(.tekun)?.outcome == .doesNotQualify)
        let unknown = try H.assess([H.member("p", "1940-01-01", supporter: .nobody)])
        #expect(unknown.decision(.tekun)?.outcome == .needsDecision)
    }

    @Test("Exclusive programmes: a tekun member is left out of the household's dibao")
    func tekunAndDibaoInOneHousehold() throws {
        let a = try H.assess([H.member("son", "1975-01-01", employment: .unemployed),
                              H.member("dad", "1938-01-01", .parent, selfCare: 5, supporter: .unable)])
        #expect(a.decision(.tekun, member: "dad")?.outcome == .qualifies)
        let d = try #require(a.decision(.dibao, member: nil))
        #expect(d.amountCents == 117_000) // one member left to count
        #expect(d.steps.contains { $0.rule == "不重复享受" })
    }

    @Test("DB 7; TK 4: near-dibao counts the same income as dibao when a tekun member leaves the count")
    func nearDibaoWithATekunMember() throws {
        // The son's ¥1,800 wage counts as ¥1,500; the father is tekun with ¥1,000 of his own. Near-dibao must not
        // divide the father's income by the son alone: ¥1,500 < ¥1,755, not ¥2,500.
        let a = try H.assess([H.member("son", "1975-01-01", employment: .employed),
                              H.member("dad", "1938-01-01", .parent, selfCare: 5, supporter: .unable)],
                             incomes: [H.income("son", .wage, yuan: 1_800), H.income("dad", .otherIncome, yuan: 1_000)])
        #expect(a.decision(.tekun, member: "dad")?.outcome == .qualifies)
        #expect(a.decision(.dibao, member: nil)?.outcome == .doesNotQualify)
        let near = try #require(a.decision(.nearDibao))
        #expect(near.outcome == .qualifies, Comment(rawValue: near.summary))
        #expect(near.summary.contains("¥1,500.00"))
    }

    @Test("DD: a severely disabled adult with no job — not only a registered unemployed one — may be a one-person household")
    func onePersonHouseholdForEveryJoblessSeverelyDisabledAdult() throws {
        func assess(_ employment: Employment?) throws -> Assessment {
            try H.assess([H.member("dad", "1960-01-01", employment: .employed), H.member("mum", "1962-01-01", .spouse, employment: .employed),
                          H.member("son", "1990-01-01", .child, disability: (.physical, 2), employment: employment)],
                         incomes: [H.income("dad", .wage, yuan: 6_000), H.income("mum", .wage, yuan: 5_000)])
        }
        for (employment, words) in [(Employment.unemployed, "无业（失业）"), (.notInLabourForce, "无业（非劳动力）"), (nil, "就业情况未登记")] {
            let d = try #require(try assess(employment).decision(.dibao, member: "son"), Comment(rawValue: "\(String(describing: employment))"))
            #expect(d.outcome != .doesNotQualify && d.amountCents == 117_000)
            #expect(d.steps.contains { s in s.inputs.contains { $0.value.contains(words) } }, Comment(rawValue: words))
        }
        // A job rules it out.
        #expect(try assess(.employed).decision(.dibao, member: "son") == nil || (try assess(.employed).decision(.dibao, member: "son")?.outcome == .doesNotQualify))
    }

    @Test("DB 8; DD; JC: near-dibao between the standard and 1.5 times it")
    func nearDibao() throws {
        let a = try H.assess([H.member("a", "1980-01-01", employment: .employed)], incomes: [H.income("a", .wage, yuan: 1_800)])
        #expect(a.decision(.dibao)?.outcome == .doesNotQualify)
        #expect(a.decision(.nearDibao)?.outcome == .qualifies) // ¥1,500 counted < ¥1,755
        #expect(a.tier == .targeted)
        #expect(a.decision(.medical)?.outcome == .qualifies)
    }

    @Test("GX: rigid spending over the share of income")
    func expenditureHardship() throws {
        let members = [H.member("a", "1970-01-01", employment: .employed), H.member("b", "1972-01-01", .spouse, employment: .employed)]
        let incomes = [H.income("a", .wage, yuan: 3_000), H.income("b", .wage, yuan: 1_800)]
        // counted ¥4,200/month = ¥50,400/year; 60% = ¥30,240
        let heavy = try H.assess(members, incomes: incomes, expenditures: [ExpenditureInput(member: "a", kind: .medicalSelfPay, amountCents: 3_100_000)])
        let light = try H.assess(members, incomes: incomes, expenditures: [ExpenditureInput(member: "a", kind: .medicalSelfPay, amountCents: 2_000_000)])
        #expect(heavy.decision(.expenditureHardship)?.outcome == .qualifies)
        #expect(heavy.tier == .targeted)
        #expect(light.decision(.expenditureHardship)?.outcome == .doesNotQualify)
        #expect(light.decision(.expenditureHardship)?.changes.first?.contains("刚性支出再增加") == true)
        // before the rules came into force the programme did not exist, and the rest still works
        let before = try H.assess(members, incomes: incomes, expenditures: [ExpenditureInput(member: "a", kind: .medicalSelfPay, amountCents: 3_100_000)],
                                  date: LocalDate("2024-12-31"))
        #expect(before.decision(.expenditureHardship)?.outcome == .doesNotQualify)
        #expect(before.decision(.expenditureHardship)?.summary.contains("尚未实施") == true)
    }

    @Test("LS; ZX 48: emergency help, and who may approve it")
    func temporary() throws {
        let fire = EmergencyInput(kind: .fire, occurredOn: try LocalDate("2025-03-10"))
        let members = [H.member("a", "1980-01-01", employment: .employed)]
        let nankai = try H.assess(members, incomes: [H.income("a", .wage, yuan: 8_000)], emergency: fire)
        let binhai = try H.assess(members, incomes: [H.income("a", .wage, yuan: 8_000)], emergency: fire, region: H.binhai)
        let t = try #require(nankai.decision(.temporary))
        #expect(t.outcome == .qualifies && t.amountKind == .oneOff)
        #expect(t.amountCents == 351_000) // 3 × ¥1,170
        #expect(t.notes.first?.contains("县级") == true)   // over Nankai's township limit of ¥3,000
        #expect(binhai.decision(.temporary)?.notes.first?.contains("乡镇") == true) // within Binhai's ¥5,000
        // an expenditure spike in the middle band: 3 × ¥1,170 = ¥3,510, over the township limit: the county approves
        let middle = try H.assess(members, incomes: [H.income("a", .wage, yuan: 2_000)],
                                  emergency: EmergencyInput(kind: .expenditure, occurredOn: try LocalDate("2025-03-01"), spendingCents: 2_500_000))
        #expect(middle.decision(.temporary)?.outcome == .qualifies && middle.decision(.temporary)?.amountCents == 351_000)
        #expect(middle.decision(.temporary)?.notes.first?.contains("县级") == true)
        // the top band: 6 × ¥1,170 = ¥7,020, over the ¥6,000 at which a case goes to deliberation (一事一议)
        let spike = try H.assess(members, incomes: [H.income("a", .wage, yuan: 2_000)],
                                 emergency: EmergencyInput(kind: .expenditure, occurredOn: try LocalDate("2025-03-01"), spendingCents: 6_000_000))
        #expect(spike.decision(.temporary)?.outcome == .needsDecision)
        #expect(spike.decision(.temporary)?.amountCents == 702_000)
        #expect(spike.decision(.temporary)?.notes.first?.contains("一事一议") == true)
        // a spike below the lowest band does not qualify
        let small = try H.assess(members, incomes: [H.income("a", .wage, yuan: 2_000)],
                                 emergency: EmergencyInput(kind: .expenditure, occurredOn: try LocalDate("2025-03-01"), spendingCents: 499_999))
        #expect(small.decision(.temporary)?.outcome == .doesNotQualify)
    }

    /// A threshold no amount can reach is a rule that never applies: with the shipped parameters, in every region
    /// and period they set, the largest temporary-assistance amount can go to deliberation.
    @Test("LS: the deliberation threshold is reachable with the shipped parameters")
    func deliberationIsReachable() throws {
        for region in ["120000000000", "120104000000", "120116000000"] {
            for date in ["2023-07-01", "2024-07-01", "2026-12-01"] {
                let code = try RegionCode(region), day = try LocalDate(date)
                let s = try H.calc.standards(region: code, date: day)
                let largest = max(s.emergencyMultiple.of(s.dibao), s.expenditureTiers.map { $0.multiple.of(s.dibao) }.max() ?? .zero)
                #expect(largest > s.deliberationThreshold, Comment(rawValue: "\(region) \(date): \(largest.yuanText) ≤ \(s.deliberationThreshold.yuanText)"))
            }
        }
    }

    /// Bad input is refused with its field, never a crash (two incomes of 9×10¹⁸ cents used to trap) and never a
    /// silent answer (a county that does not exist used to get Tianjin's values).
    @Test("Bad input names its field: overflow, negatives, an unknown county, too many members")
    func badInputIsRefusedByField() throws {
        let a = [H.member("a", "1980-01-01")]
        func refusal(_ r: AssessmentRequest) -> String? {
            do { _ = try H.calc.assess(r); return nil } catch { return error.description }
        }
        func request(members: [MemberInput] = a, region: RegionCode = H.nankai, incomes: [IncomeInput] = [], assets: [AssetInput] = [],
                     enrolments: [CurrentEnrolment] = [], emergency: EmergencyInput? = nil) -> AssessmentRequest {
            AssessmentRequest(date: H.date, region: region, members: members, incomes: incomes, assets: assets, enrolments: enrolments, emergency: emergency)
        }
        let huge = IncomeInput(member: "a", kind: .wage, amountCents: 9_000_000_000_000_000_000, basis: .perMonth)
        #expect(refusal(request(incomes: [huge, huge]))?.contains("incomes[0].amountCents") == true)
        #expect(refusal(request(assets: [AssetInput(kind: .realEstate, amountCents: 1, count: -1)]))?.contains("assets[0].count") == true)
        #expect(refusal(request(enrolments: [CurrentEnrolment(program: .dibao, since: H.date, monthlyAmountCents: -5)]))?.contains("enrolments[0].monthlyAmountCents") == true)
        #expect(refusal(request(emergency: EmergencyInput(kind: .expenditure, occurredOn: H.date, spendingCents: -1)))?.contains("emergency.spendingCents") == true)
        #expect(refusal(request(region: try RegionCode("120199999999")))?.contains("region") == true)
        #expect(refusal(request(region: try RegionCode("120104999001"))) == nil)   // a local community of a real county
        let many = (0...PolicyCalculator.maxMembers).map { H.member("m\($0)", "1980-01-01", $0 == 0 ? .head : .other) }
        #expect(refusal(request(members: many))?.contains("members") == true)
        // and in Chinese, by the field's name
        do { _ = try H.calc.assess(request(incomes: [huge])) } catch { #expect(error.chinese.contains("第1项收入的金额有误")) }
    }

    /// DB 13; GX: rigid costs come off income only of the kinds the city names and up to its cap, and [GX] then
    /// weighs the spending against the income before that deduction, so one spending is never counted twice.
    @Test("DB 13; GX: the rigid-cost deduction is capped and not counted twice")
    func rigidCostDeductionIsCappedAndCountedOnce() throws {
        // One seriously ill adult earning ¥2,800 (¥2,500 after the ¥300 cost of working), ¥120,000 a year of medical bills.
        let members = [H.member("a", "1975-01-01", ill: true, employment: .employed)]
        let bills = [ExpenditureInput(member: "a", kind: .medicalSelfPay, amountCents: 12_000_000)]
        let a = try H.assess(members, incomes: [H.income("a", .wage, yuan: 2_800)], expenditures: bills)
        // Uncapped, ¥10,000 a month would come off and put him on dibao; capped at ¥600 he has ¥1,900, above the
        // standard and above near-dibao's ¥1,755.
        #expect(a.figures.monthlyIncomeCents == 190_000)
        #expect(a.decision(.dibao, member: nil)?.outcome == .doesNotQualify)
        #expect(a.decisions.flatMap(\.steps).contains { $0.inputs.contains { $0.name.contains("按上限") } })
        // Education fees are not a kind the demo city deducts.
        let school = try H.assess(members, incomes: [H.income("a", .wage, yuan: 2_800)],
                                  expenditures: [ExpenditureInput(member: "a", kind: .educationCost, amountCents: 1_200_000)])
        #expect(school.figures.monthlyIncomeCents == 250_000)
        // [GX] weighs the ¥120,000 against the income before the deduction (¥2,500 × 12 × 0.6 = ¥18,000), once.
        let gx = try #require(a.decision(.expenditureHardship))
        #expect(gx.outcome == .qualifies)
        #expect(gx.steps.contains { $0.result.contains("家庭年收入的 0.6 为 ¥18,000.00") }, Comment(rawValue: gx.steps.map(\.result).joined(separator: " | ")))
    }

    /// A city may set no cap: the whole of the named costs comes off.
    @Test("DB 13: a city without a cap deducts the whole of the named costs")
    func noCapDeductsTheWhole() throws {
        let city = String(decoding: try BundledData.data("policy/tianjin-demo", "json"), as: UTF8.self)
            .replacingOccurrences(of: #""rigidDeductionMonthlyCap": { "yuan": "600.00" },"#, with: "")
        #expect(!city.contains("rigidDeductionMonthlyCap"))
        let calc = PolicyCalculator(parameters: try ParameterSet(files: [try BundledData.data("policy/national", "json"), Data(city.utf8)]))
        let a = try calc.assess(AssessmentRequest(date: H.date, region: H.nankai, members: [H.member("a", "1975-01-01", ill: true, employment: .employed)],
                                                  incomes: [H.income("a", .wage, yuan: 2_300)],
                                                  expenditures: [ExpenditureInput(member: "a", kind: .medicalSelfPay, amountCents: 1_200_000)]))
        #expect(a.figures.monthlyIncomeCents == 100_000)   // ¥2,000 − ¥1,000 a month of bills
        #expect(a.decision(.dibao, member: nil)?.outcome == .qualifies)
    }

    @Test("Orphans get the orphan allowance, not tekun as well")
    func orphan() throws {
        let a = try H.assess([H.member("gran", "1950-01-01", employment: .retired), H.member("kid", "2014-01-01", .grandchild, schooling: .primary, parents: .bothDeceasedOrMissing)],
                             incomes: [H.income("gran", .pension, yuan: 3_500)])
        #expect(a.decision(.orphan, member: "kid")?.amountCents == 200_000)
        #expect(a.decision(.tekun, member: "kid") == nil)
        #expect(a.tier == .basic)
    }

    @Test("TK 9: an orphan who also meets tekun gets both answers, one to choose, the higher one decided")
    func orphanOrTekunIsAChoice() throws {
        let a = try H.assess([H.member("gran", "1950-01-01", employment: .retired),
                              H.member("kid", "2014-01-01", .grandchild, schooling: .primary, selfCare: 0, supporter: .nobody, parents: .bothDeceasedOrMissing)],
                             incomes: [H.income("gran", .pension, yuan: 3_500)])
        let orphan = try #require(a.decision(.orphan, member: "kid"))
        let tekun = try #require(a.decision(.tekun, member: "kid"))
        let (higher, lower) = orphan.amountCents >= tekun.amountCents ? (orphan, tekun) : (tekun, orphan)
        #expect(higher.outcome == .qualifies && lower.outcome == .needsDecision)
        #expect(higher.notes.contains { $0.contains("二者只能选一项") } && lower.notes.contains { $0.contains("二选一") && $0.contains("TK 9") })
        // the household's monthly total counts one of them
        #expect(a.monthlyTotal.value == a.decisions.filter { $0.outcome == .qualifies && $0.amountKind == .perMonth }.reduce(0) { $0 + $1.amountCents })
        #expect(!a.decisions.contains { $0.outcome == .qualifies && $0.program == lower.program && $0.member == "kid" })
    }

    @Test("TK 24–26: a tekun minor stays covered to 18, and beyond while in school")
    func tekunMinorsStayCovered() throws {
        func assess(_ birth: String, _ schooling: Schooling, enrolled: Bool) throws -> Decision? {
            let kid = H.member("kid", birth, .head, schooling: schooling, selfCare: 0, supporter: .nobody)
            let enrolment = CurrentEnrolment(program: .tekun, member: "kid", since: try LocalDate("2018-01-01"), monthlyAmountCents: 152_100)
            return try H.assess([kid], enrolments: enrolled ? [enrolment] : []).decision(.tekun, member: "kid")
        }
        // 17, enrolled: continues; 17, not enrolled: an able 17-year-old is not newly tekun
        #expect(try assess("2008-01-01", .seniorSecondary, enrolled: true)?.outcome == .qualifies)
        #expect(try assess("2008-01-01", .seniorSecondary, enrolled: false)?.outcome != .qualifies)
        // 19 and at university: continues; 19 and out of school: ends
        let student = try assess("2006-01-01", .tertiary, enrolled: true)
        #expect(student?.outcome == .qualifies && student?.steps.contains { $0.article == "TK 24–26" } == true)
        #expect(try assess("2006-01-01", .notApplicable, enrolled: true)?.outcome != .qualifies)
    }

    @Test("ZX 42–44; ZX 20–26: employment assistance for the unemployed of an assisted household, disaster relief for the struck")
    func employmentAndDisasterAreDecided() throws {
        let poor = try H.assess([H.member("a", "1980-01-01", employment: .unemployed)])
        #expect(poor.decision(.employment, member: "a")?.outcome == .qualifies)
        let wellOff = try H.assess([H.member("a", "1980-01-01", employment: .unemployed), H.member("b", "1982-01-01", .spouse, employment: .employed)],
                                   incomes: [H.income("b", .wage, yuan: 12_000)])
        #expect(wellOff.decision(.employment, member: "a") == nil)
        let flood = try H.assess([H.member("a", "1980-01-01", employment: .employed)], incomes: [H.income("a", .wage, yuan: 9_000)],
                                 emergency: EmergencyInput(kind: .disaster, occurredOn: try LocalDate("2025-03-01")))
        #expect(flood.decision(.disaster)?.outcome == .qualifies && flood.decision(.disaster)?.steps.first?.article == "ZX 20–26; JC")
        #expect(try H.assess([H.member("a", "1980-01-01")]).decision(.disaster) == nil)
    }

    @Test("Disability subsidies: care for grades 1–2 always; living allowance in dibao households")
    func disabilitySubsidies() throws {
        let poor = try H.assess([H.member("a", "1970-01-01", disability: (.visual, 2), employment: .unemployed)])
        #expect(poor.decision(.disabilityCare)?.outcome == .qualifies)
        #expect(poor.decision(.disabilityLiving)?.outcome == .qualifies)
        let better = try H.assess([H.member("a", "1970-01-01", disability: (.visual, 2), employment: .employed)], incomes: [H.income("a", .wage, yuan: 9_000)])
        #expect(better.decision(.disabilityCare)?.outcome == .qualifies)
        #expect(better.decision(.disabilityLiving) == nil)
    }
}

@Suite struct PolicyBoundaryTests {
    @Test func incomeExactlyAtTheStandardDoesNotQualify() throws {
        // ¥1,470 wage − ¥300 costs = ¥1,170 = the standard
        let at = try H.assess([H.member("a", "1980-01-01", employment: .employed)], incomes: [H.income("a", .wage, yuan: 1_470)])
        let d = try #require(at.decision(.dibao))
        #expect(d.outcome == .doesNotQualify)
        #expect(d.changes.first?.contains("恰好等于") == true)
        // one cent less qualifies for one cent
        let below = try H.assess([H.member("a", "1980-01-01", employment: .employed)],
                                 incomes: [IncomeInput(member: "a", kind: .wage, amountCents: 146_999, basis: .perMonth)])
        #expect(below.decision(.dibao)?.amountCents == 1)
        // and the gap is stated when above
        let above = try H.assess([H.member("a", "1980-01-01", employment: .employed)], incomes: [H.income("a", .wage, yuan: 1_590)])
        #expect(above.decision(.dibao)?.changes.first == "家庭人均收入比低保标准高出 ¥120.00")
    }

    @Test func theDayAMemberTurns60() throws {
        let p = H.member("p", "1965-03-15", supporter: .nobody)
        let eve = try H.assess([p], date: LocalDate("2025-03-14"))
        let day = try H.assess([p], date: LocalDate("2025-03-15"))
        #expect(eve.decision(.tekun)?.outcome == .doesNotQualify)
        #expect(eve.decision(.tekun)?.changes == ["p于 2025-03-15 年满60周岁，届时可能符合特困条件"])
        #expect(day.decision(.tekun)?.outcome == .needsDecision) // qualifies; care level awaits the home visit
    }

    @Test func theDayAChildTurns16() throws {
        let child = H.member("c", "2009-03-15", supporter: .unable)
        #expect(try H.assess([child], date: LocalDate("2025-03-14")).decision(.tekun)?.outcome == .needsDecision)
        #expect(try H.assess([child], date: LocalDate("2025-03-15")).decision(.tekun)?.outcome != .needsDecision)
    }

    /// Tekun's "no capacity to work" by disability [TK 5] and the care allowance's severe grades, grade 2 against 3.
    @Test(arguments: DisabilityCategory.allCases)
    func disabilityGrade2Versus3(_ category: DisabilityCategory) throws {
        func tekun(_ grade: Int) throws -> Outcome? {
            try H.assess([H.member("p", "1980-01-01", disability: (category, grade), selfCare: 0, supporter: .nobody)]).decision(.tekun)?.outcome
        }
        let expected2: Outcome = [.intellectual, .mental, .physical].contains(category) ? .qualifies : .doesNotQualify
        let expected3: Outcome = [.intellectual, .mental].contains(category) ? .qualifies : .doesNotQualify
        #expect(try tekun(2) == expected2)
        #expect(try tekun(3) == expected3)
        let care2 = try H.assess([H.member("p", "1980-01-01", disability: (category, 2), employment: .employed)]).decision(.disabilityCare)
        let care3 = try H.assess([H.member("p", "1980-01-01", disability: (category, 3), employment: .employed)]).decision(.disabilityCare)
        #expect(care2?.outcome == .qualifies)
        #expect(care3?.outcome == .doesNotQualify)
    }

    @Test func month6Versus7OfGradualExit() throws {
        let members = [H.member("a", "1980-01-01", employment: .employed)]
        let incomes = [H.income("a", .wage, yuan: 3_000)]
        let enrolment = CurrentEnrolment(program: .dibao, since: try LocalDate("2023-01-01"), monthlyAmountCents: 50_000,
                                          incomeAboveStandardSince: try LocalDate("2024-10-08"))
        // October is month 1, so March is month 6 and April month 7
        let march = try H.assess(members, incomes: incomes, enrolments: [enrolment], date: LocalDate("2025-03-31"))
        let april = try H.assess(members, incomes: incomes, enrolments: [enrolment], date: LocalDate("2025-04-01"))
        let m6 = try #require(march.decisions.first { $0.program == .dibao && $0.notes.contains("渐退") })
        let m7 = try #require(april.decisions.first { $0.program == .dibao && $0.notes.contains("渐退") })
        #expect(m6.outcome == .qualifies && m6.amountCents == 50_000)
        #expect(m6.changes.first == "渐退期至 2025-03-31 结束")
        #expect(m7.outcome == .doesNotQualify && m7.amountCents == 0)
    }

    /// DB 33: a household in gradual exit gets one dibao decision, not "does not qualify" and "qualifies" side by
    /// side; its steps show why the income is above the standard and which month of the exit this is. Assessed for
    /// a day before the income rose, nothing says the exit is over.
    @Test func gradualExitIsOneDecision() throws {
        let members = [H.member("a", "1980-01-01", employment: .employed)]
        let incomes = [H.income("a", .wage, yuan: 3_000)]
        let enrolment = CurrentEnrolment(program: .dibao, since: try LocalDate("2023-01-01"), monthlyAmountCents: 50_000,
                                          incomeAboveStandardSince: try LocalDate("2024-12-08"))
        let during = try H.assess(members, incomes: incomes, enrolments: [enrolment], date: LocalDate("2025-02-10"))
        let dibao = during.decisions.filter { $0.program == .dibao && $0.member == nil }
        #expect(dibao.count == 1)
        #expect(dibao.first?.outcome == .qualifies && dibao.first?.amountCents == 50_000)
        #expect(dibao.first?.steps.contains { $0.rule == "收入低于低保标准" } == true)
        #expect(dibao.first?.steps.contains { $0.rule == "渐退期" && $0.result.contains("第3个月") && $0.result.contains("2025-05-31") } == true)
        let before = try H.assess(members, incomes: incomes, enrolments: [enrolment], date: LocalDate("2024-11-20"))
        let early = before.decisions.filter { $0.program == .dibao && $0.member == nil }
        #expect(early.count == 1 && !(early.first?.summary.contains("已满") ?? true) && !(early.first?.steps.contains { $0.rule == "渐退期" } ?? true))
    }

    @Test func aDeceasedMemberIsNotCounted() throws {
        let alive = [H.member("a", "1950-01-01", employment: .retired), H.member("b", "1952-01-01", .spouse)]
        let withDead = [H.member("a", "1950-01-01", employment: .retired), H.member("b", "1952-01-01", .spouse, status: .deceased)]
        let incomes = [H.income("a", .pension, yuan: 1_500), H.income("b", .pension, yuan: 500)]
        let two = try H.assess(alive, incomes: incomes)
        let one = try H.assess(withDead, incomes: incomes)
        #expect(two.figures.countedMembers == 2)
        #expect(two.decision(.dibao)?.amountCents == Int64(117_000 * 2 - 200_000))
        // the dead member's income goes with them; the survivor alone is above the standard
        #expect(one.figures.countedMembers == 1)
        #expect(one.decision(.dibao)?.outcome == .doesNotQualify)
        #expect(one.decision(.dibao)?.steps.first?.result.contains("已死亡") == true)
    }

    @Test func aMemberInPrisonIsNotCounted() throws {
        let a = try H.assess([H.member("mum", "1985-01-01", employment: .flexible), H.member("dad", "1983-01-01", .spouse, status: .prison),
                              H.member("kid", "2016-01-01", .child, schooling: .primary)],
                             incomes: [H.income("mum", .otherIncome, yuan: 1_500)])
        #expect(a.figures.countedMembers == 2)
        #expect(a.decision(.dibao)?.amountCents == Int64(117_000 * 2 - 150_000))
    }

    @Test func badInputIsRefusedWithTheField() {
        #expect(throws: PolicyError.invalidInput(field: "members", reason: "至少需要一名家庭成员")) { try H.assess([]) }
        #expect(throws: PolicyError.self) { try H.assess([H.member("a", "1980-01-01"), H.member("a", "1981-01-01")]) }
        #expect(throws: PolicyError.self) { try H.assess([H.member("a", "1980-01-01")], incomes: [H.income("zz", .wage, yuan: 1)]) }
        #expect(throws: PolicyError.self) { try H.assess([H.member("a", "1980-01-01")], incomes: [IncomeInput(member: "a", kind: .wage, amountCents: -1, basis: .perMonth)]) }
        #expect(throws: PolicyError.self) { try H.assess([H.member("a", "2030-01-01")]) }
    }

    @Test func explanationsCanBeLeftOutAndDecisionsStayTheSame() throws {
        let req = AssessmentRequest(date: H.date, region: H.nankai, members: [H.member("a", "1940-01-01", selfCare: 2, supporter: .nobody)])
        let full = try H.calc.assess(req, explain: true)
        let bare = try H.calc.assess(req, explain: false)
        #expect(full.decisions.map(\.amountCents) == bare.decisions.map(\.amountCents))
        #expect(full.decisions.map(\.outcome) == bare.decisions.map(\.outcome))
        #expect(bare.decisions.allSatisfy { $0.steps.isEmpty })
        #expect(full.decisions.allSatisfy { !$0.steps.isEmpty })
    }
}

@Suite struct CliffTests {
    /// Disposable income counts the household's pensions; the chart reaches past what it earns now, which it marks.
    @Test func disposableIncomeCountsPensionsAndTheHouseholdsPlaceIsOnTheChart() throws {
        let request = AssessmentRequest(date: H.date, region: H.nankai, members: [H.member("a", "1950-01-01"), H.member("b", "1985-01-01")],
                                        incomes: [IncomeInput(member: "a", kind: .pension, amountCents: 80_000, basis: .perMonth),
                                                  IncomeInput(member: "b", kind: .wage, amountCents: 3_000_000, basis: .perYear)])
        let points = try CliffAnalysis.series(H.calc, request, steps: 20)
        #expect(CliffAnalysis.currentEarnings(request) == Cents(250_000))
        #expect(points.allSatisfy { $0.otherIncome == Cents(80_000) && $0.disposable == $0.earned + Cents(80_000) + $0.benefits })
        #expect(points.last!.earned >= CliffAnalysis.currentEarnings(request))
    }

    @Test func gradualExitSoftensTheCliff() throws {
        // setup: one disabled adult, so crossing the standard also loses the living allowance
        let request = AssessmentRequest(date: H.date, region: H.nankai,
                                        members: [H.member("a", "1975-01-01", disability: (.physical, 3), employment: .employed)])
        // act
        let points = try CliffAnalysis.series(H.calc, request, steps: 40)
        // check
        #expect(points.count == 41)
        #expect(points.first?.earned == .zero)
        #expect(points.last?.earned == Cents(117_000 * 2))
        #expect(points.first?.benefits == Cents(117_000 + 10_000)) // the standard and the living allowance
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.benefits >= $1.benefits })
        #expect(points.allSatisfy { $0.benefitsWithExit >= $0.benefits })
        // the cliff: somewhere disposable income falls as earnings rise, and gradual exit fills that gap
        let cliff = zip(points, points.dropFirst()).first { $1.disposable < $0.disposable }
        #expect(cliff != nil)
        if let (before, after) = cliff {
            #expect(after.disposableWithExit >= before.disposable)
        }
    }
}
