import Domain
import Foundation
import Plot
import Store

/// The structured steps of a case on its page: the forms that take them (one-time materials notice, each adult's
/// commitment, the verification report item by item, the home-visit form) and the records they leave, which print
/// with the page.
enum CaseRecordViews {
    typealias Form = CaseDetailPage.ActionForm

    static func checkbox(_ name: String, _ label: String, checked: Bool) -> Node<HTML.FormContext> {
        .label(.class("check"), .input(.type(.checkbox), .name(Layout.attr(name)), .checked(checked)), .text(label))
    }

    // MARK: forms

    /// 一次性告知: the catalogue's items the office may still ask for, ticked, and others typed; what the registry
    /// holds or the commitment replaces is listed as not to be asked [DB 9–10].
    static func materialsForm(_ chrome: Layout.Chrome, _ d: CaseDetail, typed t: Form?) -> Node<HTML.BodyContext> {
        if let on = d.state.materialsRequestedOn {
            return .p(.class("muted"), .text("已于 \(Show.date(on)) 一次性告知补齐材料，不再另行要求。"),
                      .a(.href(SiteURL.caseMaterialsNotice(d.summary.id).path), .text("打印告知书")))
        }
        let notAsked = (d.process.materials ?? []).compactMap { m in m.heldBy.map { "\(m.name)（\($0)）" } } + (d.process.commitmentReplaces ?? [])
            + (d.context.honestRecord ? (d.process.materials ?? []).filter { $0.honestRecordWaiver == true }.map { "\($0.name)（诚信记录良好，免予提交）" } : [])
        return CaseDetailPage.form(chrome, d, "requestMaterials", "出具一次性告知书",
            .p(.class("muted"), .text("材料不全的，一次性告知需补齐的全部材料。以下由登记库或告知承诺替代，不得要求申请人提供：\(notAsked.joined(separator: "、"))。")),
            .fieldset(.element(named: "legend", text: "需补齐的材料"),
                      .group(d.process.askable(honestRecord: d.context.honestRecord).map { checkbox("materials[\($0)]", $0, checked: t?.materials?[$0] == "on") })),
            CaseDetailPage.area("otherMaterials", "其他材料（每行一项）", t?.otherMaterials))
    }

    /// Every adult signs the commitment and the authorisation; the office records how [DB 9–10].
    static func commitmentForm(_ chrome: Layout.Chrome, _ d: CaseDetail, typed t: Form?) -> Node<HTML.BodyContext> {
        let signers = d.context.requiredSigners ?? [d.summary.applicantName]
        return CaseDetailPage.form(chrome, d, "recordCommitment", "登记承诺与授权",
            .p(.class("muted"), .text("每位成年家庭成员签署承诺书和授权核对书 [DB 9–10]。签署后以下证明不再提交："
                                      + (d.process.commitmentReplaces ?? []).joined(separator: "、"))),
            .table(.class("stack"),
                .thead(.tr(.th(.text("成员")), .th(.text("签署")), .th(.text("扫描件编号")))),
                .tbody(.group(signers.map { name in
                    let how = t?.signature?[name] ?? ""
                    return .tr(.td(CasePages.label("成员"), .text(name)),
                               .td(CasePages.label("签署"), .select(.attribute(named: "name", value: Layout.attr("signature[\(name)]")),
                                                                  Layout.option("", "尚未签署", selected: how.isEmpty),
                                                                  Layout.option(SignatureForm.paper.rawValue, SignatureForm.paper.chinese, selected: how == "paper"),
                                                                  Layout.option(SignatureForm.scanned.rawValue, SignatureForm.scanned.chinese, selected: how == "scanned"))),
                               .td(CasePages.label("扫描件编号"), .input(.type(.text), .name(Layout.attr("scan[\(name)]")),
                                                                     .value(Layout.attr(t?.scan?[name] ?? "")))))
                }))))
    }

    /// The departments' items for the household beside what it declared: the officer types the declared amounts.
    static func verificationForm(_ chrome: Layout.Chrome, _ d: CaseDetail, typed t: Form?) -> Node<HTML.BodyContext> {
        let items = d.household.map(EconomicCheckReport.departmentItems) ?? []
        return CaseDetailPage.form(chrome, d, "recordVerification", "出具核对报告",
            .p(.class("muted"), .text(items.isEmpty ? "登记库中没有本户的收入、财产和支出数据：核对结论以申报为准。"
                                      : "以下为登记库中各部门的数据（来源、日期）。请逐项填写申请人申报的金额；未申报的留空。申报低于部门数据或未申报的，须说明。")),
            .if(!items.isEmpty, .table(.class("stack"),
                .thead(.tr(.th(.text("成员")), .th(.text("项目")), .th(.text("部门数据")), .th(.text("来源")), .th(.text("申报（元）")))),
                .tbody(.group(items.enumerated().map { i, item in
                    .tr(.td(CasePages.label("成员"), .text(item.member ?? "全家")), .td(CasePages.label("项目"), .text(item.item)),
                        .td(CasePages.label("部门数据"), .text(amount(item.foundCents, item.basis))),
                        .td(CasePages.label("来源"), .text(item.source?.chinese ?? "")),
                        .td(CasePages.label("申报（元）"), .input(.type(.text), .name("declared[\(i)]"), .attribute(named: "inputmode", value: "decimal"),
                                                              .value(Layout.attr(t?.declared?[String(i)] ?? "")))))
                })))),
            CaseDetailPage.area("note", "说明（不一致之处逐项写明原因）", t?.note))
    }

