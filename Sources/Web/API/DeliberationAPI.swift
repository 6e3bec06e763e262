import Domain
import Foundation
import Store
import Vapor

extension API {
    struct Deliberation: Content {
        var id: String
        var householdId: String
        var caseId: String?
        var warningId: String?
        var source: String
        var situation: String
        var tags: [String]
        var level: String
        var status: String
        /// Send it back with the next meeting: a meeting recorded since is refused (409).
        var version: Int
        var openedBy: String
        var openedOn: String
        var decidedOn: String?
        var meetings: [DeliberationMeeting]

        init(_ d: DeliberationRecord) {
            let s = d.state
            id = d.id.uuidString.lowercased()
            householdId = d.householdID.uuidString.lowercased()
            caseId = d.caseID?.uuidString.lowercased()
            warningId = d.warningID?.uuidString.lowercased()
            source = s.source.rawValue
            situation = s.situation
            tags = s.tags
            level = s.level.rawValue
            status = s.status.rawValue
            version = s.version
            openedBy = s.openedBy
            openedOn = s.openedOn.description
            decidedOn = d.decidedOn?.description
            meetings = s.meetings
        }
    }

    struct NewDeliberationRequest: Content {
        var householdId: String
        var situation: String
        var tags: [String]?
        var caseId: String?
        var warningId: String?
    }

    struct MeetingRequest: Content {
        var version: Int
        /// The meeting: its level must be the one the deliberation is at.
        var meeting: DeliberationMeeting
    }
}

extension DeliberationStoreError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    var isStale: Bool { self == .workflow(.staleVersion) }
}

/// 一事一议 as JSON: list (open, or the decided precedents with q and tag), open, record a meeting.
struct DeliberationAPIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiDeliberations) { req -> Response in
            let (limit, offset) = API.window(req)
            let filter = req.query[String.self, at: "filter"].flatMap(Deliberations.Filter.init(rawValue:)) ?? .open
            let (items, total) = try await req.deliberations.list(actor: try req.actor(), filter: filter, text: req.query[String.self, at: "q"],
                                                                  tag: req.query[String.self, at: "tag"], offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.Deliberation.init)))
        }
        staff.post(.apiDeliberations) { req -> Response in
            try req.require(.viewCases)
            let body = try req.content.decode(API.NewDeliberationRequest.self)
            guard let household = UUID(uuidString: body.householdId) else { throw Abort(.badRequest, reason: "householdId 无效") }
            do {
                let actor = try req.actor()
                let id = try await req.deliberations.open(household: household, situation: body.situation, tags: body.tags ?? [],
                                                          origin: .init(caseID: body.caseId.flatMap(UUID.init(uuidString:)),
                                                                        warningID: body.warningId.flatMap(UUID.init(uuidString:))),
                                                          actor: actor, today: req.today)
                guard let d = try await req.deliberations.detail(id, actor: actor) else { throw Abort(.notFound) }
                let res = try API.json(API.Deliberation(d))
                res.status = .created
                return res
            } catch let e as DeliberationStoreError { throw API.abort(e) }
        }
        staff.post(.apiDeliberationMeetings) { req -> Response in
            try req.require(.viewCases)
            guard let id = req.parameters.get("deliberationID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let body = try req.content.decode(API.MeetingRequest.self)
            do {
                let actor = try req.actor()
                try await req.deliberations.recordMeeting(id, body.meeting, expectedVersion: body.version, actor: actor, today: req.today)
                guard let d = try await req.deliberations.detail(id, actor: actor) else { throw Abort(.notFound) }
                return try API.json(API.Deliberation(d))
            } catch let e as DeliberationStoreError { throw API.abort(e) }
        }
    }
}
