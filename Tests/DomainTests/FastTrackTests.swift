import Foundation
import Testing
@testable import Domain

/// Help first (先行救助) [LS; ZX 48]: the township grants at once within its limit, names the payee, and the paperwork
/// after the grant is a task with a deadline from the parameters.
@Suite struct FastTrackTests {
    typealias W = CaseWorkflowTests
    static let emergency = W.processes[.temporaryEmergency]!
    static let calendar = try! WorkingCalendar.bundled()

    static func accepted() throws -> CaseState {
        try W.run([(.accept, W.window, "2025-03-03")], process: emergency)
    }

    static func context(_ on: String) throws -> CaseContext {
        let s = CaseState(kind: .temporaryEmergency, residenceRegion: W.residence, registrationRegion: W.registration, appliedOn: W.day(on))
        return try CaseContext.resolve(emergency, s, household: nil, parameters: try ParameterSet.bundled(), calendar: calendar, on: W.day(on))
    }

    @Test func theGrantNamesThePayeeAndOpensThePaperwork() throws {
        #expect(Self.emergency.fastTrack?.paperworkParameter == "fastTrackPaperworkWorkingDays" && Self.emergency.fastTrack?.fromReserveFund == true)
        let s = try Self.accepted()
        let context = try Self.context("2025-03-03")
        // 10 working days in the demo city: Monday 3 March → Monday 17 March
        #expect(context.paperworkDue == Deadline(date: W.day("2025-03-17"), provisional: false))
        #expect(throws: CaseError.reasonRequired("领款人")) {
            try CaseWorkflow.apply(.approve(amountCents: 150_000, payee: " "), to: s, expectedVersion: s.version, by: W.window, on: W.day("2025-03-03"),
                                   process: Self.emergency, context: context)
        }
        let granted = try CaseWorkflow.apply(.approve(amountCents: 150_000, payee: "张三"), to: s, expectedVersion: s.version, by: W.window,
                                             on: W.day("2025-03-03"), process: Self.emergency, context: context)
        #expect(granted.state.status == .approved && granted.state.decision?.payee == "张三" && granted.state.decision?.startsOn == W.day("2025-03-03"))
        #expect(granted.state.paperworkDueOn == W.day("2025-03-17") && granted.state.paperworkPending)
        #expect(granted.note.contains("领款人 张三") && granted.note.contains("2025-03-17 前补办审核手续"))
        // the paperwork is the residence township's task now, with its deadline on the clock
        #expect(CaseWorkflow.isTask(of: W.window, granted.state, Self.emergency) && !CaseWorkflow.isTask(of: W.coordinator, granted.state, Self.emergency))
        #expect(CaseWorkflow.task(granted.state, Self.emergency)?.roles == [.townshipOfficer])
        let late = CaseClock(granted.state, process: Self.emergency, calendar: Self.calendar, today: W.day("2025-03-18"))
        #expect(late.stepDue?.date == W.day("2025-03-17") && late.stepOverdue)
        #expect(!CaseClock(granted.state, process: Self.emergency, calendar: Self.calendar, today: W.day("2025-03-17")).stepOverdue)

