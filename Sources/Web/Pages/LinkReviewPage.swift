import Domain
import Foundation
import Plot
import Store
import Vapor

/// 人员关联核对: the queue of probable matches and, for one, the department's record next to the
/// registered person, field by field, with why the machine thinks they are one person — and the two
/// buttons. Confirming is what lets a death or an income from a fuzzy match into the registry.
enum LinkReviewPage {
    /// How strong the case for one person is, in words: a street officer weighs evidence, not a rounded
    /// probability (a pair waiting for review shown as "100.00%" says the opposite of why it waits).
    static func strength(_ weight: Double) -> String {
        switch weight {
        case 20...: return "证据很强"
        case 7...: return "证据较强"
        case 0...: return "证据一般"
        default: return "证据偏弱"
        }
    }

    /// One field's part in it.
    static func support(_ bits: Double) -> String {
        switch bits {
        case 10...: return "有力支持是同一人"
        case 0.05...: return "支持是同一人"
        case -0.05..<0.05: return "不计入"
        case -5 ..< -0.05: return "略有出入"
        default: return "反对是同一人"
        }
    }

    /// Why a person must decide, in plain words (older rows carry the wording of the time).
    static func why(_ reason: String) -> String {
        reason == "匹配概率介于人工核对区间" ? LinkReviewStore.uncertainReason : reason
    }

    static let pageSize = 50

