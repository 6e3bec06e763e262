import Domain
import Foundation
import Store
import Vapor

extension API {
    /// One page of a list, with the total the filter matches.
    struct Page<Item: Content>: Content {
        var total: Int
        var limit: Int
        var offset: Int
        var items: [Item]
    }

    typealias WarningList = Page<Warning>

    struct Warning: Content {
        var id: String
        var householdId: String
        var headName: String
        var headNationalIdMasked: String
        var indicator: String
        var title: String
        var kind: String
        var severity: String
        var status: String
        /// Higher means harder.
        var score: Int
        var raisedOn: String
        var dueOn: String
        var overdue: Bool
        var clearedOn: String?
        var assignee: String?
        var residenceRegion: RegionRef
        var forInformation: Bool

        init(_ w: WarningSummary) {
            id = w.id.uuidString.lowercased()
            householdId = w.householdID.uuidString.lowercased()
            headName = w.headName
            headNationalIdMasked = w.headMaskedID
            indicator = w.indicator
            title = w.title
            kind = w.kind.rawValue
            severity = w.severity.rawValue
            status = w.status.rawValue
            score = w.score
            raisedOn = w.raisedOn.description
            dueOn = w.dueOn.description
            overdue = w.overdue
            clearedOn = w.clearedOn?.description
            assignee = w.assignee
            residenceRegion = RegionRef(code: w.residenceRegion, name: w.residenceRegionName)
            forInformation = w.forInformation
        }
    }

    struct WarningDetail: Content {
        struct EvidenceItem: Content { var text: String; var department: String?; var date: String?; var reference: String? }
        struct Action: Content { var at: String; var username: String; var action: String; var from: String; var to: String; var note: String }
        var warning: Warning
        var basis: String?
        var deadlineWorkingDays: Int?
        var evidence: [EvidenceItem]
        var actions: [Action]
        var outcome: String?
        var reason: String?
        var score: Int?
        var scoreByDimension: [String: Int]?

        init(_ d: Store.WarningDetail) {
            warning = Warning(d.summary)
            basis = d.indicator?.basis
            deadlineWorkingDays = d.indicator?.deadlineWorkingDays
            evidence = d.evidence.map { EvidenceItem(text: $0.text, department: $0.department?.rawValue, date: $0.date?.description, reference: $0.reference) }
            actions = d.actions.map { Action(at: $0.at, username: $0.username, action: $0.action, from: $0.from.rawValue, to: $0.to.rawValue, note: $0.note) }
            outcome = d.outcome?.rawValue
            reason = d.reason
            score = d.score?.total
            scoreByDimension = d.score.map { Dictionary(uniqueKeysWithValues: $0.byDimension.map { ($0.key.rawValue, $0.value) }) }
        }
    }
}
