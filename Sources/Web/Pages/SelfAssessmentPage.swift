import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 自助评估: a resident describes their household and sees what help they may get, why, and where to
/// apply. No login. Nothing entered is stored or logged: the form is posted, assessed in memory and
/// answered; the "share" link carries the answers in the URL fragment, which browsers never send.
enum SelfAssessmentPage {
    static let memberSlots = 6

    /// The form as posted: flat fields, `m0_relation`, `m0_birth`, … for up to six people.
    struct Form {
        var fields: [String: String]

        func text(_ k: String) -> String { (fields[k] ?? "").trimmingCharacters(in: .whitespaces) }

        func yuan(_ k: String, _ label: String) throws -> Int64 {
            let t = text(k)
            guard !t.isEmpty else { return 0 }
            do {
                let c = try Cents(yuan: t)
                guard c.value >= 0 else { throw SelfAssessmentError(field: label, reason: "不能为负数") }
                return c.value
            } catch let e as DomainError {
                throw SelfAssessmentError(field: label, reason: e.chinese)
            }
        }

        /// The interchange request this form describes. Errors name the field in words a resident understands.
        func request(date: LocalDate, districts: [Region]) throws -> AssessmentRequest {
            guard let district = districts.first(where: { $0.code.value == text("district") }) else {
                throw SelfAssessmentError(field: "居住地", reason: "请选择居住的区")
            }
            var members: [MemberInput] = []
            var incomes: [IncomeInput] = []
            var expenditures: [ExpenditureInput] = []
            for i in 0..<SelfAssessmentPage.memberSlots {
                let p = "m\(i)_"
                let birthText = text(p + "birth")
                guard !birthText.isEmpty else { continue }
                let who = "第\(i + 1)位成员"
                let birth: LocalDate
                do { birth = try LocalDate(birthText) } catch { throw SelfAssessmentError(field: "\(who)的出生日期", reason: error.chinese) }
                let id = "m\(i + 1)"
                var disability: DisabilityInput?
                if let cat = DisabilityCategory(rawValue: text(p + "disability")), let grade = Int(text(p + "grade")), (1...4).contains(grade) {
                    disability = DisabilityInput(category: cat, grade: grade)
                }
                let relation = Relation(rawValue: text(p + "relation")) ?? (members.isEmpty ? .head : .other)
                members.append(MemberInput(
                    id: id, name: members.isEmpty ? "申请人" : "\(relation.chinese)（\(who)）", relation: relation, birthDate: birth,
                    disability: disability, seriousIllness: text(p + "ill") == "on", employment: Employment(rawValue: text(p + "work")),
                    schooling: text(p + "school") == "on" ? .primary : nil,
                    selfCareUnableActivities: Int(text(p + "selfcare")),
                    legalSupporter: SupporterStatus(rawValue: text(p + "supporter")),
                    parents: ParentsStatus(rawValue: text(p + "parents"))))
                let income = try yuan(p + "income", "\(who)的月收入")
                if income > 0 {
                    incomes.append(IncomeInput(member: id, kind: IncomeKind(rawValue: text(p + "incomeKind")) ?? .wage, amountCents: income, basis: .perMonth))
                }
                let medical = try yuan(p + "medical", "\(who)的医疗自付费用")
                if medical > 0 { expenditures.append(ExpenditureInput(member: id, kind: .medicalSelfPay, amountCents: medical)) }
            }
            guard !members.isEmpty else { throw SelfAssessmentError(field: "家庭成员", reason: "请至少填写一位成员的出生日期") }
            var assets: [AssetInput] = []
            let deposits = try yuan("deposits", "存款等金融资产")
            if deposits > 0 { assets.append(AssetInput(kind: .deposit, amountCents: deposits)) }
            switch text("vehicle") {
            case "car": assets.append(AssetInput(kind: .vehicle, amountCents: try yuan("vehicleValue", "车辆价值")))
            case "disabled": assets.append(AssetInput(kind: .vehicle, amountCents: try yuan("vehicleValue", "车辆价值"), forDisabledMember: true))
            default: break
            }
            if let homes = Int(text("homes")), homes > 0 { assets.append(AssetInput(kind: .realEstate, amountCents: 0, count: homes)) }
            let education = try yuan("education", "教育费用")
            if education > 0 { expenditures.append(ExpenditureInput(kind: .educationCost, amountCents: education)) }
            var emergency: EmergencyInput?
            if let kind = EmergencyKind(rawValue: text("emergency")) {
                emergency = EmergencyInput(kind: kind, occurredOn: date, spendingCents: try yuan("emergencySpending", "急难支出"))
            }
            return AssessmentRequest(date: date, region: district.code, members: members, incomes: incomes, assets: assets,
                                     expenditures: expenditures, emergency: emergency, housing: HousingCondition(rawValue: text("housing")))
        }
    }

