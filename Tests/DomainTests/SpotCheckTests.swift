import Foundation
import Testing
@testable import Domain

/// The honesty loop's rules: the share drawn, rounded up; the check's result needs what was checked; only a false
/// declaration carries an amount to recover; the townships and the county check.
@Suite struct SpotCheckTests {
    typealias W = CaseWorkflowTests
    static func open(_ kind: SpotCheckKind = .random) -> SpotCheckState {
        SpotCheckState(kind: kind, program: .dibao, residenceRegion: W.residence, registrationRegion: W.registration, drawnOn: W.day("2026-11-01"))
    }

    @Test func theShareIsDrawnRoundedUpAndDiffersByTheDraw() {
        var g = SeededRandom(seed: 7)
        #expect(SpotCheckWorkflow.draw(Array(1...10), percent: 20, using: &g).count == 2)
        #expect(SpotCheckWorkflow.draw(Array(1...11), percent: 20, using: &g).count == 3)
        #expect(SpotCheckWorkflow.draw(Array(1...3), percent: 1, using: &g).count == 1)
        #expect(SpotCheckWorkflow.draw(Array(1...3), percent: 0, using: &g).isEmpty)
        #expect(SpotCheckWorkflow.draw([Int](), percent: 50, using: &g).isEmpty)
        #expect(Set(SpotCheckWorkflow.draw(Array(1...5), percent: 100, using: &g)) == Set(1...5))
        var a = SeededRandom(seed: 1), b = SeededRandom(seed: 2)
        let many = Array(1...100)
        #expect(SpotCheckWorkflow.draw(many, percent: 10, using: &a) != SpotCheckWorkflow.draw(many, percent: 10, using: &b))
    }

    @Test func aResultSaysWhatWasCheckedAndOnlyAFalseOneRecovers() throws {
        let s = Self.open()
        #expect(throws: SpotCheckError.findingRequired) {
            try SpotCheckWorkflow.record(s, truthful: true, finding: " ", recoverCents: nil, expectedVersion: 1, by: W.window, on: W.day("2026-11-10"))
        }
        #expect(throws: SpotCheckError.invalidAmount) {
            try SpotCheckWorkflow.record(s, truthful: true, finding: "核对属实", recoverCents: 100, expectedVersion: 1, by: W.window, on: W.day("2026-11-10"))
        }
        #expect(throws: SpotCheckError.invalidAmount) {
            try SpotCheckWorkflow.record(s, truthful: false, finding: "隐瞒工资", recoverCents: 0, expectedVersion: 1, by: W.window, on: W.day("2026-11-10"))
        }
        #expect(throws: SpotCheckError.roleNotAllowed(.coordinator)) {
            try SpotCheckWorkflow.record(s, truthful: true, finding: "x", recoverCents: nil, expectedVersion: 1, by: W.coordinator, on: W.day("2026-11-10"))
        }
        #expect(throws: SpotCheckError.outsideJurisdiction) {
            try SpotCheckWorkflow.record(s, truthful: true, finding: "x", recoverCents: nil, expectedVersion: 1,
                                         by: W.actor("far", .townshipOfficer, "120101001000"), on: W.day("2026-11-10"))
        }
        let found = try SpotCheckWorkflow.record(s, truthful: false, finding: "隐瞒子女工资收入", recoverCents: 360_000, expectedVersion: 1, by: W.county,
                                                 on: W.day("2026-11-10"))
        #expect(found.status == .falseDeclaration && found.recoverCents == 360_000 && found.version == 2 && found.checkedBy == "county")
        #expect(throws: SpotCheckError.notOpen(.falseDeclaration)) {
            try SpotCheckWorkflow.record(found, truthful: true, finding: "x", recoverCents: nil, expectedVersion: 2, by: W.county, on: W.day("2026-11-11"))
        }
        #expect(throws: SpotCheckError.staleVersion) {
            try SpotCheckWorkflow.record(s, truthful: true, finding: "x", recoverCents: nil, expectedVersion: 3, by: W.window, on: W.day("2026-11-11"))
        }
        #expect(SpotCheckWorkflow.mayRecord(s, by: W.hukouTown) && !SpotCheckWorkflow.mayRecord(found, by: W.county))
    }

    @Test func anHonestRecordWaivesTheMarkedCertificates() throws {
        let dibao = try #require(try CaseProcesses.bundled()[.dibao])
        let waived = try #require(dibao.materials?.first { $0.honestRecordWaiver == true }?.name)
        #expect(dibao.whyNotAsked(waived) == nil && dibao.whyNotAsked(waived, honestRecord: true) != nil)
        #expect(dibao.askable().contains(waived) && !dibao.askable(honestRecord: true).contains(waived))
    }
}
