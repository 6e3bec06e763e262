import Domain
import Foundation
import Plot
import Store

/// 决定书: the written decision the applicant receives — approval with the amount and the month it starts, or refusal
/// with its reasons and articles [DB 20–22] — and how to challenge it. Printed on paper.
enum CaseDecisionNoticePage {
    static func view(chrome: Layout.Chrome, d: CaseDetail, decision: CaseDecision, office: String) -> HTML {
        let s = d.summary
        let title = decision.approved ? "\(d.process.title)决定书" : "不予批准决定书"
        return Layout.page(title, chrome,
            .p(.class("actions"), Layout.printButton("打印决定书")),
            .div(.class("panel decision-notice"),
                .h1(.text(title)),
                .p(.class("muted"), .text("案号：\(s.code)")),
                .p(.text("\(s.applicantName)：")),
                decision.approved
                    ? .p(.text("您于 \(Show.date(s.appliedOn)) 提出的\(s.kind.chinese)申请，经审核，决定予以批准，"
                        + (d.process.program == .temporary ? "给予一次性救助 \(Cents(decision.amountCents).yuanText)。" : "自 \(Show.date(decision.startsOn)) 起按月发放 \(Cents(decision.amountCents).yuanText)。")
                        + "家庭人口、收入、财产状况发生变化的，请及时告知乡镇人民政府（街道办事处）。"))
                    : .group(
                        .p(.text("您于 \(Show.date(s.appliedOn)) 提出的\(s.kind.chinese)申请，经审核，决定不予批准。理由如下：")),
                        .ol(.group(decision.reasons.map { .li(.text($0)) }))),
                .p(.text("依据：\(decision.articles.filter { !$0.isEmpty }.joined(separator: "、"))。")),
                .p(.text("如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。")),
                .p(.class("signature"), .text("\(office)"), .br(), .text(Show.date(decision.on)))))
    }
}
