import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 审计日志: who read or changed what. Auditors only.
enum AuditPage {
    struct Model {
        var entries: [AuditEntry]
        static func load(db: any Database, actor: Actor) async throws -> Model {
            Model(entries: try await AuditLog(db).recent(actor: actor, limit: 300))
        }
    }

    static func view(_ m: Model, chrome: Layout.Chrome) -> HTML {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        f.timeZone = .china
        return Layout.page("审计日志", chrome,
            .h1(.text("审计日志")),
            .p(.class("muted"), .text("最近 \(m.entries.count) 条，时间为北京时间。")),
            .div(.class("panel"), .table(.class("stack audit"),
                .thead(.tr(.th(.text("时间")), .th(.text("用户")), .th(.text("操作")), .th(.text("对象")), .th(.text("说明")), .th(.text("来源地址")))),
                .tbody(.group(m.entries.map { e in
                    .tr(.td(.attribute(named: "data-label", value: "时间"), .text(f.string(from: e.at))),
                        .td(.attribute(named: "data-label", value: "用户"), .text("\(e.username)（\(Role(rawValue: e.role)?.chinese ?? e.role)）")),
                        .td(.attribute(named: "data-label", value: "操作"), .text(AuditAction(rawValue: e.action)?.chinese ?? e.action)),
                        .td(.attribute(named: "data-label", value: "对象"), .text("\(e.targetKind) \(e.targetID)")),
                        .td(.attribute(named: "data-label", value: "说明"), .text(e.detail)),
                        .td(.attribute(named: "data-label", value: "来源地址"), .text(e.origin)))
                })))))
    }
}
