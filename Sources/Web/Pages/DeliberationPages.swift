import Domain
import Foundation
import Plot
import Store

/// 一事一议: the matters waiting for a meeting, the precedent list of decided ones (searchable, with the situations
/// decided again and again), the form that opens one for a household, and a deliberation's page with every
/// meeting's record and the form for the next meeting. The record prints as the meeting minutes.
enum DeliberationPages {

    /// Whoever convenes some level's meetings may open one (the store checks the level itself).
    static func mayOpen(_ chrome: Layout.Chrome) -> Bool { chrome.user.map { chrome.deliberationRoles.contains($0.role) } ?? false }

    static func list(chrome: Layout.Chrome, items: [DeliberationRecord], total: Int, filter: Deliberations.Filter, text: String?, tag: String?,
                     levels: DeliberationLevels, bySituation: [String: (approved: Int, refused: Int)], paging: Paging) -> HTML {
        let decided = filter == .decided
        let repeated = levels.situations.filter { (bySituation[$0.id]?.approved ?? 0) >= levels.ruleChangeAfter }
        return Layout.page("一事一议", chrome,
            .h1(.text(decided ? "一事一议先例（\(total) 件）" : "一事一议：待议事项（\(total) 件）")),
            .p(.class("muted"), .text("现有救助政策覆盖不了的特殊困难，由社区（村）提出意见，乡镇（街道）、区县、市逐级议定；各级可议定的金额以当地参数为限 [LS; JC]。"
                                      + "已议定的事项作为先例，同类情形同样对待。")),
            Layout.tabs([("待议事项", decided ? SiteURL.deliberations(filter: nil).path : nil),
                         ("先例", decided ? nil : SiteURL.deliberations(filter: "decided").path)]),
            .if(decided, .form(.class("filters panel"), .method(.get), .action(SiteURL.deliberations(filter: nil).path),
                .input(.type(.hidden), .name("filter"), .value("decided")),
                .label(.text("困难情形"), .select(.attribute(named: "name", value: "tag"),
                    Layout.option("", "全部", selected: tag == nil),
                    .group(levels.situations.map { Layout.option($0.id, $0.name, selected: tag == $0.id) }))),
                .label(.text("关键词"), .input(.type(.search), .name("q"), .value(Layout.attr(text ?? "")), .placeholder("如：脑出血、火灾"))),
                .button(.type(.submit), .text("查找")))),
            .if(decided && !repeated.isEmpty, .div(.class("notice"), .attribute(named: "role", value: "status"),
                .text("以下情形已议定给予救助 \(levels.ruleChangeAfter) 件以上，可提请修订政策、纳入常规救助："),
                .ul(.group(repeated.map { s in .li(.text("\(s.name)：已议定给予救助 \(bySituation[s.id]?.approved ?? 0) 件")) })))),
            paging.bar(total: total, unit: "件", link: {
                Paging.url(SiteURL.deliberations(filter: nil).path, [("filter", filter.rawValue), ("q", text), ("tag", tag)], page: $0)
            }),
            .if(items.isEmpty, .p(.class("panel"), .text(decided ? "没有符合条件的先例。" : "没有待议事项。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text(decided ? "困难情形" : "户主")), .th(.text("情况")), .th(.text(decided ? "议定层级" : "现由")),
                           .th(.text(decided ? "结果" : "提请")), .th(.text(decided ? "议定日期" : "状态")))),
                .tbody(.group(items.map { d in
                    let s = d.state
                    let tags = s.tags.compactMap { levels.situation($0)?.name }.joined(separator: "、")
                    return .tr(.td(CasePages.label(decided ? "困难情形" : "户主"),
                                   .a(.href(SiteURL.deliberation(d.id).path), .text(decided ? (tags.isEmpty ? "其他" : tags) : (d.headName ?? "（未登记户主）")))),
                               .td(CasePages.label("情况"), .text(s.situation)),
                               .td(CasePages.label(decided ? "议定层级" : "现由"), .text(s.level.chinese)),
                               .td(CasePages.label(decided ? "结果" : "提请"), .text(decided ? (s.decision?.outcome.chinese ?? "") : Show.date(s.openedOn))),
                               .td(CasePages.label(decided ? "议定日期" : "状态"), .text(decided ? Show.date(d.decidedOn) : s.status.chinese)))
                }))))))
    }

    struct NewForm: Sendable, Codable {
        var household: String?
        var caseID: String?
        var warning: String?
        var situation: String?
        var tags: [String: String]?

        enum CodingKeys: String, CodingKey {
            case household, caseID = "case", warning, situation, tags
        }
    }

    static func newForm(chrome: Layout.Chrome, profile p: HouseholdProfile, proposal: DeliberationProposal?, form: NewForm, levels: DeliberationLevels,
                        opensAt: DeliberationLevel?, error: String?) -> HTML {
        let suggested = proposal.map { ([$0.summary] + $0.hardship).joined(separator: "；") } ?? ""
        return Layout.page("提请一事一议", chrome,
            .h1(.text("提请一事一议：\(p.head?.name ?? "")户")),
            .p(.class("muted"), .text("由\(opensAt?.chinese ?? "本级")首先议事。写明困难的具体情形、现有政策为何不能解决。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(proposal) { pr in
                .div(.class("panel"), .h3(.text("政策计算器的提请理由")), .p(.text(pr.summary)),
                     .ul(.group(pr.nearMisses.map { n in .li(.text("\(n.program.chinese)：\(n.missing.joined(separator: "；"))")) })))
            },
            .form(.class("panel"), .method(.post), .action(RoutePattern.deliberations.path()),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("household"), .value(p.household.id.description)),
                .unwrap(form.caseID) { .input(.type(.hidden), .name("case"), .value(Layout.attr($0))) },
                .unwrap(form.warning) { .input(.type(.hidden), .name("warning"), .value(Layout.attr($0))) },
                .label(.text("困难情形"), .textarea(.name("situation"), .attribute(named: "rows", value: "4"), .text(form.situation ?? suggested))),
                .fieldset(.element(named: "legend", text: "情形分类（用于查找先例）"),
                    .group(levels.situations.map { s in CaseRecordViews.checkbox("tags[\(s.id)]", s.name, checked: form.tags?[s.id] == "on") })),
                .button(.type(.submit), .text("提请议事"))))
    }

    struct MeetingForm: Sendable, Codable {
        var version: Int?
        var heldOn: String?
        var participants: String?
        var opinions: String?
        var outcome: String?
        var amount: String?
        var program: String?
        var reasons: String?
    }

    static func detail(chrome: Layout.Chrome, d: DeliberationRecord, levels: DeliberationLevels, limit: Cents?, mayMeet: Bool, mayOpenHousehold: Bool,
                       today: LocalDate, notice: String?, error: String?, typed: MeetingForm?) -> HTML {
        let s = d.state
        let rule = levels.rule(s.level)
        return Layout.page("一事一议", chrome,
            .h1(.text("一事一议：\(s.status.chinese)")),
            .p(.class("actions"), Layout.printButton("打印议事记录")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("家庭")), .dd(mayOpenHousehold ? .a(.href(SiteURL.household(Household.ID(d.householdID)).path), .text("打开家庭档案")) : .text("—")),
                .dt(.text("困难情形")), .dd(.text(s.situation)),
                .dt(.text("分类")), .dd(.text(s.tags.isEmpty ? "—" : s.tags.compactMap { levels.situation($0)?.name }.joined(separator: "、"))),
                .dt(.text("来源")), .dd(.text(s.source.chinese), .unwrap(d.caseID) { c in .group(.text(" · "), .a(.href(SiteURL.caseItem(c).path), .text("查看申请"))) },
                                     .unwrap(d.warningID) { w in .group(.text(" · "), .a(.href(SiteURL.warning(w).path), .text("查看预警"))) }),
                .dt(.text("提请")), .dd(.text("\(chrome.person(s.openedBy))，\(Show.date(s.openedOn))")),
                .dt(.text(s.status == .open ? "现由" : "议定层级")), .dd(.text(s.level.chinese)),
                .unwrap(d.decidedOn) { on in .group(.dt(.text("议定")), .dd(.text("\(s.decision?.outcome.chinese ?? "")，\(Show.date(on))"))) })),
            .group(s.meetings.enumerated().map { i, m in
                .div(.class("panel"),
                     .h3(.text("第 \(i + 1) 次议事 · \(m.level.chinese) · \(Show.date(m.heldOn))")),
                     .p(.text("参加人员（\(m.participants.count) 人）：" + m.participants.map { "\($0.name)（\($0.role)）" }.joined(separator: "、"))),
                     .p(.text("意见：")), .ul(.group(m.opinions.map { .li(.text($0)) })),
                     .p(.strong(.text("结果：\(m.outcome.chinese)"))),
                     .if(!m.reasons.isEmpty, .group(.p(.text("理由：")), .ol(.group(m.reasons.map { .li(.text($0)) })))),
                     .p(.class("muted"), .text("记录人：\(chrome.person(m.recordedBy))")))
            }),
            .if(mayMeet, .form(.class("panel"), .method(.post), .action(SiteURL.deliberationMeetings(d.id).path),
                .h3(.text("\(s.level.chinese)议事记录")),
                .p(.class("muted"), .text((rule?.decides ?? false)
                    ? "本级可议定" + (limit.map { "金额不超过 \($0.yuanText) 的救助" } ?? "任何金额的救助") + "，超过的提请上一级。参加人员不少于 \(rule?.minParticipants ?? 1) 人。"
                    : "本级提出意见后报上一级议定。参加人员不少于 \(rule?.minParticipants ?? 1) 人。")),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("version"), .value("\(s.version)")),
                .label(.text("会议日期"), .input(.type(.date), .name("heldOn"), .value(typed?.heldOn ?? today.description))),
                .label(.text("参加人员（每行一人：姓名 职务）"), .textarea(.name("participants"), .attribute(named: "rows", value: "4"), .text(typed?.participants ?? ""))),
                .label(.text("与会意见（每行一条）"), .textarea(.name("opinions"), .attribute(named: "rows", value: "3"), .text(typed?.opinions ?? ""))),
                .label(.text("议定结果"), .select(.attribute(named: "name", value: "outcome"),
                    .if(levels.next(after: s.level) != nil, Layout.option("escalate", "提请上一级议定", selected: typed?.outcome == nil || typed?.outcome == "escalate")),
                    .if(rule?.decides ?? false, .group(
                        Layout.option("oneOff", "给予一次性救助", selected: typed?.outcome == "oneOff"),
                        Layout.option("monthly", "按月救助（纳入下列项目）", selected: typed?.outcome == "monthly"),
                        Layout.option("refuse", "不予救助", selected: typed?.outcome == "refuse"))))),
                .if(rule?.decides ?? false, .group(
                    .label(.text("金额（元；按月的填每月金额）"), .input(.type(.text), .name("amount"), .attribute(named: "inputmode", value: "decimal"),
                                                              .value(Layout.attr(typed?.amount ?? "")))),
                    .label(.text("按月救助的项目"), .select(.attribute(named: "name", value: "program"),
                        .group(DeliberationWorkflow.monthlyPrograms.map { Layout.option($0.rawValue, $0.chinese, selected: typed?.program == $0.rawValue) }))))),
                .label(.text("理由（每行一条；议定救助或不予救助时必填）"), .textarea(.name("reasons"), .attribute(named: "rows", value: "3"), .text(typed?.reasons ?? ""))),
                .button(.type(.submit), .text("保存议事记录")))))
    }
}
