import Foundation

/// The household interchange format that `jiuzhu assess`, `POST /api/v1/assessments` and the
/// self-assessment page all read (documented in docs/assessment-format.md). Money is integer cents.
public struct AssessmentRequest: Codable, Sendable, Equatable {
    /// The day the rules are applied on.
    public var date: LocalDate
    /// Where the household lives: its rules and standards are that place's.
    public var region: RegionCode
    public var members: [MemberInput]
    public var incomes: [IncomeInput]?
    public var assets: [AssetInput]?
    public var expenditures: [ExpenditureInput]?
    /// Programs the household is in now (needed for gradual exit).
    public var enrolments: [CurrentEnrolment]?
    /// A sudden crisis, for temporary assistance.
    public var emergency: EmergencyInput?

    public init(date: LocalDate, region: RegionCode, members: [MemberInput], incomes: [IncomeInput]? = nil, assets: [AssetInput]? = nil,
                expenditures: [ExpenditureInput]? = nil, enrolments: [CurrentEnrolment]? = nil, emergency: EmergencyInput? = nil) {
        self.date = date
        self.region = region
        self.members = members
        self.incomes = incomes
        self.assets = assets
        self.expenditures = expenditures
        self.enrolments = enrolments
        self.emergency = emergency
    }
}

/// Whether a member counts as living in the household [DB 7].
public enum MemberStatus: String, ChineseLabelled {
    case present, deceased, prison, drugRehabilitation, missing, clergyApart
    public var chinese: String {
        switch self {
        case .present: return "共同生活"
        case .deceased: return "已死亡"
        case .prison: return "服刑"
        case .drugRehabilitation: return "强制隔离戒毒"
        case .missing: return "宣告失踪"
        case .clergyApart: return "出家3年以上"
        }
    }
}

/// A legal supporter's situation, for tekun's third condition [TK 4, 8].
public enum SupporterStatus: String, ChineseLabelled {
    // Not `none`: that would be read as Optional.none wherever the status is optional.
    case nobody = "none", unable, able
    public var chinese: String {
        switch self {
        case .nobody: return "无法定赡养、抚养、扶养义务人"
        case .unable: return "义务人无履行能力"
        case .able: return "义务人有履行能力"
        }
    }
}

/// A child's parents, for the orphan and de-facto unsupported child programmes.
public enum ParentsStatus: String, ChineseLabelled {
    case present, bothDeceasedOrMissing, unableToSupport
    public var chinese: String {
        switch self {
        case .present: return "父母能履行抚养义务"
        case .bothDeceasedOrMissing: return "父母双方均死亡或宣告失踪"
        case .unableToSupport: return "父母无力抚养（重残、重病、服刑、失联等）"
        }
    }
}

public enum SupportMode: String, ChineseLabelled {
    case institutional, dispersed
    public var chinese: String { self == .institutional ? "集中供养" : "分散供养" }
}

public struct MemberInput: Codable, Sendable, Equatable {
    public var id: String
    public var name: String?
    public var relation: Relation
    public var birthDate: LocalDate
    public var sex: Sex?
    public var status: MemberStatus?
    public var disability: DisabilityInput?
    public var seriousIllness: Bool?
    public var employment: Employment?
    public var schooling: Schooling?
    /// How many of the six daily activities (eating, dressing, getting in and out of bed, toileting,
    /// walking indoors, bathing) the person cannot manage [TK 21].
    public var selfCareUnableActivities: Int?
    public var legalSupporter: SupporterStatus?
    public var parents: ParentsStatus?
    public var supportMode: SupportMode?

    public init(id: String, name: String? = nil, relation: Relation, birthDate: LocalDate, sex: Sex? = nil, status: MemberStatus? = nil,
                disability: DisabilityInput? = nil, seriousIllness: Bool? = nil, employment: Employment? = nil, schooling: Schooling? = nil,
                selfCareUnableActivities: Int? = nil, legalSupporter: SupporterStatus? = nil, parents: ParentsStatus? = nil,
                supportMode: SupportMode? = nil) {
        self.id = id
        self.name = name
        self.relation = relation
        self.birthDate = birthDate
        self.sex = sex
        self.status = status
        self.disability = disability
        self.seriousIllness = seriousIllness
        self.employment = employment
        self.schooling = schooling
        self.selfCareUnableActivities = selfCareUnableActivities
        self.legalSupporter = legalSupporter
        self.parents = parents
        self.supportMode = supportMode
    }

    public var label: String { name ?? id }
    public var isPresent: Bool { (status ?? .present) == .present }
}

public struct DisabilityInput: Codable, Sendable, Equatable {
    public var category: DisabilityCategory
    public var grade: Int
    public init(category: DisabilityCategory, grade: Int) {
        self.category = category
        self.grade = grade
    }
    public var chinese: String { "\(category.chinese)\(["", "一", "二", "三", "四"][max(0, min(4, grade))])级" }
}

