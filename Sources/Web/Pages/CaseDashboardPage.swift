import Domain
import Foundation
import Plot
import Store

/// 办理统计: applications of the jurisdiction by step and programme, the overdue, and how long decisions take,
/// in all and by sub-region.
enum CaseDashboardPage {
    static func view(chrome: Layout.Chrome, figures f: CaseFigures, reviews: (open: Int, overdue: Int), names: [String: String],
                     jurisdictionName: String) -> HTML {
        let open = f.openByStep.values.reduce(0, +)
        return Layout.page("申请办理统计", chrome,
            .h1(.text("申请办理统计 · \(jurisdictionName)")),
            .p(.class("actions"), Layout.printButton("打印"), .a(.class("button"), .href(SiteURL.reserveFunds(township: nil).path), .text("先行救助备用金"))),
            .div(.class("cards"),
                 HomePage.card("\(open)", "办理中"),
                 HomePage.card("\(f.overdue)", "逾期"),
                 HomePage.card("\(f.approved)", "已批准"),
                 HomePage.card("\(f.refused)", "不予批准"),
                 HomePage.card(f.medianWorkingDays.map { "\($0) 天" } ?? "—", "受理到决定（工作日，中位数，近一年）"),
                 HomePage.card(f.tekunDecided == 0 ? "—" : "\(f.tekunSpotChecked * 100 / f.tekunDecided)%",
                               "特困县级抽查比例（近一年 \(f.tekunDecided) 件，不低于30%）"),
                 HomePage.card("\(f.paperworkPending)", "先行救助待补办手续"),
                 HomePage.card("\(f.paperworkOverdue)", "补办手续逾期"),
                 HomePage.card("\(reviews.open)", "定期核查待办"),
                 HomePage.card("\(reviews.overdue)", "定期核查逾期")),
            .if(reviews.overdue > 0,
                .p(.class("error"), .text("有 \(reviews.overdue) 项定期核查已过期限 [DB 31]："), .a(.href(SiteURL.reviews(filter: "overdue").path), .text("查看逾期的核查")))),
            .if(f.paperworkOverdue > 0,
                .p(.class("error"), .text("有 \(f.paperworkOverdue) 件先行救助超过补办审核手续的期限 [LS]：在「申请办理」中筛选「只看逾期」查看。"))),
            .if(f.tekunDecided > 0 && f.tekunSpotChecked * 100 < f.tekunDecided * 30,
                .p(.class("error"), .text("近一年特困决定的县级抽查比例低于 30% [TK 15–18]。"))),
            .div(.class("panel"), .raw(SVGChart.horizontalBars(title: "办理中的申请，按环节", caption: "各环节正在办理的申请件数。",
                bars: CaseStep.allCases.map { SVGChart.Bar(label: $0.chinese, value: Double(f.openByStep[$0] ?? 0), display: "\(f.openByStep[$0] ?? 0)") }))),
            .h2(.text("按项目")),
            .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("项目")), .th(.class("num"), .text("办理中")))),
                .tbody(.group(CaseKind.allCases.map { k in
                    .tr(.td(CasePages.label("项目"), .text(k.chinese)), .td(.class("num"), CasePages.label("办理中"), .text("\(f.openByKind[k] ?? 0)")))
                })))),
            .h2(.text("按下级区域")),
            .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("区域")), .th(.class("num"), .text("办理中")), .th(.class("num"), .text("逾期")), .th(.class("num"), .text("近一年决定")),
                           .th(.class("num"), .text("受理到决定（中位数）")))),
                .tbody(.group(f.areas.map { a in
                    .tr(.class(a.overdue > 0 ? "overdue" : ""),
                        .td(CasePages.label("区域"), Show.region(a.region, name: names[a.region])),
                        .td(.class("num"), CasePages.label("办理中"), .text("\(a.open)")),
                        .td(.class("num"), CasePages.label("逾期"), .text("\(a.overdue)")),
                        .td(.class("num"), CasePages.label("近一年决定"), .text("\(a.decided)")),
                        .td(.class("num"), CasePages.label("受理到决定（中位数）"), .text(a.medianWorkingDays.map { "\($0) 个工作日" } ?? "—")))
                })))))
    }
}
