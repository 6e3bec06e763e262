import Domain
import Foundation
import Plot
import Store
import Vapor

/// 查看完整身份证号: lists and profiles show ID numbers masked; the whole number is shown here, one member at a time,
/// after the purpose is given, and the read is audited with it. The page is never cached.
enum IDRevealPage {
    struct Form: Content {
        var purpose: String?
        var note: String?
    }

    static func view(chrome: Layout.Chrome, household: Household.ID, member: Member.ID, typed: Form = .init(purpose: nil, note: nil),
                     revealed: RegistryStore.RevealedID? = nil, error: String? = nil) -> HTML {
        Layout.page("查看完整身份证号", chrome,
            .p(.a(.href(SiteURL.household(household).path), .text("← 返回家庭档案"))),
            .h1(.text("查看完整身份证号")),
            .unwrap(revealed) { r in
                .div(.class("panel"),
                     .p(.text("\(r.name)：")),
                     .p(.class("full-id"), .text(r.nationalID.value)),
                     .p(.class("muted"), .text("本次查看及用途已记入审计日志。请勿抄录、拍照或转发。")))
            },
            .if(revealed == nil, .group(
                .p(.class("muted"), .text("页面和接口默认只显示部分号码。确需完整号码时，请选择用途；每次查看都会连同用途记入审计日志（《个人信息保护法》第六条：限于处理目的的最小范围）。")),
                .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                .form(.class("panel"), .action(SiteURL.memberNationalID(household, member).path), .method(.post), Layout.csrfField(chrome),
                      .label(.text("用途"), .select(.attribute(named: "name", value: "purpose"), .attribute(named: "required", value: "required"),
                          Layout.option("", "请选择…", selected: typed.purpose == nil),
                          .group(IDRevealPurpose.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0.rawValue == typed.purpose) }))),
                      .label(.text("说明（用途为“其他”时必填）"),
                             .input(.type(.text), .name("note"), .value(Layout.attr(typed.note ?? "")),
                                    .attribute(named: "maxlength", value: String(IDRevealReason.maxNote)))),
                      .button(.type(.submit), .text("查看完整号码")))
            )))
    }
}
