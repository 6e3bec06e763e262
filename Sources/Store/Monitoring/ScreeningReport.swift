import Domain
import FluentKit
import Foundation
import SQLKit

/// One screening run's counts, as the report page and the command line show them.
public struct ScreeningReport: Sendable, Codable, Equatable {
    public enum Mode: String, Sendable, Codable { case full, incremental, event }
    public var id: UUID
    public var mode: Mode
    public var region: String
    public var households = 0
    /// New warnings.
    public var raised = 0
    /// Open warnings whose evidence or score changed.
    public var updated = 0
    /// Findings not raised again because a warning on the same facts was already handled.
    public var suppressed = 0
    /// Open warnings whose condition no longer holds.
    public var cleared = 0
    /// Payments put on hold after an exact or confirmed death record.
    public var holds = 0
    public var seconds = 0.0
    /// Where the time went, for `jiuzhu bench screen`; not stored.
    public var phases = Phases()

    /// Seconds spent waiting for reads (the part not hidden behind evaluation), evaluating, comparing with the
    /// existing warnings and encoding, and writing.
    public struct Phases: Sendable, Codable, Equatable {
        public var waitingForReads = 0.0
        public var evaluating = 0.0
        public var reconciling = 0.0
        public var writing = 0.0
        public var description: String {
            String(format: "reads waited %.1f s, evaluating %.1f s, reconciling %.1f s, writing %.1f s", waitingForReads, evaluating, reconciling, writing)
        }
    }

    enum CodingKeys: String, CodingKey { case id, mode, region, households, raised, updated, suppressed, cleared, holds, seconds }
}
