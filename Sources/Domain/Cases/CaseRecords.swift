import Foundation

// What the steps of a case record, as structured data rather than free text: the one-time list of missing
// materials, each adult's commitment, the verification report item by item, and the home-visit form. Each is kept
// with the step's entry in the case's timeline and printed from there.

/// The six daily activities of the self-care assessment [TK 21–22].
public enum DailyActivity: String, ChineseLabelled {
    case eating, dressing, transferring, toileting, walkingIndoors, bathing
    public var chinese: String {
        switch self {
        case .eating: return "自主吃饭"
        case .dressing: return "自主穿衣"
        case .transferring: return "自主上下床"
        case .toileting: return "自主如厕"
        case .walkingIndoors: return "室内自主行走"
        case .bathing: return "自主洗澡"
        }
    }
}

/// The one-time notice of missing materials (一次性告知): everything the applicant still has to bring, listed once
/// [DB 9–10]. Nothing the registry holds or the commitment replaces may be on it.
public struct MaterialsNotice: Codable, Sendable, Equatable {
    public var items: [String]
    public init(items: [String]) { self.items = items }
}

/// An item of the materials catalogue (`materials` in processes.json): what an office might ask for, and whether it
/// may be asked at all — not when the registry already holds it (`heldBy`) [DB 9–10].
public struct MaterialItem: Codable, Sendable, Equatable {
    public var name: String
    /// The department file in the registry that already holds it; such an item is never asked for.
    public var heldBy: String?
    /// Not asked again of a household with an honest record, where the region's `honestRecordWaivesMaterials` says so
    /// (守信激励: a truthful spot check, and no entry on the dishonesty list).
    public var honestRecordWaiver: Bool?
}

/// How an adult signed the commitment and the authorisation to check their data.
public enum SignatureForm: String, ChineseLabelled {
    case paper, scanned
    public var chinese: String { self == .paper ? "纸质签字（经办人核验）" : "签字件已扫描存档" }
}

public struct CommitmentSignature: Codable, Sendable, Equatable {
    public var name: String
    public var form: SignatureForm
    /// The scanned file's reference (file number or name), for `scanned`.
    public var scan: String?
    public init(name: String, form: SignatureForm, scan: String? = nil) {
        self.name = name
        self.form = form
        self.scan = scan
    }
}

/// Every adult of the household signs a commitment that what they declared is true and an authorisation for the
/// departments' data to be checked [DB 9–10]; who signed, how, on the day of the step.
public struct CommitmentRecord: Codable, Sendable, Equatable {
    public var signatures: [CommitmentSignature]
    public init(signatures: [CommitmentSignature]) { self.signatures = signatures }

    /// The household's members who must sign: those present and of the signing age on the day.
    public static func signers(_ household: AssessmentRequest, fromAge: Int, on day: LocalDate) -> [String] {
        household.members.filter { $0.isPresent && $0.birthDate.age(on: day) >= fromAge }.map(\.label)
    }
}

/// How a declared amount compares with the departments' figure.
public enum EconomicCheckFinding: String, ChineseLabelled {
    case consistent, underDeclared, notDeclared, declaredOnly, forRecord
    public var chinese: String {
        switch self {
        case .consistent: return "一致"
        case .underDeclared: return "申报低于部门数据"
        case .notDeclared: return "未申报"
        case .declaredOnly: return "部门无数据，以申报为准"
        case .forRecord: return "支出项，仅作记录"
        }
    }
    /// Concealment is what the check looks for [DB 23]: declaring less than the departments know, or not at all.
    public var isConsistent: Bool { self != .underDeclared && self != .notDeclared }
}

/// One line of the verification report: an income, asset or spending item with what the household declared and what
/// a department reported, its source and date.
public struct EconomicCheckItem: Codable, Sendable, Equatable {
    public var member: String?
    public var item: String
    public var basis: AmountBasis?
    public var declaredCents: Int64?
    public var foundCents: Int64?
    public var source: SourceInput?
    /// Rigid spending is not judged: declaring more spending than the records show conceals nothing.
    public var spending: Bool?

    public init(member: String?, item: String, basis: AmountBasis?, declaredCents: Int64?, foundCents: Int64?, source: SourceInput?, spending: Bool? = nil) {
        self.member = member
        self.item = item
        self.basis = basis
        self.declaredCents = declaredCents
        self.foundCents = foundCents
        self.source = source
        self.spending = spending
    }

    public var finding: EconomicCheckFinding {
        if spending == true { return .forRecord }
        guard let found = foundCents else { return .declaredOnly }
        guard let declared = declaredCents else { return .notDeclared }
        return declared >= found ? .consistent : .underDeclared
    }
}

/// 家庭经济状况核对报告: the household's declaration beside the departments' facts already joined in the registry,
/// item by item, and the judgement that follows [DB 15–17].
public struct EconomicCheckReport: Codable, Sendable, Equatable {
    public var items: [EconomicCheckItem]
    /// The officer's explanation (required where an item is inconsistent).
    public var note: String

    public init(items: [EconomicCheckItem], note: String = "") {
        self.items = items
        self.note = note
    }

