import Domain
import FluentKit
import Foundation

/// Loading a holiday year, and what follows it: deadlines counted provisionally through that year are counted
/// again. The calendar page and `jiuzhu calendar load` both come here, so the two cannot differ.
public struct CalendarUpdate: Sendable {
    let db: any Database
    let setup: MonitoringSetup
    public init(_ db: any Database, setup: MonitoringSetup) {
        self.db = db
        self.setup = setup
    }

    public struct Outcome: Sendable {
        public var years: [Int]
        /// Deadlines of pending warnings and open home visits that moved.
        public var deadlinesMoved: Int
    }

    public func load(_ json: Data, file: String, actor: Actor) async throws -> Outcome {
        let years = try await CalendarStore(db).load(json, file: file, into: setup.calendars, actor: actor)
        // A new store reads the calendar now in use.
        let moved = try await WarningStore(db, setup: setup).recomputeDeadlines(fromYear: years.min() ?? 0, catalogue: setup.screener.catalogue, actor: actor)
        return Outcome(years: years, deadlinesMoved: moved)
    }
}
