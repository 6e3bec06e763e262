import Domain
import Foundation
import Store
import Vapor

/// The working calendar: which years the holiday data covers, and the city administrator's upload of the next year's
/// arrangement when the State Council publishes it.
struct CalendarRoutes: RouteCollection {
    struct Upload: Content { var file: File }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.calendar) { req -> Response in
            let moved = req.query[Int.self, at: "moved"] ?? 0
            return try await Self.page(req, notice: req.query[String.self, at: "loaded"].map {
                "已载入 \($0) 年的节假日安排，此后的期限按新安排计算；原按周末暂定的期限已重新计算（\(moved) 项有变化）。"
            }, error: nil)
        }
        // A year's arrangement is a few kilobytes; a larger body is not a calendar.
        staff.post(.calendar, maxBody: "256kb") { req -> Response in
            let actor = try req.actor()
            guard actor.may(.manageCalendar) else { throw DomainError.forbidden }
            guard let upload = try? req.content.decode(Upload.self), upload.file.data.readableBytes > 0 else {
                return try await Self.page(req, notice: nil, error: "请选择节假日安排文件（JSON）", status: .badRequest)
            }
            let name = String(upload.file.filename.split(separator: "/").last ?? "calendar.json")
            do {
                let outcome = try await CalendarUpdate(req.db, setup: try await req.tunedMonitoring(), processes: req.application.storage[PolicyKey.self]!.processes).load(Data(buffer: upload.file.data), file: name, actor: actor)
                return req.redirect(to: SiteURL.calendar.path(query: ["loaded": outcome.years.map(String.init).joined(separator: "、"),
                                                                      "moved": String(outcome.deadlinesMoved + outcome.casesRecounted)]), redirectType: .normal)
            } catch let e as DomainError where e != .forbidden {
                return try await Self.page(req, notice: nil, error: e.chinese, status: .badRequest)
            }
        }
    }

    static func page(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        let calendar = req.monitoring.calendar
        return Layout.response(CalendarPage.view(chrome: try await Layout.chrome(req, .calendar), calendar: calendar, today: req.today,
                                                 loaded: try await CalendarStore(req.db).loaded(), mayLoad: actor.may(.manageCalendar),
                                                 notice: notice, error: error),
                               status: status)
    }
}
