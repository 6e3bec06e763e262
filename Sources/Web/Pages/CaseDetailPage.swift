import Domain
import Foundation
import Plot
import Store
import Vapor

/// One case: where it stands against its deadlines, its steps, the form for the step the reader holds (kept as
/// typed when refused), the decision, and everything done on it.
enum CaseDetailPage {
    /// The fields every step's form may send; `action` names the step taken, `version` the version read.
    struct ActionForm: Content, Sendable {
        var action: String?
        var version: Int?
        var reason: String?
        var consistent: String?
        var note: String?
        var investigators: String?
        var findings: String?
        var recommend: String?
        var opinion: String?
        var text: String?
        var participants: String?
        var result: String?
        var amount: String?
        /// The API sends money as integer cents.
        var amountCents: Int64?
        var reasons: String?
        var articles: String?
        /// Help first: who receives the grant.
        var payee: String?
        /// One-time materials notice: catalogue items ticked (`materials[name]=on`) and others, one per line.
        var materials: [String: String]?
        var otherMaterials: String?
        /// Commitment: each adult's signature (`signature[name]=paper|scanned`; absent or empty: not signed) and scan reference.
        var signature: [String: String]?
        var scan: [String: String]?
        /// Verification report: the declared amount of each department item by position, in yuan (`declaredCents` from the API).
        var declared: [String: String]?
        var declaredCents: [String: Int64]?
        /// Home visit: members at home (`present[name]=on`), the home, what was seen, the six activities (tekun).
        var present: [String: String]?
        var housing: String?
        var living: String?
        var assetsSeen: String?
        var selfCare: String?
        var unable: [String: String]?
        var householdSigner: String?
        var investigatorsSigned: String?

        typealias Invalid = FormInvalid

        static func names(_ s: String?) -> [String] {
            (s ?? "").split(whereSeparator: { ",，、;；\n".contains($0) || $0.isWhitespace }).map(String.init)
        }

        static func ticked(_ d: [String: String]?) -> [String] {
            (d ?? [:]).filter { ["on", "true", "1", "yes"].contains($0.value) }.map(\.key).sorted()
        }

        static func yuan(_ t: String, field: String) throws -> Int64 {
            do {
                let c = try Cents(yuan: t)
                guard c.value >= 0 else { throw Invalid(message: "\(field)不能为负数") }
                return c.value
            } catch let e as DomainError { throw Invalid(message: "\(field)「\(t)」无效：\(e.chinese)") }
        }

