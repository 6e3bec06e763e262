import Domain
import Foundation
import Plot
import Store

/// 申请办理: the inbox (each person's own tasks first), the form that opens a case, and a case's page with its
/// clock, its steps, the form for the step the reader holds, and its timeline.
enum CasePages {
    static let pageSize = 30

    /// Who opens cases: the township window and the community coordinator (on the household's behalf).
    static func mayOpen(_ role: Role?) -> Bool { role.map { Permission.openCases.isGranted(to: $0) } ?? false }

    static func label(_ text: String) -> Node<HTML.BodyContext> { .attribute(named: "data-label", value: text) }

    static func due(_ date: LocalDate?, provisional: Bool, late: Bool) -> Node<HTML.BodyContext> {
        guard let date else { return .text("—") }
        return .group(.text(Show.date(date)), .if(provisional, .span(.class("tag"), .attribute(named: "title", value: "该年节假日安排尚未载入，按周末计算"), .text("暂定"))),
                      .if(late, .strong(.class("late"), .text(" 已逾期"))))
    }

    // MARK: inbox

    struct InboxForm: Codable, Sendable {
        var all: String?
        var kind: String?
        var step: String?
        var status: String?
        var overdue: String?
        var page: Int?

        var filter: CaseFilter {
            CaseFilter(tasksOnly: all != "on", status: status.flatMap(CaseStatus.init(rawValue:)), kind: kind.flatMap(CaseKind.init(rawValue:)),
                       step: step.flatMap(CaseStep.init(rawValue:)), overdueOnly: overdue == "on")
        }

        func query(page: Int) -> [String: String] {
            var q: [String: String] = ["page": String(page)]
            for (k, v) in [("all", all), ("kind", kind), ("step", step), ("status", status), ("overdue", overdue)] { if let v, !v.isEmpty { q[k] = v } }
            return q
        }
    }

    static func select(_ name: String, _ label: String, _ options: [(String, String)], selected: String?) -> Node<HTML.FormContext> {
        .label(.text(label), .select(.attribute(named: "name", value: name),
            .group([Layout.option("", "全部", selected: (selected ?? "").isEmpty)] + options.map { o in Layout.option(o.0, o.1, selected: selected == o.0) })))
    }

