import Domain
import Foundation
import Store
import Vapor

extension Request {
    var spotChecks: SpotChecks { SpotChecks(db, parameters: calculator.parameters) }
}

/// The honesty loop's pages: the checks to do and done, the county's draw, a check's result, the dishonesty list and
/// its export for the credit platform.
struct HonestyRoutes: RouteCollection {
    struct DrawForm: Content {
        var from: String?
        var to: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.spotChecks) { req -> Response in try await Self.listPage(req, drawn: nil) }
        staff.post(.spotCheckDraw) { req -> Response in
            guard Self.mayDraw(try req.actor()) else { throw DomainError.forbidden }
            let form = (try? req.content.decode(DrawForm.self)) ?? DrawForm()
            guard let from = form.from.flatMap({ try? LocalDate($0) }), let to = form.to.flatMap({ try? LocalDate($0) }), from <= to else {
                throw Abort(.badRequest, reason: "请填写有效的审批日期范围")
            }
            var generator = SystemRandomNumberGenerator()
            let d = try await req.spotChecks.draw(from: from, to: to, actor: try req.actor(), today: req.today, using: &generator)
            return try await Self.listPage(req, drawn: "\(from) 至 \(to) 审批的告知承诺事项 \(d.candidates) 件，随机抽取 \(d.drawn) 件；问题倒查 \(d.tracedBack) 件。")
        }
        staff.get(.spotCheck) { req -> Response in try await Self.detailPage(req, error: nil, typed: nil) }
        staff.post(.spotCheckResult) { req -> Response in
            guard let id = req.parameters.get("checkID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(HonestyPages.ResultForm.self)) ?? HonestyPages.ResultForm()
            do {
                let text = (form.recover ?? "").trimmingCharacters(in: .whitespaces)
                var recover: Int64?
                if !text.isEmpty {
                    guard let c = try? Cents(yuan: text) else { throw FormInvalid(message: "应追回金额「\(text)」无效") }
                    recover = c.value
                }
                try await req.spotChecks.record(id, truthful: form.result != "false", finding: form.finding ?? "", recoverCents: recover,
                                                expectedVersion: form.version ?? 0, actor: try req.actor(), today: req.today)
                return req.redirect(to: SiteURL.spotCheck(id).path + "?done=1", redirectType: .normal)
            } catch let e as SpotCheckStoreError where e != .notFound {
                return try await Self.detailPage(req, error: e.chinese, typed: form, status: e == .workflow(.staleVersion) ? .conflict : .badRequest)
            } catch let e as FormInvalid {
                return try await Self.detailPage(req, error: e.message, typed: form, status: .badRequest)
            } catch SpotCheckStoreError.notFound { throw Abort(.notFound) }
        }
        staff.get(.dishonesty) { req -> Response in
            let actor = try req.actor()
            let paging = Paging(req, size: 30)
            let (items, total) = try await DishonestyList(req.db).list(actor: actor, offset: paging.offset, limit: paging.size)
            let names = try await RegistryStore(req.db).regionNames(items.map(\.residenceRegion))
            return Layout.response(HonestyPages.dishonesty(chrome: try await Layout.chrome(req, .cases), items: items, total: total,
                                                           mayExport: Self.mayDraw(actor), names: names, paging: paging))
        }
        staff.get(.dishonestyExport) { req -> Response in
            guard Self.mayDraw(try req.actor()) else { throw DomainError.forbidden }
            let purpose = try ListFile.purpose(req)
            let entries = try await DishonestyList(req.db).export(actor: try req.actor(), purpose: purpose)
            return try ListFile.response(ListFile.requested(req) ?? .csv, name: "失信名单-\(req.today)", asciiName: "dishonesty-\(req.today)",
                                         stamp: try ListFile.stamp(req, purpose), header: ["姓名", "身份证号", "失信依据", "列入日期"],
                                         rows: entries.map { [$0.name, $0.nationalID, $0.basis, $0.listedOn.description] })
        }
    }

    static func mayDraw(_ actor: Actor) -> Bool { actor.role == .countyReviewer || actor.role == .cityAdmin }

    static func listPage(_ req: Request, drawn: String?) async throws -> Response {
        let actor = try req.actor()
        let filter = req.query[String.self, at: "filter"].flatMap(SpotChecks.Filter.init(rawValue:)) ?? .open
        let paging = Paging(req, size: 30)
        let (items, total) = try await req.spotChecks.list(actor: actor, filter: filter, offset: paging.offset, limit: paging.size)
        let thisMonth = req.today.firstOfMonth
        let lastMonth = (thisMonth.adding(months: -1), thisMonth.adding(days: -1))
        return Layout.response(HonestyPages.list(chrome: try await Layout.chrome(req, .cases), items: items, total: total, filter: filter,
                                                 mayDraw: mayDraw(actor), lastMonth: lastMonth, drawn: drawn, paging: paging))
    }

    static func detailPage(_ req: Request, error: String?, typed: HonestyPages.ResultForm?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard let id = req.parameters.get("checkID").flatMap(UUID.init(uuidString:)), let c = try await req.spotChecks.detail(id, actor: actor) else {
            throw Abort(.notFound)
        }
        return Layout.response(HonestyPages.detail(chrome: try await Layout.chrome(req, .cases), c: c, mayRecord: SpotCheckWorkflow.mayRecord(c.state, by: actor),
                                                   notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: error, typed: typed), status: status)
    }
}
