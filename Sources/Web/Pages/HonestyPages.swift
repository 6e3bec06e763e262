import Domain
import Foundation
import Plot
import Store

/// 明白告知—诚信申报—守信激励—失信惩戒: the checks to do (drawn at random or traced back from a warning), the county's
/// draw, a check's page with its result form, and the dishonesty list with its export for the credit platform.
enum HonestyPages {
    static func list(chrome: Layout.Chrome, items: [SpotCheckRecord], total: Int, filter: SpotChecks.Filter, mayDraw: Bool, lastMonth: (LocalDate, LocalDate),
                     drawn: String?, paging: Paging) -> HTML {
        Layout.page("抽查倒查", chrome,
            .h1(.text(filter == .open ? "抽查与倒查：待核查（\(total) 件）" : "抽查与倒查：已办结（\(total) 件）")),
            .p(.class("muted"), .text("实行告知承诺审批的，审批后按比例随机抽查；审批后出现预警的，逐件倒查申报是否属实。发现虚假申报的，停发救助、追回多领金额并列入失信名单；"
                                      + "申报属实的，再次申请时免予提交部分证明材料。")),
            .unwrap(drawn) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            Layout.tabs([("待核查", filter == .open ? nil : SiteURL.spotChecks(filter: nil).path),
                         ("已办结", filter == .done ? nil : SiteURL.spotChecks(filter: "done").path), ("失信名单", SiteURL.dishonesty.path)]),
            .if(mayDraw, .form(.class("filters panel"), .method(.post), .action(SiteURL.spotCheckDraw.path),
                Layout.csrfField(chrome),
                .label(.text("审批日期自"), .input(.type(.date), .name("from"), .value(lastMonth.0.description))),
                .label(.text("至"), .input(.type(.date), .name("to"), .value(lastMonth.1.description))),
                .button(.type(.submit), .text("随机抽取并倒查")))),
            paging.bar(total: total, unit: "件", link: { Paging.url(SiteURL.spotChecks(filter: nil).path, [("filter", filter.rawValue)], page: $0) }),
            .if(items.isEmpty, .p(.class("panel"), .text("没有\(filter == .open ? "待核查" : "已办结")的抽查。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("户主")), .th(.text("方式")), .th(.text("项目")), .th(.text(filter == .open ? "抽取" : "核查")), .th(.text("结果")))),
                .tbody(.group(items.map { c in
                    .tr(.td(CasePages.label("户主"), .a(.href(SiteURL.spotCheck(c.id).path), .text(c.headName ?? "（未登记户主）"))),
                        .td(CasePages.label("方式"), .text(c.state.kind.chinese)),
                        .td(CasePages.label("项目"), .text(c.state.program.chinese)),
                        .td(CasePages.label(filter == .open ? "抽取" : "核查"), .text(Show.date(filter == .open ? c.state.drawnOn : c.state.checkedOn))),
                        .td(CasePages.label("结果"), .text(c.state.status.chinese)))
                }))))))
    }

    struct ResultForm: Sendable, Codable {
        var version: Int?
        var result: String?
        var finding: String?
        var recover: String?
    }

    static func detail(chrome: Layout.Chrome, c: SpotCheckRecord, mayRecord: Bool, notice: String?, error: String?, typed: ResultForm?) -> HTML {
        let s = c.state
        return Layout.page("抽查倒查", chrome,
            .h1(.text("\(s.kind.chinese)：\(s.status.chinese)")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("申请")), .dd(.a(.href(SiteURL.caseItem(c.caseID).path), .text("查看审批的申请（\(s.program.chinese)）"))),
                .unwrap(c.warningID) { w in .group(.dt(.text("倒查起因")), .dd(.a(.href(SiteURL.warning(w).path), .text("审批后的预警")))) },
                .dt(.text("抽取")), .dd(.text(Show.date(s.drawnOn))),
                .unwrap(s.checkedOn) { d in .group(.dt(.text("核查")), .dd(.text("\(chrome.person(s.checkedBy))，\(Show.date(d))"))) },
                .unwrap(s.finding) { f in .group(.dt(.text("发现")), .dd(.text(f))) },
                .unwrap(s.recoverCents) { r in .group(.dt(.text("应追回")), .dd(.text(Cents(r).yuanText))) },
                .unwrap(c.changeID) { ch in .group(.dt(.text("停发")), .dd(.a(.href(SiteURL.change(ch).path), .text("已提请县级决定停发")))) },
                // Not proposed with the finding: the benefit already had a change waiting for the county, or was no longer paid.
                .if(s.status == .falseDeclaration && c.changeID == nil,
                    .group(.dt(.text("停发")), .dd(.text("未能随核查结果提请停发（该救助已有一项变更等待县级决定，或已不在保）："),
                                                   .a(.href(SiteURL.changeNew(household: c.householdID, warning: nil).path), .text("办结后提出停发"))))))),
            .if(mayRecord, .form(.class("panel"), .method(.post), .action(SiteURL.spotCheckResult(c.id).path),
                .h3(.text("登记核查结果")),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("version"), .value("\(s.version)")),
                .label(.text("结果"), .select(.attribute(named: "name", value: "result"),
                    Layout.option("truthful", "申报属实", selected: typed?.result != "false"),
                    Layout.option("false", "虚假申报（停发、追回、列入失信名单）", selected: typed?.result == "false"))),
                .label(.text("核查了什么、发现了什么"), .textarea(.name("finding"), .attribute(named: "rows", value: "3"), .text(typed?.finding ?? ""))),
                .label(.text("多领取应追回的金额（元；虚假申报的填写）"), .input(.type(.text), .name("recover"), .attribute(named: "inputmode", value: "decimal"),
                                                                .value(Layout.attr(typed?.recover ?? "")))),
                .button(.type(.submit), .text("保存核查结果")))))
    }

    static func dishonesty(chrome: Layout.Chrome, items: [DishonestyEntry], total: Int, mayExport: Bool, names: [String: String], paging: Paging) -> HTML {
        Layout.page("失信名单", chrome,
            .h1(.text("失信名单（\(total) 人）")),
            .p(.class("muted"), .text("抽查、倒查发现虚假申报的，列入失信名单，按规定报送信用平台 [DB 23; DD]。")),
            .if(mayExport, ListFile.links({ _ in SiteURL.dishonestyExport.path })),
            paging.bar(total: total, unit: "人", link: { Paging.url(SiteURL.dishonesty.path, [], page: $0) }),
            .if(items.isEmpty, .p(.class("panel"), .text("名单为空。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("姓名")), .th(.text("身份证号")), .th(.text("居住地")), .th(.text("依据")), .th(.text("列入日期")))),
                .tbody(.group(items.map { e in
                    .tr(.td(CasePages.label("姓名"), .a(.href(SiteURL.spotCheck(e.spotCheckID).path), .text(e.name))),
                        .td(CasePages.label("身份证号"), .text(Show.maskedID(e.nationalID))),
                        .td(CasePages.label("居住地"), Show.region(e.residenceRegion, name: names[e.residenceRegion])),
                        .td(CasePages.label("依据"), .text(e.basis)),
                        .td(CasePages.label("列入日期"), .text(Show.date(e.listedOn))))
                }))))))
    }
}
