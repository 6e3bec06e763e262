import Domain
import Foundation
import Plot
import Store

/// 定期核查: the township's list of reviews due (the earliest first, overdue in red), and a review's page with the
/// calculator's view of the household on today's registry facts beside what it is paid, to continue or to propose
/// a change.
enum ReviewPages {
    static func filterTitle(_ f: Reviews.Filter) -> String {
        switch f {
        case .open: return "待核查"
        case .overdue: return "已逾期"
        case .done: return "已办结"
        }
    }

    static func list(chrome: Layout.Chrome, items: [ReviewRecord], total: Int, filter: Reviews.Filter, cycles: ReviewCycles, today: LocalDate,
                     paging: Paging) -> HTML {
        Layout.page("定期核查", chrome,
            .h1(.text("定期核查：\(filterTitle(filter))（\(total) 项）")),
            .p(.class("muted"), .text("核查周期：家庭状况稳定的每年一次，收入不固定或有劳动能力成员的每半年一次，家庭成员死亡后3个月内 [DB 31; DD]。"
                                      + "任务在到期前生成；核查后继续保障，或提出增发、减发、停发、渐退。")),
            Layout.tabs(Reviews.Filter.allCases.map { f in (filterTitle(f), f == filter ? nil : SiteURL.reviews(filter: f.rawValue).path) }),
            paging.bar(total: total, unit: "项", link: { Paging.url(SiteURL.reviews(filter: nil).path, [("filter", filter.rawValue)], page: $0) }),
            .if(items.isEmpty, .p(.class("panel"), .text("没有\(filterTitle(filter))的核查任务。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("户主")), .th(.text("项目")), .th(.text("周期")), .th(.text(filter == .done ? "办结" : "到期")), .th(.text("状态")))),
                .tbody(.group(items.map { r in
                    let late = r.state.isOverdue(on: today)
                    return .tr(.td(CasePages.label("户主"), .a(.href(SiteURL.review(r.id).path), .text(r.headName ?? "（未登记户主）"))),
                               .td(CasePages.label("项目"), .text(r.state.program.chinese)),
                               .td(CasePages.label("周期"), .text(cycles[r.state.cycleID]?.name ?? r.state.cycleID)),
                               .td(CasePages.label(filter == .done ? "办结" : "到期"), .text(Show.date(filter == .done ? r.state.doneOn : r.state.dueOn)),
                                   .if(late, .strong(.class("late"), .text(" 已逾期")))),
                               .td(CasePages.label("状态"), .text(r.state.status.chinese)))
                }))))))
    }

    struct Typed: Sendable {
        var conclusion: String?
    }

    static func detail(chrome: Layout.Chrome, r: ReviewRecord, profile: HouseholdProfile?, enrolment: Enrolment?, decision: Decision?,
                       cycle: ReviewCycle?, names: [String: String], mayHandle: Bool, today: LocalDate, notice: String?, error: String?,
                       typed: Typed?) -> HTML {
        let s = r.state
        let late = s.isOverdue(on: today)
        let differs = decision.map { d in d.outcome == .doesNotQualify || d.amount.value != (enrolment?.monthlyAmount.value ?? 0) } ?? false
        return Layout.page("定期核查", chrome,
            .h1(.text("定期核查：\(profile?.head?.name ?? "")户 · \(s.program.chinese)")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("状态")), .dd(.text(s.status.chinese)),
                .dt(.text("家庭")), .dd(profile == nil ? .text("—") : .a(.href(SiteURL.household(Household.ID(r.householdID)).path), .text("打开家庭档案"))),
                .dt(.text("居住地")), .dd(Show.region(s.residenceRegion.value, name: names[s.residenceRegion.value])),
                .if(s.registrationRegion != s.residenceRegion,
                    .group(.dt(.text("户籍地")), .dd(Show.region(s.registrationRegion.value, name: names[s.registrationRegion.value])))),
                .dt(.text("周期")), .dd(.text(cycle.map { "\($0.name)（\($0.article)）" } ?? s.cycleID)),
                .dt(.text("到期")), .dd(.text(Show.date(s.dueOn)), .if(late, .strong(.class("late"), .text(" 已逾期")))),
                .dt(.text("生成")), .dd(.text(Show.date(s.openedOn))),
                .dt(.text("现发放")), .dd(.text(enrolment.map { "每月 \($0.monthlyAmount.yuanText)（\($0.status.chinese)，自 \(Show.date($0.since)) 起）" } ?? "—")),
                .unwrap(s.doneOn) { d in .group(.dt(.text("办结")), .dd(.text("\(chrome.person(s.doneBy))，\(Show.date(d))"))) },
                .unwrap(s.conclusion) { c in .group(.dt(.text("结论")), .dd(.text(c))) },
                .unwrap(r.changeID) { c in .group(.dt(.text("变更")), .dd(.a(.href(SiteURL.change(c).path), .text("查看提出的救助变更")))) })),
            .div(.class("panel"), .h3(.text("政策计算器（按今日登记的数据）")),
                 .unwrap(decision, { d in
                     .group(.p(.text("\(d.program.chinese)：\(d.outcome.chinese)\(d.outcome == .doesNotQualify ? "" : "，每月 \(d.amount.yuanText)")")),
                            .p(.class("muted"), .text(d.summary)),
                            .if(differs && s.status == .open, .p(.strong(.text(d.outcome == .doesNotQualify
                                ? "计算器认为该户已不符合条件：收入超过标准的低保家庭可给予渐退期 [DB 33]，其他情形提出停发。"
                                : "计算器的金额与现发放金额不同：请核实后提出增发或减发。")))))
                 }, else: .p(.class("muted"), .text("无法计算（档案不完整）。")))),
            .if(mayHandle, .div(.class("panel"),
                .h3(.text("办理")),
                .p(.a(.class("button"), .href(SiteURL.changeNew(household: r.householdID, warning: nil, review: r.id).path),
                      .text("提出变更（增发 / 减发 / 停发 / 渐退）"))),
                .form(.method(.post), .action(SiteURL.reviewContinue(r.id).path),
                    Layout.csrfField(chrome),
                    .input(.type(.hidden), .name("version"), .value("\(s.version)")),
                    .label(.text("核查结论（继续保障的，写明核查了什么）"),
                           .textarea(.name("conclusion"), .attribute(named: "rows", value: "3"), .text(typed?.conclusion ?? ""))),
                    .button(.type(.submit), .text("继续保障"))))))
    }
}