        /// The step this form asks for, in the workflow's terms; `household` is the case's record of the household, from
        /// which the verification report's items come.
        func caseAction(household: AssessmentRequest? = nil) throws -> CaseAction {
            switch action ?? "" {
            case "accept": return .accept
            case "refuseApplication": return .refuseApplication(reason: reason ?? "")
            case "requestMaterials":
                let others = (otherMaterials ?? "").split(whereSeparator: \.isNewline).map(String.init)
                return .requestMaterials(MaterialsNotice(items: Self.ticked(materials) + others))
            case "recordCommitment":
                return .recordCommitment(CommitmentRecord(signatures: (signature ?? [:]).sorted { $0.key < $1.key }.compactMap { name, how in
                    SignatureForm(rawValue: how).map { CommitmentSignature(name: name, form: $0, scan: scan?[name].flatMap { $0.isEmpty ? nil : $0 }) }
                }))
            case "recordVerification":
                let items = household.map(EconomicCheckReport.departmentItems) ?? []
                var amounts: [Int: Int64] = [:]
                for (i, item) in items.enumerated() {
                    if let c = declaredCents?[String(i)] { amounts[i] = c; continue }
                    let t = (declared?[String(i)] ?? "").trimmingCharacters(in: .whitespaces)
                    if !t.isEmpty { amounts[i] = try Self.yuan(t, field: "\(item.member ?? "")\(item.item)的申报金额") }
                }
                return .recordVerification(household.map { EconomicCheckReport.report($0, declared: amounts, note: note ?? "") }
                                           ?? EconomicCheckReport(items: [], note: note ?? ""))
            case "recordVisit":
                guard let h = housing.flatMap(HousingCondition.init(rawValue:)) else { throw Invalid(message: "请选择住房状况") }
                return .recordVisit(HomeVisitForm(investigators: Self.names(investigators), present: Self.ticked(present), housing: h,
                                                  living: living ?? findings ?? "", assetsSeen: assetsSeen ?? "",
                                                  unableActivities: selfCare == "assessed" ? Self.ticked(unable).compactMap(DailyActivity.init(rawValue:)) : nil,
                                                  householdSigner: householdSigner ?? "", investigatorsSigned: ["on", "true", "yes"].contains(investigatorsSigned ?? "")))
            case "firstReview": return .firstReview(recommend: recommend != "no", opinion: opinion ?? "")
            case "postNotice": return .postNotice
            case "recordObjection": return .recordObjection(text: text ?? "")
            case "recordHearing": return .recordHearing(participants: Self.names(participants), result: result ?? "")
            case "closeNotice": return .closeNotice
            case "approve":
                if let amountCents { return .approve(amountCents: amountCents, payee: payee) }
                let t = (amount ?? "").trimmingCharacters(in: .whitespaces)
                guard !t.isEmpty else { throw Invalid(message: "请填写批准的金额（元）") }
                return .approve(amountCents: try Self.yuan(t, field: "金额"), payee: payee)
            case "completePaperwork": return .completePaperwork(note: note ?? "")
            case "refuse":
                return .refuse(reasons: (reasons ?? "").split(whereSeparator: { $0 == "\n" }).map(String.init), articles: Self.names(articles))
            case "extend": return .extend(reason: reason ?? "")
            case "withdraw": return .withdraw(reason: reason ?? "")
            case "recordSpotCheck": return .recordSpotCheck(findings: findings ?? "")
            default: throw Invalid(message: "未知的操作")
            }
        }
    }