    static func inbox(chrome: Layout.Chrome, form: InboxForm, items: [CaseSummary], total: Int, paging: Paging, today: LocalDate, regionNames: [String: String]) -> HTML {
        let mine = form.all != "on"
        return Layout.page("申请办理", chrome,
            .h1(.text(mine ? "我的待办申请（\(total)件）" : "本辖区申请（\(total)件）")),
            .p(.class("muted"), .text(mine ? "当前环节由您办理的申请，期限最近的在前；逾期的以红色标出。“暂定”表示该年节假日安排尚未载入。"
                                         : "居住地或户籍地在本辖区的全部申请，以及急难发生在本辖区的先行救助。")),
            .p(.class("actions"), .a(.href(SiteURL.cases(query: mine ? ["all": "on"] : [:]).path), .text(mine ? "查看本辖区全部申请" : "只看我的待办")),
               .if(mayOpen(chrome.user?.role), .group(.text(" · "), .a(.href(SiteURL.caseEmergency.path), .text("急难先行救助（不限户籍）")))),
               .text(" · "), .a(.href(SiteURL.notices(region: nil).path), .text("公示公告栏（打印张贴）")),
               .text(" · "), .a(.href(SiteURL.helpRequests.path), .text("在线求助")),
               .text(" · "), .a(.href(SiteURL.changes(all: false).path), .text("救助变更")),
               .text(" · "), .a(.href(SiteURL.reviews(filter: nil).path), .text("定期核查")),
               .text(" · "), .a(.href(SiteURL.deliberations(filter: nil).path), .text("一事一议")),
               .text(" · "), .a(.href(SiteURL.spotChecks(filter: nil).path), .text("抽查倒查")),
               .text(" · "), .a(.href(SiteURL.caseDashboard.path), .text("办理统计"))),
            Layout.foldable("filters-toggle", label: "筛选", .form(.class("filters panel"), .method(.get), .action(SiteURL.cases(query: [:]).path),
                .if(!mine, .input(.type(.hidden), .name("all"), .value("on"))),
                select("kind", "项目", CaseKind.allCases.map { ($0.rawValue, $0.chinese) }, selected: form.kind),
                select("step", "环节", CaseStep.allCases.map { ($0.rawValue, $0.chinese) }, selected: form.step),
                .if(!mine, select("status", "状态", CaseStatus.allCases.map { ($0.rawValue, $0.chinese) }, selected: form.status)),
                .label(.input(.type(.checkbox), .name("overdue"), .checked(form.overdue == "on")), .text("只看逾期")),
                .button(.type(.submit), .text("筛选")))),
            paging.bar(total: total, unit: "件", link: { SiteURL.cases(query: form.query(page: $0)).path }),
            .if(items.isEmpty, .p(.class("panel"), .text(mine ? "没有待您办理的申请。" : "没有符合条件的申请。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("案号")), .th(.text("项目")), .th(.text("申请人")), .th(.text("居住地")), .th(.text("当前环节")), .th(.text("环节期限")),
                           .th(.text("办结期限")))),
                .tbody(.group(items.map { c in
                    let late = c.overdue(on: today)
                    return .tr(.class(late ? "overdue" : ""),
                        .td(label("案号"), .a(.href(SiteURL.caseItem(c.id).path), .text(c.code))),
                        .td(label("项目"), .text(c.kind.chinese), .br(), .span(.class("muted"), .text(c.channel.chinese))),
                        .td(label("申请人"), .text(c.applicantName)),
                        .td(label("居住地"), Show.region(c.residenceRegion, name: regionNames[c.residenceRegion]),
                            .if(c.residenceRegion.prefix(9) != c.registeredRegion.prefix(9), .span(.class("tag"), .text("一城通办"))),
                            .unwrap(c.emergencyRegion.flatMap { $0.hasPrefix(String(c.residenceRegion.prefix(9))) ? nil : $0 }) { e in
                                .span(.class("tag"), .text("急难发生地：\(regionNames[e] ?? "本市")"))
                            }),
                        .td(label("当前环节"), .text(c.step?.chinese ?? c.status.chinese)),
                        .td(label("环节期限"), due(c.stepDueOn, provisional: c.stepDueProvisional, late: c.status == .open && c.stepDueOn.map { today > $0 } ?? false)),
                        .td(label("办结期限"), due(c.processDueOn, provisional: c.processDueProvisional,
                                                 late: c.status == .open && c.processDueOn.map { today > $0 } ?? false)))
                }))))),
            paging.bar(total: total, unit: "件", link: { SiteURL.cases(query: form.query(page: $0)).path }))
    }

    // MARK: opening a case

    struct NewForm: Codable, Sendable {
        var household: String?
        var warning: String?
        var kind: String?
        var channel: String?
        var member: String?
        var applicantName: String?
        var staffRelative: String?
        var note: String?
        /// The resident's request for help this application answers.
        var helpRequest: String?
        /// Help first: where the emergency struck (the opener's own township or community unless named).
        var emergencyRegion: String?
    }

    static func newCase(chrome: Layout.Chrome, profile: HouseholdProfile, form: NewForm, suggested: CaseKind?, error: String?) -> HTML {
        let channels: [CaseChannel] = form.warning != nil ? [.warning] : form.helpRequest != nil ? [.online, .hotline] : [.window, .proxy, .hotline]
        let kind = form.kind ?? suggested?.rawValue ?? CaseKind.dibao.rawValue
        // A coordinator files on the household's behalf; a township officer receives at the window.
        let defaultChannel = form.warning != nil ? CaseChannel.warning.rawValue
            : chrome.user?.role == .coordinator ? CaseChannel.proxy.rawValue : CaseChannel.window.rawValue
        return Layout.page("登记申请", chrome,
            .h1(.text("登记救助申请：\(profile.head?.name ?? "")户")),
            .p(.class("muted"), .text("家庭成员、收入、财产等已在登记系统中的信息不再要求申请人提供 [DB 9–10]；受理后按流程依次办理。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("panel"), .method(.post), .action(SiteURL.cases(query: [:]).path),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("household"), .value(profile.household.id.description)),
                .unwrap(form.warning) { .input(.type(.hidden), .name("warning"), .value(Layout.attr($0))) },
                .unwrap(form.helpRequest) { .input(.type(.hidden), .name("helpRequest"), .value(Layout.attr($0))) },
                .label(.text("申请项目"), .select(.attribute(named: "name", value: "kind"),
                    .group(CaseKind.allCases.map { Layout.option($0.rawValue, $0.chinese + (suggested == $0 ? "（计算器建议）" : ""), selected: kind == $0.rawValue) }))),
                .label(.text("申请渠道"), .select(.attribute(named: "name", value: "channel"),
                    .group(channels.map { Layout.option($0.rawValue, $0.chinese, selected: (form.channel ?? defaultChannel) == $0.rawValue) }))),
                .label(.text("申请人（特困按人申请时为该成员）"), .select(.attribute(named: "name", value: "member"),
                    .group([Layout.option("", "全户（户主代表）", selected: (form.member ?? "").isEmpty)]
                        + profile.members.map { Layout.option($0.id.description, "\($0.name)（\($0.relation.chinese)）", selected: form.member == $0.id.description) }))),
                .label(.text("申请人姓名"), .input(.type(.text), .name("applicantName"), .value(Layout.attr(form.applicantName ?? profile.head?.name ?? "")), .required(true))),
                .label(.class("check"), .input(.type(.checkbox), .name("staffRelative"), .checked(form.staffRelative == "on")),
                       .text("申请人是救助经办人员或村（居）委会成员的近亲属（由县级民政部门入户调查）[DB 11, 20]")),
                .label(.text("备注"), .textarea(.name("note"), .attribute(named: "rows", value: "2"), .text(form.note ?? ""))),
                .button(.type(.submit), .text("登记申请"))))
    }
}
