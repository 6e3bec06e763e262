import Domain
import Foundation
import Plot
import Store

/// 发放核验: the county draws the month's sample; the township calls or visits each payee drawn and records what it
/// found, on a phone. A failure is raised as a warning.
enum PaymentCheckPage {
    struct Form: Codable, Sendable {
        var month: String?
        var county: String?
        var method: String?
        var arrived: String?
        var alive: String?
        var livesThere: String?
        var note: String?
    }

    static func view(chrome: Layout.Chrome, open: Bool, items: [PaymentVerificationView], total: Int, paging: Paging, names: [String: String],
                     counties: [Region], mayDraw: Bool, mayRecord: Bool, defaultMonth: PayMonth, typed: Form, typedID: UUID?, notice: String?, error: String?) -> HTML {
        Layout.page("发放核验", chrome,
            .h1(.text(open ? "待核验的收款人（\(total)户）" : "已核验（\(total)户）")),
            .p(.class("muted"), .text("每月按比例随机抽取已发放的收款人，电话回访或入户核实：钱是否到账、本人是否健在、是否在当地居住。未通过的自动形成预警，交所在街道（乡镇）处置。")),
            Layout.tabs([("待核验", open ? nil : SiteURL.paymentChecks(done: false).path), ("已核验", open ? SiteURL.paymentChecks(done: true).path : nil),
                         ("资金发放", SiteURL.payrolls.path), ("发放统计", SiteURL.paymentReports.path)]),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(mayDraw, .form(.class("panel"), .method(.post), .action(SiteURL.paymentCheckDraw.path), Layout.csrfField(chrome),
                .label(.text("发放月份"), .input(.type(.month), .name("month"), .value(Layout.attr(typed.month ?? defaultMonth.description)), .required(true))),
                .label(.text("区县"), .select(.attribute(named: "name", value: "county"),
                    .group(counties.map { Layout.option($0.code.value, $0.name, selected: (typed.county ?? counties.first?.code.value) == $0.code.value) }))),
                .button(.type(.submit), .text("随机抽取本月核验对象")),
                .p(.class("muted"), .text("抽取比例由政策参数（资金发放核验抽取比例）规定；每次抽取的随机种子记入审计日志，可复核。")))),
            paging.bar(total: total, unit: "户", link: { Paging.url(SiteURL.paymentChecks(done: false).path, [("done", open ? nil : "on")], page: $0) }),
            items.isEmpty ? .p(.class("panel"), .text(open ? "没有待核验的收款人。" : "尚无核验记录。")) : .group(items.map { v in
                .div(.class("panel"),
                    .h2(.a(.href(SiteURL.household(Household.ID(v.householdID)).path), .text("\(v.headName ?? "该户")户"))),
                    .p(.text("\(names[v.residenceRegion] ?? "") · \(v.month.chinese) 实发 \(Cents(v.netCents).yuanText) · \(Show.date(v.drawnOn)) 抽取")),
                    .unwrap(v.finding) { .p(.class(v.status == "failed" ? "error" : "muted"), .text($0 + (v.doneBy.map { "（\(chrome.person($0))）" } ?? ""))) },
                    .if(open && mayRecord, form(chrome, v, typed: typedID == v.id ? typed : Form())))
            }))
    }

    static func form(_ chrome: Layout.Chrome, _ v: PaymentVerificationView, typed: Form) -> Node<HTML.BodyContext> {
        func yesNo(_ name: String, _ label: String, _ value: String?) -> Node<HTML.FormContext> {
            .label(.text(label), .select(.attribute(named: "name", value: name),
                Layout.option("yes", "是", selected: value != "no"), Layout.option("no", "否", selected: value == "no")))
        }
        return .form(.method(.post), .action(SiteURL.paymentCheck(v.id).path), Layout.csrfField(chrome),
            .label(.text("核验方式"), .select(.attribute(named: "name", value: "method"),
                .group(PaymentCheckMethod.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: (typed.method ?? "phone") == $0.rawValue) }))),
            yesNo("arrived", "款项已到账", typed.arrived), yesNo("alive", "本人健在", typed.alive), yesNo("livesThere", "在当地居住", typed.livesThere),
            .label(.text("核实情况（未通过的必填）"), .textarea(.name("note"), .attribute(named: "rows", value: "2"), .text(typed.note ?? ""))),
            .button(.type(.submit), .text("登记核验结果")))
    }
}
