import Foundation
import Testing
@testable import Domain

/// 增发 / 减发 / 停发 [DB 32–34; TK 24–26]: the township proposes, the county of registration decides; taking something
/// away needs reasons and articles; tekun termination is posted first; the proposer does not decide.
@Suite struct ChangeWorkflowTests {
    typealias W = CaseWorkflowTests
    static let county2 = W.actor("county2", .countyReviewer, "120116000000")

    static func propose(_ program: Program = .dibao, from current: Int64 = 100_000, to new: Int64, reasons: [String] = ["家庭收入增加"],
                        articles: [String] = ["DB 32"], by actor: Actor = W.window, on: String = "2025-03-10") throws(ChangeError) -> EnrolmentChangeState {
        try ChangeWorkflow.propose(program: program, currentCents: current, newCents: new, effectiveOn: W.day("2025-04-15"), reasons: reasons,
                                   articles: articles, source: .warning, residence: W.residence, registration: W.registration, by: actor, on: W.day(on))
    }

    @Test func theKindFollowsTheAmountsAndTakingAwayNeedsArticles() throws {
        #expect(try Self.propose(to: 120_000, articles: []).kind == .increase)
        #expect(try Self.propose(to: 60_000).kind == .decrease)
        #expect(try Self.propose(to: 0).kind == .stop)
        // the month it takes effect, from its first day
        #expect(try Self.propose(to: 60_000).effectiveOn == W.day("2025-04-01"))
        #expect(throws: ChangeError.reasonRequired("减发、停发所依据的条款")) { try Self.propose(to: 60_000, articles: [" "]) }
        #expect(throws: ChangeError.reasonRequired("变更理由")) { try Self.propose(to: 120_000, reasons: [""]) }
        #expect(throws: ChangeError.sameAmount) { try Self.propose(to: 100_000) }
        #expect(throws: ChangeError.roleNotAllowed(.coordinator)) { try Self.propose(to: 60_000, by: W.coordinator) }
        #expect(throws: ChangeError.outsideJurisdiction) { try Self.propose(to: 60_000, by: W.actor("far", .townshipOfficer, "120101001000")) }
        #expect(throws: ChangeError.effectiveMonthPast) { try Self.propose(to: 60_000, on: "2025-05-02") }
    }

    @Test func theCountyOfRegistrationDecides() throws {
        let s = try Self.propose(to: 60_000)
        #expect(throws: ChangeError.roleNotAllowed(.townshipOfficer)) {
            try ChangeWorkflow.decide(approve: true, recovery: nil, state: s, expectedVersion: 1, by: W.hukouTown, on: W.day("2025-03-12"), noticeDays: 7)
        }
        // the county where the household lives sees the change but is told who decides it [YC]
        #expect(!ChangeWorkflow.mayDecide(s, by: W.wrongCounty) && ChangeWorkflow.mayDecide(s, by: W.county))
        #expect(throws: ChangeError.decidedByRegistrationCounty) {
            try ChangeWorkflow.decide(approve: true, recovery: nil, state: s, expectedVersion: 1, by: W.wrongCounty, on: W.day("2025-03-12"), noticeDays: 7)
        }
        #expect(throws: ChangeError.outsideJurisdiction) {
            try ChangeWorkflow.decide(approve: true, recovery: nil, state: s, expectedVersion: 1, by: W.actor("far", .countyReviewer, "120101000000"),
                                      on: W.day("2025-03-12"), noticeDays: 7)
        }
        var own = s
        own.proposedBy = "county"
        #expect(throws: ChangeError.proposerCannotDecide) {
            try ChangeWorkflow.decide(approve: true, recovery: nil, state: own, expectedVersion: 1, by: W.county, on: W.day("2025-03-12"), noticeDays: 7)
        }
        #expect(throws: ChangeError.staleVersion) {
            try ChangeWorkflow.decide(approve: true, recovery: nil, state: s, expectedVersion: 2, by: W.county, on: W.day("2025-03-12"), noticeDays: 7)
        }
        #expect(throws: ChangeError.reasonRequired("应追回金额的依据")) {
            try ChangeWorkflow.decide(approve: true, recovery: Recovery(amountCents: 40_000, basis: ""), state: s, expectedVersion: 1, by: W.county,
                                      on: W.day("2025-03-12"), noticeDays: 7)
        }
        let decided = try ChangeWorkflow.decide(approve: true, recovery: Recovery(amountCents: 120_000, basis: "隐瞒工资收入3个月"), state: s,
                                                expectedVersion: 1, by: W.county, on: W.day("2025-03-12"), noticeDays: 7)
        #expect(decided.status == .approved && decided.version == 2 && decided.recovery?.amountCents == 120_000 && decided.decidedBy == "county")
        #expect(throws: ChangeError.notProposed(.approved)) {
            try ChangeWorkflow.decide(approve: false, recovery: nil, state: decided, expectedVersion: 2, by: Self.county2, on: W.day("2025-03-13"), noticeDays: 7)
        }
        // a rejection records no recovery
        #expect(try ChangeWorkflow.decide(approve: false, recovery: Recovery(amountCents: 1, basis: "x"), state: s, expectedVersion: 1, by: W.county,
                                          on: W.day("2025-03-12"), noticeDays: 7).recovery == nil)
    }

    @Test func tekunTerminationIsPostedBeforeItIsDecided() throws {
        let s = try Self.propose(.tekun, from: 152_100, to: 0, articles: ["TK 24"])
        #expect(s.noticeFrom == W.day("2025-03-10"))
        #expect(throws: ChangeError.noticeNotOver(until: W.day("2025-03-17"))) {
            try ChangeWorkflow.decide(approve: true, recovery: nil, state: s, expectedVersion: 1, by: W.county, on: W.day("2025-03-16"), noticeDays: 7)
        }
        #expect(try ChangeWorkflow.decide(approve: true, recovery: nil, state: s, expectedVersion: 1, by: W.county, on: W.day("2025-03-17"),
                                          noticeDays: 7).status == .approved)
        // a dibao stop is not posted
        #expect(try Self.propose(to: 0).noticeFrom == nil)
    }
}
