import Domain
import Foundation
import Store
import Vapor

extension Request {
    var helpRequests: HelpRequests { HelpRequests(db, calendar: monitoring.calendar, parameters: calculator.parameters) }
}

/// 码上办: a resident's request for help from the public page, and the township's list of whom to call.
struct HelpRequestRoutes: RouteCollection {
    struct Form: Content {
        var name: String?
        var nationalID: String?
        var phone: String?
        var need: String?
        var township: String?
        var consent: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.post(.helpRequests) { req -> Response in
            let form = (try? req.content.decode(Form.self)) ?? Form()
            let townships = try await Self.townships(req)
            guard await req.publicRequestAllowed() else {
                return Layout.response(CaseStatusPage.tooMany(), status: .tooManyRequests)
            }
            let f = HelpRequestForm(name: form.name ?? "", nationalID: form.nationalID ?? "", phone: form.phone ?? "", need: form.need ?? "",
                                    township: form.township ?? "", consent: form.consent == "on")
            do {
                let (code, due) = try await req.helpRequests.submit(f, townships: townships.map(\.code), today: req.today, origin: req.origin)
                let name = townships.first { $0.code.value == form.township }?.name ?? "乡镇（街道）"
                return Layout.response(HelpRequestPages.received(code: code, contactBy: due, townshipName: name))
            } catch let e as HelpRequestForm.Invalid {
                return Layout.response(HelpRequestPages.form(townships: townships, form: form, error: e.chinese), status: .badRequest)
            }
        }
        routes.get(.helpRequests) { req -> Response in
            if req.staff == nil { return Layout.response(HelpRequestPages.form(townships: try await Self.townships(req), form: Form(), error: nil)) }
            return try await Self.list(req, notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: nil)
        }
        let staff = routes.grouped(RequireStaffMiddleware())
        // 热线: staff record a call as a request, on the same form the resident uses.
        staff.post(.helpRequestCalls) { req -> Response in
            let form = (try? req.content.decode(Form.self)) ?? Form()
            let townships = try await Self.townships(req)
            let f = HelpRequestForm(name: form.name ?? "", nationalID: form.nationalID ?? "", phone: form.phone ?? "", need: form.need ?? "",
                                    township: form.township ?? "", consent: form.consent == "on")
            do {
                _ = try await req.helpRequests.recordCall(f, townships: townships.map(\.code), today: req.today, actor: try req.actor())
            } catch let e as HelpRequestForm.Invalid {
                return try await Self.list(req, notice: nil, error: e.chinese, status: .badRequest, typed: form)
            }
            return req.redirect(to: SiteURL.helpRequests.path + "?done=1", redirectType: .normal)
        }
        // A caller's earlier requests, by the number they call from: by POST, so the number is in no URL or history.
        struct Find: Content { var phone: String? }
        staff.post(.helpRequestSearch) { req -> Response in
            try req.require(.handleCases)
            let form = (try? req.content.decode(Find.self)) ?? Find()
            return try await Self.list(req, notice: nil, error: nil, phone: form.phone ?? "")
        }
        struct Handle: Content { var status: String?; var note: String? }
        staff.post(.helpRequest) { req -> Response in
            try req.require(.handleCases)
            guard let id = req.parameters.get("requestID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(Handle.self)) ?? Handle()
            guard let status = form.status.flatMap(HelpRequestStatus.init(rawValue:)) else { throw Abort(.badRequest) }
            do {
                try await req.helpRequests.handle(id, to: status, note: form.note ?? "", actor: try req.actor())
            } catch let e as CaseStoreError where e != .notFound {
                return try await Self.list(req, notice: nil, error: e.chinese, status: .badRequest)
            } catch CaseStoreError.notFound {
                throw Abort(.notFound)
            }
            return req.redirect(to: SiteURL.helpRequests.path + "?done=1", redirectType: .normal)
        }
    }

    static func townships(_ req: Request) async throws -> [Region] {
        try await RegistryStore(req.db).townships(in: try await req.config.city(in: req.db))
    }

    static func list(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok, typed: Form = Form(),
                     phone: String? = nil) async throws -> Response {
        let actor = try req.actor()
        let paging = Paging(req, size: 50)
        let all = req.query[String.self, at: "all"] == "on"
        var (error, status) = (error, status)
        var found: (items: [HelpRequestRecord], total: Int)
        do {
            found = try await req.helpRequests.list(actor: actor, all: all, phone: phone, offset: phone == nil ? paging.offset : 0, limit: paging.size)
        } catch let e as CaseStoreError where phone != nil {
            (error, status) = (e.chinese, .badRequest)
            found = try await req.helpRequests.list(actor: actor, all: all, offset: 0, limit: paging.size)
        }
        let names = try await RegistryStore(req.db).regionNames(found.items.map(\.townshipRegion))
        return Layout.response(HelpRequestPages.list(chrome: try await Layout.chrome(req, .cases), items: found.items, total: found.total, paging: paging,
                                                     all: all, phone: status == .ok ? phone : nil, typedPhone: phone ?? "", today: req.today, names: names,
                                                     notice: notice, error: error, townships: try await Self.townships(req), typed: typed), status: status)
    }
}
