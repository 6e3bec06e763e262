import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

extension Request {
    var warnings: WarningStore { WarningStore(db, setup: monitoring) }
    var today: LocalDate { LocalDate(Date(), timeZone: .china) }
}

/// Warning inbox, detail and handling, home visits, the dashboard, the ranking and screenings — pages and API.
func monitoringRoutes(_ app: Application, _ staff: any RoutesBuilder) throws {
    @Sendable func path(_ parts: [String]) -> [PathComponent] { parts.map { PathComponent(stringLiteral: $0) } }
    @Sendable func warningID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("warningID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        return id
    }

    staff.get("warnings") { req -> Response in
        let actor = try req.actor()
        let form = try req.query.decode(WarningPages.InboxForm.self)
        let (items, total) = try await req.warnings.inbox(form.filter, actor: actor, today: req.today)
        return Layout.response(WarningPages.inbox(chrome: try await Layout.chrome(req, .warnings), form: form, items: items, total: total,
                                                  catalogue: try await req.tunedMonitoring().screener.catalogue))
    }

    @Sendable func detailPage(_ req: Request, _ id: UUID, notice: String?, error: String?, status: HTTPResponseStatus = .ok,
                              typed: WarningPages.Typed = .init()) async throws -> Response {
        let actor = try req.actor()
        guard let d = try await req.warnings.detail(id, actor: actor, today: req.today, catalogue: try await req.tunedMonitoring().screener.catalogue) else {
            throw Abort(.notFound)
        }
        // The calculator's view of the household today, beside the warning (reading the profile is audited as such).
        var assessment: Assessment?
        if actor.may(.viewHouseholds), let p = try await RegistryStore(req.db).profile(Household.ID(d.summary.householdID), actor: actor) {
            assessment = try? req.calculator.assess(AssessmentRequest(profile: p, date: req.today), explain: false)
        }
        return Layout.response(WarningPages.detail(chrome: try await Layout.chrome(req, .warnings), d: d, assessment: assessment, notice: notice, error: error, typed: typed),
                               status: status)
    }

    staff.get(path(SiteURL.Pattern.warning)) { req -> Response in
        try await detailPage(req, try warningID(req), notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: nil)
    }

    struct ActionForm: Content {
        init(assignee: String? = nil, outcome: String? = nil, reason: String? = nil) {
            self.assignee = assignee
            self.outcome = outcome
            self.reason = reason
        }
        var assignee: String?
        var outcome: String?
        var reason: String?
    }

    struct UnknownOutcome: Error {}

    @Sendable func action(_ name: String, _ form: ActionForm) throws -> WarningAction {
        switch name {
        case "assign": return .assign(to: form.assignee ?? "")
        case "verify": return .startVerification
        case "dispose":
            guard let o = form.outcome.flatMap(DispositionOutcome.init(rawValue:)) else { throw UnknownOutcome() }
            return .dispose(o, reason: form.reason ?? "")
        case "close": return .close
        default: throw Abort(.notFound)
        }
    }

    // A refused or failed step shows the warning again with what was typed still in its form, and the reason.
    for name in ["assign", "verify", "dispose", "close"] {
        staff.post(path(SiteURL.Pattern.warning + [name])) { req -> Response in
            let id = try warningID(req)
            let form = (try? req.content.decode(ActionForm.self)) ?? ActionForm()
            let typed = WarningPages.Typed(assignee: form.assignee ?? "", outcome: form.outcome.flatMap(DispositionOutcome.init(rawValue:)), reason: form.reason ?? "")
            do {
                guard try await req.warnings.act(id, try action(name, form), actor: try req.actor(), today: req.today) != nil else {
                    throw Abort(.notFound)
                }
            } catch let e as WarningActionError {
                return try await detailPage(req, id, notice: nil, error: e.chinese, status: .badRequest, typed: typed)
            } catch is UnknownOutcome {
                return try await detailPage(req, id, notice: nil, error: "请选择处置结果。", status: .badRequest, typed: typed)
            } catch let e where FormFailure.isTransient(e) {
                req.logger.error("warning action failed: \(String(reflecting: e))")
                return try await detailPage(req, id, notice: nil, error: FormFailure.message, status: .serviceUnavailable, typed: typed)
            }
            return req.redirect(to: SiteURL.warning(id).path + "?done=\(name)", redirectType: .normal)
        }
    }

    staff.get("visits") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.recordVisits) else { throw DomainError.forbidden }
        return Layout.response(WarningPages.visits(chrome: try await Layout.chrome(req, .visits), items: try await req.warnings.openVisits(actor: actor),
                                                   notice: req.query[String.self, at: "done"].map { _ in "核实结果已提交，乡镇（街道）将据此处置。" }))
    }
    struct VisitForm: Content { var findings: String? }
    // Findings typed at the door are never lost: a refusal or a failure shows the list again with them in the form.
    staff.post(path(SiteURL.Pattern.visitComplete)) { req -> Response in
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
        return req.redirect(to: SiteURL.visits.path + "?done=1", redirectType: .normal)
    }

    staff.get("monitoring") { req -> Response in
        let actor = try req.actor()
        let figures = try await req.warnings.figures(actor: actor, today: req.today, catalogue: try await req.tunedMonitoring().screener.catalogue)
        let overview = try await RegistryStore(req.db).overview(actor: actor)
        // The published comparison is for the whole demo city, where the figures are of the same scale.
        let demo = try? DemoSettings.bundled()
        return Layout.response(WarningPages.dashboard(chrome: try await Layout.chrome(req, .monitoring), f: figures, people: overview?.people ?? 0,
                                                      published: actor.jurisdiction == demo?.cityCode ? demo?.publishedMonitoring : nil, runs: try await req.warnings.screenings(actor: actor, limit: 10),
                                                      mayScreen: actor.may(.handleWarnings)))
    }
    staff.get("monitoring", "ranking") { req -> Response in
        let actor = try req.actor()
        return Layout.response(WarningPages.ranking(chrome: try await Layout.chrome(req, .monitoring), items: try await req.warnings.ranked(actor: actor, limit: 100)))
    }
    staff.get("monitoring", "indicators") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.viewWarnings) else { throw DomainError.forbidden }
        let setup = try await req.tunedMonitoring()
        return Layout.response(WarningPages.indicators(chrome: try await Layout.chrome(req, .monitoring), catalogue: setup.screener.catalogue,
                                                       mayTune: actor.may(.tuneIndicators), notice: req.query[String.self, at: "done"].map { "已保存 \($0) 的调整，下次筛查起生效。" }))
    }
    struct TuneForm: Content { var points: Int; var severity: String; var deadline: Int }
    staff.post(path(SiteURL.Pattern.indicatorTune)) { req -> Response in
        guard let code = req.parameters.get("code") else { throw Abort(.notFound) }
        let form = try req.content.decode(TuneForm.self)
        guard let severity = Severity(rawValue: form.severity) else { throw Abort(.badRequest, reason: "程度取值无效") }
        do {
            try await IndicatorTuningStore(req.db).tune(code, to: .init(points: form.points, severity: severity, deadlineWorkingDays: form.deadline),
                                                        catalogue: req.monitoring.screener.catalogue, actor: try req.actor())
        } catch let e as DomainError where e != .forbidden {
            throw Abort(.badRequest, reason: e.chinese)
        }
        var c = URLComponents()
        c.queryItems = [URLQueryItem(name: "done", value: code)]
        return req.redirect(to: SiteURL.indicators.path + "?" + (c.percentEncodedQuery ?? ""), redirectType: .normal)
    }
    staff.get("screenings") { req -> Response in
        let actor = try req.actor()
        let runs = try await req.warnings.screenings(actor: actor, limit: 50)
        let notice: String? = req.query[String.self, at: "started"] != nil
            ? "筛查已在后台开始，不必停留在本页。下表\u{201C}进行中\u{201D}一行显示已筛查的户数；完成后新预警进入预警收件箱。"
            : req.query[String.self, at: "busy"].map { "\($0) 的筛查（覆盖本辖区）正在进行，本次未重复开始。请等它完成后再试。" }
        return Layout.response(WarningPages.screenings(chrome: try await Layout.chrome(req, .monitoring), runs: runs, notice: notice))
    }
    // The run goes on after the reply (`ScreeningJobs`): a city's full screening takes minutes.
    staff.post("screenings") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.handleWarnings) else { throw DomainError.forbidden }
        let (db, setup, id, region) = (req.application.db, req.monitoring, UUID(), actor.jurisdiction)
        var c = URLComponents()
        do {
            try await req.application.screeningJobs.start(id, region: region, logger: req.application.logger) {
                _ = try await Monitor(db, setup: setup).screen(region: region, actor: actor, id: id)
            }
            c.queryItems = [URLQueryItem(name: "started", value: id.uuidString.lowercased())]
        } catch let busy as ScreeningJobs.Overlap {
            c.queryItems = [URLQueryItem(name: "busy", value: busy.running.value)]
        }
        return req.redirect(to: SiteURL.screenings.path + "?" + (c.percentEncodedQuery ?? ""), redirectType: .normal)
    }

    // MARK: API

    staff.get(path(SiteURL.Pattern.apiWarnings)) { req -> Response in
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
    staff.get(path(SiteURL.Pattern.apiWarning)) { req -> Response in
        // The city's tuning, as the page shows it.
        guard let d = try await req.warnings.detail(try warningID(req), actor: try req.actor(), today: req.today,
                                                    catalogue: try await req.tunedMonitoring().screener.catalogue) else {
            throw Abort(.notFound, reason: "预警不存在或不在您的辖区内 (not found)")
        }
        return try API.json(API.WarningDetail(d))
    }
    staff.post(path(SiteURL.Pattern.apiWarningActions)) { req -> Response in
        struct Body: Content { var action: String; var assignee: String?; var outcome: String?; var reason: String? }
        let body = try req.content.decode(Body.self)
        let id = try warningID(req)
        do {
            guard let status = try await req.warnings.act(id, try action(body.action, ActionForm(assignee: body.assignee, outcome: body.outcome, reason: body.reason)),
                                                          actor: try req.actor(), today: req.today) else {
                throw Abort(.notFound, reason: "预警不存在或不在您的辖区内 (not found)")
            }
            return try API.json(["id": id.uuidString.lowercased(), "status": status.rawValue])
        } catch let e as WarningActionError {
            throw Abort(.conflict, reason: "\(e.chinese) (\(e.description))")
        } catch is UnknownOutcome {
            throw Abort(.badRequest, reason: "outcome 取值无效 (unknown outcome)")
        }
    }
    staff.get(path(SiteURL.Pattern.apiScreenings)) { req -> Response in
        try API.json(try await req.warnings.screenings(actor: try req.actor(), limit: 50))
    }
    staff.post(path(SiteURL.Pattern.apiScreenings)) { req -> Response in
        let actor = try req.actor()
        struct Body: Content { var region: String?; var since: String? }
        let body = (try? req.content.decode(Body.self)) ?? Body()
        let region = try body.region.map { try RegionCode($0) } ?? actor.jurisdiction
        let since = try body.since.map { text -> Date in
            let f = ISO8601DateFormatter()
            guard let d = f.date(from: text) else { throw Abort(.badRequest, reason: "since 应为 ISO 8601 时间 (since must be an ISO 8601 time)") }
            return d
        }
        return try API.json(try await Monitor(req.db, setup: req.monitoring).screen(region: region, since: since, actor: actor))
    }
}
