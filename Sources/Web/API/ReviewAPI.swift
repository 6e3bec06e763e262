import Domain
import Foundation
import Store
import Vapor

extension API {
    struct Review: Content {
        var id: String
        var enrolmentId: String
        var householdId: String
        var program: String
        var cycle: String
        var dueOn: String
        var openedOn: String
        var overdue: Bool
        var status: String
        /// Send it back with the action: a change made since is refused (409).
        var version: Int
        var conclusion: String?
        var doneBy: String?
        var doneOn: String?
        var changeId: String?

        init(_ r: ReviewRecord, today: LocalDate) {
            let s = r.state
            id = r.id.uuidString.lowercased()
            enrolmentId = r.enrolmentID.uuidString.lowercased()
            householdId = r.householdID.uuidString.lowercased()
            program = s.program.rawValue
            cycle = s.cycleID
            dueOn = s.dueOn.description
            openedOn = s.openedOn.description
            overdue = s.isOverdue(on: today)
            status = s.status.rawValue
            version = s.version
            conclusion = s.conclusion
            doneBy = s.doneBy
            doneOn = s.doneOn?.description
            changeId = r.changeID?.uuidString.lowercased()
        }
    }

    struct ReviewContinueRequest: Content {
        var version: Int
        var conclusion: String
    }
}

/// Reviews as JSON: the list (open, overdue or done) and "continue". A change from a review is
/// `POST /api/v1/changes` with `reviewId` and `reviewVersion`.
struct ReviewAPIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiReviews) { req -> Response in
            let (limit, offset) = API.window(req)
            let filter = req.query[String.self, at: "filter"].flatMap(Reviews.Filter.init(rawValue:)) ?? .open
            let (items, total) = try await req.reviews.list(actor: try req.actor(), filter: filter, today: req.today, offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map { API.Review($0, today: req.today) }))
        }
        staff.post(.apiReviewContinue) { req -> Response in
            try req.require(.handleCases)
            guard let id = req.parameters.get("reviewID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let body = try req.content.decode(API.ReviewContinueRequest.self)
            do {
                try await req.reviews.continue(id, conclusion: body.conclusion, expectedVersion: body.version, actor: try req.actor(), today: req.today)
                guard let r = try await req.reviews.detail(id, actor: try req.actor()) else { throw Abort(.notFound) }
                return try API.json(API.Review(r, today: req.today))
            } catch let e as ReviewStoreError { throw API.abort(e) }
        }
    }
}
