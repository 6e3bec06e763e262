import Domain
import Foundation
import Plot
import Store

/// 节假日安排: the years every statutory deadline is counted on, a warning when next year is missing (its deadlines
/// are provisional), and the upload.
enum CalendarPage {
    static func view(chrome: Layout.Chrome, calendar: WorkingCalendar, today: LocalDate, loaded: [LoadedCalendarYear], mayLoad: Bool,
                     notice: String?, error: String?) -> HTML {
        let years = calendar.years.sorted()
        let next = today.year + 1
        let missing = [today.year, next].filter { !calendar.years.contains($0) }
        return Layout.page("节假日安排", chrome,
            .h1(.text("节假日安排（工作日历）")),
            .p(.class("muted"), .text("受理、入户调查、审核确认等法定期限均按工作日计算：周一至周五，扣除法定节假日，加上调休上班日。")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .div(.class("panel"),
                 .p(.text("已覆盖：\(years.first.map(String.init) ?? "—")–\(years.last.map(String.init) ?? "—") 年")),
                 .if(!missing.isEmpty, .p(.class("overdue"), .text("尚缺 \(missing.map { "\($0) 年" }.joined(separator: "、"))的安排：落在该年的期限暂按周末计算，页面上标为“暂定”。"
                     + "国务院办公厅每年 11—12 月公布次年安排，公布后请在下方载入。")))),
            .if(!loaded.isEmpty, .group(
                .h2(.text("已载入的年份")),
                .div(.class("panel"), .table(.class("stack"),
                    .thead(.tr(.th(.text("年份")), .th(.class("num"), .text("节假日")), .th(.class("num"), .text("调休上班")), .th(.text("文件")), .th(.text("载入")))),
                    .tbody(.group(loaded.map { y in
                        .tr(.td(.attribute(named: "data-label", value: "年份"), .text("\(y.year)")),
                            .td(.class("num"), .attribute(named: "data-label", value: "节假日"), .text("\(y.holidays) 天")),
                            .td(.class("num"), .attribute(named: "data-label", value: "调休上班"), .text("\(y.adjustedWorkdays) 天")),
                            .td(.attribute(named: "data-label", value: "文件"), .text(y.source)),
                            .td(.attribute(named: "data-label", value: "载入"), .text("\(chrome.person(y.loadedBy)) \(Show.time(y.loadedAt))")))
                    })))))),
            .if(mayLoad, .form(.class("panel upload"), .action(SiteURL.calendar.path), .method(.post), .attribute(named: "enctype", value: "multipart/form-data"),
                Layout.csrfField(chrome),
                .h2(.text("载入新一年的安排")),
                .p(.class("muted"), .text(#"JSON 文件，格式同系统自带的 cn-holidays.json：{"holidays": {"2027-01-01": "元旦", …}, "adjusted_workdays": {"2027-02-14": "春节", …}}。"#
                    + "文件先整体校验（每年须含元旦；调休上班日须为周六或周日且不与节假日重复），有误则不载入；同一年份再次载入会整体替换。")),
                .label(.text("文件"), .input(.type(.file), .name("file"), .required(true), .attribute(named: "accept", value: ".json,application/json"))),
                .button(.type(.submit), .text("校验并载入")))))
    }
}
