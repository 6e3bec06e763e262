import Domain
import Foundation
import Store
import Vapor

/// The dashboard, the ranking, the indicator catalogue and its tuning, and screenings (pages and API).
struct MonitoringRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())

        staff.get(.monitoring) { req -> Response in
            let actor = try req.actor()
            let figures = try await req.warnings.figures(actor: actor, today: req.today, catalogue: try await req.tunedMonitoring().screener.catalogue)
            let overview = try await RegistryStore(req.db).overview(actor: actor)
            // The published comparison is for the whole demo city, where the figures are of the same scale.
            let demo = try? DemoSettings.bundled()
            return Layout.response(WarningPages.dashboard(chrome: try await Layout.chrome(req, .monitoring), f: figures, people: overview?.people ?? 0,
                                                          published: actor.jurisdiction == demo?.cityCode ? demo?.publishedMonitoring : nil,
                                                          runs: try await req.warnings.screenings(actor: actor, limit: 10),
                                                          mayScreen: actor.may(.handleWarnings)))
        }
        staff.get(.ranking) { req -> Response in
            let actor = try req.actor()
            if let format = ListFile.requested(req) {
                let items = try await ListFile.collect { try await req.warnings.ranked(actor: actor, offset: $0, limit: $1) }
                return try await ListFile.download(req, format, name: "困难程度排序", asciiName: "ranking", header: WarningPages.rankingHeader,
                                                   rows: WarningPages.rankingRows(items, from: 1))
            }
            let paging = Paging(req, size: WarningPages.rankingPageSize)
            return Layout.response(WarningPages.ranking(chrome: try await Layout.chrome(req, .monitoring),
                                                        items: try await req.warnings.ranked(actor: actor, offset: paging.offset, limit: paging.size),
                                                        total: try await req.warnings.rankedCount(actor: actor), paging: paging))
        }
        staff.get(.indicators) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.viewWarnings) else { throw DomainError.forbidden }
            let setup = try await req.tunedMonitoring()
            return Layout.response(WarningPages.indicators(chrome: try await Layout.chrome(req, .monitoring), catalogue: setup.screener.catalogue,
                                                           mayTune: actor.may(.tuneIndicators),
                                                           notice: req.query[String.self, at: "done"].map { "已保存 \($0) 的调整，下次筛查起生效。" }))
        }
        struct TuneForm: Content { var points: Int; var severity: String; var deadline: Int }
        staff.post(.indicatorTune) { req -> Response in
            try req.require(.tuneIndicators)
            guard let code = req.parameters.get("code") else { throw Abort(.notFound) }
            let form = try req.content.decode(TuneForm.self)
            guard let severity = Severity(rawValue: form.severity) else { throw Abort(.badRequest, reason: "程度取值无效") }
            do {
                try await IndicatorTuningStore(req.db).tune(code, to: .init(points: form.points, severity: severity, deadlineWorkingDays: form.deadline),
                                                            catalogue: req.monitoring.screener.catalogue, actor: try req.actor())
            } catch let e as DomainError where e != .forbidden {
                throw Abort(.badRequest, reason: e.chinese)
            }
            return req.redirect(to: SiteURL.indicators.path(query: ["done": code]), redirectType: .normal)
        }

        staff.get(.screenings) { req -> Response in
            let actor = try req.actor()
            let runs = try await req.warnings.screenings(actor: actor, limit: 50)
            let notice: String? = req.query[String.self, at: "started"] != nil
                ? "筛查已在后台开始，不必停留在本页。下表\u{201C}进行中\u{201D}一行显示已筛查的户数；完成后新预警进入预警收件箱。"
                : req.query[String.self, at: "busy"].map { "\($0) 的筛查（覆盖本辖区）正在进行，本次未重复开始。请等它完成后再试。" }
            return Layout.response(WarningPages.screenings(chrome: try await Layout.chrome(req, .monitoring), runs: runs, notice: notice))
        }
        // The run goes on after the reply (`ScreeningJobs`): a city's full screening takes minutes.
        staff.post(.screenings) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.handleWarnings) else { throw DomainError.forbidden }
            let (db, setup, id, region) = (req.application.db, req.monitoring, UUID(), actor.jurisdiction)
            do {
                try await req.application.screeningJobs.start(id, region: region, logger: req.application.logger) {
                    _ = try await Monitor(db, setup: setup).screen(region: region, actor: actor, id: id)
                }
                return req.redirect(to: SiteURL.screenings.path(query: ["started": id.uuidString.lowercased()]), redirectType: .normal)
            } catch let busy as ScreeningJobs.Overlap {
                return req.redirect(to: SiteURL.screenings.path(query: ["busy": busy.running.value]), redirectType: .normal)
            }
        }

        staff.get(.apiScreenings) { req -> Response in
            try API.json(try await req.warnings.screenings(actor: try req.actor(), limit: 50))
        }
        staff.post(.apiScreenings) { req -> Response in
            let actor = try req.actor()
            struct Body: Content { var region: String?; var since: String? }
            let body = (try? req.content.decode(Body.self)) ?? Body()
            let region = try body.region.map { try RegionCode($0) } ?? actor.jurisdiction
            let since = try body.since.map { text -> Date in
                guard let d = ISO8601DateFormatter().date(from: text) else {
                    throw Abort(.badRequest, reason: "since 应为 ISO 8601 时间 (since must be an ISO 8601 time)")
                }
                return d
            }
            // One run per area, as from the page: a second over the same households would only repeat the work.
            let (db, setup, id) = (req.application.db, req.monitoring, UUID())
            do {
                return try API.json(try await req.application.screeningJobs.run(id, region: region) {
                    try await Monitor(db, setup: setup).screen(region: region, since: since, actor: actor, id: id)
                })
            } catch let busy as ScreeningJobs.Overlap {
                throw Abort(.conflict, reason: "\(busy.running.value) 的筛查（覆盖该区域）正在进行，请等它完成后再试 (a screening of an overlapping area is running)")
            }
        }
    }
}
