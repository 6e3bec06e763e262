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
    /// The home's condition, for housing assistance [ZX 37–40]. Absent: not known, and housing is not decided.
    public var housing: HousingCondition?
    /// The monitoring hardship score (预警分值), when the household has one: a high score with no programme that fits
    /// proposes case-by-case deliberation.
    public var hardshipScore: Int?

    public init(date: LocalDate, region: RegionCode, members: [MemberInput], incomes: [IncomeInput]? = nil, assets: [AssetInput]? = nil,
                expenditures: [ExpenditureInput]? = nil, enrolments: [CurrentEnrolment]? = nil, emergency: EmergencyInput? = nil,
                housing: HousingCondition? = nil, hardshipScore: Int? = nil) {
        self.date = date
        self.region = region
        self.members = members
        self.incomes = incomes
        self.assets = assets
        self.expenditures = expenditures
        self.enrolments = enrolments
        self.emergency = emergency
        self.housing = housing
        self.hardshipScore = hardshipScore
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
    /// The person's legal supporters as far as they are known [TK 8]. Given, the calculator works out from their own
    /// data whether each is unable to support (an empty list: no supporter at all), and `legalSupporter` is not used.
    public var supporters: [SupporterInput]?
    public var parents: ParentsStatus?
    public var supportMode: SupportMode?

    public init(id: String, name: String? = nil, relation: Relation, birthDate: LocalDate, sex: Sex? = nil, status: MemberStatus? = nil,
                disability: DisabilityInput? = nil, seriousIllness: Bool? = nil, employment: Employment? = nil, schooling: Schooling? = nil,
                selfCareUnableActivities: Int? = nil, legalSupporter: SupporterStatus? = nil, supporters: [SupporterInput]? = nil,
                parents: ParentsStatus? = nil, supportMode: SupportMode? = nil) {
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
        self.supporters = supporters
        self.parents = parents
        self.supportMode = supportMode
    }

    public var label: String { name ?? id }
    public var isPresent: Bool { (status ?? .present) == .present }
}

/// What keeps a supporter from supporting, whatever their means [TK 8].
public enum SupporterCondition: String, ChineseLabelled {
    case ordinary, noCivilCapacity, missing, prison
    public var chinese: String {
        switch self {
        case .ordinary: return "无特殊情形"
        case .noCivilCapacity: return "无民事行为能力或限制民事行为能力"
        case .missing: return "宣告失踪"
        case .prison: return "在监狱服刑"
        }
    }
}

/// A legal supporter (法定赡养、抚养、扶养义务人) described by their own situation, so that whether they are unable to
/// support is worked out by the rules rather than taken on trust [TK 8].
public struct SupporterInput: Codable, Sendable, Equatable {
    public var name: String?
    public var relation: String?
    public var birthDate: LocalDate?
    public var disability: DisabilityInput?
    public var condition: SupporterCondition?
    /// Programmes the supporter is in now (tekun, dibao).
    public var enrolments: [Program]?
    /// The supporter's own household income per member per month.
    public var incomePerMemberCents: Int64?
    /// The supporter's own household financial assets per member.
    public var assetsPerMemberCents: Int64?

    public init(name: String? = nil, relation: String? = nil, birthDate: LocalDate? = nil, disability: DisabilityInput? = nil,
                condition: SupporterCondition? = nil, enrolments: [Program]? = nil, incomePerMemberCents: Int64? = nil,
                assetsPerMemberCents: Int64? = nil) {
        self.name = name
        self.relation = relation
        self.birthDate = birthDate
        self.disability = disability
        self.condition = condition
        self.enrolments = enrolments
        self.incomePerMemberCents = incomePerMemberCents
        self.assetsPerMemberCents = assetsPerMemberCents
    }

    public var label: String {
        let words = [relation, name].compactMap { $0 }.filter { !$0.isEmpty }
        return words.isEmpty ? "义务人" : words.joined(separator: " ")
    }
}

/// The state of the household's home, for housing assistance [ZX 37–40].
public enum HousingCondition: String, ChineseLabelled {
    case adequate, dangerous, lacking
    public var chinese: String {
        switch self {
        case .adequate: return "住房安全"
        case .dangerous: return "住房经鉴定为危房（C级或D级）"
        case .lacking: return "无自有住房或住房面积低于当地困难标准"
        }
    }
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

/// Income kinds, as the dibao rules count or exclude them [DB 13; TK 6–7]. Pensions are told apart because the
/// rules treat them differently: only the basic pension (基础养老金) of the residents' scheme is left out, every other
/// pension is income — an employees' pension, a landless farmers' pension, the part of a residents' pension above the
/// basic pension [TK 6–7].
public enum IncomeKind: String, ChineseLabelled {
    case wage, businessIncome, propertyIncome, transferIncome, pension, employeePension, landLossPension, residentPension,
         unemploymentBenefit, socialInsuranceBenefit,
         veteransBenefit, familyPlanningAward, scholarship, braveryAward, assistance, oldAgeAllowance, otherIncome
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
        case .socialInsuranceBenefit: return "基本医疗保险等社会保险待遇"
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
    /// For a residents' pension: how much of `amountCents` (on the same basis) is the basic pension, which the rules
    /// leave out [DB 13; TK 6–7]. Absent, the basic pension standard in force (`residentBasicPension`) is taken, up
    /// to the amount.
    public var basicPartCents: Int64?
    public var source: SourceInput?
    public init(member: String?, kind: IncomeKind, amountCents: Int64, basis: AmountBasis, basicPartCents: Int64? = nil, source: SourceInput? = nil) {
        self.member = member
        self.kind = kind
        self.amountCents = amountCents
        self.basis = basis
        self.basicPartCents = basicPartCents
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
