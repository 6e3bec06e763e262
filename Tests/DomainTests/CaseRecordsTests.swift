import Foundation
import Testing
@testable import Domain

/// The structured steps [DB 9–17; TK 21–22]: materials listed once and never what the registry holds, every adult's
/// commitment, the verification report item by item, and the two-person home-visit form.
@Suite struct CaseRecordsTests {
    typealias W = CaseWorkflowTests
    static func day(_ s: String) -> LocalDate { try! LocalDate(s) }

    /// A couple in their forties with a 16-year-old and a grandmother, as the registry gives them.
    static let household: AssessmentRequest = {
        let source = SourceInput(department: .humanResources, receivedAt: day("2025-02-10"), reference: "RS-1")
        return AssessmentRequest(date: day("2025-03-01"), region: W.residence, members: [
            MemberInput(id: "h", name: "王建国", relation: .head, birthDate: day("1980-05-01")),
            MemberInput(id: "s", name: "李秀英", relation: .spouse, birthDate: day("1982-06-01")),
            MemberInput(id: "c", name: "王小明", relation: .child, birthDate: day("2008-09-01")),
            MemberInput(id: "g", name: "赵桂兰", relation: .parent, birthDate: day("1950-01-01")),
            MemberInput(id: "x", name: "王老汉", relation: .parent, birthDate: day("1948-01-01"), status: .deceased),
        ], incomes: [
            IncomeInput(member: "h", kind: .wage, amountCents: 180_000, basis: .perMonth, source: source),
            IncomeInput(member: "g", kind: .residentPension, amountCents: 20_000, basis: .perMonth, source: source),
        ], assets: [
            AssetInput(member: "s", kind: .deposit, amountCents: 1_200_000, source: SourceInput(department: .bank, receivedAt: day("2025-02-20"))),
        ], expenditures: [
            ExpenditureInput(member: "g", kind: .medicalSelfPay, amountCents: 3_000_000, source: SourceInput(department: .medicalInsurance, receivedAt: day("2025-01-31"))),
        ])
    }()

    static func accepted(_ process: CaseProcess = W.dibao) throws -> CaseState {
        try W.run([(.accept, W.window, "2025-03-03")], process: process)
    }

    static func apply(_ a: CaseAction, _ s: CaseState, by: Actor = W.window, on: String = "2025-03-03", process: CaseProcess = W.dibao,
                      signingAge: Int = 18) throws(CaseError) -> (state: CaseState, note: String) {
        try CaseWorkflow.apply(a, to: s, expectedVersion: s.version, by: by, on: day(on), process: process,
                               context: CaseContext(requiredSigners: CommitmentRecord.signers(household, fromAge: signingAge, on: day(on))))
    }

    // MARK: materials

