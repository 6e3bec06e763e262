import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// Sets up an application: database, migrations, sessions, middleware and routes.
public func configure(_ app: Application, _ config: AppConfig) async throws {
    app.storage[AppConfigKey.self] = config
    // SQLite runs every statement on a thread of this pool, and a statement waiting for another connection's
    // write lock (a session saved while an import writes) keeps its thread until it gets it: with the default
    // pool of one thread per core, two such waiters left the writer none. Our own writes wait their turn without
    // a thread (`SQLiteWriteTurn`); the pool is large enough that the few writes outside it cannot starve one.
    if !config.database.isPostgres { app.threadPool = NIOThreadPool(numberOfThreads: DatabaseConfig.sqliteThreads) }
    // The rules' parameters and the indicator catalogue are read once at start: a broken file stops the server
    // here, not mid-request.
    app.storage[PolicyKey.self] = try config.policy()
    app.storage[ScreeningJobsKey.self] = ScreeningJobs()
    app.lifecycle.use(BackgroundWorkLifecycle<ScreeningJobsKey>())
    app.storage[ImportJobsKey.self] = ImportJobs()
    app.lifecycle.use(BackgroundWorkLifecycle<ImportJobsKey>())
    app.logger.logLevel = config.logLevel
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port

    try config.database.register(on: app.databases)
    app.migrations.add(StoreMigrations.all)
    app.migrations.add(SessionRecord.migration)

    app.sessions.use(.fluent)
    let secure = config.mode == .production
    app.sessions.configuration.cookieName = "jiuzhu_session"
    app.sessions.configuration.cookieFactory = { id in
        HTTPCookies.Value(string: id.string, maxAge: Int(config.sessionLifetime), path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    // Order matters: errors become pages inside the session (so the page knows who is signed in),
    // and the CSRF check sees the session's token.
    app.middleware = Middlewares()
    app.middleware.use(ErrorMiddleware.default(environment: app.environment))
    // Method and path only: query strings (search terms) and bodies (what residents type) are never logged.
    app.middleware.use(RouteLoggingMiddleware(logLevel: .info))
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(ErrorPageMiddleware())
    app.middleware.use(StaffSessionMiddleware())
    app.middleware.use(CSRFMiddleware())

    try routes(app)
}

/// Builds a configured application for a given configuration.
public func makeApplication(_ config: AppConfig, environment: Environment? = nil) async throws -> Application {
    let env = environment ?? {
        switch config.mode {
        case .production: return .production
        case .testing: return .testing
        case .development: return .development
        }
    }()
    let app = try await Application.make(env)
    do {
        try await configure(app, config)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    return app
}

func routes(_ app: Application) throws {
    app.get("static", "site.css") { _ -> Response in
        var h = HTTPHeaders()
        h.contentType = .init(type: "text", subType: "css", parameters: ["charset": "utf-8"])
        h.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: h, body: .init(string: Layout.stylesheet))
    }
    app.get("api", "openapi.json") { _ -> Response in
        var h = HTTPHeaders()
        h.contentType = .json
        return Response(status: .ok, headers: h, body: .init(string: try OpenAPIDocument.text()))
    }
    app.get("healthz") { _ in "ok" }
    app.get("static", "site.js") { _ -> Response in
        var h = HTTPHeaders()
        h.contentType = .init(type: "text", subType: "javascript", parameters: ["charset": "utf-8"])
        h.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: h, body: .init(string: SelfAssessmentPage.script))
    }

    // 自助评估: public, and stores nothing. The page is answered from memory; nothing is logged but the path.
    app.get("self-assessment") { req -> Response in
        Layout.response(SelfAssessmentPage.view(districts: try await SelfAssessmentPage.districts(req), form: nil, result: nil, request: nil, error: nil))
    }
    app.post("self-assessment") { req -> Response in
        let districts = try await SelfAssessmentPage.districts(req)
        let form = SelfAssessmentPage.Form(fields: (try? req.content.decode([String: String].self)) ?? [:])
        do {
            let request = try form.request(date: LocalDate(Date(), timeZone: .china), districts: districts)
            let result = try req.calculator.assess(request)
            return Layout.response(SelfAssessmentPage.view(districts: districts, form: form, result: result, request: request, error: nil))
        } catch let e as SelfAssessmentPage.SelfAssessmentError {
            return Layout.response(SelfAssessmentPage.view(districts: districts, form: form, result: nil, request: nil, error: e.message), status: .badRequest)
        } catch let e as PolicyError {
            return Layout.response(SelfAssessmentPage.view(districts: districts, form: form, result: nil, request: nil, error: e.chinese), status: .badRequest)
        }
    }

    app.get("login") { req -> Response in
        if req.staff != nil { return req.redirect(to: SiteURL.home.path) }
        return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req)))
    }
    app.post("login") { req -> Response in
        let form = try req.content.decode(LoginController.Form.self)
        switch try await LoginController.attempt(form, req: req) {
        case .success(let user):
            try await LoginController.signIn(user, req: req)
            return req.redirect(to: SiteURL.home.path, redirectType: .normal)
        case .wrongCredentials:
            return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username, error: "用户名或密码错误"),
                                   status: .unauthorized)
        case .locked(let until):
            let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
            return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username,
                                                  error: "连续输错密码次数过多，账户已锁定，请约\(minutes)分钟后再试"),
                                   status: .tooManyRequests)
        }
    }

    let staff = app.grouped(RequireStaffMiddleware())
    staff.post("logout") { req -> Response in
        let actor = try req.actor()
        try await AuditLog(req.db).record(actor: actor, action: .logout, targetKind: "user", targetID: actor.username, detail: "退出登录")
        req.session.destroy()
        return req.redirect(to: SiteURL.login.path)
    }

    staff.get { req -> Response in
        let actor = try req.actor()
        // The home page is the user's own jurisdiction in the region browser: for a community coordinator, their households.
        guard let m = try await RegionPage.Model.load(db: req.db, actor: actor, region: actor.jurisdiction) else { throw Abort(.notFound) }
        return Layout.response(RegionPage.view(m, chrome: try await Layout.chrome(req, .home)))
    }

    staff.get("households") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
        let m = try await SearchPage.Model.load(db: req.db, actor: actor, text: req.query[String.self, at: "q"])
        return Layout.response(SearchPage.view(m, chrome: try await Layout.chrome(req, .households)))
    }

    staff.get(SiteURL.Pattern.household.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let actor = try req.actor()
        guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
        guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
              let m = try await HouseholdPage.Model.load(db: req.db, actor: actor, id: id, today: LocalDate(Date(), timeZone: .china),
                                                         calculator: req.calculator) else {
            throw Abort(.notFound)
        }
        return Layout.response(HouseholdPage.view(m, chrome: try await Layout.chrome(req, .households)))
    }

    // Releasing a payment held after a death record: the county decides, with a reason; the store checks the
    // permission and the jurisdiction and audits it. A refusal shows the profile again with the reason.
    struct HoldReleaseForm: Content { var reason: String? }
    staff.post(SiteURL.Pattern.paymentHoldRelease.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let actor = try req.actor()
        guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
              let hold = req.parameters.get("holdID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        let reason = try req.content.decode(HoldReleaseForm.self).reason ?? ""
        let refusal: String
        do {
            guard try await PaymentHoldStore(req.db).release(hold, reason: reason, actor: actor, today: req.today) else { throw Abort(.notFound) }
            return req.redirect(to: SiteURL.household(id).path + "#holds", redirectType: .normal)
        } catch PaymentHoldStore.ReleaseError.reasonRequired {
            refusal = "请填写解除理由。A reason is required."
        } catch PaymentHoldStore.ReleaseError.alreadyReleased {
            refusal = "该暂停已被解除。This hold was already released."
        }
        guard var m = try await HouseholdPage.Model.load(db: req.db, actor: actor, id: id, today: req.today, calculator: req.calculator) else {
            throw Abort(.notFound)
        }
        m.holdError = refusal
        let response = Layout.response(HouseholdPage.view(m, chrome: try await Layout.chrome(req, .households)))
        response.status = .badRequest
        return response
    }

    staff.get(SiteURL.Pattern.region.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let actor = try req.actor()
        guard let code = req.parameters.get("regionCode").flatMap({ try? RegionCode($0) }),
              let m = try await RegionPage.Model.load(db: req.db, actor: actor, region: code) else {
            throw Abort(.notFound)
        }
        return Layout.response(RegionPage.view(m, chrome: try await Layout.chrome(req, .regions)))
    }

    staff.get("simulation") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.runSimulation) else { throw DomainError.forbidden }
        return Layout.response(SimulationPage.view(chrome: try await Layout.chrome(req, .simulation), regions: try await SimulationPage.regions(req, actor: actor),
                                                   form: nil, result: nil, error: nil))
    }
    staff.post("simulation") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.runSimulation) else { throw DomainError.forbidden }
        let regions = try await SimulationPage.regions(req, actor: actor)
        let form = try req.content.decode(SimulationPage.Form.self)
        let chrome = try await Layout.chrome(req, .simulation)
        do {
            // The change must apply inside the user's jurisdiction; the run covers the whole jurisdiction.
            guard let region = try? RegionCode(form.region), actor.covers(region) else { throw DomainError.forbidden }
            let change = ParameterChange(name: form.parameter, region: region, effective: try LocalDate(form.from), percent: form.percent)
            let simulation = try Simulation(parameters: req.calculator.parameters, change: change, scope: actor.jurisdiction)
            let result = try await RegistryStore(req.db).simulate(simulation, region: actor.jurisdiction, actor: actor)
            return Layout.response(SimulationPage.view(chrome: chrome, regions: regions, form: form, result: result, error: nil))
        } catch let e as PolicyError {
            return Layout.response(SimulationPage.view(chrome: chrome, regions: regions, form: form, result: nil, error: e.chinese), status: .badRequest)
        } catch let e as DomainError where e != .forbidden {
            return Layout.response(SimulationPage.view(chrome: chrome, regions: regions, form: form, result: nil, error: e.chinese), status: .badRequest)
        }
    }

    staff.get("imports") { req -> Response in
        let actor = try req.actor()
        guard actor.may(.importData) else { throw DomainError.forbidden }
        let specs = try FeedCatalogue.bundled().values.sorted { $0.name < $1.name }
        let notice = req.query[String.self, at: "busy"].map { "同一数据接口的另一个文件（\($0)）正在导入，本次未开始。请等它完成后再上传。" }
        return Layout.response(ImportPage.view(chrome: try await Layout.chrome(req, .imports), specs: specs,
                                               history: try await FeedImporter.history(req.db, actor: actor),
                                               jobs: req.application.importJobs.jobs(of: actor.username), notice: notice))
    }
    // The import runs after the reply (`ImportJobs`); the officer is sent to the job's page.
    staff.on(.POST, "imports", body: .collect(maxSize: ImportPage.maxUpload)) { req -> Response in
        let actor = try req.actor()
        guard actor.may(.importData) else { throw DomainError.forbidden }
        let upload = try req.content.decode(ImportPage.Upload.self)
        guard let spec = try FeedCatalogue.bundled()[upload.feed] else { throw Abort(.badRequest, reason: "未知的数据接口") }
        // The upload is written to a private temporary file under its own name, so messages name the file the officer chose.
        let dir = NSTemporaryDirectory() + "jiuzhu-upload-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let removeDir: @Sendable () -> Void = { try? FileManager.default.removeItem(atPath: dir) }
        let safeName = String(upload.file.filename.split(separator: "/").last ?? "upload.csv").replacingOccurrences(of: "..", with: "_")
        let name = safeName.isEmpty ? "upload.csv" : safeName
        let path = dir + "/" + name
        let (db, monitoring, partial) = (req.application.db, req.monitoring, upload.acceptPartial == "on")
        do {
            try Data(buffer: upload.file.data).write(to: URL(fileURLWithPath: path))
            let id = try req.application.importJobs.start(feed: spec.name, file: name, username: actor.username, logger: req.application.logger, { progress in
                try await AfterCommit(db, monitoring: monitoring).importFile(FeedImporter(db, spec: spec, actor: actor), path: path, acceptPartial: partial,
                                                                   progress: progress.rows, committed: progress.committed)
            }, cleanUp: removeDir)
            return req.redirect(to: SiteURL.importJob(id).path, redirectType: .normal)
        } catch {
            removeDir()
            guard let busy = error as? ImportJobs.Busy else { throw error }
            var c = URLComponents()
            c.queryItems = [URLQueryItem(name: "busy", value: busy.file)]
            return req.redirect(to: SiteURL.imports.path + "?" + (c.percentEncodedQuery ?? ""), redirectType: .normal)
        }
    }
    /// The request's upload job, if it is the user's.
    @Sendable func importJob(_ req: Request) throws -> ImportJobs.Job {
        let actor = try req.actor()
        guard actor.may(.importData) else { throw DomainError.forbidden }
        guard let id = req.parameters.get("jobID").flatMap(UUID.init(uuidString:)),
              let job = req.application.importJobs.job(id, for: actor.username) else {
            throw Abort(.notFound, reason: "没有这次上传的记录（服务重启后，未完成的导入已整体撤销）。请在导入记录中查看文件是否已导入。")
        }
        return job
    }
    staff.get(SiteURL.Pattern.importJob.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let job = try importJob(req)
        let res = Layout.response(ImportPage.job(chrome: try await Layout.chrome(req, .imports), job: job, now: Date()),
                                  status: { if case .failed = job.state { return .unprocessableEntity } else { return .ok } }())
        if job.isRunning { res.headers.replaceOrAdd(name: "Refresh", value: String(ImportPage.reloadSeconds)) }
        return res
    }
    // A partial import's rejected rows and why, to correct and send again.
    staff.get(SiteURL.Pattern.importRejects.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let job = try importJob(req)
        guard case .finished(let report) = job.state, report.rejected > 0 else { throw Abort(.notFound, reason: "这次上传没有被拒绝的行") }
        return Layout.csvDownload(FeedImporter.rejectsCSV(report.issues), name: "\(job.file)-拒绝清单.csv", asciiName: "rejects.csv")
    }

    staff.get("link-reviews") { req -> Response in
        let actor = try req.actor()
        let items = try await LinkReviewStore(req.db).queue(actor: actor, importID: req.query[String.self, at: "import"].flatMap(UUID.init(uuidString:)))
        return Layout.response(LinkReviewPage.queue(chrome: try await Layout.chrome(req, .linkReviews), items: items, specs: try FeedCatalogue.bundled(),
                                                    notice: req.query[String.self, at: "done"].map { $0 == "confirm" ? "已确认，记录已写入档案。" : "已否决，此对记录不会再被提出。" }))
    }
    staff.get(SiteURL.Pattern.linkReview.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let actor = try req.actor()
        guard let id = req.parameters.get("linkID").flatMap(UUID.init(uuidString:)),
              let review = try await LinkReviewStore(req.db).review(id, actor: actor) else { throw Abort(.notFound) }
        return Layout.response(LinkReviewPage.detail(chrome: try await Layout.chrome(req, .linkReviews), review: review))
    }
    for decision in ["confirm", "reject"] {
        staff.post(PathComponent(stringLiteral: "link-reviews"), ":linkID", PathComponent(stringLiteral: decision)) { req -> Response in
            let actor = try req.actor()
            guard let id = req.parameters.get("linkID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            do {
                guard try await AfterCommit(req.db, monitoring: req.monitoring).decideLink(id, confirm: decision == "confirm", actor: actor) != nil else { throw Abort(.notFound) }
            } catch LinkDecisionError.alreadyDecided {
                throw Abort(.conflict, reason: "此关联已由他人处理")
            }
            return req.redirect(to: SiteURL.linkReviews(importID: nil).path + "?done=\(decision)", redirectType: .normal)
        }
    }

    staff.get("exports") { req -> Response in
        guard Exports.mayExport(try req.actor().role) else { throw DomainError.forbidden }
        return Layout.response(ExportPage.view(chrome: try await Layout.chrome(req, .exports), error: nil))
    }
    staff.post("exports") { req -> Response in
        let actor = try req.actor()
        guard Exports.mayExport(actor.role) else { throw DomainError.forbidden }
        let form = try req.content.decode(ExportPage.Form.self)
        guard let list = Exports.List(rawValue: form.list), let since = try? LocalDate(form.since) else {
            return Layout.response(ExportPage.view(chrome: try await Layout.chrome(req, .exports), error: "请选择名单并填写有效的起始日期"), status: .badRequest)
        }
        let (csv, _) = try await Exports(req.db).csv(list, since: since, actor: actor)
        return ExportPage.download(csv, list: list, since: since)
    }

    staff.get("audit") { req -> Response in
        let actor = try req.actor()
        let m = try await AuditPage.Model.load(db: req.db, actor: actor)
        return Layout.response(AuditPage.view(m, chrome: try await Layout.chrome(req, .audit)))
    }

    try monitoringRoutes(app, staff)

    // JSON API, with the same scoping as the pages (the store does it).
    staff.get(SiteURL.Pattern.apiHouseholds.map { PathComponent(stringLiteral: $0) }) { req -> API.HouseholdList in
        let actor = try req.actor()
        let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let parsed = HouseholdQuery.parse(q) else {
            throw Abort(.badRequest, reason: "参数 q：\(HouseholdQuery.rejection(q)) (q must be a name, an address, a valid ID number or its last 4+ characters)")
        }
        let items = try await RegistryStore(req.db).search(parsed, actor: actor)
        return API.HouseholdList(query: q, limit: RegistryStore.searchLimit, items: items.map(API.HouseholdSummary.init))
    }

    // The calculator is public: it stores nothing and needs no session, so anyone (and the self-assessment page) may use it.
    app.post(SiteURL.Pattern.apiAssessments.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let request = try AssessmentRequest.decode(Data(buffer: req.body.data ?? ByteBuffer()), file: "body")
        let assessment = try req.calculator.assess(request, explain: req.query[String.self, at: "explain"] != "false")
        return try API.json(assessment)
    }

    staff.get(SiteURL.Pattern.apiHouseholdAssessment.map { PathComponent(stringLiteral: $0) }) { req -> Response in
        let actor = try req.actor()
        guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
              let p = try await RegistryStore(req.db).profile(id, actor: actor) else {
            throw Abort(.notFound, reason: "家庭不存在或不在您的辖区内 (not found)")
        }
        let date = try req.query[String.self, at: "date"].map { try LocalDate($0) } ?? LocalDate(Date(), timeZone: .china)
        return try API.json(try req.calculator.assess(AssessmentRequest(profile: p, date: date)))
    }

    staff.get(SiteURL.Pattern.apiHousehold.map { PathComponent(stringLiteral: $0) }) { req -> API.HouseholdDetail in
        let actor = try req.actor()
        guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
              let p = try await RegistryStore(req.db).profile(id, actor: actor) else {
            throw Abort(.notFound, reason: "家庭不存在或不在您的辖区内 (not found)")
        }
        return API.HouseholdDetail(p)
    }
}