    public var consistent: Bool { items.allSatisfy { $0.finding.isConsistent } }

    /// The departments' items for the household as the case recorded it: incomes, assets and rigid spending with
    /// their source and date, each waiting for the declared amount beside it. Keyed by position, as the form sends.
    public static func departmentItems(_ household: AssessmentRequest) -> [EconomicCheckItem] {
        func name(_ id: String?) -> String? { id.map { i in household.members.first { $0.id == i }?.label ?? i } }
        return (household.incomes ?? []).map { EconomicCheckItem(member: name($0.member), item: $0.kind.chinese, basis: $0.basis, declaredCents: nil,
                                                                foundCents: $0.amountCents, source: $0.source) }
            + (household.assets ?? []).map { EconomicCheckItem(member: name($0.member), item: $0.kind.chinese, basis: .total, declaredCents: nil,
                                                              foundCents: $0.amountCents, source: $0.source) }
            + (household.expenditures ?? []).map { EconomicCheckItem(member: name($0.member), item: $0.kind.chinese, basis: .perYear, declaredCents: nil,
                                                                    foundCents: $0.amountCents, source: $0.source, spending: true) }
    }

    /// The report from the departments' items and the declared amounts by item position (`declared[i]` for the
    /// i-th of `departmentItems`; absent: not declared).
    public static func report(_ household: AssessmentRequest, declared: [Int: Int64], note: String = "") -> EconomicCheckReport {
        let items = departmentItems(household).enumerated().map { i, item in
            var v = item
            v.declaredCents = declared[i]
            return v
        }
        return EconomicCheckReport(items: items, note: note)
    }
}

/// 入户调查表: what two investigators saw in the home, signed by both and by the household [DB 15–17]. For tekun the
/// six daily activities are assessed one by one [TK 21–22].
public struct HomeVisitForm: Codable, Sendable, Equatable {
    public var investigators: [String]
    /// The members found at home.
    public var present: [String]
    public var housing: HousingCondition
    /// Living conditions as seen (furniture, appliances, food, heating…).
    public var living: String
    /// Assets seen in the home or said to exist (vehicles, valuables, livestock, a shop…).
    public var assetsSeen: String
    /// For a self-care assessment: the activities the person cannot manage; nil where none was made.
    public var unableActivities: [DailyActivity]?
    /// The member who signed the form for the household.
    public var householdSigner: String
    /// Both investigators signed the paper form.
    public var investigatorsSigned: Bool

    public init(investigators: [String], present: [String], housing: HousingCondition, living: String, assetsSeen: String,
                unableActivities: [DailyActivity]? = nil, householdSigner: String, investigatorsSigned: Bool) {
        self.investigators = investigators
        self.present = present
        self.housing = housing
        self.living = living
        self.assetsSeen = assetsSeen
        self.unableActivities = unableActivities
        self.householdSigner = householdSigner
        self.investigatorsSigned = investigatorsSigned
    }

    /// The household as the case recorded it with what the visit found: the home's condition, and for the applicant
    /// of a self-care assessment the number of activities they cannot manage. The first review assesses this.
    public func applied(to household: AssessmentRequest, applicant: String?) -> AssessmentRequest {
        var h = household
        h.housing = housing
        if let unable = unableActivities, let i = h.members.firstIndex(where: { $0.id == applicant }) {
            h.members[i].selfCareUnableActivities = unable.count
        }
        return h
    }

    public var summary: String {
        var parts = ["在场：\(present.joined(separator: "、"))", housing.chinese, "生活状况：\(living)", "所见财产：\(assetsSeen)"]
        if let u = unableActivities {
            parts.append(u.isEmpty ? "六项日常活动均能完成" : "六项日常活动中 \(u.count) 项不能完成（\(u.map(\.chinese).joined(separator: "、"))）")
        }
        parts.append("家庭签字：\(householdSigner)")
        return parts.joined(separator: "；")
    }
}

/// The structured record kept with a step's entry in the timeline.
/// Stored and sent as an object with one key naming the kind: `{"visit": {...}}`.
public enum CaseRecord: Codable, Sendable, Equatable {
    case materials(MaterialsNotice)
    case commitment(CommitmentRecord)
    case verification(EconomicCheckReport)
    case visit(HomeVisitForm)

    enum Key: String, CodingKey { case materials, commitment, verification, visit }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        if let v = try c.decodeIfPresent(MaterialsNotice.self, forKey: .materials) { self = .materials(v) }
        else if let v = try c.decodeIfPresent(CommitmentRecord.self, forKey: .commitment) { self = .commitment(v) }
        else if let v = try c.decodeIfPresent(EconomicCheckReport.self, forKey: .verification) { self = .verification(v) }
        else { self = .visit(try c.decode(HomeVisitForm.self, forKey: .visit)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .materials(let v): try c.encode(v, forKey: .materials)
        case .commitment(let v): try c.encode(v, forKey: .commitment)
        case .verification(let v): try c.encode(v, forKey: .verification)
        case .visit(let v): try c.encode(v, forKey: .visit)
        }
    }
}
