import Domain
import Foundation
import Plot
import Store
import Vapor

/// 预警: the inbox of one's jurisdiction, one warning with its evidence and handling, the coordinator's home
/// visits, the monitoring dashboard, the ranked list and the screening reports.
enum WarningPages {
    static func label(_ name: String) -> Node<HTML.BodyContext> { .attribute(named: "data-label", value: name) }

    static func severityTag(_ s: Severity) -> Node<HTML.BodyContext> { .span(.class("tag sev-\(s.rawValue)"), .text(s.chinese)) }

    // MARK: inbox

    struct InboxForm: Content {
        var indicator: String?
        var kind: String?
        var severity: String?
        var status: String?
        var overdue: String?
        var registered: String?
        var region: String?
        var from: String?
        var to: String?
        /// Text, not a number: a page that is not one is the first page rather than an error.
        var page: String?

        var paging: Paging { Paging(page: page.flatMap { Int($0) }, size: InboxForm.pageSize) }

        var filter: WarningFilter {
            var f = WarningFilter(indicator: indicator.flatMap { $0.isEmpty ? nil : $0 }, kind: kind.flatMap(WarningKind.init(rawValue:)),
                                  severity: severity.flatMap(Severity.init(rawValue:)), status: status.flatMap(WarningStatus.init(rawValue:)),
                                  overdueOnly: overdue == "on", includeRegistered: registered == "on", limit: paging.size, offset: paging.offset)
            f.region = region.flatMap { try? RegionCode($0) }
            f.raisedFrom = from.flatMap { try? LocalDate($0) }
            f.raisedTo = to.flatMap { try? LocalDate($0) }
            return f
        }

        static let pageSize = 50

        /// The query string for another page of the same filter.
        func query(page: Int, format: String? = nil) -> String {
            Paging.query([("indicator", indicator), ("kind", kind), ("severity", severity), ("status", status), ("overdue", overdue),
                          ("registered", registered), ("region", region), ("from", from), ("to", to), ("format", format)], page: page)
        }
    }

    static let inboxHeader = ["程度", "预警", "类型", "指标", "户主", "身份证号", "居住地", "状态", "承办", "预警日期", "处置期限", "是否逾期", "评分"]

    static func inboxRows(_ items: [WarningSummary], chrome: Layout.Chrome) -> [[String]] {
        items.map { w in
            [w.severity.chinese, w.title, w.kind.chinese, w.indicator, w.headName, w.headMaskedID, w.residenceRegionName, w.status.chinese,
             chrome.person(w.assignee), Show.date(w.raisedOn), Show.date(w.dueOn), w.overdue ? "逾期" : "", w.forInformation ? "" : "\(w.score)"]
        }
    }

    static func select(_ name: String, _ label: String, _ options: [(String, String)], selected: String?) -> Node<HTML.FormContext> {
        .label(.text(label), .select(.attribute(named: "name", value: name),
            .group([Layout.option("", "全部", selected: (selected ?? "").isEmpty)] + options.map { o in Layout.option(o.0, o.1, selected: selected == o.0) })))
    }

