import Domain
import Foundation
import Store
import Vapor

extension Request {
    var cases: CaseStore {
        let policy = application.storage[PolicyKey.self]!
        return CaseStore(db, processes: policy.processes, calendar: monitoring.calendar, parameters: calculator.parameters)
    }
}

/// Applications: the inbox, opening a case (from a household's profile or a warning), a case's page and its steps,
/// and the same as JSON.
struct CaseRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // 码上查: the applicant's status page, public behind its token: the stage and dates, nothing personal.
        routes.grouped(PublicOutputGuard()).get(.caseStatus) { req -> Response in
            guard await req.publicRequestAllowed() else {
                return Layout.response(CaseStatusPage.tooMany(), status: .tooManyRequests)
            }
            guard let token = req.parameters.get("token"), let status = try await req.cases.publicStatus(token: token) else { throw Abort(.notFound) }
            return Layout.response(CaseStatusPage.view(status, today: req.today))
        }

        let staff = routes.grouped(RequireStaffMiddleware())

        staff.get(.cases) { req -> Response in
            let actor = try req.actor()
            let form = (try? req.query.decode(CasePages.InboxForm.self)) ?? CasePages.InboxForm()
            let paging = Paging(req, size: CasePages.pageSize)
            let (items, total) = try await req.cases.inbox(actor: actor, filter: form.filter, today: req.today, offset: paging.offset, limit: paging.size)
            let names = try await RegistryStore(req.db).regionNames(items.flatMap { [$0.residenceRegion, $0.registeredRegion] + [$0.emergencyRegion].compactMap { $0 } })
            return Layout.response(CasePages.inbox(chrome: try await Layout.chrome(req, .cases), form: form, items: items, total: total, paging: paging,
                                                   today: req.today, regionNames: names))
        }

        staff.get(.caseNew) { req -> Response in
            let form = (try? req.query.decode(CasePages.NewForm.self)) ?? CasePages.NewForm()
            return try await Self.newPage(req, form: form, error: nil)
        }

        staff.post(.cases) { req -> Response in
            let form = (try? req.content.decode(CasePages.NewForm.self)) ?? CasePages.NewForm()
            do {
                let c = try await Self.open(req, form)
                return req.redirect(to: SiteURL.caseItem(c.id).path + "?done=open", redirectType: .normal)
            } catch let e as CaseStoreError {
                return try await Self.newPage(req, form: form, error: e.chinese, status: .badRequest)
            }
        }

        staff.get(.caseItem) { req -> Response in
            try await Self.detailPage(req, try Self.caseID(req), notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: nil, typed: nil)
        }

        // The decision notice (决定书) handed to the applicant: printed from the case once it is decided.
        staff.get(.caseDecisionNotice) { req -> Response in
            let actor = try req.actor()
            guard let d = try await req.cases.detail(try Self.caseID(req), actor: actor, today: req.today), let decision = d.summary.decision else {
                throw Abort(.notFound)
            }
            let county = try RegionCode(d.summary.registeredRegion).ancestor(at: .county)?.value ?? d.summary.registeredRegion
            let names = try await RegistryStore(req.db).regionNames([county])
            return Layout.response(CaseDecisionNoticePage.view(chrome: try await Layout.chrome(req, .cases), d: d, decision: decision,
                                                               office: (names[county] ?? "") + "民政局"))
        }

        // 一次性告知书: the missing materials, listed once, printed for the applicant.
        staff.get(.caseMaterialsNotice) { req -> Response in
            let actor = try req.actor()
            guard let d = try await req.cases.detail(try Self.caseID(req), actor: actor, today: req.today), let notice = d.materials,
                  let on = d.state.materialsRequestedOn else { throw Abort(.notFound) }
            let township = try RegionCode(d.summary.residenceRegion).ancestor(at: .township)?.value ?? d.summary.residenceRegion
            let names = try await RegistryStore(req.db).regionNames([township])
            return Layout.response(CaseMaterialsNoticePage.view(chrome: try await Layout.chrome(req, .cases), d: d, notice: notice, on: on,
                                                                office: names[township] ?? ""))
        }

        staff.post(.caseActions) { req -> Response in
            let id = try Self.caseID(req)
            let form = (try? req.content.decode(CaseDetailPage.ActionForm.self)) ?? CaseDetailPage.ActionForm()
            do {
                let action = try form.caseAction(household: try await req.cases.household(id, actor: try req.actor()))
                _ = try await req.cases.act(id, action, expectedVersion: form.version ?? 0, actor: try req.actor(), today: req.today,
                                            assessment: try await Self.reassessment(req, id, for: action))
                return req.redirect(to: SiteURL.caseItem(id).path + "?done=\(form.action ?? "")", redirectType: .normal)
            } catch let e as CaseStoreError where e != .notFound {
                return try await Self.detailPage(req, id, notice: nil, error: e.chinese, typed: form, status: e.isStale ? .conflict : .badRequest)
            } catch let e as CaseDetailPage.ActionForm.Invalid {
                return try await Self.detailPage(req, id, notice: nil, error: e.message, typed: form, status: .badRequest)
            } catch CaseStoreError.notFound {
                throw Abort(.notFound)
            }
        }

        staff.get(.caseDashboard) { req -> Response in
            let actor = try req.actor()
            async let figures = req.cases.figures(actor: actor, today: req.today)
            async let reviews = req.reviews.counts(actor: actor, today: req.today)
            let (f, r) = try await (figures, reviews)
            let names = try await RegistryStore(req.db).regionNames(f.areas.map(\.region) + [actor.jurisdiction.value])
            return Layout.response(CaseDashboardPage.view(chrome: try await Layout.chrome(req, .cases), figures: f, reviews: r, names: names,
                                                          jurisdictionName: names[actor.jurisdiction.value] ?? ""))
        }

        // The notice board is printed and posted in the community: a public output, checked as the status page is.
        staff.grouped(PublicOutputGuard()).get(.notices) { req -> Response in
            let actor = try req.actor()
            let region = try req.query[String.self, at: "region"].map { try RegionCode($0) } ?? actor.jurisdiction
            let board = try await req.cases.noticeBoard(region: region, actor: actor, today: req.today)
            let codes = [region.value] + (board.notices + board.approved).flatMap { [$0.residenceRegion, $0.registeredRegion] }
            let names = try await RegistryStore(req.db).regionNames(codes)
            return Layout.response(NoticeBoardPage.view(chrome: try await Layout.chrome(req, .cases), region: region, regionName: names[region.value] ?? region.value,
                                                        notices: board.notices, approved: board.approved, names: names))
        }

        // MARK: API

        staff.get(.apiCases) { req -> Response in
            let form = (try? req.query.decode(CasePages.InboxForm.self)) ?? CasePages.InboxForm()
            let (limit, offset) = API.window(req)
            let (items, total) = try await req.cases.inbox(actor: try req.actor(), filter: form.filter, today: req.today, offset: offset, limit: limit)
            return try API.json(API.CaseList(total: total, limit: limit, offset: offset, items: items.map { API.Case($0, today: req.today) }))
        }
        staff.post(.apiCases) { req -> Response in
            try req.require(.openCases)
            let body = try req.content.decode(API.NewCaseRequest.self)
            let form = CasePages.NewForm(household: body.householdId, warning: body.warningId, kind: body.kind, channel: body.channel, member: body.memberId,
                                         applicantName: body.applicantName, staffRelative: body.staffRelative == true ? "on" : nil, note: body.note,
                                         helpRequest: body.helpRequestId, emergencyRegion: body.emergencyRegion)
            do {
                let c = try await Self.open(req, form)
                let res = try API.json(API.Case(c, today: req.today))
                res.status = .created
                return res
            } catch let e as CaseStoreError { throw Self.abort(e) }
        }
        staff.get(.apiCase) { req -> Response in
            guard let d = try await req.cases.detail(try Self.caseID(req), actor: try req.actor(), today: req.today) else { throw Abort(.notFound) }
            return try API.json(API.CaseDetail(d, today: req.today))
        }
        staff.post(.apiCaseTransitions) { req -> Response in
            let id = try Self.caseID(req)
            let form = try req.content.decode(CaseDetailPage.ActionForm.self)
            do {
                let action = try form.caseAction(household: try await req.cases.household(id, actor: try req.actor()))
                let c = try await req.cases.act(id, action, expectedVersion: form.version ?? 0, actor: try req.actor(), today: req.today)
                return try API.json(API.Case(c, today: req.today))
            } catch let e as CaseStoreError { throw Self.abort(e) }
            catch let e as CaseDetailPage.ActionForm.Invalid { throw Abort(.badRequest, reason: e.message) }
        }
    }

    /// For a first review: the calculator's assessment of the household kept with the case (the registry's facts as
    /// the case recorded them, with the home and the self-care the visit found), on today's rules, attached to the opinion. The registration township reviews a
    /// household that may live outside its jurisdiction, so the case's own record is used, not a profile read.
    static func reassessment(_ req: Request, _ id: UUID, for action: CaseAction) async throws -> String? {
        guard case .firstReview = action, var request = try await req.cases.verifiedHousehold(id, actor: try req.actor()) else { return nil }
        request.date = req.today
        guard let a = try? req.calculator.assess(request) else { return nil }
        return try StoredJSON.text(a)
    }

    static func abort(_ e: CaseStoreError) -> Abort {
        switch e {
        case .notFound: return Abort(.notFound)
        case _ where e.isStale: return Abort(.conflict, reason: e.chinese)
        default: return Abort(.badRequest, reason: e.chinese)
        }
    }

    /// The address residents reach this server at, as the request names it.
    static func origin(_ req: Request) -> String {
        let host = req.headers.first(name: .host) ?? "\(req.application.http.server.configuration.hostname):\(req.application.http.server.configuration.port)"
        return (req.config.mode == .production ? "https://" : "http://") + host
    }

    static func caseID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("caseID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        return id
    }

    /// Opens a case with the household as the registry and the calculator see it today, kept with the case.
    static func open(_ req: Request, _ form: CasePages.NewForm) async throws -> CaseSummary {
        let actor = try req.actor()
        guard let hid = form.household.flatMap(UUID.init(uuidString:)), let kind = form.kind.flatMap(CaseKind.init(rawValue:)),
              let channel = form.channel.flatMap(CaseChannel.init(rawValue:)) else { throw CaseStoreError.notFound }
        var snapshot: String?
        var assessment: String?
        if let p = try await RegistryStore(req.db).profile(Household.ID(hid), actor: actor) {
            let request = AssessmentRequest(profile: p, date: req.today)
            snapshot = try StoredJSON.text(request)
            if let a = try? req.calculator.assess(request) { assessment = try StoredJSON.text(a) }
        }
        let member = form.member.flatMap { $0.isEmpty ? nil : UUID(uuidString: $0) }
        return try await req.cases.open(NewCase(kind: kind, channel: channel, householdID: hid, memberID: member, applicantName: form.applicantName ?? "",
                                                staffRelative: form.staffRelative == "on", warningID: form.warning.flatMap(UUID.init(uuidString:)),
                                                helpRequestID: form.helpRequest.flatMap(UUID.init(uuidString:)),
                                                emergencyRegion: try form.emergencyRegion.flatMap { $0.isEmpty ? nil : try RegionCode($0) },
                                                note: (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines), snapshot: snapshot, assessment: assessment),
                                        actor: actor, today: req.today)
    }

    static func newPage(_ req: Request, form: CasePages.NewForm, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard actor.may(.openCases) else { throw DomainError.forbidden }
        guard let hid = form.household.flatMap(UUID.init(uuidString:)),
              let p = try await RegistryStore(req.db).profile(Household.ID(hid), actor: actor) else { throw Abort(.notFound) }
        let suggested = (try? req.calculator.assess(AssessmentRequest(profile: p, date: req.today), explain: false)).flatMap(Self.suggestedKind)
        return Layout.response(CasePages.newCase(chrome: try await Layout.chrome(req, .cases), profile: p, form: form, suggested: suggested, error: error),
                               status: status)
    }

    /// The programme the calculator finds the household may have, in the order the rules try them.
    static func suggestedKind(_ a: Assessment) -> CaseKind? {
        let order: [(Program, CaseKind)] = [(.tekun, .tekun), (.dibao, .dibao), (.nearDibao, .nearDibao), (.expenditureHardship, .expenditureHardship),
                                            (.temporary, .temporaryExpenditure)]
        return order.first { p, _ in a.decisions.contains { $0.program == p && $0.outcome != .doesNotQualify } }?.1
    }

    static func detailPage(_ req: Request, _ id: UUID, notice: String?, error: String?, typed: CaseDetailPage.ActionForm?,
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard let d = try await req.cases.detail(id, actor: actor, today: req.today) else { throw Abort(.notFound) }
        let names = try await RegistryStore(req.db).regionNames([d.summary.residenceRegion, d.summary.registeredRegion] + [d.summary.emergencyRegion].compactMap { $0 })
        // The amount the calculator found when the case was opened, offered at the decision (the officer may change it).
        let assessed = d.assessment.flatMap { try? JSONDecoder().decode(Assessment.self, from: Data($0.utf8)) }
        let program = d.process.program
        let amount = assessed?.decisions.first { $0.program == program && $0.outcome != .doesNotQualify
            && (program != .tekun || $0.member == d.summary.memberID?.description) }.map(\.amount)
        let residence = try RegionCode(d.summary.residenceRegion)
        let mayOpen = actor.may(.viewHouseholds) && actor.jurisdiction.contains(residence)
        // Help first: the granting township's reserve fund (where the emergency struck), shown where the grant is decided.
        var fund: Cents?
        if d.process.fastTrack != nil, d.isTask, d.summary.step == .decision, let township = d.state.grantingRegion.ancestor(at: .township) {
            fund = try? await ReserveFunds(req.db).balance(township: township, actor: actor)
        }
        return Layout.response(CaseDetailPage.view(chrome: try await Layout.chrome(req, .cases), d: d, today: req.today, regionNames: names,
                                                   suggestedAmount: amount, mayOpenHousehold: mayOpen, notice: notice, error: error, typed: typed,
                                                   statusURL: Self.origin(req) + SiteURL.caseStatus(token: d.statusToken).path, fundBalance: fund),
                               status: status)
    }
}

extension CaseStoreError {
    var isStale: Bool { if case .workflow(.staleVersion) = self { return true } else { return false } }
}
