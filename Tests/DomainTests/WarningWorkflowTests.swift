import Foundation
import Testing
@testable import Domain

@Suite struct WarningWorkflowTests {
    @Test func theHappyPath() throws {
        var s = WarningStatus.new
        s = try WarningWorkflow.next(s, .assign(to: "街道经办人"))
        #expect(s == .assigned)
        s = try WarningWorkflow.next(s, .startVerification)
        #expect(s == .verifying)
        s = try WarningWorkflow.next(s, .assign(to: "另一位经办人"))
        #expect(s == .verifying, "reassigning during a visit keeps it verifying")
        s = try WarningWorkflow.next(s, .dispose(.enrol, reason: "入户核实属实，纳入低保"))
        #expect(s == .disposed)
        s = try WarningWorkflow.next(s, .close)
        #expect(s == .closed)
    }

    @Test func refusals() {
        #expect(throws: WorkflowError.reasonRequired) { try WarningWorkflow.next(.assigned, .dispose(.noAction, reason: "  ")) }
        #expect(throws: WorkflowError.assigneeRequired) { try WarningWorkflow.next(.new, .assign(to: "")) }
        #expect(throws: WorkflowError.notAllowed(from: .new, action: "close")) { try WarningWorkflow.next(.new, .close) }
        #expect(throws: WorkflowError.notAllowed(from: .closed, action: "dispose")) { try WarningWorkflow.next(.closed, .dispose(.enrol, reason: "x")) }
        #expect(throws: WorkflowError.notAllowed(from: .disposed, action: "verify")) { try WarningWorkflow.next(.disposed, .startVerification) }
        // Every outcome is accepted with a reason.
        for o in DispositionOutcome.allCases { #expect((try? WarningWorkflow.next(.new, .dispose(o, reason: "理由"))) == .disposed) }
    }

    @Test func deadlinesAreWorkingDays() throws {
        let cal = try WorkingCalendar.bundled()
        // 2025-09-30 (Tue) + 3 working days skips the National Day holiday (Oct 1–8) to Oct 10 (Oct 11 is a make-up workday).
        let due = WarningWorkflow.dueDate(raised: try LocalDate("2025-09-30"), workingDays: 3, calendar: cal)
        #expect(due == (try cal.adding(workingDays: 3, to: try LocalDate("2025-09-30"))))
        #expect(due > (try LocalDate("2025-10-08")))
        // Outside the calendar's years: weekdays only, never a failure.
        let far = WarningWorkflow.dueDate(raised: try LocalDate("2099-01-02"), workingDays: 5, calendar: cal)
        #expect(far == (try LocalDate("2099-01-09")))
        #expect(WarningWorkflow.isOverdue(status: .assigned, due: try LocalDate("2026-11-01"), today: try LocalDate("2026-11-02")))
        #expect(!WarningWorkflow.isOverdue(status: .disposed, due: try LocalDate("2026-11-01"), today: try LocalDate("2026-11-02")))
        #expect(!WarningWorkflow.isOverdue(status: .new, due: try LocalDate("2026-11-02"), today: try LocalDate("2026-11-02")))
    }

    @Test func schedules() throws {
        let monthly = ScreeningSchedule(level: .county, every: .month)
        let quarterly = ScreeningSchedule(level: .city, every: .quarter)
        #expect(monthly.isDue(lastRun: nil, today: try LocalDate("2026-11-20")))
        #expect(!monthly.isDue(lastRun: try LocalDate("2026-11-01"), today: try LocalDate("2026-11-30")))
        #expect(monthly.isDue(lastRun: try LocalDate("2026-11-30"), today: try LocalDate("2026-12-01")))
        #expect(!quarterly.isDue(lastRun: try LocalDate("2026-10-02"), today: try LocalDate("2026-12-31")))
        #expect(quarterly.isDue(lastRun: try LocalDate("2026-12-31"), today: try LocalDate("2027-01-01")))
    }

    @Test func theScoreIsCappedPerDimensionAndExplained() throws {
        // Medical self-pay fires both expenditure indicators (20 + 8), capped at the dimension's 25.
        var h = RegisterHousehold.ordinary
        h.fact(h.members[2].id, .medicalSelfPay, yuan: 20_000, from: RegisterHousehold.ago(30), department: .medicalInsurance)
        let s = try Screen.fired(h)
        #expect(s.score.byDimension[.expenditure] == Screen.catalogue.cap(.expenditure))
        #expect(s.score.contributions.map(\.code).sorted() == ["JZ-E01", "JZ-E02"])
        #expect(s.score.total == Screen.catalogue.cap(.expenditure))
        #expect(s.findings.map(\.indicator.code) == ["JZ-E01"], "the score-only factor raises no warning")
        // Same facts, same fingerprint; a changed amount, a new one.
        let again = try Screen.fired(h)
        #expect(again.findings[0].fingerprint == s.findings[0].fingerprint)
        h.facts[h.facts.count - 1].amount = Cents(2_100_000)
        #expect(try Screen.fired(h).findings[0].fingerprint != s.findings[0].fingerprint)
    }

    @Test func theFingerprintFollowsTheFactsNotTheWording() throws {
        // An 85-year-old living alone: screened before and after a birthday, the sentence says 85 then 86,
        // but nothing the warning rests on changed, so a warning closed with "no action" stays closed.
        let h = RegisterHousehold.single(age: 85)
        let before = RegisterHousehold.today, after = RegisterHousehold.today.adding(days: 70)
        func s01(_ d: LocalDate) throws -> Finding {
            let std = try Screen.screener.calculator.standards(region: RegisterHousehold.region, date: d)
            return try #require(try Screen.screener.screen(h.profile, on: d, standards: std).findings.first { $0.indicator.code == "JZ-S01" })
        }
        let a = try s01(before), b = try s01(after)
        #expect(a.evidence.map(\.text) != b.evidence.map(\.text))
        #expect(a.fingerprint == b.fingerprint)
        var richer = h
        richer.fact(h.members[0].id, .pension, yuan: 300, from: RegisterHousehold.ago(10))
        let std = try Screen.screener.calculator.standards(region: RegisterHousehold.region, date: before)
        let c = try #require(try Screen.screener.screen(richer.profile, on: before, standards: std).findings.first { $0.indicator.code == "JZ-S01" })
        #expect(c.fingerprint != a.fingerprint, "a new pension is a change in the facts")
    }

    @Test func theFingerprintDoesNotDependOnTheOrderRowsArrive() throws {
        // Two bills on the same day: the database may return them either way round.
        var h = RegisterHousehold.ordinary
        h.fact(h.members[2].id, .medicalSelfPay, yuan: 12_000, from: RegisterHousehold.ago(30), department: .medicalInsurance)
        h.fact(h.members[1].id, .medicalSelfPay, yuan: 9_000, from: RegisterHousehold.ago(30), department: .medicalInsurance)
        let a = try #require(try Screen.fired(h).findings.first { $0.indicator.code == "JZ-E01" })
        var reversed = h
        reversed.facts.reverse()
        reversed.members.reverse()
        let b = try #require(try Screen.fired(reversed).findings.first { $0.indicator.code == "JZ-E01" })
        #expect(a.evidence.count >= 3)
        #expect(a.fingerprint == b.fingerprint)
    }

    @Test func aBadCatalogueIsRefusedWithItsReason() {
        let dup = #"{"version":"x","maximumScore":100,"verificationWorkingDays":5,"dimensionCaps":{},"schedules":[],"indicators":[{"code":"A","name":"a","dimension":"income","kind":"hardship","severity":"low","points":1,"deadlineWorkingDays":5,"basis":"","condition":{"type":"enrolled"}},{"code":"A","name":"b","dimension":"income","kind":"hardship","severity":"low","points":1,"deadlineWorkingDays":5,"basis":"","condition":{"type":"enrolled"}}]}"#
        #expect(throws: DomainError.invalidData(file: "t.json", reason: "指标代码 A 重复")) { try IndicatorCatalogue.load(Data(dup.utf8), file: "t.json") }
        let unknown = #"{"version":"x","maximumScore":100,"verificationWorkingDays":5,"dimensionCaps":{},"schedules":[],"indicators":[{"code":"A","name":"a","dimension":"income","kind":"hardship","severity":"low","points":1,"deadlineWorkingDays":5,"basis":"","condition":{"type":"moonPhase"}}]}"#
        do {
            _ = try IndicatorCatalogue.load(Data(unknown.utf8), file: "t.json")
            Issue.record("accepted an unknown condition")
        } catch {
            #expect(error.chinese.contains("moonPhase"))
        }
    }
}
