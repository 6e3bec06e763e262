import Foundation
import Testing
@testable import Domain

/// The determination process as a pure state machine [DB 9–25; TK 10–18; YC]: every step in order, by the office
/// and role the process data names, deadlines on the working calendar.
@Suite struct CaseWorkflowTests {
    static let processes = try! CaseProcesses.bundled()
    static let calendar = try! WorkingCalendar.bundled()
    static let dibao = processes[.dibao]!
    // Lives in 南开区 (residence), registered in 滨海新区 (registration): one case, two townships [YC].
    static let residence = try! RegionCode("120104001001")
    static let registration = try! RegionCode("120116001001")

    static func actor(_ name: String, _ role: Role, _ region: String) -> Actor {
        Actor(userID: nil, username: name, role: role, jurisdiction: try! RegionCode(region), origin: "test")
    }
    static let window = actor("window", .townshipOfficer, "120104001000")      // residence township
    static let coordinator = actor("coord", .coordinator, "120104001001")     // residence community
    static let colleague = actor("coord2", .coordinator, "120104001001")
    static let hukouTown = actor("hukou", .townshipOfficer, "120116001000")   // registration township
    static let county = actor("county", .countyReviewer, "120116000000")      // registration county
    static let wrongCounty = actor("county-nk", .countyReviewer, "120104000000")

    static func day(_ s: String) -> LocalDate { try! LocalDate(s) }

    /// Applies actions in order, each on the version it read, and returns the final state.
    static func run(_ steps: [(CaseAction, Actor, String)], from start: CaseState? = nil, process: CaseProcess = dibao,
                    delegationLimit: Cents? = nil) throws -> CaseState {
        var s = start ?? CaseState(kind: process.kind, residenceRegion: residence, registrationRegion: registration, appliedOn: day("2025-03-03"))
        for (action, who, on) in steps {
            s = try CaseWorkflow.apply(action, to: s, expectedVersion: s.version, by: who, on: day(on), process: process, context: CaseContext(delegationLimit: delegationLimit)).state
        }
        return s
    }

    static let throughVisit: [(CaseAction, Actor, String)] = [
        (.accept, window, "2025-03-03"),
        (.signed(["张三", "李四"]), coordinator, "2025-03-03"),
        (.checked, window, "2025-03-04"),
        (.visited(["coord", "coord2"], "两人入户，家中无贵重物品"), coordinator, "2025-03-05"),
    ]

    @Test func aDibaoCaseGoesFromAcceptanceToApprovalAcrossTwoTownships() throws {
        // act
        let s = try Self.run(Self.throughVisit + [
            (.firstReview(recommend: true, opinion: "符合条件"), Self.hukouTown, "2025-03-06"),
            (.postNotice, Self.hukouTown, "2025-03-07"),
            (.closeNotice, Self.hukouTown, "2025-03-14"),
            (.approve(amountCents: 117_000), Self.county, "2025-03-17"),
        ])
        // check
        #expect(s.status == .approved && s.step == nil)
        #expect(s.decision?.amountCents == 117_000)
        // The national rule: from the month after approval [DB 24–25].
        #expect(s.decision?.startsOn == Self.day("2025-04-01"))
        #expect(s.crossesTownships)
        #expect(s.version == 9)
        let clock = CaseClock(s, process: Self.dibao, calendar: Self.calendar, today: Self.day("2025-03-17"))
        #expect(clock.workingDaysTaken == 10 && !clock.overdue)
    }

