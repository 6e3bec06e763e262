import Domain
import Foundation
import Plot
import Store
import Vapor

/// Every public output is read before it is served (`PublicOutputScanner`): a page that would show a whole ID
/// number, a mobile or a bank card number (a name field someone typed an ID into, a note copied onto the notice) is
/// withheld, logged and audited by kind, never by value, and the reader is told why. On the applicant's status page,
/// the notice board (printed and posted in the community) and the residents' request pages.
struct PublicOutputGuard: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        guard let buffer = res.body.buffer, buffer.readableBytes > 0 else { return res }
        let found = PublicOutputScanner.findings(in: String(decoding: buffer.readableBytesView, as: UTF8.self))
        guard !found.isEmpty else { return res }
        let kinds = found.map(\.chinese).joined(separator: "、")
        req.logger.error("public output withheld: \(req.url.path) would show \(found.map(\.rawValue))")
        let detail = "公开页面含\(kinds)，已拦截未发出"
        do {
            if let staff = req.staff {
                try await AuditLog(req.db).record(actor: staff.actor(origin: req.origin), action: .publicOutputWithheld, targetKind: "path",
                                                  targetID: String(req.url.path.prefix(200)), detail: detail)
            } else {
                try await AuditLog(req.db).recordPublic(action: .publicOutputWithheld, region: try await req.config.city(in: req.db), targetKind: "path",
                                                        targetID: String(req.url.path.prefix(200)), detail: detail, origin: req.origin)
            }
        } catch {
            req.logger.error("auditing a withheld page failed: \(String(describing: error))")
        }
        // A bare page: the usual header would show names from the same data.
        return Layout.response(Layout.page("页面已拦截", .init(user: nil, jurisdictionName: nil, csrf: "", section: .none),
                                           .div(.class("panel"), .h1(.text("页面已拦截")),
                                                .p(.text("本页含有\(kinds)，为保护个人信息未予显示。已记录，请联系系统管理员更正数据。")))),
                               status: .internalServerError)
    }
}
