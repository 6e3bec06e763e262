import Foundation
import Testing
@testable import Domain

/// 定期核查 [DB 31; DD]: the cycles as data (stable households yearly, irregular income or members able to work every
/// six months, within three months of a death, tekun yearly), the earliest due date winning, the lead days, and the
/// review's transitions.
@Suite struct ReviewScheduleTests {
    static let cycles = try! ReviewCycles.bundled()
    static func d(_ s: String) -> LocalDate { try! LocalDate(s) }
    static func subject(_ program: Program = .dibao, since: String = "2025-03-15", last: String? = nil, able: Bool = false, died: String? = nil) -> ReviewSubject {
        ReviewSubject(program: program, since: d(since), lastReviewedOn: last.map(d), ableToWorkOrIrregularIncome: able, memberDiedOn: died.map(d))
    }

    @Test func monthsAreCountedToTheMonthsLastDay() {
        #expect(Self.d("2026-01-31").adding(months: 1) == Self.d("2026-02-28"))
        #expect(Self.d("2024-01-31").adding(months: 1) == Self.d("2024-02-29"))
        #expect(Self.d("2026-08-31").adding(months: 6) == Self.d("2027-02-28"))
        #expect(Self.d("2026-11-15").adding(months: 14) == Self.d("2028-01-15"))
        #expect(Self.d("2026-03-10").adding(months: -3) == Self.d("2025-12-10"))
        #expect(Self.d("2026-03-10").adding(months: 0) == Self.d("2026-03-10"))
    }

    @Test func theEarliestApplicableCycleWins() throws {
        // a stable dibao household: a year after it started, then a year after each review
        #expect(ReviewSchedule.due(Self.subject(), cycles: Self.cycles).map { [$0.cycle.id, $0.dueOn.description] } == ["yearly", "2026-03-15"])
        #expect(ReviewSchedule.due(Self.subject(last: "2026-02-01"), cycles: Self.cycles)?.dueOn == Self.d("2027-02-01"))
        // a member able to work, or irregular income: every six months
        #expect(ReviewSchedule.due(Self.subject(able: true), cycles: Self.cycles).map { [$0.cycle.id, $0.dueOn.description] } == ["halfYearly", "2025-09-15"])
        // tekun yearly, whoever works (the six-month cycle is dibao's)
        #expect(ReviewSchedule.due(Self.subject(.tekun, able: true), cycles: Self.cycles)?.cycle.id == "tekunYearly")
        // a death after the last review: within three months of it, if sooner than the cycle
        let death = try #require(ReviewSchedule.due(Self.subject(last: "2026-02-01", died: "2026-05-20"), cycles: Self.cycles))
        #expect(death.cycle.id == "afterDeath" && death.dueOn == Self.d("2026-08-20"))
        // a death the last review saw is no reason for another
        #expect(ReviewSchedule.due(Self.subject(last: "2026-06-01", died: "2026-05-20"), cycles: Self.cycles)?.cycle.id == "yearly")
        // a programme no cycle names is not reviewed by the schedule
        #expect(ReviewSchedule.due(Self.subject(.disabilityCare), cycles: Self.cycles) == nil)
    }

    @Test func aTaskOpensItsLeadDaysBeforeItIsDueOrAtOnceAfterADeath() throws {
        let stable = Self.subject()    // due 2026-03-15
        #expect(ReviewSchedule.opening(stable, cycles: Self.cycles, on: Self.d("2026-02-12"), leadDays: 30) == nil)
        #expect(ReviewSchedule.opening(stable, cycles: Self.cycles, on: Self.d("2026-02-13"), leadDays: 30)?.dueOn == Self.d("2026-03-15"))
        #expect(ReviewSchedule.opening(stable, cycles: Self.cycles, on: Self.d("2026-04-01"), leadDays: 0)?.cycle.id == "yearly")
        // after a death, at once, due three months after it…
        let death = try #require(ReviewSchedule.opening(Self.subject(last: "2026-02-01", died: "2026-05-20"), cycles: Self.cycles,
                                                        on: Self.d("2026-05-21"), leadDays: 30))
        #expect(death.cycle.id == "afterDeath" && death.dueOn == Self.d("2026-08-20"))
        // …or by the next cycle if that comes first (a half-yearly household whose review was due anyway)
        let sooner = try #require(ReviewSchedule.opening(Self.subject(last: "2026-02-01", able: true, died: "2026-06-20"), cycles: Self.cycles,
                                                         on: Self.d("2026-06-21"), leadDays: 30))
        #expect(sooner.cycle.id == "afterDeath" && sooner.dueOn == Self.d("2026-08-01"))
    }

    @Test func cyclesThatCannotBeFollowedAreRefusedWhenLoaded() {
        func load(_ json: String) -> DomainError? {
            do { _ = try ReviewCycles(json: Data(json.utf8), file: "bad.json"); return nil } catch { return error }
        }
        #expect(load(#"{"cycles": []}"#) != nil)
        #expect(load(#"{"cycles": [{"id": "a", "name": "x", "programs": ["dibao"], "when": "always", "months": 0, "article": "DB 31"}]}"#) != nil)
        #expect(load(#"{"cycles": [{"id": "a", "name": "x", "programs": [], "when": "always", "months": 12, "article": "DB 31"}]}"#) != nil)
        #expect(load(#"{"cycles": [{"id": "a", "name": "x", "programs": ["dibao"], "when": "always", "months": 12, "article": " "}]}"#) != nil)
        #expect(load(#"{"cycles": [{"id": "a", "name": "x", "programs": ["dibao"], "when": "sometimes", "months": 12, "article": "DB 31"}]}"#) != nil)
        #expect(load(#"{"cycles": [{"id": "a", "name": "x", "programs": ["dibao"], "when": "always", "months": 12, "article": "DB 31"}]}"#) == nil)
    }
}

