import Domain
import Foundation

/// A case in a list: what it is, where it stands, and its deadlines.
public struct CaseSummary: Sendable, Codable, Equatable {
    public var id: UUID
    public var code: String
    public var kind: CaseKind
    /// The programme an approval enrols in, as the process said when the case was opened.
    public var program: Program
    public var channel: CaseChannel
    public var status: CaseStatus
    public var step: CaseStep?
    public var version: Int
    public var householdID: UUID
    public var memberID: UUID?
    public var applicantName: String
    public var residenceRegion: String
    public var registeredRegion: String
    /// Help first: the township (or community) where the emergency struck, which grants [LS; ZX 48].
    public var emergencyRegion: String?
    public var appliedOn: LocalDate
    public var acceptedOn: LocalDate?
    public var stepDueOn: LocalDate?
    public var stepDueProvisional: Bool
    public var processDueOn: LocalDate?
    public var processDueProvisional: Bool
    public var decision: CaseDecision?
    /// Help first: the paperwork after the grant, due while `paperworkDone` is false.
    public var paperworkDueOn: LocalDate?
    public var paperworkDone: Bool

    public var paperworkPending: Bool { paperworkDueOn != nil && !paperworkDone }

    public func overdue(on today: LocalDate) -> Bool {
        (status == .open && ((stepDueOn.map { today > $0 } ?? false) || (processDueOn.map { today > $0 } ?? false)))
            || (paperworkPending && (paperworkDueOn.map { today > $0 } ?? false))
    }
}

/// One thing done on a case, for its timeline.
public struct CaseEventRecord: Sendable, Codable, Equatable {
    public var at: Date
    public var onDay: LocalDate
    public var username: String
    public var role: Role
    public var action: String
    public var step: CaseStep?
    public var note: String
    /// The step's structured record (materials, commitment, verification report, visit form).
    public var record: CaseRecord?
}

/// A case with everything its page shows: the state, the timeline, the clock, and whether the reader holds its
/// current step.
public struct CaseDetail: Sendable {
    public var summary: CaseSummary
    public var state: CaseState
    public var process: CaseProcess
    public var clock: CaseClock
    public var events: [CaseEventRecord]
    /// The household as the calculator read it when the case was opened (JSON of `AssessmentRequest`).
    public var snapshot: String?
    /// The household as the case recorded it (decoded once, from the snapshot).
    public var household: AssessmentRequest?
    /// The calculator's assessment then (JSON of `Assessment`).
    public var assessment: String?
    public var isTask: Bool
    /// The rules in force for this case today (delegated limit, who signs, when a benefit starts).
    public var context: CaseContext
    public var statusToken: String
    public var warningID: UUID?
    /// Read by an office with no step in the case (a registration place told of it): the records, notes, survey
    /// and assessment are left out (`RegistrationPlaceView`).
    public var minimal = false

    /// The latest record of each kind, for the page and the printed forms.
    public var materials: MaterialsNotice? { latest { if case .materials(let m) = $0 { m } else { nil } } }
    public var commitment: CommitmentRecord? { latest { if case .commitment(let c) = $0 { c } else { nil } } }
    public var verification: EconomicCheckReport? { latest { if case .verification(let v) = $0 { v } else { nil } } }
    public var visit: HomeVisitForm? { latest { if case .visit(let v) = $0 { v } else { nil } } }

    func latest<T>(_ pick: (CaseRecord) -> T?) -> T? {
        for e in events.reversed() { if let r = e.record, let v = pick(r) { return v } }
        return nil
    }
}

public struct NewCase: Sendable {
    public var kind: CaseKind
    public var channel: CaseChannel
    public var householdID: UUID
    /// For personal programmes (tekun): the member applying.
    public var memberID: UUID?
    public var applicantName: String
    public var staffRelative: Bool
    public var warningID: UUID?
    /// The resident's request for help (码上办) this application answers: marked converted with the case.
    public var helpRequestID: UUID?
    /// Help first: where the emergency struck (a township or community inside the opener's jurisdiction); by default
    /// the opener's own township or community.
    public var emergencyRegion: RegionCode?
    public var note: String
    public var snapshot: String?
    public var assessment: String?

    public init(kind: CaseKind, channel: CaseChannel, householdID: UUID, memberID: UUID? = nil, applicantName: String, staffRelative: Bool = false,
                warningID: UUID? = nil, helpRequestID: UUID? = nil, emergencyRegion: RegionCode? = nil, note: String = "", snapshot: String? = nil,
                assessment: String? = nil) {
        self.emergencyRegion = emergencyRegion
        self.helpRequestID = helpRequestID
        self.kind = kind
        self.channel = channel
        self.householdID = householdID
        self.memberID = memberID
        self.applicantName = applicantName
        self.staffRelative = staffRelative
        self.warningID = warningID
        self.note = note
        self.snapshot = snapshot
        self.assessment = assessment
    }
}

public enum CaseStoreError: Error, Equatable, Sendable {
    case notFound
    case workflow(CaseError)
    case memberRequired
    case applicantNameRequired
    case helpRequestUnavailable
    case reserveFund(ReserveFundError)
    /// Help first is accepted where the emergency struck: a township or community of the opener's jurisdiction.
    case emergencyPlaceRequired
    case personNotFound

    public var chinese: String {
        switch self {
        case .notFound: return "未找到该申请，或不在您的辖区"
        case .workflow(let e): return e.chinese
        case .memberRequired: return "特困供养按人申请：请选择申请的家庭成员"
        case .applicantNameRequired: return "请填写申请人姓名"
        case .reserveFund(let e): return e.chinese
        case .helpRequestUnavailable: return "该求助已办结或已转为申请，或不属于本户、不在您的辖区"
        case .emergencyPlaceRequired: return "请选择急难发生地：本辖区内的乡镇（街道）或村（社区）"
        case .personNotFound: return "本市登记系统中没有这个身份证号的人员"
        }
    }
}

/// Which cases an inbox lists.
public struct CaseFilter: Sendable, Equatable {
    /// Only those whose current step is the reader's to do.
    public var tasksOnly: Bool
    public var status: CaseStatus?
    public var kind: CaseKind?
    public var step: CaseStep?
    public var overdueOnly: Bool

    public init(tasksOnly: Bool = true, status: CaseStatus? = nil, kind: CaseKind? = nil, step: CaseStep? = nil, overdueOnly: Bool = false) {
        self.tasksOnly = tasksOnly
        self.status = status
        self.kind = kind
        self.step = step
        self.overdueOnly = overdueOnly
    }
}
