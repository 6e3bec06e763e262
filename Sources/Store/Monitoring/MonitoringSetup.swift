import Domain
import FluentKit
import Foundation
import SQLKit

/// What monitoring needs besides the database: the indicator catalogue with the policy calculator, and the
/// holiday calendar for handling deadlines.
public struct MonitoringSetup: Sendable {
    public let screener: Screener
    /// Shared by every copy (a tuned setup too), so that a holiday year loaded while the server runs counts at once.
    public let calendars: CalendarCache
    public var calendar: WorkingCalendar { calendars.current }

    public init(screener: Screener, calendar: WorkingCalendar) {
        self.screener = screener
        calendars = CalendarCache(calendar)
    }

    public init(screener: Screener, calendars: CalendarCache) {
        self.screener = screener
        self.calendars = calendars
    }

    /// The shipped catalogue, policy parameters and calendar (tests and benchmarks; an installation's come from its configuration).
    public static func bundled() throws -> MonitoringSetup {
        MonitoringSetup(screener: Screener(catalogue: try IndicatorCatalogue.bundled(), calculator: PolicyCalculator(parameters: try ParameterSet.bundled())),
                        calendar: try WorkingCalendar.bundled())
    }
}
