import Domain
import Foundation
import Plot
import Store

/// 码上办: the resident's short form, what they are told back (only the request's code and the day they will be
/// called by), and the township's list of requests to call.
enum HelpRequestPages {
    static func formNode(townships: [Region], form: HelpRequestRoutes.Form, call: Layout.Chrome? = nil) -> Node<HTML.BodyContext> {
        .form(.class("panel"), .method(.post), .action(call == nil ? SiteURL.helpRequests.path : SiteURL.helpRequestCalls.path),
            .unwrap(call) { Layout.csrfField($0) },
            .p(.class("muted"), .text(call == nil ? "不知道该申请哪项救助也可以提交：居住地乡镇（街道）的工作人员会在规定时间内联系您，帮您找到合适的救助并办理。"
                                                  : "来电人的情况，按来电人所说填写；提交后由其居住地乡镇（街道）在期限内回访。")),
            .label(.text("姓名"), .input(.type(.text), .name("name"), .value(Layout.attr(form.name ?? "")), .required(true))),
            .label(.text("身份证号"), .input(.type(.text), .name("nationalID"), .value(Layout.attr(form.nationalID ?? "")), .required(true),
                                             .attribute(named: "autocomplete", value: "off"))),
            .label(.text("联系电话"), .input(.type(.text), .name("phone"), .value(Layout.attr(form.phone ?? "")), .required(true),
                                             .attribute(named: "inputmode", value: "tel"))),
            .label(.text("居住的乡镇（街道）"), .select(.attribute(named: "name", value: "township"),
                .group([Layout.option("", "请选择", selected: (form.township ?? "").isEmpty)]
                    + townships.map { Layout.option($0.code.value, $0.name, selected: form.township == $0.code.value) }))),
            .label(.text("需要什么帮助"), .textarea(.name("need"), .attribute(named: "rows", value: "3"), .text(form.need ?? ""))),
            .label(.class("check"), .input(.type(.checkbox), .name("consent"), .checked(form.consent == "on")),
                   .text(call == nil ? "我同意工作人员联系我，并依法核对我家的收入、财产等情况" : "来电人同意回访并依法核对其家庭情况")),
            .button(.type(.submit), .text(call == nil ? "提交求助" : "登记来电")))
    }

