import Domain
import Foundation
import Plot
import Store

/// 码上查: what an applicant sees of their case without signing in — the case code, the stage and the dates.
enum CaseStatusPage {
    static let publicChrome = Layout.Chrome(user: nil, jurisdictionName: nil, csrf: nil, section: .none)

    static func stage(_ s: PublicCaseStatus) -> String {
        switch s.status {
        case .open: return s.step.map { "办理中：\($0.chinese)" } ?? "办理中"
        case .approved: return "已批准"
        case .refused: return "不予批准（书面决定已送达或将送达您）"
        case .withdrawn: return "已撤回"
        }
    }

    static func view(_ s: PublicCaseStatus, today: LocalDate) -> HTML {
        Layout.page("申请进度", publicChrome,
            .h1(.text("申请进度查询")),
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("案号")), .dd(.text(s.code)),
                .dt(.text("当前状态")), .dd(.strong(.text(stage(s)))),
                .dt(.text("申请日期")), .dd(.text(Show.date(s.appliedOn))),
                .dt(.text("受理日期")), .dd(.text(s.acceptedOn.map(Show.date) ?? "尚未受理")),
                .unwrap(s.processDueOn) { .group(.dt(.text("预计办结")), .dd(.text("\(Show.date($0)) 前"))) },
                .unwrap(s.decidedOn) { .group(.dt(.text("决定日期")), .dd(.text(Show.date($0)))) })),
            .p(.class("muted"), .text("本页只显示办理进度，不显示个人信息。如有疑问，请联系受理您申请的乡镇人民政府（街道办事处）。")))
    }

    static func tooMany() -> HTML {
        Layout.page("请稍后再试", publicChrome,
            .h1(.text("请稍后再试")),
            .p(.text("您的查询过于频繁，请一分钟后再试。")))
    }
}
