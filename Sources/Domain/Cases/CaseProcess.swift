import Foundation

/// What kind of application a case is: one programme, and for temporary assistance which of its two routes [LS].
public enum CaseKind: String, ChineseLabelled {
    case dibao, tekun, nearDibao, expenditureHardship, temporaryExpenditure, temporaryEmergency
    public var chinese: String {
        switch self {
        case .dibao: return "最低生活保障"
        case .tekun: return "特困人员救助供养"
        case .nearDibao: return "低保边缘家庭认定"
        case .expenditureHardship: return "刚性支出困难家庭认定"
        case .temporaryExpenditure: return "临时救助（支出型）"
        case .temporaryEmergency: return "临时救助（急难型）"
        }
    }
}

/// The statutory steps of a determination, in the order the rules give them [DB 9–25; TK 10–18].
public enum CaseStep: String, ChineseLabelled {
    case acceptance, commitment, verification, homeVisit, firstReview, publicNotice, decision
    public var chinese: String {
        switch self {
        case .acceptance: return "受理"
        case .commitment: return "告知承诺与授权核对"
        case .verification: return "家庭经济状况核对"
        case .homeVisit: return "入户调查"
        case .firstReview: return "初审"
        case .publicNotice: return "公示"
        case .decision: return "审核确认"
        }
    }
}

/// Whose office does a step. Under 一城通办 the household's residence township does the legwork and the township of
/// its registration reviews; the county of registration decides [YC]. `either`: whichever of the two the household
/// walked into. `emergency`: the township where an emergency struck, whatever the household's residence or
/// registration (help first is granted there [LS; ZX 48]); `emergencyCounty`: that township's county.
public enum CasePlace: String, ChineseLabelled {
    case residence, registration, either, county, emergency, emergencyCounty
    public var chinese: String {
        switch self {
        case .residence: return "居住地乡镇（街道）"
        case .registration: return "户籍地乡镇（街道）"
        case .either: return "居住地或户籍地乡镇（街道）"
        case .county: return "户籍地县级民政部门"
        case .emergency: return "急难发生地乡镇（街道）"
        case .emergencyCounty: return "急难发生地县级民政部门"
        }
    }

    /// A place that exists only once the case says where the emergency happened.
    public var isEmergency: Bool { self == .emergency || self == .emergencyCounty }
}

/// When a granted benefit starts, by the programme's nature: one-off help on the decision date; a monthly benefit
/// from the month after approval [DB 24–25] unless the city's `benefitFromDecisionDate` parameter says the decision
/// date [YC].
public enum BenefitStart: String, Codable, Sendable {
    case nextMonth, decisionDate
}

public struct StepRule: Codable, Sendable, Equatable {
    public var step: CaseStep
    public var place: CasePlace
    public var roles: [Role]
    /// Due this many working days after the step named by `from` was done (or the case accepted).
    public var dueWorkingDays: Int?
    public var from: CaseStep?
    /// For a public notice: how many calendar days it stays posted.
    public var noticeDays: Int?
    public var article: String
}

public struct ProcessLimit: Codable, Sendable, Equatable {
    public var workingDays: Int
    public var extendedWorkingDays: Int
    /// Where approval is delegated to the township the whole process is shorter.
    public var delegatedWorkingDays: Int?
    public var article: String
}

/// Approval handed to a township up to an amount, which is a policy parameter (by region and date), not a number here.
public struct Delegation: Codable, Sendable, Equatable {
    public var place: CasePlace
    public var roles: [Role]
    public var upToParameter: String
    public var article: String
}

/// The share of decisions the county checks itself before deciding [TK 15–18].
public struct SpotCheck: Codable, Sendable, Equatable {
    public var percent: Int
    public var article: String
}

/// One programme's process, read from `Resources/cases/processes.json`.
public struct CaseProcess: Codable, Sendable, Equatable {
    public var kind: CaseKind
    public var program: Program
    public var title: String
    public var limit: ProcessLimit
    public var benefitStarts: BenefitStart
    /// The certificates a signed commitment replaces (告知承诺制).
    public var commitmentReplaces: [String]?
    /// What the office may list in the one-time notice of missing materials (the file's top-level catalogue unless
    /// the process gives its own).
    public var materials: [MaterialItem]?
    public var delegation: Delegation?
    public var spotCheck: SpotCheck?
    /// Help first, paperwork after (先行救助) [LS; ZX 48].
    public var fastTrack: FastTrackRule?
    public var steps: [StepRule]

    public func rule(_ step: CaseStep) -> StepRule? { steps.first { $0.step == step } }

