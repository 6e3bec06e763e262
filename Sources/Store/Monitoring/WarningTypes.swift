import Domain
import FluentKit
import Foundation
import SQLKit

/// One line of the warning inbox. The ID number is masked, as in every list.
public struct WarningSummary: Sendable, Codable, Equatable {
    public var id: UUID
    public var householdID: UUID
    public var headName: String
    public var headMaskedID: String
    public var indicator: String
    public var title: String
    public var kind: WarningKind
    public var severity: Severity
    public var status: WarningStatus
    public var score: Int
    public var raisedOn: LocalDate
    public var dueOn: LocalDate
    public var overdue: Bool
    /// A later screening no longer finds the condition (e.g. the household was enrolled meanwhile).
    public var clearedOn: LocalDate?
    public var assignee: String?
    public var residenceRegion: String
    public var residenceRegionName: String
    /// The household lives elsewhere and is registered in the reader's jurisdiction: shown for information (apply-anywhere).
    public var forInformation: Bool
}

public struct WarningActionRecord: Sendable, Codable, Equatable {
    public var at: String
    public var username: String
    public var action: String
    public var from: WarningStatus
    public var to: WarningStatus
    public var note: String
}

public struct HomeVisitRecord: Sendable, Codable, Equatable {
    public var id: UUID
    public var warningID: UUID
    public var householdID: UUID
    public var headName: String
    public var address: String
    public var title: String
    public var status: String
    public var dueOn: LocalDate
    public var createdBy: String
    public var findings: String?
    public var doneBy: String?
    public var doneAt: String?
}

public struct WarningDetail: Sendable {
    public var summary: WarningSummary
    public var indicator: Indicator?
    public var evidence: [Evidence]
    public var actions: [WarningActionRecord]
    public var visits: [HomeVisitRecord]
    public var outcome: DispositionOutcome?
    public var reason: String?
    public var disposedOn: LocalDate?
    public var registeredRegion: String
    public var registeredRegionName: String
    /// The latest hardship score's breakdown for the household.
    public var score: HardshipScore?
    public var mayAct: Bool
    /// Sent for information to the registration place: only names, size, programmes and kind (`RegistrationPlaceView`);
    /// the evidence, score, visits and notes are left out.
    public var minimal = false
    public var householdSize: Int?
    public var programs: [Program] = []
}

public struct WarningFilter: Sendable, Equatable {
    public var indicator: String?
    public var kind: WarningKind?
    public var severity: Severity?
    public var status: WarningStatus?
    /// Only pending warnings past their deadline.
    public var overdueOnly = false
    /// Also warnings for households registered in the jurisdiction but living elsewhere.
    public var includeRegistered = false
    /// Only households living in this part of the jurisdiction (a district, a street…).
    public var region: RegionCode?
    /// Raised on or after / on or before these days.
    public var raisedFrom: LocalDate?
    public var raisedTo: LocalDate?
    public var limit = 50
    public var offset = 0

    public init(indicator: String? = nil, kind: WarningKind? = nil, severity: Severity? = nil, status: WarningStatus? = nil,
                overdueOnly: Bool = false, includeRegistered: Bool = false, limit: Int = 50, offset: Int = 0) {
        self.indicator = indicator
        self.kind = kind
        self.severity = severity
        self.status = status
        self.overdueOnly = overdueOnly
        self.includeRegistered = includeRegistered
        self.limit = limit
        self.offset = offset
    }
}

/// The monitoring dashboard's figures for one jurisdiction.
public struct MonitoringFigures: Sendable, Codable, Equatable {
    public struct Count: Sendable, Codable, Equatable {
        public var key: String
        public var label: String
        public var count: Int
    }
    public var total = 0
    public var pending = 0
    public var handled = 0
    public var overdue = 0
    public var byKind: [Count] = []
    public var byIndicator: [Count] = []
    public var bySubRegion: [Count] = []
    public var byStatus: [Count] = []
    /// Working days from raised to disposed, in bands (≤3, 4–5, 6–10, 11–20, >20).
    public var dispositionDays: [Count] = []
    public var medianDispositionDays: Int?
    /// Households screened and the latest screening run.
    public var screenedHouseholds = 0
    public var lastScreening: String?
}

public struct RankedHousehold: Sendable, Codable, Equatable {
    public var household: HouseholdSummary
    public var score: Int
    public var dimensions: [String: Int]
    public var pendingWarnings: Int
}

public enum WarningActionError: Error, Equatable, CustomStringConvertible {
    case workflow(WorkflowError)
    /// A home visit is recorded with what was found, within `WarningStore.findingsLimit` characters.
    case findingsRequired
    case findingsTooLong(limit: Int)
    public var description: String {
        switch self {
        case .workflow(let e): return e.description
        case .findingsRequired: return "a home visit needs its findings"
        case .findingsTooLong(let limit): return "findings are limited to \(limit) characters"
        }
    }
    public var chinese: String {
        switch self {
        case .workflow(let e): return e.chinese
        case .findingsRequired: return "请填写核实情况"
        case .findingsTooLong(let limit): return "核实情况不能超过\(limit)字，请精简后再提交"
        }
    }
}
