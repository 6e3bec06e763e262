import Domain
import Foundation
import Store
import Vapor

/// The review of probable matches: the queue, one proposed link, and a reviewer's decision (which, once committed,
/// starts what follows a link through `AfterCommit`).
struct LinkageRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())

        staff.get(.linkReviews) { req -> Response in
            let actor = try req.actor()
            let importID = req.query[String.self, at: "import"].flatMap(UUID.init(uuidString:))
            let paging = Paging(req, size: LinkReviewPage.pageSize)
            let (items, total) = try await LinkReviewStore(req.db).queue(actor: actor, importID: importID, offset: paging.offset, limit: paging.size)
            let notice = req.query[String.self, at: "done"].map { $0 == LinkDecision.confirm.rawValue ? "已确认，记录已写入档案。" : "已否决，此对记录不会再被提出。" }
            return Layout.response(LinkReviewPage.queue(chrome: try await Layout.chrome(req, .linkReviews), items: items, specs: try FeedCatalogue.bundled(),
                                                        notice: notice, total: total, paging: paging, importID: importID))
        }
        staff.get(.linkReview) { req -> Response in
            let actor = try req.actor()
            guard let id = req.parameters.get("linkID").flatMap(UUID.init(uuidString:)),
                  let review = try await LinkReviewStore(req.db).review(id, actor: actor) else { throw Abort(.notFound) }
            return Layout.response(LinkReviewPage.detail(chrome: try await Layout.chrome(req, .linkReviews), review: review))
        }
        staff.post(.linkDecision) { req -> Response in
            let actor = try req.actor()
            guard let id = req.parameters.get("linkID").flatMap(UUID.init(uuidString:)),
                  let decision = req.parameters.get("decision").flatMap(LinkDecision.init(rawValue:)) else { throw Abort(.notFound) }
            do {
                guard try await AfterCommit(req.db, monitoring: req.monitoring).decideLink(id, confirm: decision == .confirm, actor: actor) != nil else {
                    throw Abort(.notFound)
                }
            } catch LinkDecisionError.alreadyDecided {
                throw Abort(.conflict, reason: "此关联已由他人处理")
            }
            return req.redirect(to: SiteURL.linkReviews(importID: nil).path(query: ["done": decision.rawValue]), redirectType: .normal)
        }
    }
}