    static func form(townships: [Region], form: HelpRequestRoutes.Form, error: String?) -> HTML {
        Layout.page("在线求助", CaseStatusPage.publicChrome,
            .h1(.text("在线求助（码上办）")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            formNode(townships: townships, form: form))
    }

    static func received(code: String, contactBy: Deadline, townshipName: String) -> HTML {
        Layout.page("已收到求助", CaseStatusPage.publicChrome,
            .h1(.text("已收到您的求助")),
            .div(.class("panel"),
                .p(.text("编号 "), .strong(.text(code))),
                .p(.text("\(townshipName)的工作人员将在 \(Show.date(contactBy.date)) 前与您电话联系\(contactBy.provisional ? "（按工作日计算，节假日安排公布后可能顺延）" : "")。")),
                .p(.class("muted"), .text("请保持电话畅通。如情况紧急（意外、火灾、突发重病），请直接到乡镇（街道）或拨打当地救助热线，可先行救助。"))))
    }

    /// `phone`: the list is a caller's requests, found by that number (whole or its last four).
    static func list(chrome: Layout.Chrome, items: [HelpRequestRecord], total: Int, paging: Paging, all: Bool, phone: String?, typedPhone: String,
                     today: LocalDate, names: [String: String], notice: String?, error: String?, townships: [Region], typed: HelpRequestRoutes.Form) -> HTML {
        let title = phone.map { "来电号码「\($0)」的求助（\(total) 条）" } ?? (all ? "在线求助（全部 \(total) 条）" : "待联系的在线求助（\(total) 条）")
        return Layout.page("在线求助", chrome,
            .h1(.text(title)),
            .p(.class("muted"), .text("居民在线提交的求助，须在联系期限内电话联系；联系后「转为申请」：申请登记后求助即办结，并链接到该申请。")),
            .p(.class("actions"), .a(.href(SiteURL.helpRequests.path + (all ? "" : "?all=on")), .text(all ? "只看待处理的" : "查看全部")),
               .if(phone != nil, .group(.text(" · "), .a(.href(SiteURL.helpRequests.path), .text("返回待联系的求助"))))),
            .form(.class("search"), .method(.post), .action(SiteURL.helpRequestSearch.path),
                Layout.csrfField(chrome),
                .input(.type(.tel), .name("phone"), .value(Layout.attr(typedPhone)), .placeholder("来电号码：完整号码或后四位"),
                       .attribute(named: "aria-label", value: "按来电号码查找"), .attribute(named: "maxlength", value: "20"),
                       .attribute(named: "inputmode", value: "numeric"), .attribute(named: "autocomplete", value: "off")),
                .button(.type(.submit), .text("查找"))),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(phone == nil, paging.bar(total: total, unit: "条", link: { Paging.url(SiteURL.helpRequests.path, [("all", all ? "on" : nil)], page: $0) })),
            .if(items.isEmpty, .p(.class("panel"), .text(phone == nil ? "没有待联系的求助。" : "没有从这个号码来的求助。"))),
            .group(items.map { r in
                let late = (r.status == .new) && today > r.contactDueOn
                return .div(.class("panel" + (late ? " overdue" : "")),
                    .h3(.text("\(r.name) "), .span(.class("muted"), .text(r.maskedID)), .span(.class("tag"), .text(r.status.chinese)),
                        .span(.class("tag"), .text(r.channel == .hotline ? "热线来电" : "在线求助"))),
                    .p(.text("电话 \(r.phone) · \(names[r.townshipRegion] ?? r.townshipRegion) · 联系期限 \(Show.date(r.contactDueOn))"),
                       .if(r.contactDueProvisional, .span(.class("tag"), .text("暂定"))), .if(late, .strong(.class("late"), .text(" 已逾期")))),
                    .p(.text("求助内容：\(r.need)")),
                    .unwrap(r.note) { .p(.class("muted"), .text("处理记录：\($0)")) },
                    .unwrap(r.householdID) { h in
                        .p(.a(.href(SiteURL.household(Household.ID(h)).path), .text("已在档案中：打开家庭档案")),
                           .if(r.status == .new || r.status == .contacted, .group(.text(" · "),
                               .a(.class("button"), .href(SiteURL.caseNew(household: h, warning: nil, helpRequest: r.id, channel: r.channel, applicantName: r.name).path), .text("转为申请")))))
                    },
                    .if(r.householdID == nil && (r.status == .new || r.status == .contacted),
                        .p(.class("muted"), .text("登记库中没有这个身份证号：联系核实后，先到户籍所在地登记家庭信息，再登记申请。"))),
                    .unwrap(r.caseID) { c in .p(.a(.href(SiteURL.caseItem(c).path), .text("查看转成的申请"))) },
                    .if(r.status == .new || r.status == .contacted, .form(.class("panel"), .method(.post), .action(SiteURL.helpRequest(r.id).path),
                        Layout.csrfField(chrome),
                        .label(.text("处理情况"), .textarea(.name("note"), .attribute(named: "rows", value: "2"))),
                        .label(.text("结果"), .select(.attribute(named: "name", value: "status"),
                            Layout.option("contacted", "已电话联系", selected: true),
                            Layout.option("closed", "办结（不需救助或无法联系，写明原因）", selected: false))),
                        .button(.type(.submit), .text("保存")))))
            }),
            .if(phone == nil, paging.bar(total: total, unit: "条", link: { Paging.url(SiteURL.helpRequests.path, [("all", all ? "on" : nil)], page: $0) })),
            .h2(.text("登记热线来电")),
            formNode(townships: townships, form: typed, call: chrome))
    }
}
