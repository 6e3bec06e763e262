import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

enum LoginPage {
    /// Longer than any pass phrase anyone types, short enough that a pasted document is refused before hashing.
    static let maxPasswordLength = 256

    static func view(csrf: String, username: String = "", error: String? = nil) -> HTML {
        Layout.page("登录", .init(user: nil, jurisdictionName: nil, csrf: csrf, section: .none),
            .div(.class("panel login"),
                 .h1(.text("工作人员登录")),
                 .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                 .form(
                    .action(SiteURL.login.path),
                    .method(.post),
                    .input(.type(.hidden), .name(CSRFMiddleware.field), .value(csrf)),
                    .label(.attribute(named: "for", value: "username"), .text("用户名")),
                    .input(.type(.text), .name("username"), .id("username"), .value(Layout.attr(username)), .required(true),
                           .attribute(named: "maxlength", value: String(UserStore.maxUsernameLength)),
                           .attribute(named: "autocomplete", value: "username"), .autofocus(username.isEmpty)),
                    .label(.attribute(named: "for", value: "password"), .text("密码")),
                    .input(.type(.password), .name("password"), .id("password"), .required(true),
                           .attribute(named: "maxlength", value: String(maxPasswordLength)),
                           .attribute(named: "autocomplete", value: "current-password")),
                    .button(.type(.submit), .text("登录"))
                 ),
                 .p(.class("muted"), .text("连续多次输错密码，账户将被暂时锁定。"))))
    }
}