        // done once, by the township where the household lives, with what was done
        let done0 = granted.state
        #expect(throws: CaseError.roleNotAllowed(.countyReviewer, .decision)) {
            try CaseWorkflow.apply(.completePaperwork(note: "已核对"), to: done0, expectedVersion: done0.version, by: W.county, on: W.day("2025-03-10"),
                                   process: Self.emergency)
        }
        #expect(throws: CaseError.outsideJurisdiction(.residence)) {
            try CaseWorkflow.apply(.completePaperwork(note: "已核对"), to: done0, expectedVersion: done0.version, by: W.hukouTown, on: W.day("2025-03-10"),
                                   process: Self.emergency)
        }
        #expect(throws: CaseError.reasonRequired("补办情况（核对、调查等）")) {
            try CaseWorkflow.apply(.completePaperwork(note: ""), to: done0, expectedVersion: done0.version, by: W.window, on: W.day("2025-03-10"),
                                   process: Self.emergency)
        }
        let done = try CaseWorkflow.apply(.completePaperwork(note: "已补办家庭经济状况核对和入户调查"), to: done0, expectedVersion: done0.version, by: W.window,
                                          on: W.day("2025-03-10"), process: Self.emergency)
        #expect(done.state.paperworkDoneOn == W.day("2025-03-10") && !done.state.paperworkPending && done.state.status == .approved)
        #expect(CaseWorkflow.task(done.state, Self.emergency) == nil)
        #expect(throws: CaseError.noPaperworkPending) {
            try CaseWorkflow.apply(.completePaperwork(note: "再次"), to: done.state, expectedVersion: done.state.version, by: W.window, on: W.day("2025-03-11"),
                                   process: Self.emergency)
        }
    }

    @Test func anOrdinaryApprovalLeavesNoPaperwork() throws {
        let noticed = try W.run(W.throughVisit + [(.firstReview(recommend: true, opinion: "符合"), W.hukouTown, "2025-03-06"),
                                                  (.postNotice, W.hukouTown, "2025-03-07"), (.closeNotice, W.hukouTown, "2025-03-14")])
        let approved = try CaseWorkflow.apply(.approve(amountCents: 50_000), to: noticed, expectedVersion: noticed.version, by: W.county,
                                              on: W.day("2025-03-17"), process: W.dibao)
        #expect(approved.state.paperworkDueOn == nil && approved.state.decision?.payee == nil)
        #expect(throws: CaseError.noPaperworkPending) {
            try CaseWorkflow.apply(.completePaperwork(note: "x"), to: approved.state, expectedVersion: approved.state.version, by: W.window,
                                   on: W.day("2025-03-18"), process: W.dibao)
        }
    }

    @Test func aRefusedGrantSaysTheBalance() {
        #expect(ReserveFundError.insufficient(balance: Cents(50_000), needed: Cents(150_000)).chinese.contains("余额 ¥500.00"))
        #expect(ReserveFundEntryKind.grant.isOut && !ReserveFundEntryKind.allocation.isOut && !ReserveFundEntryKind.replenishment.isOut)
    }

    /// Help first is the township's where the emergency struck, whatever the household's residence or registration
    /// [LS; ZX 48]: a household living and registered in 南开区 struck in a 滨海新区 street.
    @Test func theTownshipWhereTheEmergencyStruckGrantsWhateverTheRegistration() throws {
        let home = try RegionCode("120104001001")
        let struck = try RegionCode("120116001000")                 // a street of another district
        let passingThrough = W.hukouTown                             // its officer (120116001000)
        let start = CaseState(kind: .temporaryEmergency, residenceRegion: home, registrationRegion: home, emergencyRegion: struck, appliedOn: W.day("2025-03-03"))
        #expect(start.grantingRegion == struck)
        // Accepted there, not at home.
        #expect(throws: CaseError.outsideJurisdiction(.emergency)) {
            try CaseWorkflow.apply(.accept, to: start, expectedVersion: 1, by: W.window, on: W.day("2025-03-03"), process: Self.emergency)
        }
        #expect(CaseWorkflow.isTask(of: passingThrough, start, Self.emergency) && !CaseWorkflow.isTask(of: W.window, start, Self.emergency))
        let accepted = try CaseWorkflow.apply(.accept, to: start, expectedVersion: 1, by: passingThrough, on: W.day("2025-03-03"), process: Self.emergency).state
        // The limit is the granting township's (滨海新区 ¥5,000 in the demo city; 南开区, where the household lives, ¥3,000).
        let context = try CaseContext.resolve(Self.emergency, accepted, household: nil, parameters: try ParameterSet.bundled(), calendar: Self.calendar,
                                              on: W.day("2025-03-03"))
        #expect(context.delegationLimit == Cents(500_000))
        let granted = try CaseWorkflow.apply(.approve(amountCents: 400_000, payee: "张三"), to: accepted, expectedVersion: accepted.version, by: passingThrough,
                                             on: W.day("2025-03-03"), process: Self.emergency, context: context)
        #expect(granted.state.status == .approved)
        // Over the limit it goes to the county where it struck, not the county of residence or registration.
        #expect(Set(CaseWorkflow.task(accepted, Self.emergency)?.regions ?? []) == [struck, try RegionCode("120116000000")])
        #expect(throws: CaseError.roleNotAllowed(.townshipOfficer, .decision)) {
            try CaseWorkflow.apply(.approve(amountCents: 600_000, payee: "张三"), to: accepted, expectedVersion: accepted.version, by: passingThrough,
                                   on: W.day("2025-03-03"), process: Self.emergency, context: context)
        }
        #expect(throws: CaseError.outsideJurisdiction(.emergencyCounty)) {
            try CaseWorkflow.apply(.approve(amountCents: 600_000, payee: "张三"), to: accepted, expectedVersion: accepted.version, by: W.wrongCounty,
                                   on: W.day("2025-03-03"), process: Self.emergency, context: context)
        }
        _ = try CaseWorkflow.apply(.approve(amountCents: 600_000, payee: "张三"), to: accepted, expectedVersion: accepted.version, by: W.county,
                                   on: W.day("2025-03-03"), process: Self.emergency, context: context)
        // The paperwork after is the granting township's, not the home township's.
        #expect(CaseWorkflow.task(granted.state, Self.emergency)?.regions == [struck])
        #expect(CaseWorkflow.isTask(of: passingThrough, granted.state, Self.emergency) && !CaseWorkflow.isTask(of: W.window, granted.state, Self.emergency))
        #expect(throws: CaseError.outsideJurisdiction(.emergency)) {
            try CaseWorkflow.apply(.completePaperwork(note: "已核对"), to: granted.state, expectedVersion: granted.state.version, by: W.window,
                                   on: W.day("2025-03-10"), process: Self.emergency)
        }
        let done = try CaseWorkflow.apply(.completePaperwork(note: "已补办入户调查"), to: granted.state, expectedVersion: granted.state.version,
                                          by: passingThrough, on: W.day("2025-03-10"), process: Self.emergency)
        #expect(!done.state.paperworkPending)
    }
}