    static func queue(chrome: Layout.Chrome, items: [LinkReviewSummary], specs: [String: FeedSpec], notice: String?,
                      total: Int, paging: Paging, importID: UUID?) -> HTML {
        let link = { (page: Int) in Paging.url(SiteURL.linkReviews(importID: nil).path, [("import", importID?.uuidString)], page: page) }
        return Layout.page("人员关联核对", chrome,
            .h1(.text("人员关联核对")),
            .p(.class("muted"), .text("部门数据中身份证号不能精确匹配、但很可能是本辖区同一人的记录在此等待人工核对。涉及死亡、迁出、收入或财产的记录，即使匹配概率很高，也必须经人工确认后才写入档案。")),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            paging.bar(total: total, unit: "对", link: link),
            .if(items.isEmpty, .p(.class("panel"), .text("没有待核对的关联。"))),
            .if(!items.isEmpty, .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("数据来源")), .th(.text("登记人员")), .th(.text("身份证号")), .th(.text("证据")),
                           .th(.class("num"), .text("记录数")), .th(.text("原因")), .th(.text("")))),
                .tbody(.group(items.map { i in
                    .tr(.td(.attribute(named: "data-label", value: "数据来源"), .text(specs[i.feed]?.title ?? i.feed)),
                        .td(.attribute(named: "data-label", value: "登记人员"), .text(i.memberName)),
                        .td(.attribute(named: "data-label", value: "身份证号"), .text(i.maskedID)),
                        .td(.attribute(named: "data-label", value: "证据"), .text(strength(i.weight))),
                        .td(.class("num"), .attribute(named: "data-label", value: "记录数"), .text("\(i.rows)")),
                        .td(.attribute(named: "data-label", value: "原因"), .text(why(i.reason))),
                        .td(.a(.href(SiteURL.linkReview(i.id).path), .text("核对"))))
                }))))))
    }

    static func detail(chrome: Layout.Chrome, review r: LinkReview) -> HTML {
        let decided = r.status != "review"
        return Layout.page("核对关联", chrome,
            .p(.a(.href(SiteURL.linkReviews(importID: nil).path), .text("← 返回核对列表"))),
            .h1(.text("是否为同一人？")),
            .p(.text("来源：\(r.feedTitle)。系统的看法："), .strong(.text(strength(r.evidence.weight))), .text("。")),
            .div(.class("panel"),
                .p(.strong(.text("相同或相近：")), .text(agreeing(r.evidence).isEmpty ? "无" : agreeing(r.evidence).joined(separator: "；"))),
                .p(.strong(.text("不同：")), .text(differing(r.evidence).isEmpty ? "无" : differing(r.evidence).joined(separator: "；"))),
                .p(.strong(.text("为什么要人工判断：")), .text(why(r.reason) + "。"))),
            .div(.class("panel"), .table(.class("stack side-by-side"),
                .thead(.tr(.th(.text("字段")), .th(.text("部门记录")), .th(.text("登记档案")), .th(.text("比较结果")), .th(.text("对判断的作用")))),
                .tbody(.group(r.evidence.fields.map { f in
                    .tr(.td(.attribute(named: "data-label", value: "字段"), .text(fieldName(f.field))),
                        .td(.attribute(named: "data-label", value: "部门记录"), .text(shown(f.field, f.right))),
                        .td(.attribute(named: "data-label", value: "登记档案"), .text(shown(f.field, f.left))),
                        .td(.attribute(named: "data-label", value: "比较结果"), .text(f.chinese)),
                        .td(.class(f.bits >= 0 ? "plus" : "minus"), .attribute(named: "data-label", value: "对判断的作用"), .text(support(f.bits))))
                })))),
            .p(.class("muted"), .text("身份证号已一致时，出生日期和地区已包含在号码中，不重复计入。登记人员：\(r.memberName)（\(r.maskedID)），"),
               .a(.href(SiteURL.household(r.householdID).path), .text("查看家庭档案"))),
            .details(.class("muted"), .summary(.text("技术细节（供数据专员）")),
                .p(.text("证据合计 \(String(format: "%+.1f", r.evidence.weight)) 比特（先验 \(String(format: "%+.1f", r.evidence.priorBits)) 比特）；"
                         + r.evidence.fields.map { "\(fieldName($0.field)) \(String(format: "%+.1f", $0.bits))" }.joined(separator: "，")))),
            .h2(.text("确认后将写入的记录")),
            .ul(.group(r.rows.map { row in
                .li(.text("第\(row.row)行：\(row.kind.chinese)" + (row.date.map { "，\($0)" } ?? "") + (row.amount.map { "，\($0)" } ?? "")
                          + (row.reference.map { "，编号 \($0)" } ?? "") + (row.kind.mayStopOrReduceBenefit ? "（可能导致标记死亡或停发、减发待遇）" : "")))
            })),
            .if(decided, .p(.class("notice"), .text("已处理：\(r.status == "confirmed" ? "确认为同一人" : r.status == "rejected" ? "否决" : r.status)" +
                                                    (r.decidedBy.map { "（\(chrome.person($0))，\(Show.time(r.decidedAt))）" } ?? "")))),
            .if(!decided, .div(.class("decide"),
                .form(.action(SiteURL.linkDecision(r.id, confirm: true).path), .method(.post),
                      Layout.csrfField(chrome),
                      .button(.type(.submit), .class("confirm"), .text("确认为同一人，写入档案"))),
                .form(.action(SiteURL.linkDecision(r.id, confirm: false).path), .method(.post),
                      Layout.csrfField(chrome),
                      .button(.type(.submit), .class("reject"), .text("不是同一人"))))))
    }

    static func agreeing(_ e: LinkEvidence) -> [String] {
        e.fields.filter { $0.bits >= 0.05 }.map { "\(fieldName($0.field))\($0.chinese)" }
    }

    static func differing(_ e: LinkEvidence) -> [String] {
        e.fields.filter { $0.bits <= -0.05 }.map { "\(fieldName($0.field))\($0.chinese)" }
    }

    static func fieldName(_ field: String) -> String {
        ["nationalId": "身份证号", "name": "姓名", "birthDate": "出生日期", "region": "地区（县级）", "address": "地址"][field] ?? field
    }

    /// ID numbers are masked here too: the reviewer judges the digits that differ, which the level names.
    static func shown(_ field: String, _ value: String?) -> String {
        guard let value else { return "—" }
        switch field {
        case "nationalId": return Show.maskedID(value)
        case "region": return "\(Show.regionName(value.padding(toLength: 12, withPad: "0", startingAt: 0)))（\(value)）"
        default: return value
        }
    }
}
