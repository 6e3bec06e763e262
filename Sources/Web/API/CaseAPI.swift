import Domain
import Foundation
import Store
import Vapor

extension API {
    typealias CaseList = Page<Case>

    struct Case: Content {
        var id: String
        var code: String
        var kind: String
        var program: String
        var channel: String
        var status: String
        var step: String?
        /// Send it back with a transition: a change made since is refused (409).
        var version: Int
        var householdId: String
        var memberId: String?
        var applicantName: String
        var residenceRegion: String
        var registeredRegion: String
        /// Help first: where the emergency struck (the township there grants).
        var emergencyRegion: String?
        var appliedOn: String
        var acceptedOn: String?
        var stepDueOn: String?
        var processDueOn: String?
        /// Counted through a year whose holidays are not loaded yet.
        var provisional: Bool
        var overdue: Bool
        var decision: CaseDecision?

        init(_ c: CaseSummary, today: LocalDate) {
            id = c.id.uuidString.lowercased()
            code = c.code
            kind = c.kind.rawValue
            program = c.program.rawValue
            channel = c.channel.rawValue
            status = c.status.rawValue
            step = c.step?.rawValue
            version = c.version
            householdId = c.householdID.uuidString.lowercased()
            memberId = c.memberID?.uuidString.lowercased()
            applicantName = c.applicantName
            residenceRegion = c.residenceRegion
            registeredRegion = c.registeredRegion
            emergencyRegion = c.emergencyRegion
            appliedOn = c.appliedOn.description
            acceptedOn = c.acceptedOn?.description
            stepDueOn = c.stepDueOn?.description
            processDueOn = c.processDueOn?.description
            provisional = c.stepDueProvisional || c.processDueProvisional
            overdue = c.overdue(on: today)
            decision = c.decision
        }
    }

    struct CaseEvent: Content {
        var at: Date
        var username: String
        var role: String
        var action: String
        var step: String?
        var note: String
        /// The step's structured record: materials, commitment, verification report or visit form.
        var record: CaseRecord?
    }

    struct CaseDetail: Content {
        var `case`: Case
        var steps: [String]
        var events: [CaseEvent]
        /// Whether the current step is the caller's to do.
        var isTask: Bool
        /// The departments' items of the household as the case recorded it, in the order `declaredCents` keys them.
        var verificationItems: [EconomicCheckItem]
        /// Who must sign the commitment (members at or above the signing age today).
        var commitmentSigners: [String]

        init(_ d: Store.CaseDetail, today: LocalDate) {
            `case` = Case(d.summary, today: today)
            steps = d.process.steps.map(\.step.rawValue)
            events = d.events.map { CaseEvent(at: $0.at, username: $0.username, role: $0.role.rawValue, action: $0.action, step: $0.step?.rawValue, note: $0.note,
                                              record: $0.record) }
            isTask = d.isTask
            verificationItems = d.household.map(EconomicCheckReport.departmentItems) ?? []
            commitmentSigners = d.context.requiredSigners ?? []
        }
    }

    struct NewCaseRequest: Content {
        var householdId: String
        var kind: String
        var channel: String
        var memberId: String?
        var applicantName: String
        var staffRelative: Bool?
        var note: String?
        var warningId: String?
        /// The resident's request for help this application answers (it is marked converted).
        var helpRequestId: String?
        /// Help first (temporaryEmergency): where the emergency struck, a township or community of the caller's
        /// jurisdiction (by default the caller's own); the household may then be any of the city's.
        var emergencyRegion: String?
    }
}
