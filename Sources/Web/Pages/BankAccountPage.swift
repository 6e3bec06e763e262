import Domain
import Foundation
import Plot
import Store

/// 收款账户: a household's payees' accounts, masked; a new account or a change entered by one person and confirmed
/// (or sent back) by another.
enum BankAccountPage {
    struct Form: Codable, Sendable {
        var member: String?
        var bank: String?
        var account: String?
        var accountName: String?
        var note: String?
        var decision: String?
        var reason: String?
    }

    static func view(chrome: Layout.Chrome, profile: HouseholdProfile, accounts: [BankAccountView], typed: Form, notice: String?, error: String?) -> HTML {
        let me = chrome.user?.username
        let names = Dictionary(uniqueKeysWithValues: profile.members.map { ($0.id.rawValue, $0.name) })
        return Layout.page("收款账户 · \(profile.head?.name ?? "")户", chrome,
            .h1(.text("收款账户：\(profile.head?.name ?? "")户")),
            .p(.class("actions"), .a(.href(SiteURL.household(profile.household.id).path), .text("返回家庭档案"))),
            .p(.class("muted"), .text("账号加密保存，页面只显示末四位。新登记或变更的账户须由登记人以外的另一人复核确认后才用于发放。")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            accounts.isEmpty ? .p(.class("panel"), .text("尚未登记收款账户。")) : .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("持卡人")), .th(.text("开户银行")), .th(.text("账号")), .th(.text("状态")), .th(.text("登记")), .th(.text("复核")))),
                .tbody(.group(accounts.map { a in
                    .tr(.td(CasePages.label("持卡人"), .text("\(a.accountName)（\(names[a.memberID] ?? "家庭成员")）")),
                        .td(CasePages.label("开户银行"), .text(a.bank)), .td(CasePages.label("账号"), .text(a.masked)),
                        .td(CasePages.label("状态"), .text(a.status.chinese), .if(!a.note.isEmpty, .span(.class("muted"), .text("：\(a.note)")))),
                        .td(CasePages.label("登记"), .text("\(chrome.person(a.createdBy)) \(Show.time(a.createdAt))")),
                        .td(CasePages.label("复核"), a.status == .pending
                            ? (a.createdBy == me ? .text("待另一人复核") : decision(chrome, profile, a))
                            : .text(a.confirmedBy.map { chrome.person($0) } ?? "—")))
                })))),
            .h2(.text("登记或变更账户")),
            .form(.class("panel"), .method(.post), .action(SiteURL.householdAccounts(profile.household.id).path),
                Layout.csrfField(chrome),
                .label(.text("收款人"), .select(.attribute(named: "name", value: "member"),
                    .group(profile.members.map { Layout.option($0.id.description, "\($0.name)（\($0.relation.chinese)）",
                                                               selected: (typed.member ?? profile.head?.id.description) == $0.id.description) }))),
                .label(.text("开户银行"), .input(.type(.text), .name("bank"), .value(Layout.attr(typed.bank ?? "")), .required(true))),
                .label(.text("账号（社保卡、一卡通或存折）"), .input(.type(.text), .name("account"), .attribute(named: "inputmode", value: "numeric"),
                                                         .attribute(named: "autocomplete", value: "off"), .value(Layout.attr(typed.account ?? "")), .required(true))),
                .label(.text("账户名（持卡人姓名）"), .input(.type(.text), .name("accountName"), .value(Layout.attr(typed.accountName ?? "")), .required(true))),
                .label(.text("说明（如原卡销户）"), .input(.type(.text), .name("note"), .value(Layout.attr(typed.note ?? "")))),
                .button(.type(.submit), .text("提交复核"))))
    }

    static func decision(_ chrome: Layout.Chrome, _ profile: HouseholdProfile, _ a: BankAccountView) -> Node<HTML.BodyContext> {
        .div(
            .form(.method(.post), .action(SiteURL.bankAccountDecision(profile.household.id, a.id).path), Layout.csrfField(chrome),
                  .input(.type(.hidden), .name("decision"), .value("confirm")), .button(.type(.submit), .text("复核确认"))),
            .form(.method(.post), .action(SiteURL.bankAccountDecision(profile.household.id, a.id).path), Layout.csrfField(chrome),
                  .input(.type(.hidden), .name("decision"), .value("reject")),
                  .input(.type(.text), .name("reason"), .attribute(named: "placeholder", value: "退回理由"), .required(true)),
                  .button(.type(.submit), .text("退回"))))
    }
}
