import Domain
import Foundation
import Plot
import Store

/// The second factor's pages: the code asked for after a right password, the enrolment (a QR code drawn by the
/// server, and the secret as text for typing by hand), the recovery codes shown once, and the security
/// administrator's choice of which other roles must use one.
enum SecondFactorPages {
    static func codeInput() -> Node<HTML.FormContext> {
        .group(
            .label(.attribute(named: "for", value: "code"), .text("动态口令（身份验证器中的6位数字），或一个恢复码")),
            .input(.type(.text), .name("code"), .id("code"), .required(true), .autofocus(true), .attribute(named: "autocomplete", value: "one-time-code"),
                   .attribute(named: "maxlength", value: String(SecondFactorPolicy.maxTypedLength)), .attribute(named: "spellcheck", value: "false"))
        )
    }

    /// After a right password, for an account with a second factor.
    static func code(csrf: String, error: String? = nil) -> HTML {
        Layout.page("动态口令", .init(user: nil, jurisdictionName: nil, csrf: csrf, section: .none),
            .div(.class("panel login"),
                 .h1(.text("验证动态口令")),
                 .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                 .form(.action(SiteURL.loginCode.path), .method(.post),
                       .input(.type(.hidden), .name(CSRFMiddleware.field), .value(csrf)),
                       codeInput(),
                       .button(.type(.submit), .text("验证并登录"))),
                 .p(.class("muted"), .text("手机丢失时，可用绑定时保存的恢复码（每个只能用一次），或请安全管理员重置。")),
                 .p(.a(.href(SiteURL.login.path), .text("重新输入用户名和密码")))))
    }

    /// Enrolment: scan the QR code (or type the secret), then confirm with the code the app shows.
    static func enrol(chrome: Layout.Chrome, uri: String, secret: String, required: Bool, enrolled: Bool, error: String? = nil) -> HTML {
        Layout.page("绑定动态口令", chrome,
            .div(.class("panel"),
                 .h1(.text(enrolled ? "重新绑定动态口令" : "绑定动态口令")),
                 .if(required && !enrolled, .p(.class("notice"), .text("您的角色须使用动态口令登录（双因素认证）。绑定后才能使用系统。"))),
                 .if(enrolled, .p(.class("muted"), .text("已绑定。重新绑定会使原来的动态口令和恢复码全部失效。"))),
                 .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                 .ol(
                    .li(.text("在手机上打开任一身份验证器应用（支持 TOTP 标准的均可，如 Microsoft Authenticator、Google Authenticator、FreeOTP），扫描下方二维码。")),
                    .li(.text("无法扫码时，在应用中选择“手动输入密钥”，输入："), .code(.class("secret"), .text(grouped(secret)))),
                    .li(.text("输入应用显示的6位数字，完成绑定。"))),
                 .div(.class("qr"), .raw((try? QRCode(uri).svg(scale: 4, label: "动态口令绑定二维码")) ?? "")),
                 .form(.action(SiteURL.secondFactor.path), .method(.post), Layout.csrfField(chrome),
                       .label(.attribute(named: "for", value: "code"), .text("应用显示的6位数字")),
                       .input(.type(.text), .name("code"), .id("code"), .required(true), .attribute(named: "inputmode", value: "numeric"),
                              .attribute(named: "autocomplete", value: "one-time-code"), .attribute(named: "maxlength", value: "8")),
                       .button(.type(.submit), .text("完成绑定")))))
    }

    /// The recovery codes, once.
    static func recoveryCodes(chrome: Layout.Chrome, codes: [String]) -> HTML {
        Layout.page("恢复码", chrome,
            .div(.class("panel"),
                 .h1(.text("动态口令已绑定")),
                 .p(.class("notice"), .attribute(named: "role", value: "status"),
                    .text("请把下面的恢复码抄在纸上或存入密码管理器，妥善保管。手机丢失时，每个恢复码可代替动态口令登录一次。此页只显示这一次。")),
                 .ul(.class("recovery"), .group(codes.map { .li(.code(.text($0))) })),
                 Layout.printButton("打印恢复码"),
                 .p(.a(.href(SiteURL.home.path), .text("进入系统")))))
    }

    /// The security administrator's setting: which roles besides the administrators must use a second factor.
    static func settings(chrome: Layout.Chrome, policy: SecondFactorPolicy, configured: Set<Role>, notice: String?) -> HTML {
        Layout.page("安全设置", chrome,
            .h1(.text("安全设置")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .form(.class("panel"), .action(SiteURL.securitySettings.path), .method(.post), Layout.csrfField(chrome),
                  .h2(.text("须使用动态口令登录的角色")),
                  .p(.class("muted"), .text("系统管理员、安全管理员、审计管理员始终须使用（等保三级：两种或两种以上组合的鉴别技术）。其他角色可在此要求；"
                      + "已登录的人下次操作时即被引导绑定。")),
                  .group(Role.allCases.map { role in
                      let always = policy.alwaysRequiredFor.contains(role)
                      return .label(.class("check"),
                                    .input(.type(.checkbox), .name("roles[]"), .value(role.rawValue),
                                           .checked(always || configured.contains(role)), .attribute(named: "disabled", value: always ? "disabled" : "")),
                                    .text(role.chinese + (always ? "（始终）" : "")))
                  }),
                  .button(.type(.submit), .text("保存"))))
    }

    /// "ABCD EFGH …": easier to type from a screen.
    static func grouped(_ secret: String) -> String {
        stride(from: 0, to: secret.count, by: 4).map { i in
            String(secret.dropFirst(i).prefix(4))
        }.joined(separator: " ")
    }
}
