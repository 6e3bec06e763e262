import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 家庭档案: members, facts by kind with their source and date, enrolments, and a timeline.
enum HouseholdPage {
    struct Model {
        var profile: HouseholdProfile
        var today: LocalDate
        var request: AssessmentRequest
        /// The policy calculator's view; nil with the reason when the rules cannot be applied (e.g. a missing parameter).
        var assessment: Result<Assessment, PolicyError>
        var cliffChart: String
        /// Payments held after a death record, and whether this user may release them.
        var holds: [PaymentHold] = []
        var mayReleaseHolds = false
        /// Why the last release was refused, shown above the holds.
        var holdError: String?

        /// Nil when missing or outside the jurisdiction. The read is audited by the store.
        static func load(db: any Database, actor: Actor, id: Household.ID, today: LocalDate, calculator: PolicyCalculator) async throws -> Model? {
            guard let p = try await RegistryStore(db).profile(id, actor: actor) else { return nil }
            let holds = try await PaymentHoldStore(db).holds(household: id.rawValue, actor: actor)
            let request = AssessmentRequest(profile: p, date: today)
            let assessment = Result { () throws(PolicyError) in try calculator.assess(request) }
            let points = (try? CliffAnalysis.series(calculator, request)) ?? []
            let standard = (try? assessment.get()).map { Cents($0.figures.dibaoStandardCents) }
            return Model(profile: p, today: today, request: request, assessment: assessment,
                         cliffChart: AssessmentView.cliffChart(points, standard: standard, members: request.members.filter(\.isPresent).count,
                                                               earningsNow: CliffAnalysis.currentEarnings(request)),
                         holds: holds, mayReleaseHolds: actor.may(.releasePaymentHolds))
        }
    }

    static func view(_ m: Model, chrome: Layout.Chrome) -> HTML {
        let p = m.profile
        let sections: [(id: String, title: String)] = [("assessment", "政策评估"), ("members", "家庭成员"), ("programs", "救助项目")]
            + (m.holds.isEmpty && m.holdError == nil ? [] : [("holds", "暂停发放")]) + [("dimensions", "家庭画像"), ("timeline", "时间线")]
        return Layout.page("家庭档案 · \(p.head?.name ?? "")", chrome,
            .h1(.text("家庭档案：\(p.head?.name ?? "")户")),
            .p(.class("actions"), Layout.printButton("打印档案"),
               .if(CasePages.mayOpen(chrome.user?.role), .a(.class("button"), .href(SiteURL.caseNew(household: p.household.id.rawValue, warning: nil).path),
                                                             .text("登记申请（代为申请）"))),
               .if(chrome.user.map { Permission.manageBankAccounts.isGranted(to: $0.role) || Permission.viewPayments.isGranted(to: $0.role) } ?? false,
                   .a(.class("button"), .href(SiteURL.householdAccounts(p.household.id).path), .text("收款账户")))),
            Layout.contents(sections),
            .div(.class("panel"),
                 .dl(.class("kv"),
                     .dt(.text("居住地址")), .dd(.text(p.household.address)),
                     .dt(.text("居住地")), .dd(.a(.href(SiteURL.region(p.household.residenceRegion).path), .text(p.residenceRegionName))),
                     .dt(.text("户籍地")), .dd(.text(p.registeredRegionName)),
                     .dt(.text("家庭人口")), .dd(.text("\(p.members.count) 人")))),
            .h2(.id("assessment"), .text("政策计算器评估（\(m.today)）")),
            assessmentSection(m),
            .h2(.id("members"), .text("家庭成员")),
            .div(.class("panel"), membersTable(p.members, today: m.today, facts: p.facts)),
            .h2(.id("programs"), .text("救助项目")),
            .div(.class("panel"), enrolmentsTable(p),
                 .p(.class("actions"),
                    .if(chrome.user?.role == .townshipOfficer && p.enrolments.contains { $0.status == .active },
                        .a(.class("button"), .href(SiteURL.changeNew(household: p.household.id.rawValue, warning: nil).path), .text("提出救助变更"))),
                    // A hardship no programme covers: put to the community, township, county or city [LS; JC].
                    .if(DeliberationPages.mayOpen(chrome),
                        .a(.class("button"), .href(SiteURL.deliberationNew(household: p.household.id.rawValue).path), .text("提请一事一议"))))),
            .if(!m.holds.isEmpty || m.holdError != nil, .group(.h2(.id("holds"), .text("暂停发放")), holdsSection(m, csrf: Layout.csrfField(chrome), chrome: chrome))),
            .h2(.id("dimensions"), .text("家庭画像（按维度，含数据来源）")),
            conflictsSection(p.conflicts(on: m.today), p),
            .group(p.factsByDimension.map { dimension, facts in
                .div(.class("panel"), .h3(.text(dimension.chinese)), factsTable(facts, p))
            }),
            .h2(.id("timeline"), .text("时间线")),
            .div(.class("panel"), timeline(p.timeline))
        )
    }

