import Domain
import Foundation
import Store
import Vapor

/// 先行救助备用金: each township's reserve fund, its ledger, and the county's allocations and replenishments.
struct ReserveFundRoutes: RouteCollection {
    struct Form: Content {
        var township: String?
        var kind: String?
        var amount: String?
        var note: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.reserveFunds) { req -> Response in
            try await Self.page(req, township: req.query[String.self, at: "township"], notice: req.query[String.self, at: "done"].map { _ in "已保存。" },
                                error: nil, typed: Form())
        }
        staff.post(.reserveFunds) { req -> Response in
            try req.require(.manageReserveFunds)
            let form = (try? req.content.decode(Form.self)) ?? Form()
            do {
                guard let t = form.township.flatMap({ try? RegionCode($0) }) else { throw ReserveFundError.notATownship }
                let kind = form.kind.flatMap(ReserveFundEntryKind.init(rawValue:)) ?? .allocation
                let text = (form.amount ?? "").trimmingCharacters(in: .whitespaces)
                guard let amount = try? Cents(yuan: text), amount.value > 0 else { throw ReserveFundError.invalidAmount }
                _ = try await ReserveFunds(req.db).credit(kind, township: t, amount: amount, note: (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines),
                                                          actor: try req.actor())
                return req.redirect(to: SiteURL.reserveFunds(township: t.value).path + "&done=1", redirectType: .normal)
            } catch let e as ReserveFundError {
                return try await Self.page(req, township: form.township, notice: nil, error: e.chinese, typed: form, status: .badRequest)
            } catch CaseStoreError.notFound {
                throw Abort(.notFound)
            }
        }
    }

    static func page(_ req: Request, township: String?, notice: String?, error: String?, typed: Form, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        let store = ReserveFunds(req.db)
        let funds = try await store.funds(actor: actor)
        // A township's own fund by default; the county picks one of its townships.
        let selected = try township.flatMap { try? RegionCode($0) } ?? actor.jurisdiction.ancestor(at: .township)
            ?? funds.first.map { try RegionCode($0.township) }
        let paging = Paging(req, size: 30)
        var ledger: (items: [ReserveFundEntry], total: Int) = ([], 0)
        var balance: Cents?
        if let selected {
            do {
                balance = try await store.balance(township: selected, actor: actor)
                ledger = try await store.ledger(township: selected, actor: actor, offset: paging.offset, limit: paging.size)
            } catch CaseStoreError.notFound { throw Abort(.notFound) }
        }
        let area = actor.jurisdiction.ancestor(at: .township) ?? actor.jurisdiction
        let townships = actor.jurisdiction.level >= .township ? [Region]()
            : try await RegistryStore(req.db).townships(in: area)
        let names = try await RegistryStore(req.db).regionNames(funds.map(\.township) + townships.map(\.code.value) + [selected?.value].compactMap { $0 })
        return Layout.response(ReserveFundPage.view(chrome: try await Layout.chrome(req, .cases), funds: funds, selected: selected, balance: balance,
                                                    ledger: ledger.items, total: ledger.total, paging: paging, townships: townships, names: names,
                                                    mayCredit: actor.may(.manageReserveFunds), notice: notice, error: error, typed: typed), status: status)
    }
}
