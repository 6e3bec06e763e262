import Domain
import Foundation
import Store
import Vapor

extension Request {
    var warnings: WarningStore { WarningStore(db, setup: monitoring) }
    /// Today in Beijing, the date every rule and deadline of a request is reckoned on.
    var today: LocalDate { LocalDate(Date(), timeZone: .china) }
}

/// The warning inbox, a warning's page and its steps, home visits, and the same as JSON.
struct WarningRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())

        staff.get(.warnings) { req -> Response in
            let actor = try req.actor()
            let form = try req.query.decode(WarningPages.InboxForm.self)
            if let format = ListFile.requested(req) {
                let items = try await ListFile.collect { offset, limit in
                    var f = form.filter
                    f.offset = offset
                    f.limit = limit
                    return try await req.warnings.inbox(f, actor: actor, today: req.today).items
                }
                return try await ListFile.download(req, format, name: "预警列表", asciiName: "warnings", header: WarningPages.inboxHeader,
                                                   rows: WarningPages.inboxRows(items, chrome: try await Layout.chrome(req, .warnings)))
            }
            let (items, total) = try await req.warnings.inbox(form.filter, actor: actor, today: req.today)
            return Layout.response(WarningPages.inbox(chrome: try await Layout.chrome(req, .warnings), form: form, items: items, total: total,
                                                      catalogue: try await req.tunedMonitoring().screener.catalogue,
                                                      regions: try await Self.regionChoices(req, actor: actor, chosen: form.filter.region)))
        }

        staff.get(.warning) { req -> Response in
            try await Self.detailPage(req, try Self.warningID(req), notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: nil)
        }

        // A refused or failed step shows the warning again with what was typed still in its form, and the reason.
        staff.post(.warningAction) { req -> Response in
            try req.require(.handleWarnings)
            let id = try Self.warningID(req)
            guard let step = req.parameters.get("step").flatMap(WarningStep.init(rawValue:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(ActionForm.self)) ?? ActionForm()
            let typed = WarningPages.Typed(assignee: form.assignee ?? "", outcome: form.outcome.flatMap(DispositionOutcome.init(rawValue:)), reason: form.reason ?? "")
            do {
                if step == .assign, try await !Self.mayBeAssigned(form.assignee, warning: id, req) {
                    return try await Self.detailPage(req, id, notice: nil, error: Self.unknownAssignee, status: .badRequest, typed: typed)
                }
                guard try await req.warnings.act(id, try form.action(step), actor: try req.actor(), today: req.today) != nil else {
                    throw Abort(.notFound)
                }
            } catch let e as WarningActionError {
                return try await Self.detailPage(req, id, notice: nil, error: e.chinese, status: .badRequest, typed: typed)
            } catch is ActionForm.UnknownOutcome {
                return try await Self.detailPage(req, id, notice: nil, error: "请选择处置结果。", status: .badRequest, typed: typed)
            } catch let e where FormFailure.isTransient(e) {
                req.logger.error("warning action failed: \(String(reflecting: e))")
                return try await Self.detailPage(req, id, notice: nil, error: FormFailure.message, status: .serviceUnavailable, typed: typed)
            }
            return req.redirect(to: SiteURL.warning(id).path(query: ["done": step.rawValue]), redirectType: .normal)
        }

        staff.get(.visits) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.recordVisits) else { throw DomainError.forbidden }
            return Layout.response(WarningPages.visits(chrome: try await Layout.chrome(req, .visits), items: try await req.warnings.openVisits(actor: actor),
                                                       notice: req.query[String.self, at: "done"].map { _ in "核实结果已提交，乡镇（街道）将据此处置。" }))
        }
        // After a refused submission the address bar shows the form's address; opening it again (a reload on a
        // phone, a bookmark) leads back to the list rather than to "not found".
        staff.get(.visitComplete) { req -> Response in
            try req.require(.recordVisits)
            return req.redirect(to: SiteURL.visits.path)
        }
        struct VisitForm: Content { var findings: String? }
        // Findings typed at the door are never lost: a refusal or a failure shows the list again with them in the form.
        staff.post(.visitComplete) { req -> Response in
            let actor = try req.actor()
            guard let id = req.parameters.get("visitID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let findings = ((try? req.content.decode(VisitForm.self))?.findings) ?? ""
            func again(_ message: String, _ status: HTTPResponseStatus) async throws -> Response {
                Layout.response(WarningPages.visits(chrome: try await Layout.chrome(req, .visits), items: try await req.warnings.openVisits(actor: actor),
                                                    notice: nil, typed: (id, findings, message)), status: status)
            }
            do {
                guard try await req.warnings.completeVisit(id, findings: findings, actor: actor) else { throw Abort(.notFound) }
            } catch let e as WarningActionError {
                return try await again(e.chinese, .badRequest)
            } catch let e where FormFailure.isTransient(e) {
                req.logger.error("visit findings failed: \(String(reflecting: e))")
                return try await again(FormFailure.message, .serviceUnavailable)
            }
            return req.redirect(to: SiteURL.visits.path(query: ["done": "1"]), redirectType: .normal)
        }

        // MARK: API

        staff.get(.apiWarnings) { req -> Response in
            let actor = try req.actor()
            struct Query: Content { var indicator: String?; var kind: String?; var severity: String?; var status: String?; var overdue: Bool?; var limit: Int?; var offset: Int? }
            let q = try req.query.decode(Query.self)
            func parse<T: RawRepresentable>(_ v: String?, _ name: String) throws -> T? where T.RawValue == String {
                guard let v, !v.isEmpty else { return nil }
                guard let t = T(rawValue: v) else { throw Abort(.badRequest, reason: "参数 \(name) 取值无效：\(v)") }
                return t
            }
            let filter = WarningFilter(indicator: q.indicator, kind: try parse(q.kind, "kind"), severity: try parse(q.severity, "severity"),
                                       status: try parse(q.status, "status"), overdueOnly: q.overdue ?? false,
                                       limit: min(max(q.limit ?? 50, 1), 500), offset: max(q.offset ?? 0, 0))
            let (items, total) = try await req.warnings.inbox(filter, actor: actor, today: req.today)
            return try API.json(API.WarningList(total: total, limit: filter.limit, offset: filter.offset, items: items.map(API.Warning.init)))
        }
        staff.get(.apiWarning) { req -> Response in
            // The city's tuning, as the page shows it.
            guard let d = try await req.warnings.detail(try Self.warningID(req), actor: try req.actor(), today: req.today,
                                                        catalogue: try await req.tunedMonitoring().screener.catalogue) else {
                throw Abort(.notFound, reason: "预警不存在或不在您的辖区内 (not found)")
            }
            return try API.json(API.WarningDetail(d))
        }
        staff.post(.apiWarningActions) { req -> Response in
            try req.require(.handleWarnings)
            struct Body: Content { var action: String; var assignee: String?; var outcome: String?; var reason: String? }
            let body = try req.content.decode(Body.self)
            let id = try Self.warningID(req)
            guard let step = WarningStep(rawValue: body.action) else { throw Abort(.notFound) }
            do {
                let form = ActionForm(assignee: body.assignee, outcome: body.outcome, reason: body.reason)
                if step == .assign, try await !Self.mayBeAssigned(form.assignee, warning: id, req) {
                    throw Abort(.badRequest, reason: "\(Self.unknownAssignee) (assignee must be the username of staff responsible for the household)")
                }
                guard let status = try await req.warnings.act(id, try form.action(step), actor: try req.actor(), today: req.today) else {
                    throw Abort(.notFound, reason: "预警不存在或不在您的辖区内 (not found)")
                }
                return try API.json(["id": id.uuidString.lowercased(), "status": status.rawValue])
            } catch let e as WarningActionError {
                throw Abort(.conflict, reason: "\(e.chinese) (\(e.description))")
            } catch is ActionForm.UnknownOutcome {
                throw Abort(.badRequest, reason: "outcome 取值无效 (unknown outcome)")
            }
        }
    }

    /// The parts of the jurisdiction a list can be narrowed to: its districts or streets, and those of the one
    /// chosen (a city officer picks a district, then one of its streets).
    static func regionChoices(_ req: Request, actor: Actor, chosen: RegionCode?) async throws -> [Region] {
        let store = RegistryStore(req.db)
        var out = try await store.children(of: actor.jurisdiction, actor: actor)
        if let chosen, chosen != actor.jurisdiction, actor.covers(chosen), let region = try await store.region(chosen) {
            let parentIndex = out.firstIndex { $0.code.contains(chosen) } ?? out.count - 1
            let insert = (!out.contains(region) ? [region] : []) + (try await store.children(of: chosen, actor: actor))
            out.insert(contentsOf: insert.map { Region(code: $0.code, name: "　" + $0.name, isDemo: $0.isDemo) }, at: min(parentIndex + 1, out.count))
        }
        return out
    }

    static func warningID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("warningID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        return id
    }

    /// A warning's page, with the calculator's view of the household beside it and, after a refused step, the message
    /// and what was typed.
    static func detailPage(_ req: Request, _ id: UUID, notice: String?, error: String?, status: HTTPResponseStatus = .ok,
                           typed: WarningPages.Typed = .init()) async throws -> Response {
        let actor = try req.actor()
        guard let d = try await req.warnings.detail(id, actor: actor, today: req.today, catalogue: try await req.tunedMonitoring().screener.catalogue) else {
            throw Abort(.notFound)
        }
        // The calculator's view of the household today, beside the warning (reading the profile is audited as such).
        var assessment: Assessment?
        var memberNames: [String: String] = [:]
        if actor.may(.viewHouseholds), let p = try await RegistryStore(req.db).profile(Household.ID(d.summary.householdID), actor: actor) {
            // With the household's score, so that a household no programme fits is proposed for deliberation.
            var request = AssessmentRequest(profile: p, date: req.today)
            request.hardshipScore = d.score?.total ?? d.summary.score
            assessment = try? req.calculator.assess(request)
            memberNames = Dictionary(p.members.map { ($0.id.description, $0.name) }, uniquingKeysWith: { a, _ in a })
        }
        return Layout.response(WarningPages.detail(chrome: try await Layout.chrome(req, .warnings), d: d, assessment: assessment, notice: notice, error: error, typed: typed,
                                                   assignable: try await assignable(req, residence: d.summary.residenceRegion), memberNames: memberNames),
                               status: status)
    }

    static let unknownAssignee = "请从名单中选择承办人（本辖区内负责该家庭的工作人员）。"

    /// An assignee is someone on the list the form offers; an empty one is the workflow's to refuse.
    static func mayBeAssigned(_ who: String?, warning id: UUID, _ req: Request) async throws -> Bool {
        guard let who, !who.trimmingCharacters(in: .whitespaces).isEmpty else { return true }
        guard let residence = try await req.warnings.residence(of: id, actor: try req.actor()) else { return true }   // not found: answered by act
        return try await assignable(req, residence: residence.value).contains { $0.username == who }
    }

    /// Who a warning may be given to: staff inside the user's jurisdiction whose own area holds the household
    /// and whose work is handling or visiting.
    static func assignable(_ req: Request, residence: String) async throws -> [StaffUser] {
        guard let region = try? RegionCode(residence) else { return [] }
        return try await UserStore(req.db).staff(within: try req.actor().jurisdiction, roles: [.coordinator, .townshipOfficer, .countyReviewer])
            .filter { $0.region.contains(region) }
    }

    /// What a step's form (or the API's body) carries.
    struct ActionForm: Content {
        init(assignee: String? = nil, outcome: String? = nil, reason: String? = nil) {
            self.assignee = assignee
            self.outcome = outcome
            self.reason = reason
        }
        var assignee: String?
        var outcome: String?
        var reason: String?

        struct UnknownOutcome: Error {}

        func action(_ step: WarningStep) throws -> WarningAction {
            switch step {
            case .assign: return .assign(to: assignee ?? "")
            case .verify: return .startVerification
            case .dispose:
                guard let o = outcome.flatMap(DispositionOutcome.init(rawValue:)) else { throw UnknownOutcome() }
                return .dispose(o, reason: reason ?? "")
            case .close: return .close
            }
        }
    }
}