    static func assessmentSection(_ m: Model) -> Node<HTML.BodyContext> {
        switch m.assessment {
        case .success(let a):
            return .group(
                .p(.class("muted"), .text("依据登记数据自动评估；供养方式、自理能力、赡养人等未登记的情况需入户核实。")),
                AssessmentView.section(a, members: m.request.members),
                .div(.class("panel"), .h3(.text("收入变化的影响（悬崖效应）")), .raw(m.cliffChart)))
        case .failure(let e):
            return .div(.class("error"), .text("无法评估：\(e.chinese)"))
        }
    }

    /// A member's disability as the register holds it or, where the member record has none yet, as the latest
    /// federation certificate in the profile says (with its date), so the page never shows "—" beside a certificate.
    static func disability(_ m: Member, facts: [Fact]) -> String {
        if let d = m.disability { return d.chinese }
        guard let cert = facts.filter({ $0.memberID == m.id && $0.kind == .disabilityCertificate }).max(by: { $0.validFrom < $1.validFrom }) else { return "—" }
        return "\(cert.note.isEmpty ? "有残疾证" : cert.note)（残联证明 \(Show.date(cert.validFrom))）"
    }

    /// What a fact says, in words: its note; the department's reference (a file row, a record number) is for
    /// tracing, shown on hover rather than as text.
    static func note(_ f: Fact) -> Node<HTML.BodyContext> {
        .span(.attribute(named: "title", value: "来源编号：\(f.provenance.reference)"), .text(f.note.isEmpty ? "—" : f.note))
    }

    static func membersTable(_ members: [Member], today: LocalDate, facts: [Fact] = []) -> Node<HTML.BodyContext> {
        .table(.class("stack members"),
            .thead(.tr(.th(.text("姓名")), .th(.text("关系")), .th(.text("身份证号")), .th(.text("性别/年龄")), .th(.text("残疾")),
                       .th(.text("疾病")), .th(.text("劳动能力")), .th(.text("就业")), .th(.text("就学")))),
            .tbody(.group(members.map { m in
                .tr(.td(.attribute(named: "data-label", value: "姓名"), .text(m.name)),
                    .td(.attribute(named: "data-label", value: "关系"), .text(m.relation.chinese)),
                    // Masked: the whole number is on its own page, for a stated purpose, audited (never in this HTML).
                    .td(.attribute(named: "data-label", value: "身份证号"),
                        .text(m.nationalID.masked + " "),
                        .a(.class("reveal"), .href(SiteURL.memberNationalID(m.householdID, m.id).path), .text("查看完整号码"))),
                    .td(.attribute(named: "data-label", value: "性别/年龄"), .text("\(m.sex.chinese) · \(m.birthDate.age(on: today))岁")),
                    .td(.attribute(named: "data-label", value: "残疾"), .text(disability(m, facts: facts))),
                    .td(.attribute(named: "data-label", value: "疾病"), .text(m.illnesses.isEmpty ? "—" : m.illnesses.map(\.chinese).joined(separator: "、"))),
                    .td(.attribute(named: "data-label", value: "劳动能力"), .text(m.workCapacity.chinese)),
                    .td(.attribute(named: "data-label", value: "就业"), .text(m.employment.chinese)),
                    .td(.attribute(named: "data-label", value: "就学"), .text(m.schooling.chinese)))
            })))
    }

    static func enrolmentsTable(_ p: HouseholdProfile) -> Node<HTML.BodyContext> {
        guard !p.enrolments.isEmpty else { return .p(.class("muted"), .text("目前未纳入任何救助项目。")) }
        return .table(.class("stack"),
            .thead(.tr(.th(.text("项目")), .th(.text("对象")), .th(.text("起始")), .th(.class("num"), .text("每月金额")), .th(.text("状态")))),
            .tbody(.group(p.enrolments.map { e in
                .tr(.td(.attribute(named: "data-label", value: "项目"), .text(e.program.chinese)),
                    .td(.attribute(named: "data-label", value: "对象"), .text(p.member(e.memberID)?.name ?? "全户")),
                    .td(.attribute(named: "data-label", value: "起始"), .text(Show.date(e.since))),
                    .td(.class("num"), .attribute(named: "data-label", value: "每月金额"), .text(e.monthlyAmount.yuanText)),
                    .td(.attribute(named: "data-label", value: "状态"), .text(e.status.chinese),
                        .unwrap(e.status == .active ? e.exitEndsOn : nil) { end in .text("（渐退中，\(end.year)年\(end.month)月起停发）") }))
            })))
    }

