import Foundation

/// A typed identifier: a `Household.ID` can never be passed where a `Member.ID` is wanted.
public struct Identifier<Owner>: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID
    public init(_ rawValue: UUID) { self.rawValue = rawValue }
    public init?(_ text: String) {
        guard let u = UUID(uuidString: text) else { return nil }
        rawValue = u
    }
    public var description: String { rawValue.text(lowercase: true) }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(UUID.self) }
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// 家庭: the unit that applies and is assessed.
public struct Household: Sendable, Codable, Identifiable {
    public typealias ID = Identifier<Household>
    public var id: ID
    /// 户籍地
    public var registeredRegion: RegionCode
    /// 居住地: jurisdiction follows where the household actually lives.
    public var residenceRegion: RegionCode
    public var address: String

    public init(id: ID, registeredRegion: RegionCode, residenceRegion: RegionCode, address: String) {
        self.id = id
        self.registeredRegion = registeredRegion
        self.residenceRegion = residenceRegion
        self.address = address
    }
}

public enum Relation: String, ChineseLabelled {
    case head, spouse, child, childInLaw, grandchild, parent, parentInLaw, grandparent, sibling, other
    public var chinese: String {
        switch self {
        case .head: return "户主"
        case .spouse: return "配偶"
        case .child: return "子女"
        case .childInLaw: return "儿媳/女婿"
        case .grandchild: return "孙子女"
        case .parent: return "父母"
        case .parentInLaw: return "公婆/岳父母"
        case .grandparent: return "祖父母"
        case .sibling: return "兄弟姐妹"
        case .other: return "其他"
        }
    }
}

/// 残疾类别 as the disability certificate records it.
public enum DisabilityCategory: String, ChineseLabelled {
    case visual, hearing, speech, physical, intellectual, mental, multiple
    public var chinese: String {
        switch self {
        case .visual: return "视力残疾"
        case .hearing: return "听力残疾"
        case .speech: return "言语残疾"
        case .physical: return "肢体残疾"
        case .intellectual: return "智力残疾"
        case .mental: return "精神残疾"
        case .multiple: return "多重残疾"
        }
    }
}

public struct Disability: Hashable, Sendable, Codable {
    public var category: DisabilityCategory
    /// 1 (most severe) to 4.
    public var grade: Int

    public init(category: DisabilityCategory, grade: Int) throws(DomainError) {
        guard (1...4).contains(grade) else { throw .invalidData(file: "disability", reason: "残疾等级应为1–4级，实为\(grade)") }
        self.category = category
        self.grade = grade
    }

    public var chinese: String { "\(category.chinese)\(["", "一", "二", "三", "四"][grade])级" }
}

public enum Illness: String, ChineseLabelled {
    /// 慢性病 (hypertension, diabetes, …): ongoing costs.
    case chronic
    /// 重特大疾病 (cancer, uraemia, …): the serious-illness flag the rules care about.
    case serious
    public var chinese: String { self == .chronic ? "慢性病" : "重特大疾病" }
}

public enum WorkCapacity: String, ChineseLabelled {
    case full, partial, none
    public var chinese: String {
        switch self {
        case .full: return "有劳动能力"
        case .partial: return "部分丧失劳动能力"
        case .none: return "无劳动能力"
        }
    }
}

public enum Employment: String, ChineseLabelled {
    case employed, selfEmployed, farming, flexible, unemployed, retired, notInLabourForce
    public var chinese: String {
        switch self {
        case .employed: return "在职"
        case .selfEmployed: return "个体经营"
        case .farming: return "务农"
        case .flexible: return "灵活就业"
        case .unemployed: return "失业"
        case .retired: return "退休"
        case .notInLabourForce: return "非劳动力"
        }
    }
}

public enum Schooling: String, ChineseLabelled {
    case notApplicable, preschool, primary, juniorSecondary, seniorSecondary, vocational, tertiary, droppedOut
    public var chinese: String {
        switch self {
        case .notApplicable: return "—"
        case .preschool: return "学前"
        case .primary: return "小学在读"
        case .juniorSecondary: return "初中在读"
        case .seniorSecondary: return "高中在读"
        case .vocational: return "职校在读"
        case .tertiary: return "大学在读"
        case .droppedOut: return "辍学"
        }
    }
}

/// 共同生活的家庭成员
public struct Member: Sendable, Codable, Identifiable {
    public typealias ID = Identifier<Member>
    public var id: ID
    public var householdID: Household.ID
    public var relation: Relation
    public var nationalID: NationalID
    public var name: String
    public var sex: Sex
    public var birthDate: LocalDate
    public var disability: Disability?
    public var illnesses: [Illness]
    public var workCapacity: WorkCapacity
    public var employment: Employment
    public var schooling: Schooling