    static func view(chrome: Layout.Chrome, d: CaseDetail, today: LocalDate, regionNames: [String: String], suggestedAmount: Cents?,
                     mayOpenHousehold: Bool, notice: String?, error: String?, typed: ActionForm?, statusURL: String, fundBalance: Cents? = nil) -> HTML {
        let s = d.summary
        let c = d.clock
        return Layout.page("申请 \(s.code)", chrome,
            .h1(.text("\(s.kind.chinese)申请 "), .span(.class("muted"), .text(s.code))),
            .p(.class("actions"), Layout.printButton("打印"),
               .if(s.step == .publicNotice && d.state.noticeFrom != nil,
                   .a(.class("button"), .href(SiteURL.notices(region: s.residenceRegion).path), .text("居住社区公示栏"))),
               // No programme fits a hardship the case found (the calculator may say so): put it to deliberation [LS; JC].
               .if(s.status != .approved && DeliberationPages.mayOpen(chrome),
                   .a(.class("button"), .href(SiteURL.deliberationNew(household: s.householdID, caseID: s.id).path), .text("提请一事一议")))),
            .unwrap(notice) { .div(.class("notice"), .attribute(named: "role", value: "status"), .text($0)) },
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .if(d.minimal, .p(.class("notice"), .text("本单位在此申请中没有办理环节，仅供知悉。按履职所需，不显示："
                + RegistrationPlaceView.withheld.joined(separator: "、") + "。"))),
            .div(.class("panel"), .dl(.class("kv"),
                .dt(.text("状态")), .dd(.text(s.status.chinese), .unwrap(s.step) { .text("：\($0.chinese)") }),
                .dt(.text("申请人")), .dd(mayOpenHousehold ? .a(.href(SiteURL.household(Household.ID(s.householdID)).path), .text(s.applicantName)) : .text(s.applicantName)),
                .dt(.text("渠道")), .dd(.text(s.channel.chinese)),
                .dt(.text("居住地")), .dd(Show.region(s.residenceRegion, name: regionNames[s.residenceRegion])),
                .dt(.text("户籍地")), .dd(Show.region(s.registeredRegion, name: regionNames[s.registeredRegion]),
                                       .if(d.state.crossesTownships, .span(.class("tag"), .text("一城通办：居住地受理、入户，户籍地初审、公示")))),
                .unwrap(s.emergencyRegion) { e in
                    .group(.dt(.text("急难发生地")), .dd(Show.region(e, name: regionNames[e]),
                                                      .if(!e.hasPrefix(String(s.residenceRegion.prefix(9))), .span(.class("tag"), .text("急难发生地先行救助，不受户籍、居住地限制")))))
                },
                .dt(.text("申请日期")), .dd(.text(Show.date(s.appliedOn))),
                .dt(.text("受理日期")), .dd(.text(s.acceptedOn.map(Show.date) ?? "尚未受理")),
                .if(d.state.staffRelative, .group(.dt(.text("特别情形")), .dd(.text("经办人员近亲属：县级民政部门入户调查 [DB 11, 20]")))))),
            // The applicant's receipt: the case code and the address of the status page (码上查), to print and hand over.
            .div(.class("panel receipt"),
                .h3(.text("申请回执")),
                .p(.text("案号 "), .strong(.text(s.code)), .text("。凭下方地址可随时查询办理进度（不显示个人信息）：")),
                .raw((try? QRCode(statusURL).svg(scale: 3, label: "申请进度查询二维码")) ?? ""),
                .p(.class("status-link"), .text(statusURL))),
            .h2(.text("办理期限")),
            .div(.class("panel clock"), .dl(.class("kv"),
                .dt(.text("当前环节期限")), .dd(CasePages.due(c.stepDue?.date, provisional: c.stepDue?.provisional ?? false, late: c.stepOverdue)),
                .dt(.text("办结期限（\(CaseClock.limitDays(d.state, d.process))个工作日）")),
                .dd(CasePages.due(c.processDue?.date, provisional: c.processDue?.provisional ?? false, late: c.processOverdue)),
                .unwrap(c.noticeUntil) { .group(.dt(.text("公示期满")), .dd(.text(Show.date($0)))) },
                .unwrap(c.workingDaysTaken) { .group(.dt(.text("已用工作日")), .dd(.text("\($0) 天"))) },
                .unwrap(d.state.extensionReason) { .group(.dt(.text("延长理由")), .dd(.text($0))) })),
            .h2(.text("办理环节")),
            .div(.class("panel"), .ol(.class("steps"), .group(d.process.steps.map { rule in
                .li(.class(rule.step == s.step ? "current" : ""),
                    .strong(.text(rule.step.chinese)), .text("（\(rule.place.chinese)"
                        + (rule.step == .decision && d.process.delegation != nil ? "；审批额度内由\(d.process.delegation!.place.chinese)审批" : "") + "）"),
                    .unwrap(d.state.done[rule.step]) { .span(.class("muted"), .text(" 已办 \(Show.date($0))")) },
                    .if(rule.step == s.step, .span(.class("tag"), .text("当前"))),
                    .span(.class("muted"), .text(" [\(rule.article)]")))
            }))),
            CaseRecordViews.records(d),
            .unwrap(s.decision) { dec in .group(decision(dec), .p(.class("actions"), .a(.class("button"), .href(SiteURL.caseDecisionNotice(s.id).path), .text("打印决定书")))) },
            .if(d.isTask, .group(.h2(.text("办理：\(s.step?.chinese ?? "")")), stepForm(chrome: chrome, d: d, today: today, suggestedAmount: suggestedAmount, typed: typed, fundBalance: fundBalance))),
            .if(s.status == .open && (d.isTask || chrome.user?.role == .countyReviewer), otherActions(chrome: chrome, d: d, typed: typed)),
            .h2(.text("办理记录")),
            .div(.class("panel"), .table(.class("stack"),
                .thead(.tr(.th(.text("时间")), .th(.text("经办")), .th(.text("操作")), .th(.text("说明")))),
                .tbody(.group(d.events.map { e in
                    // The day the step counts from (a step recorded later for an earlier day shows that day).
                    .tr(.td(CasePages.label("时间"), .text(LocalDate(e.at, timeZone: .china) == e.onDay ? Show.time(e.at) : Show.date(e.onDay))),
                        .td(CasePages.label("经办"), .text(chrome.person(e.username))),
                        .td(CasePages.label("操作"), .text(CaseActionKind.chinese(e.action))), .td(CasePages.label("说明"), .text(e.note)))
                })))))
    }

