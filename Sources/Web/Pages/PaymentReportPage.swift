import Domain
import Foundation
import Plot
import Store

/// 发放统计: what was paid, by month, programme and sub-region (households, persons, amount), with the months as
/// a chart, for the bureau's monthly returns and the auditor; downloadable as CSV and Excel.
enum PaymentReportPage {
    struct Form: Codable, Sendable, Equatable {
        var from: String?
        var to: String?
        var program: String?
        var region: String?

        var query: [(String, String?)] { [("from", from), ("to", to), ("program", program), ("region", region)] }
    }

    static let header = ["月份", "项目", "地区代码", "地区", "户数", "人数", "笔数", "发放金额（元）", "银行确认到账（元）"]

    /// The rows as a list file: amounts in yuan with two decimals, regions by code and by name.
    static func fileRows(_ rows: [PaymentReportRow], names: [String: String]) -> [[String]] {
        rows.map { r in
            [r.month.description, r.program.chinese, r.area, names[r.area] ?? r.area, "\(r.households)", "\(r.persons)", "\(r.lines)",
             Cents(r.cents).plainYuan, Cents(r.confirmedCents).plainYuan]
        }
    }

    static func view(chrome: Layout.Chrome, typed: Form, regions: [Region], rows: [PaymentReportRow], paging: Paging, names: [String: String],
                     error: String?) -> HTML {
        let months = Dictionary(grouping: rows, by: \.month).sorted { $0.key < $1.key }
        let shown = Array(rows.dropFirst(paging.offset).prefix(paging.size))
        let link = { (format: ListFile.Format) in Paging.url(SiteURL.paymentReports.path, typed.query + [("format", format.rawValue)], page: 1) }
        return Layout.page("发放统计", chrome,
            .h1(.text("发放统计")),
            .p(.class("muted"), .text("按月份、项目、地区统计已审批名册发放的户数、人数和金额。不予发放和转下月补发的不计入（转下月的在实际补发的月份计入）；"
                                      + "“银行确认到账”为银行回盘确认成功的部分。区县以上按发放的区县统计，区县按收款人居住的街道（乡镇）统计。")),
            Layout.tabs([("资金发放", SiteURL.payrolls.path), ("发放核验", SiteURL.paymentChecks(done: false).path), ("发放统计", nil)]),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("panel filters"), .method(.get), .action(SiteURL.paymentReports.path),
                .label(.text("起始月份"), .input(.type(.month), .name("from"), .value(Layout.attr(typed.from ?? "")), .required(true))),
                .label(.text("截止月份"), .input(.type(.month), .name("to"), .value(Layout.attr(typed.to ?? "")), .required(true))),
                .label(.text("项目"), .select(.attribute(named: "name", value: "program"),
                    Layout.option("", "全部项目", selected: (typed.program ?? "").isEmpty),
                    .group(PayrollPages.programs.map { Layout.option($0.rawValue, $0.chinese, selected: typed.program == $0.rawValue) }))),
                .label(.text("地区"), .select(.attribute(named: "name", value: "region"),
                    .group(regions.map { Layout.option($0.code.value, $0.name, selected: typed.region == $0.code.value) }))),
                .button(.type(.submit), .text("统计"))),
            rows.isEmpty ? .p(.class("panel"), .text(error == nil ? "所选月份没有发放记录。" : "")) : .group(
                .div(.class("panel"), .raw(SVGChart.horizontalBars(title: "各月发放金额", caption: "各月发放金额合计（所选项目、地区）。",
                    bars: months.map { month, rs in
                        let cents = rs.reduce(Int64(0)) { $0 + $1.cents }
                        return SVGChart.Bar(label: month.chinese, value: Double(cents), display: Cents(cents).yuanText)
                    }))),
                ListFile.links(link),
                paging.bar(total: rows.count, unit: "行", link: { Paging.url(SiteURL.paymentReports.path, typed.query, page: $0) }),
                .div(.class("panel"), .table(.class("stack"),
                    .thead(.tr(.th(.text("月份")), .th(.text("项目")), .th(.text("地区")), .th(.class("num"), .text("户数")), .th(.class("num"), .text("人数")),
                               .th(.class("num"), .text("金额")), .th(.class("num"), .text("确认到账")))),
                    .tbody(.group(shown.map { r in
                        .tr(.td(CasePages.label("月份"), .text(r.month.chinese)), .td(CasePages.label("项目"), .text(r.program.chinese)),
                            .td(CasePages.label("地区"), .text(names[r.area] ?? r.area)),
                            .td(.class("num"), CasePages.label("户数"), .text("\(r.households)")),
                            .td(.class("num"), CasePages.label("人数"), .text("\(r.persons)")),
                            .td(.class("num"), CasePages.label("金额"), .text(Cents(r.cents).yuanText)),
                            .td(.class("num"), CasePages.label("确认到账"), .text(Cents(r.confirmedCents).yuanText)))
                    }))))))
    }
}
