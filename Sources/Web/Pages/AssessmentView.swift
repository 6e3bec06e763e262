import Domain
import Foundation
import Plot

/// How an assessment reads on a page: what the household may get, why (step by step, with the
/// article, the inputs and their sources, the parameters with their region and date), and what would change it.
enum AssessmentView {
    static func section(_ a: Assessment, members: [MemberInput], explain: Bool = true) -> Node<HTML.BodyContext> {
        let sorted = a.decisions.sorted { AssessmentText.order($0) < AssessmentText.order($1) }
        return .div(.class("assessment"),
            .div(.class("cards"),
                 HomePage.card(a.tier.chinese, "分层分类"),
                 HomePage.card(a.monthlyTotal.yuanText, "每月可得（合计）"),
                 HomePage.card(Cents(a.figures.incomePerMemberCents).yuanText, "家庭人均月收入"),
                 HomePage.card(Cents(a.figures.dibaoStandardCents).yuanText, "当地低保标准")),
            .unwrap(a.deliberation) { p in deliberation(p, name: { id in members.first { $0.id == id }?.label }) },
            .group(sorted.map { decision($0, members: members, explain: explain) }))
    }

    /// The proposal to deliberate comes first: it is what the officer acts on when every programme says no.
    static func deliberation(_ p: DeliberationProposal, name: (String) -> String?) -> Node<HTML.BodyContext> {
        func who(_ id: String?) -> String { id.flatMap(name).map { "（\($0)）" } ?? "" }
        return .div(.class("panel decision needsDecision deliberation"),
            .h3(.span(.class("tag outcome-needsDecision"), .text("建议一事一议")), .text(" \(p.summary)")),
            .ul(.class("changes"), .group(p.hardship.map { .li(.text($0)) })),
            .if(!p.nearMisses.isEmpty, .group(
                .p(.class("muted"), .text("各项目不符合之处：")),
                .ul(.class("notes"), .group(p.nearMisses.map { .li(.strong(.text("\($0.program.chinese)\(who($0.member))：")), .text($0.missing.joined(separator: "；"))) })))),
            .p(.class("muted"), .text("依据：\(p.article)")))
    }

    static func decision(_ d: Decision, members: [MemberInput], explain: Bool) -> Node<HTML.BodyContext> {
        let who = d.member.flatMap { id in members.first { $0.id == id }?.label }
        let amount: String = {
            guard d.outcome != .doesNotQualify else { return "" }
            switch d.amountKind {
            case .none: return ""
            case .perMonth: return "\(d.amount.yuanText)/月"
            case .oneOff: return "\(d.amount.yuanText)（一次性）"
            }
        }()
        return .div(.class("panel decision \(d.outcome.rawValue)"),
            .h3(.span(.class("tag outcome-\(d.outcome.rawValue)"), .text(d.outcome.chinese)), .text(" \(d.program.chinese)"),
                .unwrap(who) { .span(.class("muted"), .text("（\($0)）")) },
                .if(!amount.isEmpty, .strong(.class("amount"), .text(" \(amount)")))),
            .p(.text(d.summary)),
            .if(!d.changes.isEmpty, .ul(.class("changes"), .group(d.changes.map { .li(.text($0)) }))),
            .if(!d.notes.isEmpty, .ul(.class("notes muted"), .group(d.notes.map { .li(.text($0)) }))),
            .if(explain && !d.steps.isEmpty, .details(.summary(.text("计算依据（\(d.steps.count)步）")), steps(d.steps))))
    }

    /// Benefits and disposable income as earnings rise from zero to twice the household's standard, with where
    /// the household stands now; disposable income counts its pensions and other income.
    static func cliffChart(_ points: [CliffAnalysis.Point], standard: Cents?, members: Int, earningsNow: Cents? = nil) -> String {
        guard !points.isEmpty else { return "" }
        func yuan(_ c: Cents) -> Double { Double(c.value) / 100 }
        let series = [
            SVGChart.Series(name: "可支配收入", colour: "#1f5fa8", dashed: false, points: points.map { (yuan($0.earned), yuan($0.disposable)) }),
            SVGChart.Series(name: "含渐退期的可支配收入", colour: "#2e8b57", dashed: true, points: points.map { (yuan($0.earned), yuan($0.disposableWithExit)) }),
            SVGChart.Series(name: "救助金", colour: "#d35400", dashed: false, points: points.map { (yuan($0.earned), yuan($0.benefits)) }),
        ]
        var marks = standard.map { [(x: yuan($0 * Int64(max(members, 1))), label: "低保线")] } ?? []
        if let now = earningsNow { marks.append((x: yuan(now), label: "本户现在")) }
        let other = points.first?.otherIncome ?? .zero
        let caption = "横轴为全家每月劳动收入，纵轴为每月金额。可支配收入 = 劳动收入 + 其他收入（养老金等，本户每月 \(other.yuanText)） + 救助金。"
            + (earningsNow.map { "“本户现在”为本户目前每月劳动收入 \($0.yuanText)。" } ?? "") + "渐退期内，收入超过标准后仍按原额发放若干月。"
        return SVGChart.lines(title: "悬崖效应：随劳动收入增加的救助金与可支配收入", caption: caption, xLabel: "家庭每月劳动收入（元）", yLabel: "每月（元）",
                              series: series, marks: marks)
    }

    static func steps<C: HTML.BodyContext>(_ steps: [Step]) -> Node<C> {
        .ol(.class("steps"), .group(steps.map { s in
            .li(.strong(.text(s.rule)), .span(.class("tag"), .text(s.article)), .text("：\(s.result)"),
                .if(!s.inputs.isEmpty || !s.parameters.isEmpty, .ul(
                    .group(s.inputs.map { i in .li(.text("\(i.name)：\(i.value)"), .unwrap(i.source) { .span(.class("muted"), .text("（来源：\($0)）")) }) }),
                    .group(s.parameters.map { p in
                        .li(.class("param"), .text("\(p.label)：\(p.value)"),
                            .span(.class("muted"), .text("（\(p.scope == "全国" ? "全国" : Show.regionName(p.scope))，\(p.effective) 起施行；\(p.reference)）")))
                    }))))
        }))
    }
}
