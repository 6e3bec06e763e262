import Domain
import Foundation
import Plot
import Store

/// 救助变更: the list of changes waiting for the county, the township's form to propose one on an enrolment in force
/// (with the calculator's amount beside it), and a change's page with the county's decision.
enum ChangePages {
    static func list(chrome: Layout.Chrome, items: [EnrolmentChangeRecord], total: Int, all: Bool, paging: Paging) -> HTML {
        Layout.page("救助变更", chrome,
            .h1(.text(all ? "救助变更（全部 \(total) 件）" : "待县级决定的救助变更（\(total) 件）")),
            .p(.class("muted"), .text("增发、减发、停发由乡镇（街道）提出，户籍地县级民政部门决定；减发、停发须书面说明理由并注明依据 [DB 32–34]。")),
            .p(.class("actions"), .a(.href(SiteURL.changes(all: !all).path), .text(all ? "只看待决定的" : "查看全部"))),
            paging.bar(total: total, unit: "件", link: { Paging.url(SiteURL.changes(all: false).path, [("all", all ? "on" : nil)], page: $0) }),
            .if(items.isEmpty, .p(.class("panel"), .text("没有待决定的救助变更。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("变更")), .th(.text("项目")), .th(.class("num"), .text("现金额")), .th(.class("num"), .text("新金额")), .th(.text("生效")),
                           .th(.text("来源")), .th(.text("状态")))),
                .tbody(.group(items.map { c in
                    .tr(.td(CasePages.label("变更"), .a(.href(SiteURL.change(c.id).path), .text(c.state.kind.chinese))),
                        .td(CasePages.label("项目"), .text(c.state.program.chinese)),
                        .td(.class("num"), CasePages.label("现金额"), .text(Cents(c.state.currentCents).yuanText)),
                        .td(.class("num"), CasePages.label("新金额"), .text(Cents(c.state.newCents).yuanText)),
                        .td(CasePages.label("生效"), .text("\(c.state.effectiveOn.year)年\(c.state.effectiveOn.month)月")),
                        .td(CasePages.label("来源"), .text(c.state.source.chinese)),
                        .td(CasePages.label("状态"), .text(c.state.status.chinese)))
                }))))))
    }

    static func newChange(chrome: Layout.Chrome, profile p: HouseholdProfile, assessment: Assessment?, form: ChangeRoutes.NewForm, maxExitMonths: Int,
                          today: LocalDate, error: String?) -> HTML {
        let active = p.enrolments.filter { $0.status == .active }
        let next = today.firstOfNextMonth
        let monthText = { (d: LocalDate) in String(format: "%04d-%02d", d.year, d.month) }
        return Layout.page("提出救助变更", chrome,
            .h1(.text("提出救助变更：\(p.head?.name ?? "")户")),
            .p(.class("muted"), .text("按家庭当前情况调整救助金额或停发，报户籍地县级民政部门决定。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(active.isEmpty, .p(.class("panel"), .text("该户目前没有在保的救助项目。"))),
            .if(!active.isEmpty, .form(.class("panel"), .method(.post), .action(SiteURL.changes(all: false).path),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("household"), .value(p.household.id.description)),
                .unwrap(form.warning) { .input(.type(.hidden), .name("warning"), .value(Layout.attr($0))) },
                .unwrap(form.review) { .input(.type(.hidden), .name("review"), .value(Layout.attr($0))) },
                .unwrap(form.reviewVersion) { .input(.type(.hidden), .name("reviewVersion"), .value("\($0)")) },
                .label(.text("救助项目"), .select(.attribute(named: "name", value: "enrolment"),
                    .group(active.map { e in
                        let suggested = assessment?.decisions.first { $0.program == e.program && (e.memberID == nil || $0.member == e.memberID?.description) }
                        let calc = suggested.map { $0.outcome == .doesNotQualify ? "，计算器：不符合" : "，计算器：\($0.amount.yuanText)" } ?? ""
                        return Layout.option(e.id.description, "\(e.program.chinese)\(p.member(e.memberID).map { "（\($0.name)）" } ?? "")：现每月 \(e.monthlyAmount.yuanText)\(calc)",
                                             selected: form.enrolment == e.id.description)
                    }))),
                .label(.text("新的每月金额（元；停发填 0）"), .input(.type(.text), .name("amount"), .attribute(named: "inputmode", value: "decimal"),
                                                          .value(Layout.attr(form.amount ?? "")))),
                .label(.text("生效月份"), .input(.type(.month), .name("month"), .value(form.month ?? monthText(next)))),
                // Gradual exit [DB 33]: a dibao household whose income rose above the standard keeps its amount for
                // these months, then stops by itself.
                .if(maxExitMonths > 0, .label(.text("停发方式（低保收入超过标准的可渐退）"), .select(.attribute(named: "name", value: "exitMonths"),
                    Layout.option("", "立即停发（或增发、减发）", selected: (form.exitMonths ?? "").isEmpty),
                    .group((1...maxExitMonths).map { n in Layout.option("\(n)", "渐退 \(n) 个月后停发（新金额填 0）", selected: form.exitMonths == "\(n)") })))),
                .label(.text("来源"), .select(.attribute(named: "name", value: "source"),
                    .group(ChangeSource.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: (form.source ?? (form.warning == nil ? "staff" : "warning")) == $0.rawValue) }))),
                .label(.text("变更理由（每行一条，将书面告知）"), .textarea(.name("reasons"), .attribute(named: "rows", value: "3"), .text(form.reasons ?? ""))),
                .label(.text("所依据的条款（减发、停发必填）"), .input(.type(.text), .name("articles"), .value(Layout.attr(form.articles ?? "")), .placeholder("如：DB 32"))),
                .button(.type(.submit), .text("提交县级决定")))))
    }

    static func detail(chrome: Layout.Chrome, c: EnrolmentChangeRecord, names: [String: String], mayDecide: Bool, mayOpenHousehold: Bool, notice: String?,
                       error: String?, typed: ChangeRoutes.DecisionForm?) -> HTML {
        let s = c.state
        return Layout.page("救助变更", chrome,
            .h1(.text("\(s.kind.chinese)：\(s.program.chinese)")),
            .p(.class("actions"), Layout.printButton("打印"),
               .if(s.status == .approved && s.kind != .increase, .a(.class("button"), .href(SiteURL.changeNotice(c.id).path), .text("变更决定告知书")))),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("状态")), .dd(.text(s.status.chinese)),
                .dt(.text("家庭")), .dd(mayOpenHousehold ? .a(.href(SiteURL.household(Household.ID(c.householdID)).path), .text("打开家庭档案")) : .text("—")),
                .dt(.text("居住地")), .dd(Show.region(s.residenceRegion.value, name: names[s.residenceRegion.value])),
                .if(s.registrationRegion != s.residenceRegion,
                    .group(.dt(.text("户籍地")), .dd(Show.region(s.registrationRegion.value, name: names[s.registrationRegion.value])))),
                .dt(.text("金额")), .dd(.text("\(Cents(s.currentCents).yuanText) → \(Cents(s.newCents).yuanText)（每月）")),
                .dt(.text("生效")), .dd(.text("\(s.effectiveOn.year)年\(s.effectiveOn.month)月起")),
                .unwrap(s.exitEndsOn) { end in
                    .group(.dt(.text("渐退")), .dd(.text("按现金额继续发放 \(s.exitMonths ?? 0) 个月，\(end.year)年\(end.month)月起停发 [DB 33]")))
                },
                .dt(.text("来源")), .dd(.text(s.source.chinese), .unwrap(c.warningID) { w in .group(.text(" · "), .a(.href(SiteURL.warning(w).path), .text("查看预警"))) },
                                                   .unwrap(c.reviewID) { r in .group(.text(" · "), .a(.href(SiteURL.review(r).path), .text("查看核查"))) }),
                .dt(.text("理由")), .dd(.ul(.group(s.reasons.map { .li(.text($0)) }))),
                .dt(.text("依据")), .dd(.text(s.articles.isEmpty ? "—" : s.articles.joined(separator: "、"))),
                .dt(.text("提出")), .dd(.text("\(chrome.person(s.proposedBy))，\(Show.date(s.proposedOn))")),
                .unwrap(s.noticeFrom) { n in .group(.dt(.text("公示")), .dd(.text("终止特困供养自 \(Show.date(n)) 起公示 [TK 24–26]"))) },
                .unwrap(s.decidedOn) { d in .group(.dt(.text("决定")), .dd(.text("\(chrome.person(s.decidedBy))，\(Show.date(d))"))) },
                .unwrap(s.recovery) { r in .group(.dt(.text("应追回")), .dd(.text("\(Cents(r.amountCents).yuanText)（\(r.basis)）"))) })),
            .unwrap(c.assessment.flatMap { try? JSONDecoder().decode(Assessment.self, from: Data($0.utf8)) }) { a in
                .div(.class("panel"), .h3(.text("提出时的政策计算器结果")),
                     .ul(.group(a.decisions.filter { $0.program == s.program }.map { d in
                         .li(.text("\(d.program.chinese)：\(d.outcome.chinese)\(d.outcome == .doesNotQualify ? "" : "，\(d.amount.yuanText)")（\(d.summary)）"))
                     })))
            },
            .if(!mayDecide && s.status == .proposed, .p(.class("muted"), .text("由户籍地区县民政部门决定 [YC]。"))),
            .if(mayDecide, .form(.class("panel"), .method(.post), .action(SiteURL.changeDecision(c.id).path),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("version"), .value("\(s.version)")),
                .label(.text("决定"), .select(.attribute(named: "name", value: "decision"),
                    Layout.option("approve", "同意\(s.kind.chinese)", selected: typed?.decision != "reject"),
                    Layout.option("reject", "不予变更", selected: typed?.decision == "reject"))),
                .label(.text("应追回金额（元；多发、冒领的，选填）"), .input(.type(.text), .name("recover"), .attribute(named: "inputmode", value: "decimal"),
                                                            .value(Layout.attr(typed?.recover ?? "")))),
                .label(.text("追回依据（如：隐瞒收入、超过3个月未报告家庭变化）"), .input(.type(.text), .name("basis"), .value(Layout.attr(typed?.basis ?? "")))),
                .button(.type(.submit), .text("作出决定")))))
    }

    /// 变更决定告知书: what the household receives after a decrease, a stop or a gradual exit — the new amount or the
    /// last month paid, the reasons and articles, and how to challenge it [DB 32–34]. Printed on paper.
    static func notice(chrome: Layout.Chrome, c: EnrolmentChangeRecord, headName: String, office: String) -> HTML {
        let s = c.state
        let month = { (d: LocalDate) in "\(d.year)年\(d.month)月" }
        let what: String
        switch s.kind {
        case .gradualExit:
            let end = s.exitEndsOn ?? s.effectiveOn
            what = "您家庭的收入已超过当地低保标准。按照渐退办法，自\(month(s.effectiveOn))起继续按每月 \(Cents(s.currentCents).yuanText) 发放 \(s.exitMonths ?? 0) 个月，"
                + "自\(month(end))起停止发放\(s.program.chinese)金。"
        case .stop: what = "决定自\(month(s.effectiveOn))起停止发放\(s.program.chinese)金（原每月 \(Cents(s.currentCents).yuanText)）。"
        case .decrease, .increase:
            what = "决定自\(month(s.effectiveOn))起将\(s.program.chinese)金由每月 \(Cents(s.currentCents).yuanText) 调整为 \(Cents(s.newCents).yuanText)。"
        }
        return Layout.page("\(s.program.chinese)变更决定告知书", chrome,
            .p(.class("actions"), Layout.printButton("打印告知书")),
            .div(.class("panel decision-notice"),
                .h1(.text("\(s.program.chinese)\(s.kind.chinese)决定告知书")),
                .p(.text("\(headName)：")),
                .p(.text("经核查，" + what)),
                .p(.text("理由：")), .ol(.group(s.reasons.map { .li(.text($0)) })),
                .p(.text("依据：\(s.articles.joined(separator: "、"))。")),
                .unwrap(s.recovery) { r in .p(.text("经核实，多领取的 \(Cents(r.amountCents).yuanText) 应予退回（\(r.basis)）。")) },
                .p(.text("家庭情况再次发生变化、生活出现困难的，可以重新提出申请。")),
                .p(.text("如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。")),
                .p(.class("signature"), .text(office), .br(), .text(Show.date(s.decidedOn)))))
    }
}
