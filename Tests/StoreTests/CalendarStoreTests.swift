import Domain
import Foundation
import SQLKit
import Store
import Testing

/// A loaded holiday year is kept in the database, all or nothing, by the city administrator only, and every copy
/// of the monitoring setup counts with it at once.
@Suite struct CalendarStoreTests {
    static let year2027 = Data(#"{"holidays": {"2027-01-01": "New Year's Day", "2027-02-08": "Spring Festival"}, "adjusted_workdays": {"2027-02-14": "Spring Festival"}}"#.utf8)

    static func actor(_ role: Role) -> Actor {
        Actor(userID: nil, username: "t-\(role.rawValue)", role: role, jurisdiction: try! RegionCode("120000000000"), origin: "test")
    }

    @Test func aLoadedYearIsKeptAndUsedAtOnce() async throws {
        let scratch = try await ScratchDatabase.make(label: "calendar")
        do {
            // setup
            let setup = try MonitoringSetup.bundled()
            let tuned = try await setup.tuned(from: scratch.db)
            let store = CalendarStore(scratch.db)
            let start = try LocalDate("2026-12-30")
            #expect(setup.calendar.deadline(workingDays: 3, after: start).provisional)
            // act
            let years = try await store.load(Self.year2027, file: "2027.json", into: setup.calendars, actor: Self.actor(.cityAdmin))
            // check: the running setup and its tuned copies count with it
            #expect(years == [2027])
            #expect(setup.calendar.deadline(workingDays: 3, after: start) == Deadline(date: try LocalDate("2027-01-05"), provisional: false))
            #expect(tuned.calendar.years.contains(2027))
            // a fresh process reads the same calendar from the database
            let reread = try await store.calendar(onto: try WorkingCalendar.bundled())
            #expect(reread.holidays == setup.calendar.holidays && reread.adjustedWorkdays == setup.calendar.adjustedWorkdays)
            // loading it again changes nothing
            _ = try await store.load(Self.year2027, file: "2027.json", into: setup.calendars, actor: Self.actor(.cityAdmin))
            #expect(try await store.loaded().map(\.year) == [2027])
            #expect(try await store.loaded().first?.holidays == 2)
            let audit = try await AuditLog(scratch.db).recent(actor: Self.actor(.auditor), action: .loadCalendar)
            #expect(audit.count == 2 && audit.first?.detail.contains("2027年") == true)
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }

    @Test func aBadFileOrTheWrongRoleStoresNothing() async throws {
        let scratch = try await ScratchDatabase.make(label: "calendarbad")
        do {
            let setup = try MonitoringSetup.bundled()
            let store = CalendarStore(scratch.db)
            await #expect(throws: DomainError.forbidden) {
                try await store.load(Self.year2027, file: "2027.json", into: setup.calendars, actor: Self.actor(.townshipOfficer))
            }
            await #expect(throws: DomainError.self) {
                try await store.load(Data(#"{"holidays": {"2027-02-08": "x"}, "adjusted_workdays": {}}"#.utf8), file: "bad.json",
                                     into: setup.calendars, actor: Self.actor(.cityAdmin))
            }
            #expect(try await store.loaded().isEmpty)
            #expect(!setup.calendar.years.contains(2027))
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }

    /// A warning raised before the new year with its deadline counted through 1 January on weekdays only: loading
    /// the year moves the deadline past the holiday, with a line in the warning's history.
    @Test func provisionalWarningDeadlinesAreCountedAgain() async throws {
        let scratch = try await ScratchDatabase.make(label: "calendarwarn")
        do {
            // setup: raised Wednesday 30 December 2026 on an indicator with a 3-working-day deadline
            let setup = try MonitoringSetup.bundled()
            let indicator = try #require(setup.screener.catalogue.indicators.first { $0.deadlineWorkingDays == 3 } ?? setup.screener.catalogue.indicators.first)
            let raised = try LocalDate("2026-12-30")
            let provisional = setup.calendar.deadline(workingDays: indicator.deadlineWorkingDays, after: raised)
            #expect(provisional.provisional)
            let id = UUID()
            let sql = scratch.db as! any SQLDatabase
            try await sql.insert(into: "warnings")
                .columns("id", "household_id", "indicator", "kind", "severity", "dimension", "residence_region", "registered_region", "title", "status",
                         "score", "fingerprint", "evidence", "raised_on", "due_on", "updated_at")
                .values(SQLBind(id), SQLBind(UUID()), SQLBind(indicator.code), SQLBind("x"), SQLBind("high"), SQLBind("income"), SQLBind("120104001001"),
                        SQLBind("120104001001"), SQLBind("测试预警"), SQLBind("new"), SQLBind(10), SQLBind("f"), SQLBind("[]"), SQLBind(raised.description),
                        SQLBind(provisional.date.description), SQLBind("2026-12-30T01:00:00.000Z")).run()
            // act
            let outcome = try await CalendarUpdate(scratch.db, setup: setup, processes: try CaseProcesses.bundled()).load(Self.year2027, file: "2027.json", actor: Self.actor(.cityAdmin))
            // check
            let firm = setup.calendar.deadline(workingDays: indicator.deadlineWorkingDays, after: raised)
            #expect(!firm.provisional && firm.date > provisional.date)
            #expect(outcome.deadlinesMoved == 1)
            let due = try await sql.select().column("due_on").from("warnings").where("id", .equal, id).first()?.decode(column: "due_on", as: String.self)
            #expect(due == firm.date.description)
            let note = try await sql.select().column("note").from("warning_actions").where("warning_id", .equal, id).first()?.decode(column: "note", as: String.self)
            #expect(note?.contains("重算期限") == true)
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }
}
