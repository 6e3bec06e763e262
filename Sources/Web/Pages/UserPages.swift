import Domain
import Foundation
import Plot
import Store
import Vapor

/// 账户管理: the system administrator opens accounts, places them in a jurisdiction and disables them; the security
/// administrator grants each its role (三权分立). One page for both, each seeing only their own forms: an account
/// waiting for its grant is listed first, as the security administrator's work.
enum UserPages {
    static let pageSize = 50

    /// What the system administrator typed to open an account, kept when it is refused.
    struct NewAccount: Content {
        var username: String?
        var name: String?
        var role: String?
        var region: String?
        var community: String?
    }

    struct Model {
        var users: [StaffUser]
        var total: Int
        var paging: Paging
        /// Region names by code, for the list and the choices.
        var names: [String: String]
        /// The regions an account may be placed in (city, districts, streets within the administrator's jurisdiction).
        var places: [Region]
        var mayManage: Bool
        var mayGrant: Bool
        var typed = NewAccount()
        var notice: String?
        var error: String?
        /// A new account's first password, shown once.
        var firstPassword: (username: String, password: String)?
    }

    static func view(_ m: Model, chrome: Layout.Chrome) -> HTML {
        let me = chrome.user?.username
        return Layout.page("账户管理", chrome,
            .h1(.text("账户管理")),
            .p(.class("muted"), .text("三权分立：系统管理员开设账户、设定辖区、停用账户；安全管理员授予角色（账户须经授权才能登录，任何人不能给自己授权）；"
                + "审计管理员只查看审计日志。三者都不因其角色查看家庭资料。每项操作都记入审计日志。")),
            .unwrap(m.notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(m.error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(m.firstPassword) { first in
                .div(.class("notice"), .attribute(named: "role", value: "status"),
                     .p(.text("已开设账户 \(first.username)，角色待安全管理员授权后即可登录。")),
                     .p(.text("初始密码（只显示这一次，请当面交给本人，登录后修改）："), .code(.text(first.password))))
            },
            .if(m.mayManage, newAccountForm(m, chrome: chrome)),
            .h2(.text("账户")),
            .div(.class("panel"),
                 m.paging.bar(total: m.total, unit: "个账户") { SiteURL.users(page: $0).path },
                 .table(.class("stack"),
                    .thead(.tr(.th(.text("用户名")), .th(.text("姓名")), .th(.text("角色")), .th(.text("辖区")), .th(.text("状态")), .th(.text("操作")))),
                    .tbody(.group(m.users.map { u in
                        .tr(.td(.attribute(named: "data-label", value: "用户名"), .text(u.username)),
                            .td(.attribute(named: "data-label", value: "姓名"), .text(u.displayName)),
                            .td(.attribute(named: "data-label", value: "角色"), .text(u.role.chinese + (u.isGranted ? "" : "（拟）"))),
                            .td(.attribute(named: "data-label", value: "辖区"), .text(m.names[u.region.value] ?? u.region.value)),
                            .td(.attribute(named: "data-label", value: "状态"), status(u, chrome: chrome)),
                            .td(.attribute(named: "data-label", value: "操作"), actions(u, m: m, me: me, chrome: chrome)))
                    }))),
                 m.paging.bar(total: m.total, unit: "个账户") { SiteURL.users(page: $0).path }))
    }

    static func status(_ u: StaffUser, chrome: Layout.Chrome) -> Node<HTML.BodyContext> {
        if u.isDisabled { return .span(.class("overdue"), .text("已停用")) }
        if !u.isGranted { return .span(.class("overdue"), .text("待授权")) }
        return .text((u.hasSecondFactor ? "已绑定动态口令；" : "") + "正常（\(chrome.person(u.roleGrantedBy)) \(Show.time(u.roleGrantedAt ?? .distantPast)) 授权）")
    }

    static func actions(_ u: StaffUser, m: Model, me: String?, chrome: Layout.Chrome) -> Node<HTML.BodyContext> {
        .group(
            .if(m.mayGrant && u.username != me,
                .form(.class("inline"), .action(SiteURL.userAction(u.username, .grant).path), .method(.post), Layout.csrfField(chrome),
                      .label(.text("角色"), roleChoice(selected: u.role.rawValue)),
                      .button(.type(.submit), .text(u.isGranted ? "变更角色" : "授权")))),
            .if(m.mayGrant && u.username != me && u.hasSecondFactor,
                .form(.class("inline"), .action(SiteURL.userAction(u.username, .resetSecondFactor).path), .method(.post), Layout.csrfField(chrome),
                      .button(.type(.submit), .text("重置动态口令")))),
            .if(m.mayManage && u.username != me, .group(
                .form(.class("inline"), .action(SiteURL.userAction(u.username, .region).path), .method(.post), Layout.csrfField(chrome),
                      // The account's own region is always a choice (a community is not among the listed places), so
                      // the form never moves it by default.
                      .label(.text("辖区"), regionChoice(m.places.contains { $0.code == u.region } ? m.places
                                                          : [Region(code: u.region, name: m.names[u.region.value] ?? u.region.value, isDemo: false)] + m.places,
                                                          selected: u.region.value)),
                      .button(.type(.submit), .text("变更辖区"))),
                .form(.class("inline"), .action(SiteURL.userAction(u.username, u.isDisabled ? .enable : .disable).path), .method(.post),
                      Layout.csrfField(chrome),
                      .button(.type(.submit), .text(u.isDisabled ? "恢复" : "停用")))))
        )
    }

    static func newAccountForm(_ m: Model, chrome: Layout.Chrome) -> Node<HTML.BodyContext> {
        .form(.class("panel"), .action(SiteURL.users(page: 1).path), .method(.post), Layout.csrfField(chrome),
              .h2(.text("开设账户")),
              .label(.text("用户名（字母、数字、点、下划线、连字符，3–\(UserStore.maxUsernameLength)位）"),
                     .input(.type(.text), .name("username"), .required(true), .value(Layout.attr(m.typed.username ?? "")),
                            .attribute(named: "maxlength", value: String(UserStore.maxUsernameLength)), .attribute(named: "autocomplete", value: "off"))),
              .label(.text("姓名"), .input(.type(.text), .name("name"), .required(true), .value(Layout.attr(m.typed.name ?? "")),
                                         .attribute(named: "maxlength", value: String(UserStore.maxDisplayNameLength)))),
              .label(.text("拟授予的角色（由安全管理员授权后生效）"), roleChoice(selected: m.typed.role)),
              .label(.text("辖区"), regionChoice(m.places, selected: m.typed.region)),
              .label(.text("社区（村）协理员：社区（村）的12位区划代码（填写后以此为准）"),
                     .input(.type(.text), .name("community"), .value(Layout.attr(m.typed.community ?? "")), .attribute(named: "inputmode", value: "numeric"),
                            .attribute(named: "maxlength", value: "12"), .attribute(named: "pattern", value: "[0-9]{12}"))),
              .button(.type(.submit), .text("开设账户")))
    }

    static func roleChoice(selected: String?) -> Node<HTML.LabelContext> {
        .select(.attribute(named: "name", value: "role"),
                .group(Role.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0.rawValue == selected) }))
    }

    /// Streets indented under their district under the city, by name.
    static func regionChoice(_ places: [Region], selected: String?) -> Node<HTML.LabelContext> {
        .select(.attribute(named: "name", value: "region"),
                .group(places.map { r in
                    Layout.option(r.code.value, String(repeating: "　", count: max(0, r.code.level.rawValue - RegionLevel.city.rawValue)) + r.name,
                                  selected: r.code.value == selected)
                }))
    }
}