    /// Each hold with its reason; an open one can be released by the county with a reason of its own.
    static func holdsSection(_ m: Model, csrf: Node<HTML.FormContext>, chrome: Layout.Chrome) -> Node<HTML.BodyContext> {
        let p = m.profile
        return .div(.class("panel"),
            .if(m.holdError != nil, .div(.class("error"), .text(m.holdError ?? ""))),
            .table(.class("stack"),
                .thead(.tr(.th(.text("项目")), .th(.text("对象")), .th(.text("原因")), .th(.text("暂停时间")), .th(.text("状态")))),
                .tbody(.group(m.holds.map { h in
                    .tr(.td(WarningPages.label("项目"), .text(h.program?.chinese ?? "救助")),
                        .td(WarningPages.label("对象"), .text(p.member(Member.ID(h.memberID))?.name ?? "—")),
                        .td(WarningPages.label("原因"), .text(h.reason)),
                        .td(WarningPages.label("暂停时间"), .text(Show.time(h.createdAt))),
                        .td(WarningPages.label("状态"),
                            .if(h.isReleased, .text("已解除（\(chrome.person(h.releasedBy))，\(Show.time(h.releasedAt))）：\(h.releaseReason ?? "")"),
                                else: .if(m.mayReleaseHolds,
                                          .form(.action(SiteURL.paymentHoldRelease(p.household.id, h.id).path), .method(.post), csrf,
                                                .label(.text("解除理由（必填）"), .textarea(.name("reason"), .required(true), .attribute(named: "rows", value: "2"),
                                                                                    .attribute(named: "maxlength", value: "500"))),
                                                .button(.type(.submit), .class("confirm"), .text("解除暂停，恢复发放"))),
                                          else: .text("暂停中（由区县民政审核员核实后解除）")))))
                }))))
    }

    static func factsTable(_ facts: [Fact], _ p: HouseholdProfile) -> Node<HTML.BodyContext> {
        .table(.class("stack facts"),
            .thead(.tr(.th(.text("类别")), .th(.text("成员")), .th(.class("num"), .text("金额")), .th(.text("有效期")),
                       .th(.text("来源")), .th(.text("接收日期")), .th(.text("说明")))),
            .tbody(.group(facts.map { f in
                .tr(.td(.attribute(named: "data-label", value: "类别"), .text(f.kind.chinese)),
                    .td(.attribute(named: "data-label", value: "成员"), .text(p.member(f.memberID)?.name ?? "全户")),
                    .td(.class("num"), .attribute(named: "data-label", value: "金额"),
                        .text(f.amount.map { "\($0.yuanText)\(f.basis.map { " \($0.chinese)" } ?? "")" } ?? "—")),
                    .td(.attribute(named: "data-label", value: "有效期"), .text("\(f.validFrom)\(f.validTo.map { " 至 \($0)" } ?? " 起")")),
                    .td(.attribute(named: "data-label", value: "来源"), .text(f.provenance.department.chinese)),
                    .td(.attribute(named: "data-label", value: "接收日期"), .text(Show.date(f.provenance.receivedAt))),
                    .td(.attribute(named: "data-label", value: "说明"), note(f)))
            })))
    }

    /// Departments that disagree, side by side: every report, which one the means test uses, and why.
    static func conflictsSection(_ conflicts: [FactConflict], _ p: HouseholdProfile) -> Node<HTML.BodyContext> {
        guard !conflicts.isEmpty else { return .empty }
        return .div(.class("panel conflicts"),
            .h3(.text("部门数据不一致（\(conflicts.count) 处）")),
            .group(conflicts.map { c in
                .div(.class("conflict"),
                     .p(.strong(.text("\(p.member(c.memberID)?.name ?? "全户")：\(c.kind.chinese)")),
                        .text(" — 采用\(c.used.chinese)数据。\(c.reason)")),
                     .table(.class("stack side-by-side"),
                         .thead(.tr(.th(.text("来源")), .th(.class("num"), .text("金额")), .th(.text("说明")), .th(.text("有效期")), .th(.text("接收日期")), .th(.text("是否采用")))),
                         .tbody(.group(c.facts.map { f in
                             .tr(.td(.attribute(named: "data-label", value: "来源"), .text(f.provenance.department.chinese)),
                                 .td(.class("num"), .attribute(named: "data-label", value: "金额"), .text(f.amount.map(\.yuanText) ?? "—")),
                                 .td(.attribute(named: "data-label", value: "说明"), note(f)),
                                 .td(.attribute(named: "data-label", value: "有效期"), .text("\(f.validFrom)\(f.validTo.map { " 至 \($0)" } ?? " 起")")),
                                 .td(.attribute(named: "data-label", value: "接收日期"), .text(Show.date(f.provenance.receivedAt))),
                                 .td(.attribute(named: "data-label", value: "是否采用"), .text(f.provenance.department == c.used ? "采用" : "未采用")))
                         }))))
            }))
    }

    static func timeline(_ entries: [TimelineEntry]) -> Node<HTML.BodyContext> {
        guard !entries.isEmpty else { return .p(.class("muted"), .text("暂无事件。")) }
        return .ol(.class("timeline"), .group(entries.map { e in
            .li(.strong(.text(Show.date(e.date))), .text(" "), .text(e.title),
                .if(!e.detail.isEmpty, .span(.class("muted"), .text("：\(e.detail)"))),
                .span(.class("tag"), .text(e.source.chinese)))
        }))
    }
}
