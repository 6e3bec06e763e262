import Domain
import Foundation
import Store
import Vapor

extension API {
    struct SpotCheck: Content {
        var id: String
        var caseId: String
        var householdId: String
        var warningId: String?
        var kind: String
        var program: String
        var status: String
        /// Send it back with the result: a result recorded since is refused (409).
        var version: Int
        var drawnOn: String
        var finding: String?
        var recoverCents: Int64?
        var checkedBy: String?
        var checkedOn: String?
        var changeId: String?

        init(_ c: SpotCheckRecord) {
            let s = c.state
            id = c.id.uuidString.lowercased()
            caseId = c.caseID.uuidString.lowercased()
            householdId = c.householdID.uuidString.lowercased()
            warningId = c.warningID?.uuidString.lowercased()
            kind = s.kind.rawValue
            program = s.program.rawValue
            status = s.status.rawValue
            version = s.version
            drawnOn = s.drawnOn.description
            finding = s.finding
            recoverCents = s.recoverCents
            checkedBy = s.checkedBy
            checkedOn = s.checkedOn?.description
            changeId = c.changeID?.uuidString.lowercased()
        }
    }

    struct SpotCheckResultRequest: Content {
        var version: Int
        var truthful: Bool
        var finding: String
        var recoverCents: Int64?
    }
}

extension SpotCheckStoreError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    var isStale: Bool { self == .workflow(.staleVersion) }
}

/// The honesty loop as JSON: the checks (open or done) and a check's result.
struct HonestyAPIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiSpotChecks) { req -> Response in
            let (limit, offset) = API.window(req)
            let filter = req.query[String.self, at: "filter"].flatMap(SpotChecks.Filter.init(rawValue:)) ?? .open
            let (items, total) = try await req.spotChecks.list(actor: try req.actor(), filter: filter, offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.SpotCheck.init)))
        }
        staff.post(.apiSpotCheckResult) { req -> Response in
            try req.require(.viewCases)
            guard let id = req.parameters.get("checkID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let body = try req.content.decode(API.SpotCheckResultRequest.self)
            do {
                let actor = try req.actor()
                try await req.spotChecks.record(id, truthful: body.truthful, finding: body.finding, recoverCents: body.recoverCents,
                                                expectedVersion: body.version, actor: actor, today: req.today)
                guard let c = try await req.spotChecks.detail(id, actor: actor) else { throw Abort(.notFound) }
                return try API.json(API.SpotCheck(c))
            } catch let e as SpotCheckStoreError { throw API.abort(e) }
        }
    }
}