    struct SelfAssessmentError: Error {
        var field: String
        var reason: String
        var message: String { "「\(field)」\(reason)" }
    }

    static func districts(_ req: Request) async throws -> [Region] {
        let city = try await req.config.city(in: req.db)
        let reference = try RegionReference.bundled()
        return reference.children(of: city)
    }

    // MARK: view

    static func view(districts: [Region], form: Form?, result: Assessment?, request: AssessmentRequest?, error: String?) -> HTML {
        Layout.page("自助评估", .init(user: nil, jurisdictionName: nil, csrf: nil, section: .none),
            .h1(.text("救助政策自助评估")),
            .p(.class("notice"), .text("填写家庭情况，看看可能符合哪些救助。本页不需要登录，您填写的内容不会被保存或记录。结果仅供参考，以居住地乡镇（街道）审核为准。")),
            .p(.class("actions"), .a(.href(SiteURL.helpRequests.path), .text("不会填？在线求助，由工作人员联系您（码上办）"))),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .unwrap(result) { a in
                .div(.class("result"),
                     .h2(.text("评估结果")),
                     AssessmentView.section(a, members: request?.members ?? [], explain: true),
                     .div(.class("panel"),
                          .h3(.text("到哪里申请")),
                          .p(.text("请携带户口簿、身份证，到居住地所在的乡镇人民政府（街道办事处）社会救助服务窗口提出申请；也可以请社区（村）协理员代为申请。急难情况可先行救助。"))),
                     .p(.class("actions"),
                        .button(.type(.button), .class("print"), .attribute(named: "data-action", value: "print"), .text("打印结果")),
                        .text(" "),
                        .button(.type(.button), .class("share"), .attribute(named: "data-action", value: "share"), .text("复制可分享的填写链接"))),
                     .p(.class("muted share-note"), .text("分享链接把填写内容放在网址“#”之后，只在浏览器内使用，不会发送到服务器。")))
            },
            formNode(districts: districts, form: form),
            .empty
        )
    }

