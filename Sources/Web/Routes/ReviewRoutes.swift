import Domain
import Foundation
import Store
import Vapor

extension Request {
    var reviews: Reviews {
        let policy = application.storage[PolicyKey.self]!
        return Reviews(db, parameters: policy.calculator.parameters, cycles: policy.reviewCycles)
    }
}

/// 定期核查: the list of reviews due, a review's page with the calculator's view on today's registry facts, and
/// "continue" (a change goes through the change form, which ends the review in the same transaction).
struct ReviewRoutes: RouteCollection {
    struct ContinueForm: Content {
        var version: Int?
        var conclusion: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.reviews) { req -> Response in
            let filter = req.query[String.self, at: "filter"].flatMap(Reviews.Filter.init(rawValue:)) ?? .open
            let paging = Paging(req, size: 30)
            let (items, total) = try await req.reviews.list(actor: try req.actor(), filter: filter, today: req.today, offset: paging.offset, limit: paging.size)
            return Layout.response(ReviewPages.list(chrome: try await Layout.chrome(req, .cases), items: items, total: total, filter: filter,
                                                    cycles: req.reviews.cycles, today: req.today, paging: paging))
        }
        staff.get(.review) { req -> Response in try await Self.detailPage(req, error: nil, typed: nil) }
        staff.post(.reviewContinue) { req -> Response in
            try req.require(.handleCases)
            guard let id = req.parameters.get("reviewID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(ContinueForm.self)) ?? ContinueForm()
            do {
                try await req.reviews.continue(id, conclusion: form.conclusion ?? "", expectedVersion: form.version ?? 0, actor: try req.actor(), today: req.today)
                return req.redirect(to: SiteURL.review(id).path + "?done=1", redirectType: .normal)
            } catch let e as ReviewStoreError where e != .notFound {
                return try await Self.detailPage(req, error: e.chinese, typed: ReviewPages.Typed(conclusion: form.conclusion),
                                                 status: e == .workflow(.staleVersion) ? .conflict : .badRequest)
            } catch ReviewStoreError.notFound { throw Abort(.notFound) }
        }
    }

    static func detailPage(_ req: Request, error: String?, typed: ReviewPages.Typed?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard let id = req.parameters.get("reviewID").flatMap(UUID.init(uuidString:)), let r = try await req.reviews.detail(id, actor: actor) else {
            throw Abort(.notFound)
        }
        // The household as the registry holds it today: the review's whole point is what changed since the last one.
        let profile = actor.may(.viewHouseholds) ? try await RegistryStore(req.db).profile(Household.ID(r.householdID), actor: actor) : nil
        let enrolment = profile?.enrolments.first { $0.id.rawValue == r.enrolmentID }
        let assessment = profile.flatMap { try? req.calculator.assess(AssessmentRequest(profile: $0, date: req.today)) }
        let decision = assessment?.decisions.first { d in
            d.program == r.state.program && (enrolment?.memberID == nil || d.member == enrolment?.memberID?.description)
        }
        let names = try await RegistryStore(req.db).regionNames([r.state.residenceRegion.value, r.state.registrationRegion.value])
        return Layout.response(ReviewPages.detail(chrome: try await Layout.chrome(req, .cases), r: r, profile: profile, enrolment: enrolment,
                                                  decision: decision, cycle: req.reviews.cycles[r.state.cycleID], names: names,
                                                  mayHandle: ReviewWorkflow.mayHandle(r.state, by: actor), today: req.today,
                                                  notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: error, typed: typed),
                               status: status)
    }
}