    /// The calculator's answer for this case's programme, in one line, from the assessment kept with the case.
    static func assessed(_ d: CaseDetail) -> String? {
        guard let json = d.assessment, let a = try? JSONDecoder().decode(Assessment.self, from: Data(json.utf8)) else { return nil }
        let program = d.process.program
        guard let dec = a.decisions.first(where: { $0.program == program && (program != .tekun || $0.member == d.summary.memberID?.description) }) else {
            return "\(program.chinese)：未作判断"
        }
        let amount = dec.outcome == .doesNotQualify || dec.amountKind == .none ? "" : "，\(dec.amount.yuanText)\(dec.amountKind == .perMonth ? "/月" : "")"
        return "\(program.chinese)：\(dec.outcome.chinese)\(amount)（\(dec.summary)）"
    }

    static func decision(_ d: CaseDecision) -> Node<HTML.BodyContext> {
        .div(.class("panel decision \(d.approved ? "qualifies" : "doesNotQualify")"),
            .h3(.span(.class("tag outcome-\(d.approved ? "qualifies" : "doesNotQualify")"), .text(d.approved ? "已批准" : "不予批准")),
                .if(d.approved, .strong(.class("amount"), .text(" \(Cents(d.amountCents).yuanText)")))),
            .unwrap(d.startsOn) { .p(.text("自 \(Show.date($0)) 起享受")) },
            .if(!d.reasons.isEmpty, .ul(.group(d.reasons.map { .li(.text($0)) }))),
            .p(.class("muted"), .text("依据：\(d.articles.joined(separator: "、"))；\(Show.date(d.on)) 决定")))
    }

    static func hidden(_ action: String, _ d: CaseDetail) -> Node<HTML.FormContext> {
        .group(.input(.type(.hidden), .name("action"), .value(action)), .input(.type(.hidden), .name("version"), .value("\(d.summary.version)")))
    }

    static func area(_ name: String, _ label: String, _ value: String?) -> Node<HTML.FormContext> {
        .label(.text(label), .textarea(.name(name), .attribute(named: "rows", value: "3"), .text(value ?? "")))
    }

    static func field(_ name: String, _ label: String, _ value: String?, placeholder: String = "") -> Node<HTML.FormContext> {
        .label(.text(label), .input(.type(.text), .name(name), .value(Layout.attr(value ?? "")), .placeholder(placeholder)))
    }

    static func form(_ chrome: Layout.Chrome, _ d: CaseDetail, _ action: String, _ button: String, _ fields: Node<HTML.FormContext>...) -> Node<HTML.BodyContext> {
        .form(.class("panel"), .method(.post), .action(SiteURL.caseActions(d.summary.id).path),
              Layout.csrfField(chrome), hidden(action, d), .group(fields), .button(.type(.submit), .text(button)))
    }