    public init(id: ID, householdID: Household.ID, relation: Relation, nationalID: NationalID, name: String,
                sex: Sex, birthDate: LocalDate, disability: Disability?, illnesses: [Illness],
                workCapacity: WorkCapacity, employment: Employment, schooling: Schooling) {
        self.id = id
        self.householdID = householdID
        self.relation = relation
        self.nationalID = nationalID
        self.name = name
        self.sex = sex
        self.birthDate = birthDate
        self.disability = disability
        self.illnesses = illnesses
        self.workCapacity = workCapacity
        self.employment = employment
        self.schooling = schooling
    }

    public var hasSeriousIllness: Bool { illnesses.contains(.serious) }
}

/// The departments that send data (部门), plus civil affairs' own findings.
public enum Department: String, ChineseLabelled {
    case civilAffairs, publicSecurity, humanResources, medicalInsurance, health, disabledFederation,
         education, tax, housing, realEstate, vehicles, marketRegulation, funeral, emergency, bank
    public var chinese: String {
        switch self {
        case .civilAffairs: return "民政"
        case .publicSecurity: return "公安"
        case .humanResources: return "人社"
        case .medicalInsurance: return "医保"
        case .health: return "卫健"
        case .disabledFederation: return "残联"
        case .education: return "教育"
        case .tax: return "税务"
        case .housing: return "住建"
        case .realEstate: return "不动产"
        case .vehicles: return "车管"
        case .marketRegulation: return "市场监管"
        case .funeral: return "殡葬"
        case .emergency: return "应急"
        case .bank: return "银行"
        }
    }
}

public enum FactCategory: String, ChineseLabelled {
    case income, asset, expenditure, event
    public var chinese: String {
        switch self {
        case .income: return "收入"
        case .asset: return "财产"
        case .expenditure: return "刚性支出"
        case .event: return "生活事件"
        }
    }
}

/// What a fact records. Incomes follow the kinds the dibao rules count [DB 13]; assets the kinds
/// they check [DB 14]; events are the life changes that monitoring reacts to.
public enum FactKind: String, ChineseLabelled {
    // income
    case wage, businessIncome, propertyIncome, transferIncome, pension, employeePension, landLossPension, residentPension, unemploymentBenefit,
         otherIncome
    // assets
    case deposit, securities, commercialInsurance, vehicle, realEstate, business
    // rigid expenditure
    case medicalSelfPay, educationCost, disabilityCare
    // life events
    case death, birth, hukouMove, disabilityCertificate, diagnosis, unemploymentRegistered, schoolEnrolment, schoolDropout, disaster,
         assistanceElsewhere
    /// The month's payment verification (by phone or visit) found the money did not arrive, or the payee is not
    /// alive or not living there: recorded by civil affairs itself, and raised as a warning.
    case paymentUnverified

    /// Facts that can mark a person dead or stop or reduce a benefit: a death, moving away, assistance
    /// received elsewhere (a duplicate), income and assets (the dibao means test [DB 13, DB 14]). Such a fact is only applied through an exact ID match
    /// or a link a human has confirmed — never on a probable match alone (#4).
    public var mayStopOrReduceBenefit: Bool {
        switch category {
        case .income, .asset: return true
        case .expenditure: return false
        case .event: return self == .death || self == .hukouMove || self == .assistanceElsewhere
        }
    }

    public var category: FactCategory {
        switch self {
        case .wage, .businessIncome, .propertyIncome, .transferIncome, .pension, .employeePension, .landLossPension, .residentPension,
             .unemploymentBenefit, .otherIncome:
            return .income
        case .deposit, .securities, .commercialInsurance, .vehicle, .realEstate, .business: return .asset
        case .medicalSelfPay, .educationCost, .disabilityCare: return .expenditure
        case .death, .birth, .hukouMove, .disabilityCertificate, .diagnosis, .unemploymentRegistered, .schoolEnrolment, .schoolDropout, .disaster,
             .assistanceElsewhere, .paymentUnverified:
            return .event
        }
    }

    public var chinese: String {
        switch self {
        case .wage: return "工资性收入"
        case .businessIncome: return "经营净收入"
        case .propertyIncome: return "财产净收入"
        case .transferIncome: return "转移净收入"
        case .pension: return "其他养老金"
        case .employeePension: return "职工基本养老金"
        case .landLossPension: return "被征地农民养老保障金"
        case .residentPension: return "城乡居民养老保险养老金"
        case .unemploymentBenefit: return "失业保险金"
        case .otherIncome: return "其他收入"
        case .deposit: return "存款"
        case .securities: return "有价证券"
        case .commercialInsurance: return "商业保险"
        case .vehicle: return "机动车辆"
        case .realEstate: return "房产"
        case .business: return "工商登记"
        case .medicalSelfPay: return "医疗自付费用"
        case .educationCost: return "教育支出"
        case .disabilityCare: return "残疾康复护理支出"
        case .death: return "死亡"
        case .birth: return "出生"
        case .hukouMove: return "户籍迁移"
        case .disabilityCertificate: return "残疾证核发"
        case .diagnosis: return "疾病诊断"
        case .unemploymentRegistered: return "失业登记"
        case .schoolEnrolment: return "入学"
        case .schoolDropout: return "辍学"
        case .disaster: return "受灾"
        case .assistanceElsewhere: return "在其他地区享受救助"
        case .paymentUnverified: return "发放核验未通过"
        }
    }
}