/// Income kinds, as the dibao rules count or exclude them [DB 13; TK 6–7].
public enum IncomeKind: String, ChineseLabelled {
    case wage, businessIncome, propertyIncome, transferIncome, pension, residentPension, unemploymentBenefit,
         veteransBenefit, familyPlanningAward, scholarship, braveryAward, assistance, oldAgeAllowance, otherIncome
    public var chinese: String {
        switch self {
        case .wage: return "工资性收入"
        case .businessIncome: return "经营净收入"
        case .propertyIncome: return "财产净收入"
        case .transferIncome: return "转移净收入"
        case .pension: return "养老金"
        case .residentPension: return "城乡居民基础养老金"
        case .unemploymentBenefit: return "失业保险金"
        case .veteransBenefit: return "优抚对象抚恤补助"
        case .familyPlanningAward: return "计划生育奖励扶助金"
        case .scholarship: return "奖学金、助学金"
        case .braveryAward: return "见义勇为奖励"
        case .assistance: return "政府救助金"
        case .oldAgeAllowance: return "高龄津贴"
        case .otherIncome: return "其他收入"
        }
    }
}

public struct SourceInput: Codable, Sendable, Equatable {
    public var department: Department
    public var receivedAt: LocalDate
    public var reference: String?
    public init(department: Department, receivedAt: LocalDate, reference: String? = nil) {
        self.department = department
        self.receivedAt = receivedAt
        self.reference = reference
    }
    public var chinese: String { "\(department.chinese) \(receivedAt)" }
}

public struct IncomeInput: Codable, Sendable, Equatable {
    public var member: String?
    public var kind: IncomeKind
    public var amountCents: Int64
    /// `perMonth` or `perYear`.
    public var basis: AmountBasis
    public var source: SourceInput?
    public init(member: String?, kind: IncomeKind, amountCents: Int64, basis: AmountBasis, source: SourceInput? = nil) {
        self.member = member
        self.kind = kind
        self.amountCents = amountCents
        self.basis = basis
        self.source = source
    }
}

public enum AssetKind: String, ChineseLabelled {
    case deposit, securities, commercialInsurance, internetFinance, debtOwed, vehicle, realEstate, business
    public var chinese: String {
        switch self {
        case .deposit: return "存款"
        case .securities: return "有价证券"
        case .commercialInsurance: return "商业保险"
        case .internetFinance: return "互联网金融资产"
        case .debtOwed: return "债权"
        case .vehicle: return "机动车辆"
        case .realEstate: return "房产"
        case .business: return "工商登记（个体/企业）"
        }
    }

    public var isFinancial: Bool { [.deposit, .securities, .commercialInsurance, .internetFinance, .debtOwed].contains(self) }
}

public struct AssetInput: Codable, Sendable, Equatable {
    public var member: String?
    public var kind: AssetKind
    public var amountCents: Int64
    /// For real estate: how many properties this line stands for (default 1).
    public var count: Int?
    /// A vehicle used by a disabled member (exempt where the locality says so) [DB 14].
    public var forDisabledMember: Bool?
    public var source: SourceInput?
    public init(member: String? = nil, kind: AssetKind, amountCents: Int64, count: Int? = nil, forDisabledMember: Bool? = nil, source: SourceInput? = nil) {
        self.member = member
        self.kind = kind
        self.amountCents = amountCents
        self.count = count
        self.forDisabledMember = forDisabledMember
        self.source = source
    }
}

public enum ExpenditureKind: String, ChineseLabelled {
    case medicalSelfPay, educationCost, disabilityCare
    public var chinese: String {
        switch self {
        case .medicalSelfPay: return "医疗自付费用"
        case .educationCost: return "教育费用"
        case .disabilityCare: return "残疾康复自付费用"
        }
    }
}

/// Rigid spending over the last 12 months.
public struct ExpenditureInput: Codable, Sendable, Equatable {
    public var member: String?
    public var kind: ExpenditureKind
    public var amountCents: Int64
    public var source: SourceInput?
    public init(member: String? = nil, kind: ExpenditureKind, amountCents: Int64, source: SourceInput? = nil) {
        self.member = member
        self.kind = kind
        self.amountCents = amountCents
        self.source = source
    }
}

public struct CurrentEnrolment: Codable, Sendable, Equatable {
    public var program: Program
    public var member: String?
    public var since: LocalDate
    public var monthlyAmountCents: Int64
    /// The first day on which the household's income was found above the standard (starts gradual exit).
    public var incomeAboveStandardSince: LocalDate?
    public init(program: Program, member: String? = nil, since: LocalDate, monthlyAmountCents: Int64, incomeAboveStandardSince: LocalDate? = nil) {
        self.program = program
        self.member = member
        self.since = since
        self.monthlyAmountCents = monthlyAmountCents
        self.incomeAboveStandardSince = incomeAboveStandardSince
    }
}

public enum EmergencyKind: String, ChineseLabelled {
    case accident, fire, suddenIllness, disaster, expenditure
    public var chinese: String {
        switch self {
        case .accident: return "意外事故"
        case .fire: return "火灾"
        case .suddenIllness: return "突发重病"
        case .disaster: return "自然灾害"
        case .expenditure: return "医疗、教育等支出骤增"
        }
    }
    /// Emergencies are helped first and checked after [LS]; an expenditure spike goes through the full process.
    public var isEmergency: Bool { self != .expenditure }
}

public struct EmergencyInput: Codable, Sendable, Equatable {
    public var kind: EmergencyKind
    public var occurredOn: LocalDate
    /// For an expenditure spike: what the household had to pay.
    public var spendingCents: Int64?
    public init(kind: EmergencyKind, occurredOn: LocalDate, spendingCents: Int64? = nil) {
        self.kind = kind
        self.occurredOn = occurredOn
        self.spendingCents = spendingCents
    }
}
