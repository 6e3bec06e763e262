import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 审计日志: who read or changed what. Auditors only. Filtered by user, action, object and Beijing days; pages
/// with its total; the same selection downloads as CSV.
enum AuditPage {
    static let pageSize = 50

    struct Form: Content, Equatable {
        var user: String?
        var action: String?
        var kind: String?
        var target: String?
        var from: String?
        var to: String?

        /// What the form asks for, and the message for a field it could not read (kept in the form).
        func filter() -> (AuditFilter, String?) {
            var f = AuditFilter(username: user, action: action.flatMap(AuditAction.init(rawValue:)), targetKind: kind,
                                targetID: target?.trimmingCharacters(in: .whitespaces))
            var problem: String?
            if let from, !from.isEmpty { if let d = try? LocalDate(from) { f.from = d } else { problem = "起始日期“\(from)”不是有效日期" } }
            if let to, !to.isEmpty { if let d = try? LocalDate(to) { f.to = d } else { problem = "截止日期“\(to)”不是有效日期" } }
            return (f, problem)
        }

        func query(page: Int, format: String? = nil) -> String {
            Paging.query([("user", user), ("action", action), ("kind", kind), ("target", target), ("from", from), ("to", to), ("format", format)], page: page)
        }
    }

    /// The kinds of object the log names, in Chinese.
    static let kinds: [(String, String)] = [("household", "家庭档案"), ("warning", "预警"), ("person_link", "人员关联"), ("feed", "部门数据导入"),
                                            ("enrolment", "救助项目"), ("user", "用户"), ("region", "区域"), ("list", "导出名单"),
                                            ("indicator", "预警指标"), ("registry", "档案库")]
    static func kindName(_ k: String) -> String { kinds.first { $0.0 == k }?.1 ?? k }

    static func view(chrome: Layout.Chrome, form: Form, entries: [AuditEntry], total: Int, paging: Paging, problem: String?,
                     regionNames: [String: String], objectNames: [String: String] = [:]) -> HTML {
        let users = chrome.staff.values.sorted { ($0.role.rawValue, $0.displayName) < ($1.role.rawValue, $1.displayName) }
        return Layout.page("审计日志", chrome,
            .h1(.text("审计日志")),
            .p(.class("actions"), Layout.printButton("打印本页")),
            Layout.foldable("filters-toggle", label: "筛选", .form(.class("panel filters"), .action(SiteURL.auditLog(query: nil).path), .method(.get),
                .label(.text("用户"), .select(.attribute(named: "name", value: "user"), Layout.option("", "全部", selected: (form.user ?? "").isEmpty),
                    .group(users.map { Layout.option($0.username, Show.user(name: $0.displayName, role: $0.role), selected: $0.username == form.user) }))),
                .label(.text("操作"), .select(.attribute(named: "name", value: "action"), Layout.option("", "全部", selected: (form.action ?? "").isEmpty),
                    .group(AuditAction.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0.rawValue == form.action) }))),
                .label(.text("对象"), .select(.attribute(named: "name", value: "kind"), Layout.option("", "全部", selected: (form.kind ?? "").isEmpty),
                    .group(kinds.map { Layout.option($0.0, $0.1, selected: $0.0 == form.kind) }))),
                .label(.text("对象编号"), .input(.type(.text), .name("target"), .value(Layout.attr(form.target ?? "")))),
                .label(.text("起始日期"), .input(.type(.date), .name("from"), .value(Layout.attr(form.from ?? "")))),
                .label(.text("截止日期"), .input(.type(.date), .name("to"), .value(Layout.attr(form.to ?? "")))),
                .button(.type(.submit), .text("筛选")))),
            .unwrap(problem) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            paging.bar(total: total, unit: "条", link: { SiteURL.auditLog(query: form.query(page: $0)).path }),
            .p(.class("muted"), .text("时间为北京时间。")),
            ListFile.links { SiteURL.auditLog(query: form.query(page: 1, format: $0.rawValue)).path },
            .div(.class("panel"), .table(.class("stack audit"),
                .thead(.tr(.th(.text("时间")), .th(.text("用户")), .th(.text("操作")), .th(.text("对象")), .th(.text("说明")), .th(.text("来源地址")))),
                .tbody(.group(entries.map { e in
                    .tr(.td(.attribute(named: "data-label", value: "时间"), .text(Show.time(e.at))),
                        .td(.attribute(named: "data-label", value: "用户"), .text(person(e, chrome))),
                        .td(.attribute(named: "data-label", value: "操作"), .text(AuditAction(rawValue: e.action)?.chinese ?? e.action)),
                        .td(.attribute(named: "data-label", value: "对象"), .text(kindName(e.targetKind)),
                            .unwrap(objectNames[e.targetID.lowercased()]) { .text("：\($0)") }, .small(.class("code"), .text(" \(e.targetID)"))),
                        .td(.attribute(named: "data-label", value: "说明"), Show.textNamingRegions(e.detail, names: regionNames)),
                        .td(.attribute(named: "data-label", value: "来源地址"), .text(e.origin)))
                })))),
            paging.bar(total: total, unit: "条", link: { SiteURL.auditLog(query: form.query(page: $0)).path }))
    }

    /// The user as the log recorded them: the name from the directory, the role as it was at the time.
    static func person(_ e: AuditEntry, _ chrome: Layout.Chrome) -> String {
        if e.role == "public" { return "居民（未登录，在线提交）" }
        guard let u = chrome.staff[e.username] else { return Show.user(e.username, in: [:]) }
        return Show.user(name: u.displayName, role: Role(rawValue: e.role) ?? u.role)
    }

    static let header = ["时间（北京时间）", "用户", "用户名", "操作", "对象", "对象编号", "说明", "来源地址"]

    static func rows(_ entries: [AuditEntry], chrome: Layout.Chrome) -> [[String]] {
        entries.map { e in
            [Show.time(e.at), person(e, chrome), e.username, AuditAction(rawValue: e.action)?.chinese ?? e.action, kindName(e.targetKind), e.targetID, e.detail, e.origin]
        }
    }
}