    static func formNode(districts: [Region], form: Form?) -> Node<HTML.BodyContext> {
        func v(_ k: String) -> String { form?.text(k) ?? "" }
        func select<C: HTML.BodyContext>(_ name: String, _ options: [(String, String)], label: String) -> Node<C> {
            .label(.text(label),
                   .select(.attribute(named: "name", value: name), .group(options.map { value, text in
                       .element(named: "option", nodes: [.attribute(named: "value", value: value, ignoreIfValueIsEmpty: false), .text(text),
                                                          v(name) == value ? .attribute(named: "selected", value: "selected") : .empty])
                   })))
        }
        func input<C: HTML.BodyContext>(_ name: String, label: String, type: HTMLInputType = .text, placeholder: String = "") -> Node<C> {
            .label(.text(label), .input(.type(type), .name(name), .value(Layout.attr(v(name))), .placeholder(placeholder)))
        }
        func checkbox<C: HTML.BodyContext>(_ name: String, label: String) -> Node<C> {
            .label(.class("check"), .input(.type(.checkbox), .name(name), .checked(v(name) == "on")), .text(label))
        }
        let relations: [(String, String)] = Relation.allCases.map { ($0.rawValue, $0.chinese) }
        let disabilities: [(String, String)] = [("", "无")] + DisabilityCategory.allCases.map { ($0.rawValue, $0.chinese) }
        let grades: [(String, String)] = [("", "—"), ("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")]
        let work: [(String, String)] = [("", "—")] + Employment.allCases.map { ($0.rawValue, $0.chinese) }
        let incomeKinds: [(String, String)] = [IncomeKind.wage, .employeePension, .residentPension, .landLossPension, .pension, .businessIncome, .unemploymentBenefit, .otherIncome].map { ($0.rawValue, $0.chinese) }
        return .form(.class("self-assessment"), .action(SiteURL.selfAssessment.path), .method(.post),
            .div(.class("panel"),
                 .h2(.text("居住地")),
                 select("district", [("", "请选择区")] + districts.map { ($0.code.value, $0.name) }, label: "居住的区")),
            .group((0..<memberSlots).map { i in
                let p = "m\(i)_"
                return .element(named: "fieldset", nodes: [
                    .class("panel member"),
                    .element(named: "legend", text: i == 0 ? "申请人" : "家庭成员 \(i + 1)（不填出生日期则忽略）"),
                    .if(i > 0, select(p + "relation", relations.filter { $0.0 != Relation.head.rawValue }, label: "与申请人关系")),
                    input(p + "birth", label: "出生日期", type: .date),
                    select(p + "disability", disabilities, label: "残疾类别"),
                    select(p + "grade", grades, label: "残疾等级"),
                    checkbox(p + "ill", label: "患重特大疾病"),
                    select(p + "work", work, label: "就业情况"),
                    checkbox(p + "school", label: "在校读书"),
                    input(p + "income", label: "每月收入（元）", placeholder: "0"),
                    select(p + "incomeKind", incomeKinds, label: "收入类型"),
                    input(p + "medical", label: "近12个月医疗自付（元）", placeholder: "0"),
                    .element(named: "details", nodes: [
                        .element(named: "summary", text: "老人、残疾人、儿童的更多情况"),
                        select(p + "selfcare", [("", "未评估")] + (0...6).map { ("\($0)", "\($0)项") }, label: "吃饭、穿衣、上下床、如厕、室内行走、洗澡中做不到的项数"),
                        select(p + "supporter", [("", "有子女或其他赡养人")] + [SupporterStatus.nobody, .unable].map { ($0.rawValue, $0.chinese) }, label: "赡养、抚养人"),
                        select(p + "parents", [("", "父母健在并能抚养")] + [ParentsStatus.bothDeceasedOrMissing, .unableToSupport].map { ($0.rawValue, $0.chinese) }, label: "（儿童）父母情况"),
                    ]),
                ])
            }),
            .div(.class("panel"),
                 .h2(.text("家庭财产与支出")),
                 input("deposits", label: "存款、理财等合计（元）", placeholder: "0"),
                 select("vehicle", [("", "没有汽车"), ("car", "有汽车"), ("disabled", "有残疾人代步车")], label: "机动车"),
                 input("vehicleValue", label: "车辆价值（元）", placeholder: "0"),
                 select("homes", [("0", "没有"), ("1", "1套"), ("2", "2套"), ("3", "3套及以上")], label: "房产"),
                 select("housing", [("", "不确定")] + HousingCondition.allCases.map { ($0.rawValue, $0.chinese) }, label: "现住房状况"),
                 input("education", label: "近12个月教育费用（元）", placeholder: "0"),
                 select("emergency", [("", "没有")] + EmergencyKind.allCases.map { ($0.rawValue, $0.chinese) }, label: "最近是否遭遇急难"),
                 input("emergencySpending", label: "急难造成的支出（元）", placeholder: "0")),
            .button(.type(.submit), .text("开始评估")))
    }
}