    @Test func missingMaterialsAreListedOnceAndNeverWhatTheRegistryHolds() throws {
        let s = CaseState(kind: .dibao, residenceRegion: W.residence, registrationRegion: W.registration, appliedOn: Self.day("2025-03-03"))
        let askable = try #require(W.dibao.askable().first)
        // held by the registry (the hukou) or replaced by the commitment (an income certificate): refused, by name
        #expect(throws: CaseError.materialNotAskable(item: "居民身份证、户口簿", why: "登记库已有公安户籍数据")) {
            try Self.apply(.requestMaterials(MaterialsNotice(items: [askable, "居民身份证、户口簿"])), s)
        }
        #expect(throws: CaseError.materialNotAskable(item: "收入证明", why: "已由告知承诺替代")) {
            try Self.apply(.requestMaterials(MaterialsNotice(items: ["收入证明"])), s)
        }
        #expect(throws: CaseError.reasonRequired("需要补齐的材料")) { try Self.apply(.requestMaterials(MaterialsNotice(items: [" "])), s) }
        let asked = try Self.apply(.requestMaterials(MaterialsNotice(items: [askable, "村委会出具的居住证明", askable])), s)
        #expect(asked.state.materialsRequestedOn == Self.day("2025-03-03") && asked.state.step == .acceptance)
        #expect(asked.note == "一次性告知补齐：\(askable)、村委会出具的居住证明")
        // once: a second list would send the applicant back again
        #expect(throws: CaseError.materialsAlreadyRequested(on: Self.day("2025-03-03"))) {
            try Self.apply(.requestMaterials(MaterialsNotice(items: ["其他"])), asked.state, on: "2025-03-05")
        }
        // when the materials come in, the case is accepted as usual
        #expect(try Self.apply(.accept, asked.state, on: "2025-03-05").state.step == .commitment)
        // nothing the registry holds is offered
        #expect(!W.dibao.askable().contains { W.dibao.whyNotAsked($0) != nil } && !W.dibao.askable().contains("残疾人证"))
    }

    // MARK: commitment

    @Test func everyAdultSignsTheCommitment() throws {
        let s = try Self.accepted()
        // the 16-year-old and the deceased grandfather do not sign; every living adult does
        #expect(CommitmentRecord.signers(Self.household, fromAge: 18, on: Self.day("2025-03-03")) == ["王建国", "李秀英", "赵桂兰"])
        let two = CommitmentRecord(signatures: [CommitmentSignature(name: "王建国", form: .paper), CommitmentSignature(name: "李秀英", form: .paper)])
        #expect(throws: CaseError.commitmentUnsigned(["赵桂兰"])) { try Self.apply(.recordCommitment(two), s, by: W.coordinator) }
        var three = two
        three.signatures.append(CommitmentSignature(name: "赵桂兰", form: .scanned, scan: " "))
        #expect(throws: CaseError.scanReferenceMissing("赵桂兰")) { try Self.apply(.recordCommitment(three), s, by: W.coordinator) }
        three.signatures[2].scan = "SC-2025-0031"
        let signed = try Self.apply(.recordCommitment(three), s, by: W.coordinator)
        #expect(signed.state.step == .verification)
        #expect(signed.note.contains("赵桂兰（签字件已扫描存档，SC-2025-0031）"))
        // the signing age is a parameter: were it 16 the teenager would sign too
        #expect(throws: CaseError.commitmentUnsigned(["王小明"])) {
            try Self.apply(.recordCommitment(three), s, by: W.coordinator, signingAge: 16)
        }
    }

    @Test func theCaseContextComesFromTheParametersByRegionAndDate() throws {
        let parameters = try ParameterSet.bundled()
        let s = CaseState(kind: .dibao, residenceRegion: W.residence, registrationRegion: W.registration, appliedOn: Self.day("2025-03-03"))
        let context = try CaseContext.resolve(W.dibao, s, household: Self.household, parameters: parameters, calendar: W.calendar, on: Self.day("2025-03-03"))
        // adults by the Civil Code's age (adultAge), the deceased left out
        #expect(context.requiredSigners == ["王建国", "李秀英", "赵桂兰"])
        // Tianjin pays from the decision date since 2023-11-01 [YC]; before that, and by the national rule, the month after
        #expect(context.benefitFromDecisionDate)
        #expect(!(try CaseContext.resolve(W.dibao, s, household: nil, parameters: parameters, calendar: W.calendar, on: Self.day("2023-10-31")).benefitFromDecisionDate))
        #expect(try CaseContext.resolve(W.dibao, s, household: nil, parameters: parameters, calendar: W.calendar, on: Self.day("2025-03-03")).requiredSigners == nil)
        // the delegated limit where the process delegates: Binhai's own 5,000 yuan, elsewhere the city's 3,000
        let emergency = try #require(W.processes[.temporaryEmergency])
        #expect(try CaseContext.resolve(emergency, s, household: nil, parameters: parameters, calendar: W.calendar, on: Self.day("2025-03-03")).delegationLimit == Cents(300_000))
        var binhai = s
        binhai.residenceRegion = W.registration
        #expect(try CaseContext.resolve(emergency, binhai, household: nil, parameters: parameters, calendar: W.calendar, on: Self.day("2025-03-03")).delegationLimit == Cents(500_000))
        #expect(try CaseContext.resolve(W.dibao, s, household: nil, parameters: parameters, calendar: W.calendar, on: Self.day("2025-03-03")).delegationLimit == nil)
        // an approval under that context starts on the decision day; under the national rule, the first of the next month
        let noticed = try W.run(W.throughVisit + [(.firstReview(recommend: true, opinion: "符合"), W.hukouTown, "2025-03-06"),
                                                  (.postNotice, W.hukouTown, "2025-03-07"), (.closeNotice, W.hukouTown, "2025-03-14")])
        let tianjin = try CaseWorkflow.apply(.approve(amountCents: 50_000), to: noticed, expectedVersion: noticed.version, by: W.county,
                                             on: Self.day("2025-03-17"), process: W.dibao, context: context)
        #expect(tianjin.state.decision?.startsOn == Self.day("2025-03-17"))
    }

    // MARK: verification

    @Test func theReportPutsEachDeclaredItemBesideTheDepartmentsFigure() throws {
        let items = EconomicCheckReport.departmentItems(Self.household)
        #expect(items.map(\.item) == ["工资性收入", "城乡居民养老保险养老金", "存款", "医疗自付费用"])
        #expect(items.map(\.member) == ["王建国", "赵桂兰", "李秀英", "赵桂兰"])
        #expect(items[0].source?.department == .humanResources && items[2].source?.receivedAt == Self.day("2025-02-20"))
        // wage declared lower, pension not declared, deposit declared higher, spending as the records say
        let report = EconomicCheckReport.report(Self.household, declared: [0: 150_000, 2: 1_300_000])
        #expect(report.items.map(\.finding) == [.underDeclared, .notDeclared, .consistent, .forRecord])
        #expect(!report.consistent)
        let s = try W.run([(.accept, W.window, "2025-03-03"), (.signed(["王建国", "李秀英", "赵桂兰"]), W.coordinator, "2025-03-03")])
        // an inconsistent report needs the officer's explanation
        #expect(throws: CaseError.reasonRequired("不一致之处的说明")) { try Self.apply(.recordVerification(report), s) }
        var explained = report
        explained.note = "工资含加班费，按申请人提供的工资条核实"
        let done = try Self.apply(.recordVerification(explained), s)
        #expect(done.state.step == .homeVisit && done.note.contains("2 项不一致") && done.note.contains("王建国 工资性收入申报低于部门数据"))
        let honest = EconomicCheckReport.report(Self.household, declared: [0: 180_000, 1: 20_000, 2: 1_200_000])
        #expect(honest.consistent)
        #expect(try Self.apply(.recordVerification(honest), s).note == "核对报告：申报与部门数据一致（4 项）")
    }

    // MARK: home visit

    static func form(_ investigators: [String] = ["coord", "coord2"], unable: [DailyActivity]? = nil) -> HomeVisitForm {
        HomeVisitForm(investigators: investigators, present: ["王建国", "赵桂兰"], housing: .dangerous, living: "两间平房，墙体开裂", assetsSeen: "无",
                      unableActivities: unable, householdSigner: "王建国", investigatorsSigned: true)
    }

    @Test func theVisitFormIsCompleteSignedAndForTekunAssessesSelfCare() throws {
        let checked = try W.run(Array(W.throughVisit.prefix(3)))
        var f = Self.form()
        f.present = [" "]
        #expect(throws: CaseError.visitIncomplete("在场的家庭成员")) { try Self.apply(.recordVisit(f), checked, by: W.coordinator) }
        f = Self.form()
        f.investigatorsSigned = false
        #expect(throws: CaseError.visitIncomplete("调查人员签字")) { try Self.apply(.recordVisit(f), checked, by: W.coordinator) }
        f = Self.form()
        f.householdSigner = ""
        #expect(throws: CaseError.visitIncomplete("被调查家庭签字")) { try Self.apply(.recordVisit(f), checked, by: W.coordinator) }
        f = Self.form()
        f.assetsSeen = ""
        #expect(throws: CaseError.visitIncomplete("所见财产（没有的写「无」）")) { try Self.apply(.recordVisit(f), checked, by: W.coordinator) }
        let done = try Self.apply(.recordVisit(Self.form()), checked, by: W.coordinator)
        #expect(done.state.step == .firstReview && done.state.investigators == ["coord", "coord2"] && done.note.contains("住房经鉴定为危房"))

        // tekun: the six activities are assessed in the home
        let tekun = try #require(W.processes[.tekun])
        let hukouCoordinator = W.actor("hc", .coordinator, "120116001001")
        let tk = try W.run([(.accept, W.hukouTown, "2025-03-03"), (.signed(["赵桂兰"]), W.hukouTown, "2025-03-03"), (.checked, W.hukouTown, "2025-03-04")],
                           process: tekun)
        #expect(throws: CaseError.visitIncomplete("六项日常活动评估")) {
            try Self.apply(.recordVisit(Self.form(["hc", "hukou"])), tk, by: hukouCoordinator, process: tekun)
        }
        let assessed = try Self.apply(.recordVisit(Self.form(["hc", "hukou"], unable: [.bathing, .dressing, .transferring, .toileting])), tk,
                                      by: hukouCoordinator, process: tekun)
        #expect(assessed.state.step == .firstReview && assessed.note.contains("六项日常活动中 4 项不能完成"))
    }

    @Test func theFirstReviewAssessesWhatTheVisitFound() {
        let visited = Self.form(unable: [.eating, .bathing]).applied(to: Self.household, applicant: "g")
        #expect(visited.housing == .dangerous)
        #expect(visited.members.first { $0.id == "g" }?.selfCareUnableActivities == 2)
        #expect(visited.members.first { $0.id == "h" }?.selfCareUnableActivities == nil)
        // a visit with no self-care assessment leaves the members as they were
        #expect(Self.form().applied(to: Self.household, applicant: "g").members == Self.household.members)
    }

    @Test func recordsReadBackFromTheirStoredForm() throws {
        let records: [CaseRecord] = [.materials(MaterialsNotice(items: ["病历"])), .commitment(CommitmentRecord(signatures: [CommitmentSignature(name: "甲", form: .paper)])),
                                     .verification(EconomicCheckReport.report(Self.household, declared: [0: 1])), .visit(Self.form(unable: []))]
        for r in records {
            let json = try JSONEncoder().encode(r)
            #expect(try JSONDecoder().decode(CaseRecord.self, from: json) == r)
            #expect(!String(decoding: json, as: UTF8.self).contains("_0"))
        }
    }
}
