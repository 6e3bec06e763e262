import Domain
import FluentKit
import Foundation

/// Loading a holiday year, and what follows it: deadlines counted provisionally through that year are counted
/// again. The calendar page and `jiuzhu calendar load` both come here, so the two cannot differ.
public struct CalendarUpdate: Sendable {
    let db: any Database
    let setup: MonitoringSetup
    let processes: CaseProcesses
    public init(_ db: any Database, setup: MonitoringSetup, processes: CaseProcesses) {
        self.db = db
        self.setup = setup
        self.processes = processes
    }

    public struct Outcome: Sendable {
        public var years: [Int]
        /// Deadlines of pending warnings and open home visits that moved.
        public var deadlinesMoved: Int
        /// Open cases whose provisional deadlines were counted again.
        public var casesRecounted: Int
    }

    public func load(_ json: Data, file: String, actor: Actor, today: LocalDate = LocalDate(Date(), timeZone: .china)) async throws -> Outcome {
        let years = try await CalendarStore(db).load(json, file: file, into: setup.calendars, actor: actor)
        // A new store reads the calendar now in use.
        let moved = try await WarningStore(db, setup: setup).recomputeDeadlines(fromYear: years.min() ?? 0, catalogue: setup.screener.catalogue, actor: actor)
        let cases = try await CaseDeadlines(db, processes: processes, calendar: setup.calendar).recompute(actor: actor, today: today)
        return Outcome(years: years, deadlinesMoved: moved, casesRecounted: cases)
    }
}
