import Domain
import Foundation
import Store
import Vapor

extension API {
    struct Change: Content {
        var id: String
        var enrolmentId: String
        var householdId: String
        var kind: String
        var program: String
        var currentCents: Int64
        var newCents: Int64
        var effectiveOn: String
        var reasons: [String]
        var articles: [String]
        var source: String
        var warningId: String?
        var status: String
        /// Send it back with the decision: a change made since is refused (409).
        var version: Int
        var proposedBy: String
        var proposedOn: String
        var noticeFrom: String?
        var decidedBy: String?
        var decidedOn: String?
        var recovery: Recovery?
        var reviewId: String?
        /// A gradual exit: the months the amount goes on, and the day it stops [DB 33].
        var exitMonths: Int?
        var exitEndsOn: String?

        init(_ c: EnrolmentChangeRecord) {
            let s = c.state
            id = c.id.uuidString.lowercased()
            enrolmentId = c.enrolmentID.uuidString.lowercased()
            householdId = c.householdID.uuidString.lowercased()
            kind = s.kind.rawValue
            program = s.program.rawValue
            currentCents = s.currentCents
            newCents = s.newCents
            effectiveOn = s.effectiveOn.description
            reasons = s.reasons
            articles = s.articles
            source = s.source.rawValue
            warningId = c.warningID?.uuidString.lowercased()
            status = s.status.rawValue
            version = s.version
            proposedBy = s.proposedBy
            proposedOn = s.proposedOn.description
            noticeFrom = s.noticeFrom?.description
            decidedBy = s.decidedBy
            decidedOn = s.decidedOn?.description
            recovery = s.recovery
            reviewId = c.reviewID?.uuidString.lowercased()
            exitMonths = s.exitMonths
            exitEndsOn = s.exitEndsOn?.description
        }
    }

    struct NewChangeRequest: Content {
        var enrolmentId: String
        var newCents: Int64
        /// "2027-01": the month the new amount (or the stop) takes effect.
        var effectiveMonth: String
        var reasons: [String]
        var articles: [String]?
        var source: String?
        var warningId: String?
        /// From a periodic review (which this ends), with the review's version as read.
        var reviewId: String?
        var reviewVersion: Int?
        /// A gradual exit instead of an immediate stop (newCents 0, dibao) [DB 33].
        var exitMonths: Int?
    }

    struct ChangeDecisionRequest: Content {
        var version: Int
        var approve: Bool
        var recoverCents: Int64?
        var recoverBasis: String?
    }

    /// The store's refusal as the API answers it: not found (or outside the jurisdiction) 404, changed since it was
    /// read 409, anything else the rules refused 400 with the reason.
    static func abort(_ e: some StoreRefusal) -> Abort {
        if e.isNotFound { return Abort(.notFound) }
        return Abort(e.isStale ? .conflict : .badRequest, reason: e.chinese)
    }
}

/// What the change and review stores refuse with.
protocol StoreRefusal: Error {
    var isNotFound: Bool { get }
    var isStale: Bool { get }
    var chinese: String { get }
}

extension ChangeStoreError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    var isStale: Bool { self == .workflow(.staleVersion) }
}

extension ReviewStoreError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    var isStale: Bool { self == .workflow(.staleVersion) }
}

/// The same as JSON: list, propose, decide.
struct ChangeAPIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiChanges) { req -> Response in
            let (limit, offset) = API.window(req)
            let (items, total) = try await req.changes.list(actor: try req.actor(), pendingOnly: req.query[String.self, at: "all"] != "on", offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.Change.init)))
        }
        staff.post(.apiChanges) { req -> Response in
            try req.require(.handleCases)
            let body = try req.content.decode(API.NewChangeRequest.self)
            guard let enrolment = UUID(uuidString: body.enrolmentId), let month = try? LocalDate(body.effectiveMonth + "-01") else {
                throw Abort(.badRequest, reason: "enrolmentId 或 effectiveMonth（如 2027-01）无效")
            }
            do {
                let id = try await req.changes.propose(enrolment: enrolment, newCents: body.newCents, effectiveOn: month, reasons: body.reasons,
                                                       articles: body.articles ?? [], source: body.source.flatMap(ChangeSource.init(rawValue:)) ?? .staff,
                                                       origin: .init(warningID: body.warningId.flatMap(UUID.init(uuidString:)),
                                                                     review: body.reviewId.flatMap(UUID.init(uuidString:)).map { ($0, body.reviewVersion ?? 0) }),
                                                       exitMonths: body.exitMonths, actor: try req.actor(), today: req.today)
                guard let c = try await req.changes.detail(id, actor: try req.actor()) else { throw Abort(.notFound) }
                let res = try API.json(API.Change(c))
                res.status = .created
                return res
            } catch let e as any StoreRefusal {
                throw API.abort(e)
            }
        }
        staff.post(.apiChangeDecision) { req -> Response in
            try req.require(.handleCases)
            guard let id = req.parameters.get("changeID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let body = try req.content.decode(API.ChangeDecisionRequest.self)
            do {
                try await req.changes.decide(id, approve: body.approve, recovery: body.recoverCents.map { Recovery(amountCents: $0, basis: body.recoverBasis ?? "") },
                                             expectedVersion: body.version, actor: try req.actor(), today: req.today)
                guard let c = try await req.changes.detail(id, actor: try req.actor()) else { throw Abort(.notFound) }
                return try API.json(API.Change(c))
            } catch let e as ChangeStoreError { throw API.abort(e) }
        }
    }
}