    /// 入户调查表 on a phone: who went, who was at home, the home, what was seen, the six activities for tekun, and
    /// the signatures.
    static func visitForm(_ chrome: Layout.Chrome, _ d: CaseDetail, typed t: Form?) -> Node<HTML.BodyContext> {
        let members = (d.household?.members ?? []).filter(\.isPresent).map(\.label)
        let tekun = d.process.program == .tekun
        return CaseDetailPage.form(chrome, d, "recordVisit", "登记入户调查",
            CaseDetailPage.field("investigators", "调查人员（至少两人，含本人）", t?.investigators ?? chrome.user?.username, placeholder: "用户名，用顿号分隔"),
            .fieldset(.element(named: "legend", text: "在场的家庭成员"),
                      members.isEmpty ? CaseDetailPage.field("present[\(d.summary.applicantName)]", "在场", t?.present?[d.summary.applicantName])
                          : .group(members.map { checkbox("present[\($0)]", $0, checked: t?.present?[$0] == "on") })),
            .label(.text("住房状况"), .select(.attribute(named: "name", value: "housing"),
                                           .group(HousingCondition.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: (t?.housing ?? "adequate") == $0.rawValue) }))),
            CaseDetailPage.area("living", "生活状况（家具家电、饮食、取暖等）", t?.living),
            CaseDetailPage.area("assetsSeen", "所见财产（车辆、贵重物品、经营场所等；没有写「无」）", t?.assetsSeen),
            .if(tekun, .fieldset(.element(named: "legend", text: "生活自理能力评估：勾选不能完成的项目 [TK 21–22]"),
                                 .input(.type(.hidden), .name("selfCare"), .value("assessed")),
                                 .group(DailyActivity.allCases.map { checkbox("unable[\($0.rawValue)]", "不能\($0.chinese)", checked: t?.unable?[$0.rawValue] == "on") }))),
            .label(.text("被调查家庭签字人"), .select(.attribute(named: "name", value: "householdSigner"),
                                               Layout.option("", "请选择", selected: (t?.householdSigner ?? "").isEmpty),
                                               .group((members.isEmpty ? [d.summary.applicantName] : members).map {
                                                   Layout.option(Layout.attr($0), $0, selected: t?.householdSigner == $0) }))),
            checkbox("investigatorsSigned", "调查人员均已在调查表上签字", checked: t?.investigatorsSigned == "on"))
    }

    // MARK: records

    static func amount(_ cents: Int64?, _ basis: AmountBasis?) -> String {
        guard let cents else { return "—" }
        let per = basis == .perMonth ? "/月" : basis == .perYear ? "/年" : ""
        return Cents(cents).yuanText + per
    }

    /// What the steps recorded, for the page and its print.
    static func records(_ d: CaseDetail) -> Node<HTML.BodyContext> {
        .group(
            .unwrap(d.materials) { m in
                .div(.class("panel"), .h3(.text("一次性告知补齐材料")), .ul(.group(m.items.map { .li(.text($0)) })),
                     .p(.a(.href(SiteURL.caseMaterialsNotice(d.summary.id).path), .text("打印告知书"))))
            },
            .unwrap(d.commitment) { c in
                .div(.class("panel"), .h3(.text("承诺书与授权核对书")),
                     .ul(.group(c.signatures.map { .li(.text("\($0.name)：\($0.form.chinese)"), .unwrap($0.scan) { .text("（扫描件 \($0)）") }) })))
            },
            .unwrap(d.verification) { r in
                .div(.class("panel"), .h3(.text("家庭经济状况核对报告"), .text(" "),
                                          .span(.class("tag outcome-\(r.consistent ? "qualifies" : "doesNotQualify")"), .text(r.consistent ? "一致" : "不一致"))),
                     .if(r.items.isEmpty, .p(.class("muted"), .text("登记库中没有本户的收入、财产和支出数据。"))),
                     .if(!r.items.isEmpty, .table(.class("stack"),
                         .thead(.tr(.th(.text("成员")), .th(.text("项目")), .th(.text("申报")), .th(.text("部门数据")), .th(.text("来源")), .th(.text("结论")))),
                         .tbody(.group(r.items.map { i in
                             .tr(.class(i.finding.isConsistent ? "" : "late"), .td(CasePages.label("成员"), .text(i.member ?? "全家")),
                                 .td(CasePages.label("项目"), .text(i.item)),
                                 .td(CasePages.label("申报"), .text(i.declaredCents == nil ? "未申报" : amount(i.declaredCents, i.basis))),
                                 .td(CasePages.label("部门数据"), .text(amount(i.foundCents, i.basis))),
                                 .td(CasePages.label("来源"), .text(i.source?.chinese ?? "—")),
                                 .td(CasePages.label("结论"), .text(i.finding.chinese)))
                         })))),
                     .if(!r.note.isEmpty, .p(.text("说明：\(r.note)"))))
            },
            .unwrap(d.visit) { v in
                .div(.class("panel"), .h3(.text("入户调查表")),
                     .dl(.class("kv"),
                         .dt(.text("调查人员")), .dd(.text(v.investigators.joined(separator: "、") + (v.investigatorsSigned ? "（已签字）" : ""))),
                         .dt(.text("在场成员")), .dd(.text(v.present.joined(separator: "、"))),
                         .dt(.text("住房状况")), .dd(.text(v.housing.chinese)),
                         .dt(.text("生活状况")), .dd(.text(v.living)),
                         .dt(.text("所见财产")), .dd(.text(v.assetsSeen)),
                         .unwrap(v.unableActivities) { u in
                             .group(.dt(.text("生活自理能力")),
                                    .dd(.text(u.isEmpty ? "六项日常活动均能完成" : "\(u.count) 项不能完成：\(u.map(\.chinese).joined(separator: "、"))")))
                         },
                         .dt(.text("家庭签字")), .dd(.text(v.householdSigner))))
            })
    }
}