/// What an amount measures: a monthly income, an annual figure, or a stock/one-off total.
public enum AmountBasis: String, ChineseLabelled {
    case perMonth, perYear, total
    public var chinese: String {
        switch self {
        case .perMonth: return "每月"
        case .perYear: return "每年"
        case .total: return "总额"
        }
    }
}

/// Where a fact came from: which department, when we received it, and what it refers to in their data.
public struct Provenance: Hashable, Sendable, Codable {
    public var department: Department
    public var receivedAt: LocalDate
    /// The feed and row, or the document number, in the source's own terms.
    public var reference: String

    public init(department: Department, receivedAt: LocalDate, reference: String) {
        self.department = department
        self.receivedAt = receivedAt
        self.reference = reference
    }
}

/// One thing a department told us about a household or a member, with its source and date.
public struct Fact: Sendable, Codable, Identifiable {
    public typealias ID = Identifier<Fact>
    public var id: ID
    public var householdID: Household.ID
    public var memberID: Member.ID?
    public var kind: FactKind
    public var amount: Cents?
    public var basis: AmountBasis?
    /// When the fact holds (an event's date is `validFrom`).
    public var validFrom: LocalDate
    public var validTo: LocalDate?
    public var provenance: Provenance
    public var note: String

    public init(id: ID, householdID: Household.ID, memberID: Member.ID?, kind: FactKind, amount: Cents?,
                basis: AmountBasis?, validFrom: LocalDate, validTo: LocalDate?, provenance: Provenance, note: String) {
        self.id = id
        self.householdID = householdID
        self.memberID = memberID
        self.kind = kind
        self.amount = amount
        self.basis = basis
        self.validFrom = validFrom
        self.validTo = validTo
        self.provenance = provenance
        self.note = note
    }
}

/// 救助项目, named as in the glossary.
public enum Program: String, ChineseLabelled {
    case dibao, tekun, nearDibao, expenditureHardship, temporary, medical, education, housing, employment,
         disabilityLiving, disabilityCare, orphan, unsupportedChild, disaster, service
    public var chinese: String {
        switch self {
        case .dibao: return "最低生活保障"
        case .tekun: return "特困人员救助供养"
        case .nearDibao: return "低保边缘家庭"
        case .expenditureHardship: return "刚性支出困难家庭"
        case .temporary: return "临时救助"
        case .medical: return "医疗救助"
        case .education: return "教育救助"
        case .housing: return "住房救助"
        case .employment: return "就业救助"
        case .disabilityLiving: return "困难残疾人生活补贴"
        case .disabilityCare: return "重度残疾人护理补贴"
        case .orphan: return "孤儿基本生活费"
        case .unsupportedChild: return "事实无人抚养儿童"
        case .disaster: return "受灾人员救助"
        case .service: return "服务类社会救助"
        }
    }

    /// Short label for charts.
    public var short: String {
        switch self {
        case .dibao: return "低保"
        case .tekun: return "特困"
        case .nearDibao: return "低边"
        case .expenditureHardship: return "支出型"
        case .temporary: return "临时"
        case .medical: return "医疗"
        case .education: return "教育"
        case .housing: return "住房"
        case .employment: return "就业"
        case .disabilityLiving: return "残疾生活"
        case .disabilityCare: return "残疾护理"
        case .orphan: return "孤儿"
        case .unsupportedChild: return "无人抚养"
        case .disaster: return "受灾"
        case .service: return "服务类"
        }
    }
}

public enum EnrolmentStatus: String, ChineseLabelled {
    case active, suspended, ended
    public var chinese: String {
        switch self {
        case .active: return "在保"
        case .suspended: return "暂停"
        case .ended: return "已停保"
        }
    }
}

/// A household's (or one member's) place in a program.
public struct Enrolment: Sendable, Codable, Identifiable {
    public typealias ID = Identifier<Enrolment>
    public var id: ID
    public var householdID: Household.ID
    /// Set for programs paid to one person (tekun, individual inclusion, disability subsidies).
    public var memberID: Member.ID?
    public var program: Program
    public var since: LocalDate
    public var monthlyAmount: Cents
    public var status: EnrolmentStatus
    /// When the status last changed (e.g. the day the enrolment ended); nil if it never has.
    public var statusChangedOn: LocalDate?
    /// In gradual exit (渐退): the first day no longer paid; it stops by itself then [DB 33].
    public var exitEndsOn: LocalDate?

    public init(id: ID, householdID: Household.ID, memberID: Member.ID?, program: Program, since: LocalDate,
                monthlyAmount: Cents, status: EnrolmentStatus, statusChangedOn: LocalDate? = nil, exitEndsOn: LocalDate? = nil) {
        self.statusChangedOn = statusChangedOn
        self.exitEndsOn = exitEndsOn
        self.id = id
        self.householdID = householdID
        self.memberID = memberID
        self.program = program
        self.since = since
        self.monthlyAmount = monthlyAmount
        self.status = status
    }
}
