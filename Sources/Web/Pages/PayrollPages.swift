import Domain
import Foundation
import Plot
import Store

/// 资金发放: the payrolls of a jurisdiction, one payroll's check before approval (what changed since last month and
/// why, by sub-region, lines that disagree with the decisions, the blocked and why), its approval by a second person,
/// the bank file, the bank's return and the re-issue queue.
enum PayrollPages {
    struct PrepareForm: Codable, Sendable {
        var month: String?
        var county: String?
        var program: String?
    }

    static let programs: [Program] = [.dibao, .tekun, .nearDibao, .expenditureHardship, .temporary]

    static func list(chrome: Layout.Chrome, items: [PayrollSummary], total: Int, paging: Paging, names: [String: String], counties: [Region],
                     mayManage: Bool, typed: PrepareForm, defaultMonth: PayMonth, error: String?) -> HTML {
        Layout.page("资金发放", chrome,
            .h1(.text("资金发放（\(total)个名册）")),
            .p(.class("muted"), .text("按区县、按项目每月生成发放名册：已死亡（身份证号比对或人工确认）、暂停发放、没有已确认账户的一律不发并写明原因；"
                                      + "同一救助对象同一月份只能发放一次。名册须由生成人以外的另一人审批，审批后不再改动，更正计入下月补发或扣减。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .p(.class("actions"), .a(.href(SiteURL.paymentChecks(done: false).path), .text("发放核验（电话回访、入户）")), .text(" · "),
               .a(.href(SiteURL.paymentReports.path), .text("发放统计（按月份、项目、地区）"))),
            .if(mayManage, .form(.class("panel"), .method(.post), .action(SiteURL.payrolls.path),
                Layout.csrfField(chrome),
                .label(.text("发放月份"), .input(.type(.month), .name("month"), .value(Layout.attr(typed.month ?? defaultMonth.description)), .required(true))),
                .label(.text("区县"), .select(.attribute(named: "name", value: "county"),
                    .group(counties.map { Layout.option($0.code.value, $0.name, selected: (typed.county ?? counties.first?.code.value) == $0.code.value) }))),
                .label(.text("项目"), .select(.attribute(named: "name", value: "program"),
                    .group(programs.map { Layout.option($0.rawValue, $0.chinese, selected: (typed.program ?? Program.dibao.rawValue) == $0.rawValue) }))),
                .button(.type(.submit), .text("生成发放名册")),
                .p(.class("muted"), .text("名册较大时可用命令行 jiuzhu payroll prepare 生成，进度可见，中断后再次运行会接续。")))),
            paging.bar(total: total, unit: "个", link: { Paging.url(SiteURL.payrolls.path, [], page: $0) }),
            items.isEmpty ? .p(.class("panel"), .text("尚无发放名册。")) : .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("月份")), .th(.text("区县")), .th(.text("项目")), .th(.class("num"), .text("笔数")), .th(.class("num"), .text("不予发放")),
                           .th(.class("num"), .text("合计")), .th(.text("状态")))),
                .tbody(.group(items.map { p in
                    .tr(.td(CasePages.label("月份"), .a(.href(SiteURL.payroll(p.id).path), .text(p.month.chinese))),
                        .td(CasePages.label("区县"), .text(names[p.county] ?? p.county)), .td(CasePages.label("项目"), .text(p.program.chinese)),
                        .td(.class("num"), CasePages.label("笔数"), .text("\(p.lineCount)")),
                        .td(.class("num"), CasePages.label("不予发放"), .text("\(p.blockedCount)")),
                        .td(.class("num"), CasePages.label("合计"), .text(Cents(p.totalCents).yuanText)),
                        .td(CasePages.label("状态"), .text(p.status.chinese)))
                })))))
    }

    struct Detail {
        var payroll: PayrollSummary
        var areas: [PayrollArea]
        var diff: PayrollDiff
        var mismatches: [PayrollMismatch]
        var lines: [PayrollLineView]
        var total: Int
        var status: PayrollLineStatus?
        var names: [String: String]
        var formats: [BankFileFormat]
    }

    static func detail(chrome: Layout.Chrome, d: Detail, paging: Paging, notice: String?, error: String?) -> HTML {
        let p = d.payroll
        let user = chrome.user
        let mayManage = user.map { Permission.managePayments.isGranted(to: $0.role) } ?? false
        return Layout.page("发放名册 \(p.month.chinese)", chrome,
            .h1(.text("\(d.names[p.county] ?? p.county) \(p.program.chinese) \(p.month.chinese) 发放名册")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("状态")), .dd(.strong(.text(p.status.chinese))),
                .dt(.text("笔数")), .dd(.text("\(p.lineCount) 笔，其中不予发放 \(p.blockedCount) 笔")),
                .dt(.text("合计")), .dd(.text(Cents(p.totalCents).yuanText)),
                .dt(.text("生成人")), .dd(.text(chrome.person(p.preparedBy))),
                .dt(.text("审批人")), .dd(.text(p.approvedBy.map(chrome.person) ?? "尚未审批")),
                .unwrap(p.bankFileSHA256) { .group(.dt(.text("银行文件")), .dd(.text("SHA-256 \($0.prefix(16))…"))) })),
            .h2(.text("与上月相比")),
            d.diff.previous == nil ? .p(.class("panel"), .text("没有上月的名册可比。"))
                : .div(.class("panel"), .ul(
                    .li(.text("新增 \(d.diff.newCount) 笔，\(Cents(d.diff.newCents).yuanText)")),
                    .li(.text("停发 \(d.diff.stoppedCount) 笔，上月 \(Cents(d.diff.stoppedCents).yuanText)")),
                    .li(.text("金额变动 \(d.diff.changedCount) 笔"))),
                    .if(!d.diff.changed.isEmpty, .table(.class("stack"),
                        .thead(.tr(.th(.text("户主")), .th(.class("num"), .text("上月")), .th(.class("num"), .text("本月")), .th(.text("依据")))),
                        .tbody(.group(d.diff.changed.map { c in
                            .tr(.td(CasePages.label("户主"), household(c.line)), .td(.class("num"), CasePages.label("上月"), .text(Cents(c.beforeCents).yuanText)),
                                .td(.class("num"), CasePages.label("本月"), .text(Cents(c.line.dueCents).yuanText)),
                                .td(CasePages.label("依据"), .text(c.reason ?? "（无本月生效的变更决定）")))
                        }))))),
            .h2(.text("按街道（乡镇）")),
            .div(.class("panel"), .raw(SVGChart.horizontalBars(title: "各街道发放金额", caption: "本名册各街道（乡镇）应发金额合计；括号内为笔数。",
                bars: d.areas.map { a in
                    // Registered here, living in another district (一城通办): named as such, not mistaken for a street of this one.
                    let outside = !p.county.hasPrefix(String(a.region.prefix(6)))
                    return SVGChart.Bar(label: (d.names[a.region] ?? a.region) + (outside ? "（外区居住）" : ""), value: Double(a.cents),
                                        display: "\(Cents(a.cents).yuanText)（\(a.lines)）")
                }))),
            .if(!d.mismatches.isEmpty, .group(
                .h2(.text("与救助决定不符（\(d.mismatches.count)）")),
                .div(.class("panel error"), .table(.class("stack"),
                    .thead(.tr(.th(.text("户主")), .th(.class("num"), .text("名册")), .th(.class("num"), .text("按现行决定")))),
                    .tbody(.group(d.mismatches.map { m in
                        .tr(.td(CasePages.label("户主"), household(m.line)), .td(.class("num"), CasePages.label("名册"), .text(Cents(m.line.dueCents).yuanText)),
                            .td(.class("num"), CasePages.label("按现行决定"), .text(Cents(m.expectedCents).yuanText)))
                    })))))),
            .if(mayManage, actions(chrome, d)),
            .h2(.text("明细")),
            Layout.tabs([("全部", d.status == nil ? nil : SiteURL.payroll(p.id).path),
                         ("不予发放", d.status == .blocked ? nil : SiteURL.payroll(p.id, status: PayrollLineStatus.blocked.rawValue).path),
                         ("发放失败与重发", d.status == .failed ? nil : SiteURL.payroll(p.id, status: PayrollLineStatus.failed.rawValue).path)]),
            paging.bar(total: d.total, unit: "笔", link: { Paging.url(SiteURL.payroll(p.id).path, [("status", d.status?.rawValue)], page: $0) }),
            d.lines.isEmpty ? .p(.class("panel"), .text("没有这类明细。")) : .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("流水号")), .th(.text("户主")), .th(.class("num"), .text("本月")), .th(.class("num"), .text("补发")),
                           .th(.class("num"), .text("扣减")), .th(.class("num"), .text("实发")), .th(.text("状态")))),
                .tbody(.group(d.lines.map { l in
                    .tr(.td(CasePages.label("流水号"), .text(l.reference)), .td(CasePages.label("户主"), household(l)),
                        .td(.class("num"), CasePages.label("本月"), .text(Cents(l.dueCents + l.oneOffCents).yuanText)),
                        .td(.class("num"), CasePages.label("补发"), .text(l.arrearsCents == 0 ? "—" : "\(Cents(l.arrearsCents).yuanText)（\(l.arrearsMonths.map(\.chinese).joined(separator: "、"))）")),
                        .td(.class("num"), CasePages.label("扣减"), .text(l.deductionCents == 0 ? "—" : Cents(l.deductionCents).yuanText)),
                        .td(.class("num"), CasePages.label("实发"), .text(Cents(l.netCents).yuanText)),
                        .td(CasePages.label("状态"), .text(l.status.chinese), .unwrap(l.block) { .span(.class("muted"), .text("：\($0.chinese)")) },
                            .unwrap(l.bankReason.flatMap { $0.isEmpty ? nil : $0 }) { .span(.class("muted"), .text("：\($0)")) },
                            .if(l.status == .failed && mayManage, failedActions(chrome, p, l))))
                })))))
    }

    static func household(_ l: PayrollLineView) -> Node<HTML.BodyContext> {
        .a(.href(SiteURL.household(Household.ID(l.householdID)).path), .text(l.headName ?? "该户"))
    }

    static func actions(_ chrome: Layout.Chrome, _ d: Detail) -> Node<HTML.BodyContext> {
        let p = d.payroll
        let mine = chrome.user?.username == p.preparedBy
        return .group(
            .h2(.text("办理")),
            .if(p.status == .prepared, mine
                ? .p(.class("panel"), .text("您是本名册的生成人：须由另一人核对后审批（双人复核）。"))
                : .form(.class("panel"), .method(.post), .action(SiteURL.payrollApprove(p.id).path), Layout.csrfField(chrome),
                        .p(.text("核对上方与上月的变化、与救助决定不符的明细和不予发放的原因后审批。审批后名册不再改动。")),
                        .button(.type(.submit), .text("审批通过")))),
            .if(p.status == .approved || p.status == .sent, .form(.class("panel"), .method(.post), .action(SiteURL.payrollBankFile(p.id).path),
                Layout.csrfField(chrome),
                .label(.text("银行文件格式"), .select(.attribute(named: "name", value: "format"),
                    .group(d.formats.map { Layout.option($0.code, $0.name, selected: (p.bankFormat ?? d.formats.first?.code) == $0.code) }))),
                .label(.class("check"), .input(.type(.checkbox), .name("reissue"), .value("on")), .text("只含重新发放的明细（补充文件）")),
                .button(.type(.submit), .text("下载银行代发文件")))),
            .if(p.status == .sent, .form(.class("panel"), .method(.post), .action(SiteURL.payrollReturn(p.id).path),
                .attribute(named: "enctype", value: "multipart/form-data"), Layout.csrfField(chrome),
                .label(.text("银行回盘文件"), .input(.type(.file), .name("file"), .required(true))),
                .label(.text("格式"), .select(.attribute(named: "name", value: "format"),
                    .group(d.formats.map { Layout.option($0.code, $0.name, selected: (p.bankFormat ?? d.formats.first?.code) == $0.code) }))),
                .p(.class("muted"), .text("笔数、金额与送银行的明细逐笔核对，有任何不符整个回盘不导入，并写明差额。")),
                .button(.type(.submit), .text("导入回盘")))))
    }

    static func failedActions(_ chrome: Layout.Chrome, _ p: PayrollSummary, _ l: PayrollLineView) -> Node<HTML.BodyContext> {
        .div(
            .form(.method(.post), .action(SiteURL.payrollLine(p.id, l.id).path), Layout.csrfField(chrome),
                  .input(.type(.hidden), .name("action"), .value("reissue")),
                  .button(.type(.submit), .text("已换新账户，重新发放"))),
            .a(.href(SiteURL.householdAccounts(Household.ID(l.householdID)).path), .text("登记新账户")),
            .form(.method(.post), .action(SiteURL.payrollLine(p.id, l.id).path), Layout.csrfField(chrome),
                  .input(.type(.hidden), .name("action"), .value("carryOver")),
                  .input(.type(.text), .name("reason"), .attribute(named: "placeholder", value: "转下月补发的原因"), .required(true)),
                  .button(.type(.submit), .text("转下月补发"))))
    }
}