@Suite struct ReviewWorkflowTests {
    typealias W = CaseWorkflowTests
    static func open() -> ReviewState {
        ReviewState(program: .dibao, cycleID: "yearly", dueOn: W.day("2026-03-15"), openedOn: W.day("2026-02-13"), residenceRegion: W.residence,
                    registrationRegion: W.registration)
    }

    @Test func theTownshipContinuesWithAConclusionOrProposesAChange() throws {
        let s = Self.open()
        #expect(!s.isOverdue(on: W.day("2026-03-15")) && s.isOverdue(on: W.day("2026-03-16")))
        #expect(throws: ReviewError.conclusionRequired) { try ReviewWorkflow.continue(s, conclusion: "  ", expectedVersion: 1, by: W.window, on: W.day("2026-03-01")) }
        #expect(throws: ReviewError.roleNotAllowed(.countyReviewer)) {
            try ReviewWorkflow.continue(s, conclusion: "收入未变", expectedVersion: 1, by: W.county, on: W.day("2026-03-01"))
        }
        #expect(throws: ReviewError.outsideJurisdiction) {
            try ReviewWorkflow.continue(s, conclusion: "收入未变", expectedVersion: 1, by: W.actor("far", .townshipOfficer, "120101001000"), on: W.day("2026-03-01"))
        }
        #expect(throws: ReviewError.staleVersion) { try ReviewWorkflow.continue(s, conclusion: "收入未变", expectedVersion: 2, by: W.window, on: W.day("2026-03-01")) }
        let done = try ReviewWorkflow.continue(s, conclusion: "入户核实，收入未变", expectedVersion: 1, by: W.window, on: W.day("2026-03-01"))
        #expect(done.status == .continued && done.version == 2 && done.doneBy == W.window.username && done.conclusion == "入户核实，收入未变")
        #expect(!done.isOverdue(on: W.day("2026-04-01")))
        #expect(throws: ReviewError.notOpen(.continued)) { try ReviewWorkflow.changeProposed(done, expectedVersion: 2, by: W.window, on: W.day("2026-03-02")) }
        // the registration township may do it too [YC 7]
        #expect(try ReviewWorkflow.changeProposed(s, expectedVersion: 1, by: W.hukouTown, on: W.day("2026-03-01")).status == .changeProposed)
        #expect(ReviewWorkflow.mayHandle(s, by: W.hukouTown) && !ReviewWorkflow.mayHandle(done, by: W.window))
    }
}

/// 渐退 [DB 33]: a dibao stop whose amount goes on for the exit months, within the region's limit.
@Suite struct GradualExitTests {
    typealias W = CaseWorkflowTests
    static func propose(_ program: Program = .dibao, to new: Int64 = 0, months: Int, max: Int = 6) throws(ChangeError) -> EnrolmentChangeState {
        try ChangeWorkflow.propose(program: program, currentCents: 90_000, newCents: new, effectiveOn: W.day("2026-12-01"), reasons: ["家庭收入超过低保标准"],
                                   articles: ["DB 33"], source: .review, residence: W.residence, registration: W.registration, by: W.window,
                                   on: W.day("2026-11-20"), gradualExit: GradualExit(months: months, maxMonths: max))
    }

    @Test func theAmountGoesOnForTheExitMonthsThenStops() throws {
        let s = try Self.propose(months: 6)
        #expect(s.kind == .gradualExit && s.exitEndsOn == W.day("2027-06-01"))
        #expect(throws: ChangeError.exitMonthsOutOfRange(max: 6)) { try Self.propose(months: 7) }
        #expect(throws: ChangeError.exitMonthsOutOfRange(max: 3)) { try Self.propose(months: 4, max: 3) }
        #expect(throws: ChangeError.exitMonthsOutOfRange(max: 6)) { try Self.propose(months: 0) }
        #expect(throws: ChangeError.gradualExitNotAllowed(.tekun)) { try Self.propose(.tekun, months: 3) }
        #expect(throws: ChangeError.gradualExitNotAllowed(.dibao)) { try Self.propose(to: 50_000, months: 3) }
    }
}