    static func inbox(chrome: Layout.Chrome, form: InboxForm, items: [WarningSummary], total: Int, catalogue: IndicatorCatalogue,
                      regions: [Region] = []) -> HTML {
        return Layout.page("预警", chrome,
            .h1(.text("预警（\(total)条）")),
            .p(.class("actions"), Layout.printButton("打印本页列表")),
            .p(.class("muted"), .text("本辖区居住家庭的预警，按紧急程度和处置期限排序；评分越高表示越困难。逾期未处置的以红色标出。")),
            Layout.foldable("filters-toggle", label: "筛选", .form(.class("filters panel"), .method(.get), .action(SiteURL.warnings(query: nil).path),
                select("kind", "类型", WarningKind.allCases.map { ($0.rawValue, $0.chinese) }, selected: form.kind),
                select("severity", "程度", Severity.allCases.reversed().map { ($0.rawValue, $0.chinese) }, selected: form.severity),
                select("status", "状态", WarningStatus.allCases.map { ($0.rawValue, $0.chinese) }, selected: form.status),
                select("indicator", "指标", catalogue.indicators.filter(\.raisesWarning).map { ($0.code, "\($0.code) \($0.name)") }, selected: form.indicator),
                .if(!regions.isEmpty, select("region", "区域", regions.map { ($0.code.value, $0.name) }, selected: form.region)),
                .label(.text("预警日期起"), .input(.type(.date), .name("from"), .value(Layout.attr(form.from ?? "")))),
                .label(.text("预警日期止"), .input(.type(.date), .name("to"), .value(Layout.attr(form.to ?? "")))),
                .label(.input(.type(.checkbox), .name("overdue"), .checked(form.overdue == "on")), .text("只看逾期")),
                .label(.input(.type(.checkbox), .name("registered"), .checked(form.registered == "on")), .text("含户籍在本辖区、居住在外地的（知会）")),
                .button(.type(.submit), .text("筛选")))),
            form.paging.bar(total: total, unit: "条", link: { SiteURL.warnings(query: form.query(page: $0)).path }),
            .if(!items.isEmpty, ListFile.links { SiteURL.warnings(query: form.query(page: 1, format: $0.rawValue)).path }),
            .if(items.isEmpty, .p(.class("panel"), .text("没有符合条件的预警。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("程度")), .th(.text("预警")), .th(.text("户主")), .th(.text("居住地")), .th(.text("状态")),
                           .th(.text("处置期限")), .th(.class("num"), .text("评分")))),
                .tbody(.group(items.map { w in
                    .tr(.class(w.overdue ? "overdue" : ""),
                        .td(label("程度"), severityTag(w.severity)),
                        .td(label("预警"), .a(.href(SiteURL.warning(w.id).path), .text(w.title)), .br(), .span(.class("muted"), .text("\(w.kind.chinese) · \(w.indicator)"))),
                        .td(label("户主"), .text("\(w.headName) \(w.headMaskedID)")),
                        .td(label("居住地"), .text(w.residenceRegionName), .if(w.forInformation, .span(.class("tag"), .text("知会")))),
                        .td(label("状态"), .text(w.status.chinese), .unwrap(w.assignee) { .span(.class("muted"), .text("（\(chrome.person($0))）")) },
                            .unwrap(w.clearedOn) { .span(.class("tag"), .text("\($0) 起条件已消除")) }),
                        .td(label("处置期限"), .text(Show.date(w.dueOn)), .if(w.overdue, .strong(.class("late"), .text(" 已逾期")))),
                        .td(.class("num"), label("评分"), .text(w.forInformation ? "—" : "\(w.score)")))
                }))))),
            form.paging.bar(total: total, unit: "条", link: { SiteURL.warnings(query: form.query(page: $0)).path }))
    }

    // MARK: one warning

    /// What was typed into the handling forms, shown again when a submission is refused.
    struct Typed: Sendable {
        var assignee = ""
        var outcome: DispositionOutcome?
        var reason = ""
    }

    static func detail(chrome: Layout.Chrome, d: WarningDetail, assessment: Assessment?, notice: String?, error: String?, typed: Typed = Typed(),
                       assignable: [StaffUser] = [], memberNames: [String: String] = [:]) -> HTML {
        let w = d.summary
        let csrf = Layout.csrfField(chrome)
        return Layout.page(w.title, chrome,
            .p(.a(.href(SiteURL.warnings(query: nil).path), .text("← 返回预警列表"))),
            .h1(.text(w.title)),
            .p(.class("actions"), Layout.printButton()),
            .p(severityTag(w.severity), .text(" \(w.kind.chinese) · \(w.indicator) · \(w.status.chinese)"),
               .unwrap(w.assignee) { .text("（承办：\(chrome.person($0))）") }),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(d.minimal, minimalPanel(d)),
            .if(!d.minimal, fullDetail(chrome: chrome, d: d, assessment: assessment, typed: typed, assignable: assignable, memberNames: memberNames)),
            .h2(.text("处理记录")),
            .if(d.actions.isEmpty, .p(.class("muted"), .text("尚无处理记录。"))),
            .if(!d.actions.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("时间")), .th(.text("经办")), .th(.text("操作")), .th(.text("说明")))),
                .tbody(.group(d.actions.map { a in
                    .tr(.td(label("时间"), .text(Show.time(a.at))), .td(label("经办"), .text(chrome.person(a.username))),
                        .td(label("操作"), .text("\(a.from.chinese) → \(a.to.chinese)")), .td(label("说明"), .text(a.note.isEmpty ? "—" : a.note)))
                }))))))
    }

    /// What the registration place is told of a warning for a household living elsewhere (`RegistrationPlaceView`).
    static func minimalPanel(_ d: WarningDetail) -> Node<HTML.BodyContext> {
        let w = d.summary
        return .div(.class("panel"),
            .p(.text("户主 \(w.headName)，家庭人口 \(d.householdSize.map { "\($0) 人" } ?? "—")，在保项目：\(d.programs.isEmpty ? "无" : d.programs.map(\.chinese).joined(separator: "、"))。")),
            .p(.text("居住地 \(w.residenceRegionName)（由居住地处置），户籍地 \(d.registeredRegionName)。预警日期 \(w.raisedOn)，处置期限 \(w.dueOn)。")),
            .p(.class("muted"), .text("本户居住在外地，此预警抄送户籍地知悉。按履职所需，不显示："
                + RegistrationPlaceView.withheld.joined(separator: "、") + "。")))
    }

    static func fullDetail(chrome: Layout.Chrome, d: WarningDetail, assessment: Assessment?, typed: Typed, assignable: [StaffUser],
                           memberNames: [String: String]) -> Node<HTML.BodyContext> {
        let w = d.summary
        let csrf = Layout.csrfField(chrome)
        return .group(
            .div(.class("panel"),
                .p(.text("户主 \(w.headName)（\(w.headMaskedID)），居住地 \(w.residenceRegionName)，户籍地 \(d.registeredRegionName)。"),
                   .a(.href(SiteURL.household(Household.ID(w.householdID)).path), .text("查看家庭档案"))),
                .p(.text("预警日期 \(w.raisedOn)，处置期限 \(w.dueOn)（\(d.indicator?.deadlineWorkingDays ?? 0)个工作日）"),
                   .if(w.overdue, .strong(.class("late"), .text("，已逾期"))), .text("。")),
                .unwrap(w.clearedOn) { .p(.class("notice"), .text("\($0) 起的筛查已不再发现该情况（例如已纳入救助），仍需处置后办结。")) },
                .unwrap(d.indicator) { .p(.class("muted"), .text("依据：\($0.basis)")) }),
            .h2(.text("证据")),
            .div(.class("panel"), .ul(.group(distinctEvidence(d.evidence).map { e in
                // The department's record number is for tracing, on hover; the line says what, from whom, when.
                .li(.attribute(named: "title", value: e.reference.map { "来源编号：\($0)" } ?? ""), .text(e.text),
                    .span(.class("muted"), .text([e.department.map { "来源：\($0.chinese)" }, e.date.map { "日期：\(Show.date($0))" }]
                        .compactMap { $0 }.joined(separator: "，").wrappedInParens)))
            }))),
            .h2(.text("困难评分")),
            .unwrap(d.score) { s in
                .div(.class("panel"),
                    .p(.strong(.text("\(s.total) / \(s.maximum)")), .text("（越高越困难；各维度分别封顶）")),
                    .raw(SVGChart.horizontalBars(title: "各维度得分", caption: "本户在各困难维度的得分（各维度分别封顶），分数越高越困难。", bars: MonitoringDimension.allCases.compactMap { dim in
                        s.byDimension[dim].map { SVGChart.Bar(label: dim.chinese, value: Double($0), display: "\($0)") }
                    })),
                    .ul(.group(s.contributions.map { c in .li(.text("\(c.code) \(c.name)：+\(c.points)（\(c.dimension.chinese)）")) })))
            },
            .h2(.text("政策计算")),
            .unwrap(assessment) { a in
                .div(.class("panel"),
                    .p(.text("分层：\(a.tier.chinese)；家庭人均月收入 \(Cents(a.figures.incomePerMemberCents).yuanText)，低保标准 \(Cents(a.figures.dibaoStandardCents).yuanText)。")),
                    .ul(.group(a.qualifying.map { dec in .li(.text(decisionLine(dec, memberNames: memberNames))) })))
            },
            .unwrap(assessment?.deliberation) { p in
                AssessmentView.deliberation(p, name: { memberNames[$0] })
            },
            .if(d.mayAct && w.status != .closed, .group(actions(d, csrf: csrf, typed: typed, assignable: assignable))),
            // A warning that finds a policy not applied becomes an application, prefilled from the registry [JC].
            .if(w.status != .closed && CasePages.mayOpen(chrome.user?.role), .p(.class("actions"),
                .a(.class("button"), .href(SiteURL.caseNew(household: w.householdID, warning: w.id).path), .text("转为申请")),
                // A household already assisted whose situation changed: its amount adjusted or stopped, decided by the county [DB 32–34].
                .if(chrome.user?.role == .townshipOfficer,
                    .a(.class("button"), .href(SiteURL.changeNew(household: w.householdID, warning: w.id).path), .text("调整金额 / 停保"))),
                .if(DeliberationPages.mayOpen(chrome),
                    .a(.class("button"), .href(SiteURL.deliberationNew(household: w.householdID, warning: w.id).path), .text("提请一事一议"))))),
            .if(!d.visits.isEmpty, .group([
                .h2(.text("入户核实")),
                .div(.class("panel"), .ul(.group(d.visits.map { v in
                    .li(.text("期限 \(Show.date(v.dueOn))，\(v.status == "done" ? "已完成" : "待核实")（发起：\(chrome.person(v.createdBy))）"),
                        .unwrap(v.findings) { .p(.text("核实情况：\($0)（\(chrome.person(v.doneBy))，\(Show.time(v.doneAt))）")) })
                })))])),
            .if(d.outcome != nil, .p(.class("panel"), .text("处置结果：\(d.outcome?.chinese ?? "")；理由：\(d.reason ?? "")；处置日期 \(d.disposedOn?.description ?? "")"))))
    }

    /// One line per decision: a programme paid to one person names the person, and a line always says what it
    /// comes to (the amount, or why it needs a decision), never "最低生活保障：" with nothing after it.
    /// Each piece of evidence once: the same finding from the same department on the same day is one line,
    /// however many rows or screenings reported it.
    static func distinctEvidence(_ items: [Evidence]) -> [Evidence] {
        var seen = Set<String>()
        return items.filter { seen.insert("\($0.text)|\($0.department?.rawValue ?? "")|\($0.date.map(Show.date) ?? "")").inserted }
    }

    static func decisionLine(_ dec: Decision, memberNames: [String: String]) -> String {
        let who = dec.member.map { "（\(memberNames[$0] ?? "家庭成员")）" } ?? ""
        let what = !dec.summary.isEmpty ? dec.summary
            : dec.amountKind == .none || dec.amountCents == 0 ? dec.outcome.chinese : "\(dec.amountKind.chinese) \(dec.amount.yuanText)"
        return "【\(dec.outcome.chinese)】\(dec.program.chinese)\(who)：\(what)"
    }

    static func actions(_ d: WarningDetail, csrf: Node<HTML.FormContext>, typed: Typed, assignable: [StaffUser]) -> [Node<HTML.BodyContext>] {
        let id = d.summary.id
        let pending = d.summary.status.isPending
        return [
            .h2(.text("处置")),
            .div(.class("panel decide"),
                .if(pending, .form(.action(SiteURL.warningAction(id, .assign).path), .method(.post), csrf,
                    .label(.text("分派给（必选）"), .select(.attribute(named: "name", value: "assignee"), .attribute(named: "required", value: "required"),
                        Layout.option("", "请选择承办人", selected: typed.assignee.isEmpty),
                        .group(assignable.map { Layout.option($0.username, Show.user(name: $0.displayName, role: $0.role), selected: $0.username == typed.assignee) }))),
                    .button(.type(.submit), .text("分派")))),
                .if(d.summary.status == .new || d.summary.status == .assigned,
                    .form(.action(SiteURL.warningAction(id, .verify).path), .method(.post), csrf,
                          .button(.type(.submit), .text("发起入户核实（通知社区协理员）")))),
                .if(pending, .form(.action(SiteURL.warningAction(id, .dispose).path), .method(.post), csrf,
                    .label(.text("处置结果（必选）"), .select(.attribute(named: "name", value: "outcome"), .attribute(named: "required", value: "required"),
                        Layout.option("", "请选择处置结果", selected: typed.outcome == nil),
                        .group(DispositionOutcome.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0 == typed.outcome) }))),
                    .label(.text("理由（必填）"), .textarea(.name("reason"), .required(true), .attribute(named: "rows", value: "3"), .attribute(named: "maxlength", value: "500"),
                                                      .text(typed.reason))),
                    .button(.type(.submit), .class("confirm"), .text("提交处置")))),
                .if(d.summary.status == .disposed, .form(.action(SiteURL.warningAction(id, .close).path), .method(.post), csrf,
                    .button(.type(.submit), .text("办结")))))
        ]
    }

    // MARK: home visits

    /// `typed`: findings a coordinator submitted that were refused, shown again in that visit's form with the reason.
    static func visits(chrome: Layout.Chrome, items: [HomeVisitRecord], notice: String?, typed: (visit: UUID, findings: String, error: String)? = nil) -> HTML {
        let csrf = Layout.csrfField(chrome)
        return Layout.page("入户核实", chrome,
            .h1(.text("入户核实任务（\(items.count)）")),
            .p(.class("muted"), .text("乡镇（街道）发起的核实任务。入户后填写核实情况，由乡镇（街道）据此处置。")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .if(items.isEmpty, .p(.class("panel"), .text("没有待办的核实任务。"))),
            .group(items.map { v in
                .div(.class("panel visit"),
                    .h2(.text(v.title)),
                    .p(.text("\(v.headName) · \(v.address)"), .br(), .span(.class("muted"), .text("期限 \(Show.date(v.dueOn))，发起人 \(chrome.person(v.createdBy))"))),
                    .form(.action(SiteURL.visitComplete(v.id).path), .method(.post), csrf,
                          .unwrap(typed.flatMap { $0.visit == v.id ? $0.error : nil }) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
                          .label(.text("核实情况（必填，\(WarningStore.findingsLimit)字以内）"), .textarea(.name("findings"), .required(true), .attribute(named: "rows", value: "4"),
                                                              .attribute(named: "maxlength", value: String(WarningStore.findingsLimit)),
                                                              .text(typed.flatMap { $0.visit == v.id ? $0.findings : nil } ?? ""))),
                          .button(.type(.submit), .class("confirm"), .text("提交核实结果"))))
            }))
    }

    // MARK: dashboard

    static func dashboard(chrome: Layout.Chrome, f: MonitoringFigures, people: Int, published: PublishedMonitoring?, runs: [ScreeningRun], mayScreen: Bool) -> HTML {
        let csrf = Layout.csrfField(chrome)
        func bars(_ counts: [MonitoringFigures.Count], link: ((MonitoringFigures.Count) -> String)? = nil) -> [SVGChart.Bar] {
            counts.map { SVGChart.Bar(label: $0.label, value: Double($0.count), display: "\($0.count)", link: link?($0)) }
        }
        let handledShare = f.total == 0 ? "—" : String(format: "%.1f%%", Double(f.handled) * 100 / Double(f.total))
        return Layout.page("动态监测", chrome,
            .h1(.text("动态监测预警")),
            .p(.class("actions"), Layout.printButton("打印看板")),
            .div(.class("tiles"),
                tile("预警总数", "\(f.total)", SiteURL.warnings(query: nil).path),
                tile("待处置", "\(f.pending)", SiteURL.warnings(query: "status=new").path),
                tile("已处置/办结", "\(f.handled)（\(handledShare)）", nil),
                tile("逾期未处置", f.pending == 0 ? "\(f.overdue)" : "\(f.overdue)（占待处置 \(f.overdue * 100 / max(f.pending, 1))%）", SiteURL.warnings(query: "overdue=on").path),
                tile("处置用时中位数", f.medianDispositionDays.map { "\($0)个工作日" } ?? "—", nil),
                tile("已评分家庭", "\(f.screenedHouseholds)", SiteURL.ranking.path)),
            .div(.class("panel"), .h2(.text("按预警类型")),
                 .raw(SVGChart.horizontalBars(title: "按预警类型", caption: "辖区内全部预警按类型的条数（含已办结）；点击查看该类预警。", bars: bars(f.byKind) { SiteURL.warnings(query: "kind=\($0.key)").path }))),
            .div(.class("panel"), .h2(.text("处置状态（已处置与待处置）")),
                 .raw(SVGChart.horizontalBars(title: "处置状态", caption: "辖区内全部预警按当前状态的条数。", bars: bars(f.byStatus) { SiteURL.warnings(query: "status=\($0.key)").path }, colour: "#3a8f5c"))),
            .div(.class("panel"), .h2(.text("下辖区域")),
                 .raw(SVGChart.horizontalBars(title: "下辖区域预警数", caption: "下辖各区域居住家庭的预警条数（含已办结）。", bars: bars(f.bySubRegion)))),
            .div(.class("panel"), .h2(.text("按指标（前12项）")),
                 .raw(SVGChart.horizontalBars(title: "按指标", caption: "触发预警最多的12项指标及其预警条数；点击查看。", bars: bars(Array(f.byIndicator.prefix(12))) { SiteURL.warnings(query: "indicator=\($0.key)").path }))),
            .div(.class("panel"), .h2(.text("从预警到处置的用时（工作日）")),
                 .raw(SVGChart.horizontalBars(title: "处置用时", caption: "已处置的预警从发出到处置所用的工作日数，按区间统计条数。", bars: bars(f.dispositionDays), colour: "#8a5a2b"))),
            .unwrap(published) { t in .div(.class("panel"), .h2(.text("与天津公开数据对照")),
                .table(.class("stack"),
                    .thead(.tr(.th(.text("对象")), .th(.class("num"), .text("筛查人数")), .th(.class("num"), .text("推送预警")), .th(.class("num"), .text("已处置")),
                               .th(.class("num"), .text("每百人预警")))),
                    .tbody(.group([(t.place, t.screenedPeople, t.warnings, t.handled), ("本演示城市", people, f.total, f.handled)].map { row in
                        // Labelled cells: on a phone each row reads as "筛查人数：…", not as bare numbers.
                        .tr(.td(label("对象"), .strong(.text(row.0))), .td(.class("num"), label("筛查人数"), .text("\(row.1)")),
                            .td(.class("num"), label("推送预警"), .text("\(row.2)")), .td(.class("num"), label("已处置"), .text("\(row.3)")),
                            .td(.class("num"), label("每百人预警"), .text(per100(row.2, row.1))))
                    }))),
                .p(.class("muted"), .text("演示城市的数据为虚构，首次全量筛查会集中发现存量问题，故预警率高于常态。"))) },
            .h2(.text("筛查记录")),
            .if(mayScreen, .form(.class("panel"), .action(SiteURL.screenings.path), .method(.post), csrf,
                .button(.type(.submit), .text("立即对本辖区全量筛查")))),
            .div(.class("panel"), screeningTable(runs)))
    }

    static func per100(_ n: Int, _ of: Int) -> String { of == 0 ? "—" : String(format: "%.1f", Double(n) * 100 / Double(of)) }

    static func tile(_ label: String, _ value: String, _ link: String?) -> Node<HTML.BodyContext> {
        .div(.class("tile"), .span(.class("muted"), .text(label)), .br(),
             .unwrap(link, { .a(.href($0), .strong(.text(value))) }, else: .strong(.text(value))))
    }

    /// The screening records: finished runs with their counts, runs going on with how far they have got.
    static func screenings(chrome: Layout.Chrome, runs: [ScreeningRun], notice: String?) -> HTML {
        Layout.page("筛查记录", chrome, .h1(.text("筛查记录")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .if(runs.contains(where: \.isUnfinished), .p(.a(.href(SiteURL.screenings.path), .text("刷新进度")))),
            .div(.class("panel"), screeningTable(runs)))
    }

    static func runState(_ r: ScreeningRun) -> String {
        if let failure = r.failure { return "（未完成：\(failure)）" }
        guard r.finishedAt == nil else { return "" }
        return r.planned.map { "（进行中，已筛查 \(r.households) / \($0) 户）" } ?? "（未完成）"
    }

    static func screeningTable(_ runs: [ScreeningRun]) -> Node<HTML.BodyContext> {
        .table(.class("stack"),
            .thead(.tr(.th(.text("开始")), .th(.text("方式")), .th(.text("区域")), .th(.class("num"), .text("家庭")), .th(.class("num"), .text("新预警")),
                       .th(.class("num"), .text("更新")), .th(.class("num"), .text("不重复")), .th(.class("num"), .text("已消除")), .th(.class("num"), .text("暂停发放")))),
            .tbody(.group(runs.map { r in
                .tr(.td(label("开始"), .text(Show.time(r.startedAt))),
                    .td(label("方式"), .text(["full": "全量", "incremental": "增量", "event": "数据到达即时"][r.mode] ?? r.mode), .text(runState(r))),
                    .td(label("区域"), Show.region(r.region, name: r.regionName)), .td(.class("num"), label("家庭"), .text("\(r.households)")),
                    .td(.class("num"), label("新预警"), .text("\(r.raised)")), .td(.class("num"), label("更新"), .text("\(r.updated)")),
                    .td(.class("num"), label("不重复"), .text("\(r.suppressed)")), .td(.class("num"), label("已消除"), .text("\(r.cleared)")),
                    .td(.class("num"), label("暂停发放"), .text("\(r.holds)")))
            })))
    }

    /// The catalogue as the city runs it; city administrators adjust points, severity and deadlines (audited).
    static func indicators(chrome: Layout.Chrome, catalogue: IndicatorCatalogue, mayTune: Bool, notice: String?) -> HTML {
        let csrf = Layout.csrfField(chrome)
        return Layout.page("预警指标", chrome,
            .h1(.text("预警指标（\(catalogue.indicators.filter(\.raisesWarning).count) 项预警，\(catalogue.indicators.filter { !$0.raisesWarning }.count) 项仅计分）")),
            .p(.class("muted"), .text("指标目录版本 \(catalogue.version)。困难评分为触发指标分值之和，各维度分别封顶，满分 \(catalogue.maximumScore)，越高越困难。" +
                                      (mayTune ? "调整分值、程度或处置时限会记入审计日志，下次筛查起生效。" : ""))),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("指标")), .th(.text("维度")), .th(.text("类型")), .th(.text("依据")), .th(.text("程度 / 分值 / 时限")))),
                .tbody(.group(catalogue.indicators.map { i in
                    .tr(.td(label("指标"), .strong(.text(i.code)), .text(" \(i.name)")),
                        .td(label("维度"), .text("\(i.dimension.chinese)（封顶 \(catalogue.cap(i.dimension))）")),
                        .td(label("类型"), .text(i.raisesWarning ? i.kind.chinese : "仅计分")),
                        .td(label("依据"), .span(.class("muted"), .text(i.basis))),
                        .td(label("程度 / 分值 / 时限"), mayTune
                            ? .form(.class("tune"), .action(SiteURL.indicatorTune(i.code).path), .method(.post), csrf,
                                    .select(.attribute(named: "name", value: "severity"), .group(Severity.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0 == i.severity) })),
                                    .input(.type(.number), .name("points"), .value("\(i.points)"), .attribute(named: "min", value: "0"), .attribute(named: "max", value: "\(catalogue.maximumScore)"),
                                           .attribute(named: "aria-label", value: "分值")),
                                    .input(.type(.number), .name("deadline"), .value("\(i.deadlineWorkingDays)"), .attribute(named: "min", value: "1"), .attribute(named: "max", value: "60"),
                                           .attribute(named: "aria-label", value: "处置时限（工作日）")),
                                    .button(.type(.submit), .text("保存")))
                            : .text("\(i.severity.chinese) / \(i.points)分 / \(i.deadlineWorkingDays)个工作日")))
                })))))
    }

    static let rankingPageSize = 50
    static let rankingHeader = ["名次", "户主", "身份证号", "居住地", "评分", "主要维度", "待处置预警"]

    static func mainDimensions(_ r: RankedHousehold) -> String {
        r.dimensions.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3)
            .map { "\(MonitoringDimension(rawValue: $0.key)?.chinese ?? $0.key) \($0.value)" }.joined(separator: "、")
    }

    static func rankingRows(_ items: [RankedHousehold], from first: Int) -> [[String]] {
        items.enumerated().map { i, r in
            ["\(first + i)", r.household.headName, r.household.headMaskedID, r.household.residenceRegionName, "\(r.score)", mainDimensions(r), "\(r.pendingWarnings)"]
        }
    }

    static func ranking(chrome: Layout.Chrome, items: [RankedHousehold], total: Int, paging: Paging) -> HTML {
        Layout.page("困难程度排序", chrome,
            .h1(.text("困难程度排序")),
            .p(.class("actions"), Layout.printButton("打印排序")),
            .p(.class("muted"), .text("按最近一次筛查的综合困难评分排序，评分越高越困难、越应优先帮扶（只列出评分大于0的家庭）。")),
            paging.bar(total: total, unit: "户", link: { Paging.url(SiteURL.ranking.path, [], page: $0) }),
            ListFile.links { Paging.url(SiteURL.ranking.path, [("format", $0.rawValue)], page: 1) },
            .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.class("num"), .text("名次")), .th(.text("户主")), .th(.text("居住地")), .th(.class("num"), .text("评分")),
                           .th(.text("主要维度")), .th(.class("num"), .text("待处置预警")))),
                .tbody(.group(items.enumerated().map { i, r in
                    .tr(.td(.class("num"), label("名次"), .text("\(paging.offset + i + 1)")),
                        .td(label("户主"), .a(.href(SiteURL.household(r.household.id).path), .text("\(r.household.headName) \(r.household.headMaskedID)"))),
                        .td(label("居住地"), .text(r.household.residenceRegionName)),
                        .td(.class("num"), label("评分"), .strong(.text("\(r.score)"))),
                        .td(label("主要维度"), .text(mainDimensions(r))),
                        .td(.class("num"), label("待处置预警"), .text("\(r.pendingWarnings)")))
                })))),
            paging.bar(total: total, unit: "户", link: { Paging.url(SiteURL.ranking.path, [], page: $0) }))
    }
}

extension String {
    /// "（…）" around non-empty text, for an evidence line's source.
    var wrappedInParens: String { isEmpty ? "" : "（\(self)）" }
}