    /// The form for the step the reader holds; what they typed comes back when a submission was refused.
    static func stepForm(chrome: Layout.Chrome, d: CaseDetail, today: LocalDate, suggestedAmount: Cents?, typed t: ActionForm?,
                         fundBalance: Cents?) -> Node<HTML.BodyContext> {
        // Help first: after the grant, the paperwork is the task [LS; ZX 48].
        if d.state.paperworkPending {
            return form(chrome, d, "completePaperwork", "补办完成",
                        .p(.class("muted"), .text("先行救助已发放，请在 \(Show.date(d.state.paperworkDueOn)) 前补办家庭经济状况核对、调查等审核手续。")),
                        area("note", "补办情况（核对、调查、材料）", t?.note))
        }
        switch d.summary.step {
        case .acceptance?:
            return .group(form(chrome, d, "accept", "受理"),
                          CaseRecordViews.materialsForm(chrome, d, typed: t),
                          form(chrome, d, "refuseApplication", "不予受理", area("reason", "不予受理的理由（将书面告知申请人）", t?.reason)))
        case .commitment?:
            return CaseRecordViews.commitmentForm(chrome, d, typed: t)
        case .verification?:
            return CaseRecordViews.verificationForm(chrome, d, typed: t)
        case .homeVisit?:
            return CaseRecordViews.visitForm(chrome, d, typed: t)
        case .firstReview?:
            return form(chrome, d, "firstReview", "提交初审意见",
                        .unwrap(assessed(d)) { line in .p(.class("notice"), .text("政策计算器（按本案登记的家庭情况、今日标准）：\(line)。提交后随初审意见存档。")) },
                        .label(.text("意见"), .select(.attribute(named: "name", value: "recommend"),
                                                    Layout.option("yes", "建议批准（进入公示）", selected: t?.recommend != "no"),
                                                    Layout.option("no", "建议不予批准", selected: t?.recommend == "no"))),
                        area("opinion", "初审意见", t?.opinion))
        case .publicNotice?:
            if d.state.noticeFrom == nil { return form(chrome, d, "postNotice", "张贴公示（\(d.process.rule(.publicNotice)?.noticeDays ?? 7)天）") }
            if d.state.objectionPending {
                return form(chrome, d, "recordHearing", "登记民主评议结果",
                            field("participants", "参加人员（用顿号分隔）", t?.participants), area("result", "评议结果", t?.result))
            }
            return .group(form(chrome, d, "closeNotice", "公示期满，提交审核确认"),
                          form(chrome, d, "recordObjection", "登记异议", area("text", "异议内容", t?.text)))
        case .decision?:
            return .group(
                // Tekun: the county checks a share of the township's cases itself before deciding [TK 15–18].
                .unwrap(d.process.spotCheck) { sc in
                    d.state.spotChecked ? .p(.class("muted"), .text("本案已由县级民政部门抽查。"))
                        : form(chrome, d, "recordSpotCheck", "登记县级抽查",
                               .p(.class("muted"), .text("县级民政部门对特困申请的抽查比例不低于 \(sc.percent)%（\(sc.article)）。抽查的，登记抽查情况后再作决定。")),
                               area("findings", "抽查情况（入户或电话核实、查阅材料等）", t?.findings))
                },
                form(chrome, d, "approve", d.process.fastTrack == nil ? "批准" : "先行救助，批准发放",
                     .unwrap(d.process.fastTrack) { _ in
                         .p(.class("muted"), .text("先行救助：乡镇（街道）在审批额度\(d.context.delegationLimit.map { " \($0.yuanText) " } ?? "")内直接批准，"
                                                   + "从备用金支出\(fundBalance.map { "（当前余额 \($0.yuanText)）" } ?? "")，事后补办审核手续。"))
                     },
                     field("amount", "批准金额（元" + (d.summary.kind == .temporaryEmergency || d.summary.kind == .temporaryExpenditure ? "，一次性）" : "/月）"),
                           t?.amount ?? suggestedAmount.map { String(format: "%.2f", Double($0.value) / 100) }),
                     .if(d.process.fastTrack != nil, field("payee", "领款人", t?.payee ?? d.summary.applicantName))),
                form(chrome, d, "refuse", "不予批准",
                     area("reasons", "不予批准的书面理由（每行一条）", t?.reasons), field("articles", "所依据的条款", t?.articles, placeholder: "如：DB 13、DB 14")))
        case nil:
            return .text("")
        }
    }

    static func otherActions(chrome: Layout.Chrome, d: CaseDetail, typed t: ActionForm?) -> Node<HTML.BodyContext> {
        Layout.foldable("case-other", label: "其他操作",
            .group(
                .if(d.state.extensionReason == nil && d.state.acceptedOn != nil && chrome.user?.role == .countyReviewer,
                    form(chrome, d, "extend", "延长至\(d.process.limit.extendedWorkingDays)个工作日", area("reason", "延长理由", t?.action == "extend" ? t?.reason : nil))),
                form(chrome, d, "withdraw", "撤回申请", area("reason", "撤回原因（申请人主动撤回等）", t?.action == "withdraw" ? t?.reason : nil))))
    }
}
