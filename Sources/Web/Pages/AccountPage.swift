import Domain
import Foundation
import Plot
import Store
import Vapor

/// A staff member changes their own password: the current one, then the new one twice. What was typed is never
/// sent back into the form (these are passwords); the reason a new one is refused is.
enum AccountPage {
    struct Form: Content {
        var current: String?
        var new: String?
        var confirm: String?
    }

    static func view(chrome: Layout.Chrome, policy: PasswordPolicy, error: String? = nil, done: Bool = false) -> HTML {
        Layout.page("修改密码", chrome,
            .div(.class("panel"),
                 .h1(.text("修改密码")),
                 .if(chrome.user?.mustChangePassword == true && !done,
                     .p(.class("notice"), .text("您的初始密码由管理员设定，请先设置只有您知道的新密码，然后才能使用系统。"))),
                 .if(done, .p(.class("notice"), .attribute(named: "role", value: "status"), .text("密码已修改。您在其他设备上的登录已结束。"))),
                 .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                 .form(
                    .action(SiteURL.changePassword.path),
                    .method(.post),
                    Layout.csrfField(chrome),
                    field("current", "当前密码", autocomplete: "current-password"),
                    field("new", "新密码（至少\(policy.minLength)个字符，不能是常见密码、全是数字或含用户名）", autocomplete: "new-password"),
                    field("confirm", "再次输入新密码", autocomplete: "new-password"),
                    .button(.type(.submit), .text("修改密码"))
                 )))
    }

    static func field(_ name: String, _ label: String, autocomplete: String) -> Node<HTML.FormContext> {
        .group(
            .label(.attribute(named: "for", value: name), .text(label)),
            .input(.type(.password), .name(name), .id(name), .required(true), .attribute(named: "autocomplete", value: autocomplete),
                   .attribute(named: "maxlength", value: String(LoginPage.maxPasswordLength)))
        )
    }
}
