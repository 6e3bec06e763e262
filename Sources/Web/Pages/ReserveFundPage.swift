import Domain
import Foundation
import Plot
import Store

/// 先行救助备用金: the townships' balances, one township's ledger (allocations, replenishments, grants with their
/// case), and for the county the form to allocate or replenish.
enum ReserveFundPage {
    static func view(chrome: Layout.Chrome, funds: [ReserveFundSummary], selected: RegionCode?, balance: Cents?, ledger: [ReserveFundEntry], total: Int,
                     paging: Paging, townships: [Region], names: [String: String], mayCredit: Bool, notice: String?, error: String?,
                     typed: ReserveFundRoutes.Form) -> HTML {
        let selectedName = selected.map { names[$0.value] ?? $0.value } ?? ""
        return Layout.page("先行救助备用金", chrome,
            .h1(.text("先行救助备用金")),
            .p(.class("muted"), .text("乡镇（街道）对急难情况先行救助，在审批额度内从备用金中支出，事后补办审核手续 [LS; ZX 48]。余额不足时不能先行支出，须先补充备用金。")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(funds.count > 1, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("乡镇（街道）")), .th(.class("num"), .text("余额")))),
                .tbody(.group(funds.map { f in
                    .tr(.td(CasePages.label("乡镇（街道）"), .a(.href(SiteURL.reserveFunds(township: f.township).path), .text(names[f.township] ?? f.township))),
                        .td(.class("num"), CasePages.label("余额"), .text(f.balance.yuanText)))
                }))))),
            .unwrap(balance) { b in
                .group(.h2(.text("\(selectedName) · 余额 \(b.yuanText)")),
                       paging.bar(total: total, unit: "笔", link: { Paging.url(SiteURL.reserveFunds(township: nil).path, [("township", selected?.value)], page: $0) }),
                       ledger.isEmpty ? .p(.class("panel"), .text("尚无收支记录。")) : .div(.class("panel"), .table(.class("stack"),
                           .thead(.tr(.th(.text("时间")), .th(.text("类别")), .th(.class("num"), .text("金额")), .th(.class("num"), .text("余额")), .th(.text("说明")),
                                      .th(.text("经办")))),
                           .tbody(.group(ledger.map { e in
                               .tr(.td(CasePages.label("时间"), .text(Show.time(e.at))), .td(CasePages.label("类别"), .text(e.kind.chinese)),
                                   .td(.class("num"), CasePages.label("金额"), .text((e.kind.isOut ? "−" : "+") + e.amount.yuanText)),
                                   .td(.class("num"), CasePages.label("余额"), .text(e.balanceAfter.yuanText)),
                                   .td(CasePages.label("说明"), e.caseID.map { .a(.href(SiteURL.caseItem($0).path), .text(e.note)) } ?? .text(e.note)),
                                   .td(CasePages.label("经办"), .text(chrome.person(e.username))))
                           })))))
            },
            .if(mayCredit, .group(.h2(.text("拨付或补充备用金")),
                .form(.class("panel"), .method(.post), .action(SiteURL.reserveFunds(township: nil).path),
                    Layout.csrfField(chrome),
                    .label(.text("乡镇（街道）"), .select(.attribute(named: "name", value: "township"),
                        .group(townships.map { Layout.option($0.code.value, $0.name, selected: (typed.township ?? selected?.value) == $0.code.value) }))),
                    .label(.text("类别"), .select(.attribute(named: "name", value: "kind"),
                        Layout.option(ReserveFundEntryKind.allocation.rawValue, ReserveFundEntryKind.allocation.chinese, selected: typed.kind != "replenishment"),
                        Layout.option(ReserveFundEntryKind.replenishment.rawValue, ReserveFundEntryKind.replenishment.chinese, selected: typed.kind == "replenishment"))),
                    .label(.text("金额（元）"), .input(.type(.text), .name("amount"), .attribute(named: "inputmode", value: "decimal"),
                                                    .value(Layout.attr(typed.amount ?? "")))),
                    .label(.text("说明（文号等）"), .input(.type(.text), .name("note"), .value(Layout.attr(typed.note ?? "")))),
                    .button(.type(.submit), .text("保存"))))))
    }
}