    /// Why an item may not be asked for: the registry holds it, or the signed commitment replaces it [DB 9–10].
    /// `honestRecord`: the household's honest record waives the items marked for it.
    public func whyNotAsked(_ item: String, honestRecord: Bool = false) -> String? {
        let entry = materials?.first { $0.name == item }
        if let held = entry?.heldBy { return "登记库已有\(held)数据" }
        if (commitmentReplaces ?? []).contains(item) { return "已由告知承诺替代" }
        if honestRecord, entry?.honestRecordWaiver == true { return "该户诚信申报记录良好，免予提交" }
        return nil
    }

    /// The catalogue's items an office may still ask for.
    public func askable(honestRecord: Bool = false) -> [String] {
        (materials ?? []).filter { whyNotAsked($0.name, honestRecord: honestRecord) == nil }.map(\.name)
    }
    public func index(of step: CaseStep) -> Int? { steps.firstIndex { $0.step == step } }

    /// A process that cannot be followed is refused when it is loaded, not when a case reaches the broken step.
    func validate(file: String) throws(DomainError) {
        guard let first = steps.first, first.step == .acceptance else { throw .invalidData(file: file, reason: "\(kind.rawValue)：第一步必须是受理（acceptance）") }
        guard steps.last?.step == .decision else { throw .invalidData(file: file, reason: "\(kind.rawValue)：最后一步必须是审核确认（decision）") }
        guard Set(steps.map(\.step)).count == steps.count else { throw .invalidData(file: file, reason: "\(kind.rawValue)：步骤重复") }
        // The statutory order may be shortened (help first skips steps) but never reordered.
        let order = CaseStep.allCases
        let positions = steps.compactMap { s in order.firstIndex(of: s.step) }
        guard positions == positions.sorted() else { throw .invalidData(file: file, reason: "\(kind.rawValue)：步骤顺序与法定顺序不符") }
        for s in steps {
            guard !s.roles.isEmpty else { throw .invalidData(file: file, reason: "\(kind.rawValue)：\(s.step.chinese) 没有可办理的角色") }
            if let d = s.dueWorkingDays, d <= 0 { throw .invalidData(file: file, reason: "\(kind.rawValue)：\(s.step.chinese) 的期限应为正数") }
            if let f = s.from, index(of: f).map({ $0 >= index(of: s.step)! }) ?? true {
                throw .invalidData(file: file, reason: "\(kind.rawValue)：\(s.step.chinese) 的期限起算步骤 \(f.rawValue) 不在它之前")
            }
            if s.step == .publicNotice, (s.noticeDays ?? 0) <= 0 { throw .invalidData(file: file, reason: "\(kind.rawValue)：公示须写明天数（noticeDays）") }
        }
        // The emergency's place is named when the case is opened, so only a process accepted there may use it.
        let places = steps.map(\.place) + (delegation.map { [$0.place] } ?? [])
        if places.contains(where: \.isEmergency), first.place != .emergency {
            throw .invalidData(file: file, reason: "\(kind.rawValue)：使用急难发生地的流程必须在急难发生地受理（acceptance 的 place 为 emergency）")
        }
        if let s = spotCheck, !(1...100).contains(s.percent) { throw .invalidData(file: file, reason: "\(kind.rawValue)：抽查比例应为1–100") }
        guard limit.workingDays > 0, limit.extendedWorkingDays >= limit.workingDays else {
            throw .invalidData(file: file, reason: "\(kind.rawValue)：办理时限无效")
        }
    }
}

/// Every programme's process, by kind.
public struct CaseProcesses: Sendable {
    public let all: [CaseKind: CaseProcess]

    struct File: Decodable {
        let processes: [CaseProcess]
        let materials: [MaterialItem]?
    }

    public init(json: Data, file: String = "processes.json") throws(DomainError) {
        let parsed: File
        do { parsed = try JSONDecoder().decode(File.self, from: json) } catch {
            throw .invalidData(file: file, reason: "无法读取办理流程：\(error)")
        }
        var all: [CaseKind: CaseProcess] = [:]
        for var p in parsed.processes {
            if p.materials == nil { p.materials = parsed.materials }
            try p.validate(file: file)
            guard all[p.kind] == nil else { throw .invalidData(file: file, reason: "\(p.kind.rawValue) 重复定义") }
            all[p.kind] = p
        }
        self.all = all
    }

    public static func bundled() throws -> CaseProcesses {
        try CaseProcesses(json: BundledData.data("processes", "json", folder: "Resources/cases"))
    }

    public subscript(_ kind: CaseKind) -> CaseProcess? { all[kind] }
}
