import Domain
import Foundation
import Plot
import Store

/// 公示公告栏: what a community posts — households in public notice, and those approved in the last month — with
/// names masked and nothing but size, programme, amount and dates. Printed and put up on the community's board.
enum NoticeBoardPage {
    static func table(_ lines: [NoticeLine], names: [String: String], decided: Bool) -> Node<HTML.BodyContext> {
        .div(.class("panel"), .table(.class("stack"),
            .thead(.tr(.th(.text("申请人")), .th(.class("num"), .text("家庭人口")), .th(.text("救助项目")), .th(.class("num"), .text(decided ? "保障金额" : "拟保障金额")),
                       .th(.text(decided ? "批准日期" : "公示期")), .th(.text("居住社区")))),
            .tbody(.group(lines.map { l in
                .tr(.td(CasePages.label("申请人"), .text(l.maskedName)),
                    .td(.class("num"), CasePages.label("家庭人口"), .text("\(l.householdSize) 人")),
                    .td(CasePages.label("救助项目"), .text(l.kind.chinese)),
                    .td(.class("num"), CasePages.label(decided ? "保障金额" : "拟保障金额"), .text(l.amountCents.map { Cents($0).yuanText } ?? "—")),
                    .td(CasePages.label(decided ? "批准日期" : "公示期"), .text(decided ? Show.date(l.from) : "\(Show.date(l.from)) 至 \(Show.date(l.until))")),
                    .td(CasePages.label("居住社区"), .text(names[l.residenceRegion] ?? l.residenceRegion)))
            }))))
    }

    static func view(chrome: Layout.Chrome, region: RegionCode, regionName: String, notices: [NoticeLine], approved: [NoticeLine], names: [String: String]) -> HTML {
        Layout.page("公示公告 · \(regionName)", chrome,
            .h1(.text("\(regionName) 社会救助公示公告")),
            .p(.class("actions"), Layout.printButton("打印张贴")),
            .p(.class("muted"), .text("公示内容仅含姓名（部分隐去）、家庭人口、救助项目、金额和日期，不含身份证号、住址和健康状况。")),
            .h2(.text("正在公示（\(notices.count)户）")),
            notices.isEmpty ? .p(.class("panel"), .text("目前没有正在公示的申请。")) : table(notices, names: names, decided: false),
            .p(.text("对以上公示有异议的，请在公示期内向所在乡镇人民政府（街道办事处）反映。[DB 19]")),
            .h2(.text("近一个月批准名单（\(approved.count)户）")),
            approved.isEmpty ? .p(.class("panel"), .text("近一个月没有批准的申请。")) : table(approved, names: names, decided: true))
    }
}
