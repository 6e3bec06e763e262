import Domain
import Foundation
import Plot
import Store

/// 一次性告知书: every material the applicant still has to bring, listed once [DB 9–10], with what they need not
/// bring because the registry holds it or the commitment replaces it. Printed and handed over at the window.
enum CaseMaterialsNoticePage {
    static func view(chrome: Layout.Chrome, d: CaseDetail, notice: MaterialsNotice, on day: LocalDate, office: String) -> HTML {
        let s = d.summary
        let notNeeded = (d.process.materials ?? []).filter { $0.heldBy != nil }.map(\.name) + (d.process.commitmentReplaces ?? [])
        return Layout.page("补齐材料一次性告知书", chrome,
            .p(.class("actions"), Layout.printButton("打印告知书")),
            .div(.class("panel decision-notice"),
                .h1(.text("补齐材料一次性告知书")),
                .p(.class("muted"), .text("案号：\(s.code)")),
                .p(.text("\(s.applicantName)：")),
                .p(.text("您于 \(Show.date(s.appliedOn)) 提出的\(s.kind.chinese)申请，材料尚不齐全。请补齐以下材料后到本窗口提交，补齐后即予受理。以下为需要补齐的全部材料，不会再要求其他材料：")),
                .ol(.group(notice.items.map { .li(.text($0)) })),
                .p(.text("以下证明无需提供（已由部门数据共享或签署承诺书替代）：\(notNeeded.joined(separator: "、"))。")),
                .p(.class("muted"), .text("依据：\(d.process.rule(.acceptance)?.article ?? "DB 9–10")")),
                .p(.class("signature"), .text(office), .br(), .text(Show.date(day)))))
    }
}
