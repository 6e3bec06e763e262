import Domain
import FluentKit
import Foundation
import SQLKit

/// What monitoring needs besides the database: the indicator catalogue with the policy calculator, and the
/// holiday calendar for handling deadlines.
public struct MonitoringSetup: Sendable {
    public let screener: Screener
    public let calendar: WorkingCalendar

    public init(screener: Screener, calendar: WorkingCalendar) {
        self.screener = screener
        self.calendar = calendar
    }

    /// The shipped catalogue, policy parameters and calendar (tests and benchmarks; an installation's come from its configuration).
    public static func bundled() throws -> MonitoringSetup {
        MonitoringSetup(screener: Screener(catalogue: try IndicatorCatalogue.bundled(), calculator: PolicyCalculator(parameters: try ParameterSet.bundled())),
                        calendar: try WorkingCalendar.bundled())
    }
}