    @Test func aStepCannotBeSkippedOrDoneByTheWrongOffice() throws {
        let accepted = try Self.run([(.accept, Self.window, "2025-03-03")])
        // skipping to the visit
        #expect(throws: CaseError.wrongStep(current: .commitment, action: "登记入户调查")) {
            try CaseWorkflow.apply(.visited(["coord", "coord2"], "x"), to: accepted, expectedVersion: accepted.version,
                                   by: Self.coordinator, on: Self.day("2025-03-04"), process: Self.dibao)
        }
        let visited = try Self.run(Self.throughVisit)
        // the residence township may not do the first review: the registration township does [YC]
        #expect(throws: CaseError.outsideJurisdiction(.registration)) {
            try CaseWorkflow.apply(.firstReview(recommend: true, opinion: "x"), to: visited, expectedVersion: visited.version, by: Self.window,
                                   on: Self.day("2025-03-06"), process: Self.dibao)
        }
        // a coordinator may not review at all
        #expect(throws: CaseError.roleNotAllowed(.coordinator, .firstReview)) {
            try CaseWorkflow.apply(.firstReview(recommend: true, opinion: "x"), to: visited, expectedVersion: visited.version, by: Self.coordinator,
                                   on: Self.day("2025-03-06"), process: Self.dibao)
        }
        // the county of residence does not decide a case registered elsewhere
        let noticed = try Self.run([(.firstReview(recommend: true, opinion: "符合"), Self.hukouTown, "2025-03-06"), (.postNotice, Self.hukouTown, "2025-03-07"),
                                    (.closeNotice, Self.hukouTown, "2025-03-14")], from: visited)
        #expect(throws: CaseError.outsideJurisdiction(.county)) {
            try CaseWorkflow.apply(.approve(amountCents: 1), to: noticed, expectedVersion: noticed.version, by: Self.wrongCounty,
                                   on: Self.day("2025-03-17"), process: Self.dibao)
        }
        // each office sees its own task
        #expect(CaseWorkflow.isTask(of: Self.hukouTown, visited, Self.dibao) && !CaseWorkflow.isTask(of: Self.window, visited, Self.dibao))
        #expect(CaseWorkflow.isTask(of: Self.county, noticed, Self.dibao) && !CaseWorkflow.isTask(of: Self.wrongCounty, noticed, Self.dibao))
    }

    @Test func aVisitNeedsTwoInvestigatorsAndTheyDoNotApprove() throws {
        let committed = try Self.run(Array(Self.throughVisit.prefix(3)))
        #expect(throws: CaseError.twoInvestigatorsNeeded) {
            try CaseWorkflow.apply(.visited(["coord", " coord "], "x"), to: committed, expectedVersion: committed.version,
                                   by: Self.coordinator, on: Self.day("2025-03-05"), process: Self.dibao)
        }
        // A county reviewer who went on the visit cannot then approve.
        let countyVisit = try Self.run([(.visited(["county", "coord"], "县级入户"), Self.coordinator, "2025-03-05"),
                                        (.firstReview(recommend: true, opinion: "符合"), Self.hukouTown, "2025-03-06"),
                                        (.postNotice, Self.hukouTown, "2025-03-07"), (.closeNotice, Self.hukouTown, "2025-03-14")], from: committed)
        #expect(throws: CaseError.investigatorCannotApprove) {
            try CaseWorkflow.apply(.approve(amountCents: 1), to: countyVisit, expectedVersion: countyVisit.version, by: Self.county,
                                   on: Self.day("2025-03-17"), process: Self.dibao)
        }
        // A staff relative's household is visited by the county itself [DB 11, 20].
        var relative = CaseState(kind: .dibao, residenceRegion: Self.residence, registrationRegion: Self.registration, appliedOn: Self.day("2025-03-03"),
                                 staffRelative: true)
        relative = try Self.run(Array(Self.throughVisit.prefix(3)), from: relative)
        #expect(throws: CaseError.roleNotAllowed(.coordinator, .homeVisit)) {
            try CaseWorkflow.apply(.visited(["coord", "coord2"], "x"), to: relative, expectedVersion: relative.version,
                                   by: Self.coordinator, on: Self.day("2025-03-05"), process: Self.dibao)
        }
        let byCounty = try CaseWorkflow.apply(.visited(["county", "county2"], "县级入户调查"), to: relative,
                                              expectedVersion: relative.version, by: Self.county, on: Self.day("2025-03-05"), process: Self.dibao)
        #expect(byCounty.state.step == .firstReview)
    }

    @Test func twoPeopleOnOneVersionTheSecondIsTold() throws {
        let s = try Self.run([(.accept, Self.window, "2025-03-03")])
        let first = try CaseWorkflow.apply(.signed(["张三"]), to: s, expectedVersion: s.version, by: Self.coordinator,
                                           on: Self.day("2025-03-03"), process: Self.dibao)
        #expect(throws: CaseError.staleVersion(current: first.state.version)) {
            try CaseWorkflow.apply(.checked, to: first.state, expectedVersion: s.version, by: Self.window,
                                   on: Self.day("2025-03-03"), process: Self.dibao)
        }
    }

    @Test func anObjectionLeadsToAHearingANewOpinionAndTheNoticeAgain() throws {
        let posted = try Self.run(Self.throughVisit + [(.firstReview(recommend: true, opinion: "符合"), Self.hukouTown, "2025-03-06"),
                                                       (.postNotice, Self.hukouTown, "2025-03-07")])
        // not before seven days
        #expect(throws: CaseError.noticeNotOver(until: Self.day("2025-03-14"))) {
            try CaseWorkflow.apply(.closeNotice, to: posted, expectedVersion: posted.version, by: Self.hukouTown, on: Self.day("2025-03-13"), process: Self.dibao)
        }
        let objected = try Self.run([(.recordObjection(text: "邻居反映家中有车"), Self.hukouTown, "2025-03-10")], from: posted)
        #expect(throws: CaseError.objectionPending) {
            try CaseWorkflow.apply(.closeNotice, to: objected, expectedVersion: objected.version, by: Self.hukouTown, on: Self.day("2025-03-14"), process: Self.dibao)
        }
        let heard = try Self.run([(.recordHearing(participants: ["村委会", "居民代表"], result: "车辆为亲属所有，异议不成立"), Self.hukouTown, "2025-03-12")], from: objected)
        #expect(heard.step == .firstReview && heard.noticeFrom == nil)
        let again = try Self.run([(.firstReview(recommend: true, opinion: "评议后仍符合"), Self.hukouTown, "2025-03-12"),
                                  (.postNotice, Self.hukouTown, "2025-03-13"), (.closeNotice, Self.hukouTown, "2025-03-20")], from: heard)
        #expect(again.step == .decision)
    }

    @Test func aRefusalGivesWrittenReasonsCitingArticles() throws {
        let s = try Self.run(Self.throughVisit + [(.firstReview(recommend: false, opinion: "存款超过规定"), Self.hukouTown, "2025-03-06")])
        // A household not recommended is not posted: it goes to the decision with the opinion.
        #expect(s.step == .decision && s.noticeFrom == nil)
        #expect(throws: CaseError.reasonRequired("理由所依据的条款")) {
            try CaseWorkflow.apply(.refuse(reasons: ["存款超过规定"], articles: [" "]), to: s, expectedVersion: s.version, by: Self.county,
                                   on: Self.day("2025-03-10"), process: Self.dibao)
        }
        let refused = try Self.run([(.refuse(reasons: ["家庭金融资产超过当地规定"], articles: ["DB 14"]), Self.county, "2025-03-10")], from: s)
        #expect(refused.status == .refused && refused.decision?.articles == ["DB 14"])
        #expect(throws: CaseError.notOpen(.refused)) {
            try CaseWorkflow.apply(.withdraw(reason: "x"), to: refused, expectedVersion: refused.version, by: Self.county, on: Self.day("2025-03-11"),
                                   process: Self.dibao)
        }
    }

    @Test func theClockShowsStepAndProcessDeadlinesOverdueAndProvisional() throws {
        let accepted = try Self.run([(.accept, Self.window, "2025-03-03")])
        let visitDue = try #require(CaseClock(try Self.run(Array(Self.throughVisit.prefix(3))), process: Self.dibao, calendar: Self.calendar,
                                              today: Self.day("2025-03-04")).stepDue)
        // Home visit within 3 working days of acceptance [DB 15–17].
        #expect(visitDue == Deadline(date: Self.day("2025-03-06"), provisional: false))
        let late = CaseClock(accepted, process: Self.dibao, calendar: Self.calendar, today: Self.day("2025-04-30"))
        #expect(late.processDue?.date == Self.day("2025-04-15") && late.processOverdue)
        let extended = try Self.run([(.extend(reason: "需补充核对异地房产"), Self.county, "2025-03-20")], from: accepted)
        #expect(CaseClock(extended, process: Self.dibao, calendar: Self.calendar, today: Self.day("2025-04-30")).processDue?.date == Self.day("2025-05-08"))  // 27 April (a Sunday) worked in lieu; 1–5 May off
        #expect(throws: CaseError.alreadyExtended) {
            try CaseWorkflow.apply(.extend(reason: "再延"), to: extended, expectedVersion: extended.version, by: Self.county, on: Self.day("2025-03-21"),
                                   process: Self.dibao)
        }
        // Accepted in December 2026: the 30 working days run into 2027, for which no holidays are loaded yet.
        let december = try Self.run([(.accept, Self.window, "2026-12-21")])
        let clock = CaseClock(december, process: Self.dibao, calendar: Self.calendar, today: Self.day("2026-12-22"))
        #expect(clock.provisional && clock.processDue?.date == Self.day("2027-02-01"))
    }

    @Test func emergencyHelpIsDecidedByTheTownshipWithinItsLimit() throws {
        let emergency = try #require(Self.processes[.temporaryEmergency])
        #expect(emergency.steps.map(\.step) == [.acceptance, .decision])
        let limit = Cents(300_000)
        let accepted = try Self.run([(.accept, Self.window, "2025-03-03")], process: emergency)
        let within = try CaseWorkflow.apply(.approve(amountCents: 300_000, payee: "张三"), to: accepted, expectedVersion: accepted.version, by: Self.window,
                                            on: Self.day("2025-03-03"), process: emergency, context: CaseContext(delegationLimit: limit))
        #expect(within.state.status == .approved && within.state.decision?.startsOn == Self.day("2025-03-03"))
        #expect(throws: CaseError.roleNotAllowed(.townshipOfficer, .decision)) {
            try CaseWorkflow.apply(.approve(amountCents: 300_001, payee: "张三"), to: accepted, expectedVersion: accepted.version, by: Self.window,
                                   on: Self.day("2025-03-03"), process: emergency, context: CaseContext(delegationLimit: limit))
        }
    }

    @Test(arguments: [
        (#"{"processes": [{"kind": "dibao", "program": "dibao", "title": "x", "limit": {"workingDays": 30, "extendedWorkingDays": 45, "article": "a"}, "benefitStarts": "nextMonth", "steps": [{"step": "decision", "place": "county", "roles": ["countyReviewer"], "article": "a"}]}]}"#, "第一步必须是受理"),
        (#"{"processes": [{"kind": "dibao", "program": "dibao", "title": "x", "limit": {"workingDays": 30, "extendedWorkingDays": 45, "article": "a"}, "benefitStarts": "nextMonth", "steps": [{"step": "acceptance", "place": "residence", "roles": ["townshipOfficer"], "article": "a"}, {"step": "homeVisit", "place": "residence", "roles": ["coordinator"], "article": "a"}, {"step": "commitment", "place": "residence", "roles": ["coordinator"], "article": "a"}, {"step": "decision", "place": "county", "roles": ["countyReviewer"], "article": "a"}]}]}"#, "顺序"),
        (#"{"processes": [{"kind": "dibao", "program": "dibao", "title": "x", "limit": {"workingDays": 30, "extendedWorkingDays": 45, "article": "a"}, "benefitStarts": "nextMonth", "steps": [{"step": "acceptance", "place": "residence", "roles": ["townshipOfficer"], "article": "a"}, {"step": "publicNotice", "place": "residence", "roles": ["coordinator"], "article": "a"}, {"step": "decision", "place": "county", "roles": ["countyReviewer"], "article": "a"}]}]}"#, "noticeDays"),
        (#"{"processes": [{"kind": "dibao", "program": "dibao", "title": "x", "limit": {"workingDays": 30, "extendedWorkingDays": 45, "article": "a"}, "benefitStarts": "nextMonth", "steps": [{"step": "acceptance", "place": "residence", "roles": ["mayor"], "article": "a"}]}]}"#, "无法读取"),
        // The emergency's place is named when the case is opened there; a process accepted elsewhere cannot use it.
        (#"{"processes": [{"kind": "temporaryEmergency", "program": "temporary", "title": "x", "limit": {"workingDays": 5, "extendedWorkingDays": 10, "article": "a"}, "benefitStarts": "decisionDate", "steps": [{"step": "acceptance", "place": "residence", "roles": ["townshipOfficer"], "article": "a"}, {"step": "decision", "place": "emergencyCounty", "roles": ["countyReviewer"], "article": "a"}]}]}"#, "急难发生地受理"),
    ])
    func aBrokenProcessFileIsRefusedWhenLoaded(json: String, reason: String) {
        do {
            _ = try CaseProcesses(json: Data(json.utf8), file: "p.json")
            Issue.record("accepted")
        } catch {
            #expect(error.chinese.contains("p.json") && error.chinese.contains(reason), Comment(rawValue: error.chinese))
        }
    }

    @Test func everyShippedProcessLoadsAndEveryCaseKindHasOne() throws {
        #expect(Set(Self.processes.all.keys) == Set(CaseKind.allCases))
    }

    @Test func aPublicNoticeMasksTheName() {
        #expect(PublicNotice.mask("张明") == "张*")
        #expect(PublicNotice.mask("张小明") == "张*明")
        #expect(PublicNotice.mask("欧阳小明") == "欧**明")
        #expect(PublicNotice.mask(" ") == "*")
    }

    @Test func theRateLimiterCountsPerKeyAndWindowAndStaysBounded() {
        var r = RateLimiter(limit: 3, window: 60, maxKeys: 10)
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var firstThree: [Bool] = []
        for _ in 0..<3 { firstThree.append(r.allow("a", now: t0)) }
        #expect(firstThree == [true, true, true])
        let fourth = r.allow("a", now: t0.addingTimeInterval(59))
        let other = r.allow("b", now: t0.addingTimeInterval(59))
        let nextWindow = r.allow("a", now: t0.addingTimeInterval(61))
        #expect(!fourth && other && nextWindow)
        // a flood of addresses does not grow it without end, and a new one is still served
        for i in 0..<1_000 { _ = r.allow("k\(i)", now: t0) }
        let fresh = r.allow("new", now: t0)
        #expect(fresh)
    }

    @Test func theCountySpotChecksTekunBeforeDecidingOnceAndOnlyWhereAsked() throws {
        let tekun = try #require(Self.processes[.tekun])
        #expect(tekun.spotCheck?.percent == 30)
        let hukouCoordinator = Self.actor("hc", .coordinator, "120116001001")
        let posted = try Self.run([
            (.accept, Self.hukouTown, "2025-03-03"), (.signed(["老人"]), Self.hukouTown, "2025-03-03"),
            (.checked, Self.hukouTown, "2025-03-04"),
            (.visited(["hc", "hukou"], "六项日常活动评估", unable: [.eating, .dressing, .toileting, .bathing]), hukouCoordinator, "2025-03-05"),
            (.firstReview(recommend: true, opinion: "符合特困条件"), Self.hukouTown, "2025-03-06"),
            (.postNotice, Self.hukouTown, "2025-03-07"), (.closeNotice, Self.hukouTown, "2025-03-14"),
        ], process: tekun)
        let checked = try Self.run([(.recordSpotCheck(findings: "县级入户抽查，情况属实"), Self.county, "2025-03-17")], from: posted, process: tekun)
        #expect(checked.spotChecked && checked.step == .decision)
        #expect(throws: CaseError.wrongStep(current: .decision, action: "登记县级抽查")) {
            try CaseWorkflow.apply(.recordSpotCheck(findings: "再查"), to: checked, expectedVersion: checked.version, by: Self.county,
                                   on: Self.day("2025-03-18"), process: tekun)
        }
        // dibao's process asks for none
        let dibaoAtDecision = try Self.run(Self.throughVisit + [(.firstReview(recommend: false, opinion: "x"), Self.hukouTown, "2025-03-06")])
        #expect(throws: CaseError.wrongStep(current: .decision, action: "登记县级抽查")) {
            try CaseWorkflow.apply(.recordSpotCheck(findings: "x"), to: dibaoAtDecision, expectedVersion: dibaoAtDecision.version, by: Self.county,
                                   on: Self.day("2025-03-10"), process: Self.dibao)
        }
    }
}
