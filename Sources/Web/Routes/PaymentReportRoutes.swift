import Domain
import Foundation
import Store
import Vapor

/// 发放统计: the page, its CSV and Excel downloads, and the same report as JSON.
struct PaymentReportRoutes: RouteCollection {
    /// Six months to this one unless asked otherwise: the half-year a bureau reports on.
    static let defaultMonths = 6

    /// The query a form or an API call asks for, with the defaults filled in; the first thing that is not valid, in words.
    static func query(_ form: PaymentReportPage.Form, actor: Actor, today: LocalDate) throws(PaymentReportError) -> PaymentReportQuery {
        let thisMonth = PayMonth(containing: today)
        var start = thisMonth
        for _ in 1..<Self.defaultMonths { start = start.previous }
        guard let to = form.to.map({ try? PayMonth($0) }) ?? thisMonth, let from = form.from.map({ try? PayMonth($0) }) ?? start else {
            throw .range
        }
        guard let region = form.region.map({ try? RegionCode($0) }) ?? actor.jurisdiction else { throw .outsideJurisdiction }
        let program = form.program.flatMap { $0.isEmpty ? nil : Program(rawValue: $0) }
        return PaymentReportQuery(from: from, to: to, program: program, region: region)
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.paymentReports) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.viewPayments) else { throw DomainError.forbidden }
            var form = try req.query.decode(PaymentReportPage.Form.self)
            let registry = RegistryStore(req.db)
            let own = try await registry.region(actor.jurisdiction)
            let regions = (own.map { [$0] } ?? []) + (actor.jurisdiction.level < .township ? try await registry.children(of: actor.jurisdiction, actor: actor) : [])
            var rows: [PaymentReportRow] = []
            var error: String?
            do {
                let q = try Self.query(form, actor: actor, today: req.today)
                rows = try await PaymentReports(req.db).report(q, actor: actor)
                // The form shows what was counted, defaults included.
                form = PaymentReportPage.Form(from: q.from.description, to: q.to.description, program: q.program?.rawValue ?? "", region: q.region.value)
            } catch let e as PaymentReportError {
                error = e.chinese
            }
            let names = try await registry.regionNames(rows.map(\.area))
            if error == nil, let format = ListFile.requested(req) {
                return try await ListFile.download(req, format, name: "发放统计\(form.from ?? "")至\(form.to ?? "")", asciiName: "payment-report",
                                                   header: PaymentReportPage.header, rows: PaymentReportPage.fileRows(rows, names: names))
            }
            return Layout.response(PaymentReportPage.view(chrome: try await Layout.chrome(req, .payments), typed: form, regions: regions, rows: rows,
                                                          paging: Paging(req, size: 50), names: names, error: error),
                                   status: error == nil ? .ok : .badRequest)
        }
    }
}
