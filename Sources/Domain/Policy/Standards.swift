import Foundation

/// Every parameter the rules need, resolved once for a region and date. Assessing a million
/// households in one region resolves these once, not a million times.
/// A class, immutable: every assessment holds the region's standards, and copying forty parameters
/// (each with its texts) per household was a tenth of a screening's CPU time.
public final class Standards: Sendable {
    public let region: RegionCode
    public let date: LocalDate
    /// Whether the region's county is in the national divisions (looked up once here, not per household).
    public let regionKnown: Bool

    public let dibaoStandard: ResolvedParameter
    public let tekunBasicStandard: ResolvedParameter
    public let tekunCareAble: ResolvedParameter
    public let tekunCarePartly: ResolvedParameter
    public let tekunCareFully: ResolvedParameter
    public let employmentCostDeduction: ResolvedParameter
    public let deductRigidCosts: ResolvedParameter
    public let financialAssetLimitMonths: ResolvedParameter
    public let nearDibaoAssetLimitMonths: ResolvedParameter
    public let vehicleValueLimit: ResolvedParameter
    public let maxProperties: ResolvedParameter
    public let businessAllowed: ResolvedParameter
    public let singlePersonHouseholdForSevereDisability: ResolvedParameter
    public let disabilityLivingAllowance: ResolvedParameter
    public let disabilityCareAllowance: ResolvedParameter
    public let disabilityLivingCoversNearDibao: ResolvedParameter
    public let orphanAllowance: ResolvedParameter
    public let unsupportedChildAllowance: ResolvedParameter
    public let perCapitaDisposableIncomePreviousYear: ResolvedParameter
    public let rigidExpenditureShare: ResolvedParameter
    public let temporaryEmergencyMultiple: ResolvedParameter
    public let temporaryExpenditureTiers: ResolvedParameter
    public let townshipTemporaryApprovalLimit: ResolvedParameter
    public let temporaryDeliberationThreshold: ResolvedParameter
    public let gradualExitMonths: ResolvedParameter
    public let tekunElderAge: ResolvedParameter
    public let tekunChildAge: ResolvedParameter
    public let tekunDisabilityMaxGrade: ResolvedParameter
    public let selfCarePartlyUnableFrom: ResolvedParameter
    public let selfCareFullyUnableFrom: ResolvedParameter
    public let adultAge: ResolvedParameter
    public let childAgeLimit: ResolvedParameter
    public let excludedIncomeKinds: ResolvedParameter
    public let tekunExcludedIncomeKinds: ResolvedParameter
    /// The basic pension of the residents' scheme per month: the part of a residents' pension left out of income
    /// when `residentPension` is on an excluded list [DB 13; TK 6–7].
    public let residentBasicPension: ResolvedParameter
    public let supporterUnableDibaoAge: ResolvedParameter
    public let supporterUnableAge: ResolvedParameter
    public let supporterDisabilityMaxGrade: ResolvedParameter
    public let individualInclusionMaxGrade: ResolvedParameter
    public let individualInclusionMentalMaxGrade: ResolvedParameter
    public let disabilityCareMaxGrade: ResolvedParameter
    public let nearDibaoMultiple: ResolvedParameter
    /// Nil before the rigid-expenditure rules came into force (2025-01-01 [GX]).
    public let rigidExpenditureWindowMonths: ResolvedParameter?
    /// Which rigid costs may be taken off income, where the city deducts them at all [DB 13].
    public let rigidDeductionKinds: ResolvedParameter?
    /// The most a household may have deducted each month; absent where the city sets no cap.
    public let rigidDeductionMonthlyCap: ResolvedParameter?
    /// The hardship score from which a household that no programme fits is proposed for deliberation; absent where
    /// the city has not set one (self-care and rigid spending still propose it) [LS; JC].
    public let deliberationHardshipScore: ResolvedParameter?

    // Typed views, checked once here so the rules never meet a wrong type.
    let dibao: Cents, tekunBasic: Cents, careAble: Cents, carePartly: Cents, careFully: Cents, costDeduction: Cents
    let vehicleLimit: Cents, livingAllowance: Cents, careAllowance: Cents, orphanAmount: Cents, unsupportedAmount: Cents
    let disposableIncomeAnnual: Cents, townshipLimit: Cents, deliberationThreshold: Cents, basicPension: Cents
    let assetMonths: Int, nearAssetMonths: Int, propertiesMax: Int, exitMonths: Int, elderAge: Int, childAge: Int
    let partlyFrom: Int, fullyFrom: Int, adult: Int, childLimit: Int, inclusionMaxGrade: Int, inclusionMentalMaxGrade: Int
    let careMaxGrade: Int, windowMonths: Int?
    let deductRigid: Bool, businessOK: Bool, singlePersonOK: Bool, livingCoversNear: Bool
    let excluded: Set<String>, tekunExcluded: Set<String>, deductibleKinds: Set<String>
    let rigidCap: Cents?
    let deliberationScore: Int?
    let tekunGrades: [String: Int], supporterGrades: [String: Int]
    let supporterDibaoAge: Int, supporterAge: Int
    let nearMultiple: Ratio, rigidShare: Ratio, emergencyMultiple: Ratio
    let expenditureTiers: [Tier]

    public init(parameters p: ParameterSet, region: RegionCode, date: LocalDate) throws(PolicyError) {
        self.region = region
        self.date = date
        regionKnown = RegionReference.shared.map { $0.knows(region) } ?? true
        func r(_ n: String) throws(PolicyError) -> ResolvedParameter { try p.resolve(n, region: region, date: date) }
        dibaoStandard = try r("dibaoStandard")
        tekunBasicStandard = try r("tekunBasicStandard")
        tekunCareAble = try r("tekunCareAble")
        tekunCarePartly = try r("tekunCarePartly")
        tekunCareFully = try r("tekunCareFully")
        employmentCostDeduction = try r("employmentCostDeduction")
        deductRigidCosts = try r("deductRigidCosts")
        financialAssetLimitMonths = try r("financialAssetLimitMonths")
        nearDibaoAssetLimitMonths = try r("nearDibaoAssetLimitMonths")
        vehicleValueLimit = try r("vehicleValueLimit")
        maxProperties = try r("maxProperties")
        businessAllowed = try r("businessAllowed")
        singlePersonHouseholdForSevereDisability = try r("singlePersonHouseholdForSevereDisability")
        disabilityLivingAllowance = try r("disabilityLivingAllowance")
        disabilityCareAllowance = try r("disabilityCareAllowance")
        disabilityLivingCoversNearDibao = try r("disabilityLivingCoversNearDibao")
        orphanAllowance = try r("orphanAllowance")
        unsupportedChildAllowance = try r("unsupportedChildAllowance")
        perCapitaDisposableIncomePreviousYear = try r("perCapitaDisposableIncomePreviousYear")
        rigidExpenditureShare = try r("rigidExpenditureShare")
        temporaryEmergencyMultiple = try r("temporaryEmergencyMultiple")
        temporaryExpenditureTiers = try r("temporaryExpenditureTiers")
        townshipTemporaryApprovalLimit = try r("townshipTemporaryApprovalLimit")
        temporaryDeliberationThreshold = try r("temporaryDeliberationThreshold")
        gradualExitMonths = try r("gradualExitMonths")
        tekunElderAge = try r("tekunElderAge")
        tekunChildAge = try r("tekunChildAge")
        tekunDisabilityMaxGrade = try r("tekunDisabilityMaxGrade")
        selfCarePartlyUnableFrom = try r("selfCarePartlyUnableFrom")
        selfCareFullyUnableFrom = try r("selfCareFullyUnableFrom")
        adultAge = try r("adultAge")
        childAgeLimit = try r("childAgeLimit")
        excludedIncomeKinds = try r("excludedIncomeKinds")
        tekunExcludedIncomeKinds = try r("tekunExcludedIncomeKinds")
        residentBasicPension = try r("residentBasicPension")
        supporterUnableDibaoAge = try r("supporterUnableDibaoAge")
        supporterUnableAge = try r("supporterUnableAge")
        supporterDisabilityMaxGrade = try r("supporterDisabilityMaxGrade")
        individualInclusionMaxGrade = try r("individualInclusionMaxGrade")
        individualInclusionMentalMaxGrade = try r("individualInclusionMentalMaxGrade")
        disabilityCareMaxGrade = try r("disabilityCareMaxGrade")
        nearDibaoMultiple = try r("nearDibaoMultiple")
        do { rigidExpenditureWindowMonths = try r("rigidExpenditureWindowMonths") } catch { rigidExpenditureWindowMonths = nil }
        do { rigidDeductionMonthlyCap = try r("rigidDeductionMonthlyCap") } catch { rigidDeductionMonthlyCap = nil }
        do { rigidDeductionKinds = try r("rigidDeductionKinds") } catch { rigidDeductionKinds = nil }
        do { deliberationHardshipScore = try r("deliberationHardshipScore") } catch { deliberationHardshipScore = nil }

        func money(_ x: ResolvedParameter) throws(PolicyError) -> Cents {
            guard let a = x.amount else { throw .wrongType(name: x.name, expected: "金额") }
            return a
        }
        func int(_ x: ResolvedParameter) throws(PolicyError) -> Int {
            guard case .integer(let i) = x.value else { throw .wrongType(name: x.name, expected: "整数") }
            return i
        }
        func flag(_ x: ResolvedParameter) throws(PolicyError) -> Bool {
            guard case .flag(let b) = x.value else { throw .wrongType(name: x.name, expected: "是/否") }
            return b
        }
        func ratio(_ x: ResolvedParameter) throws(PolicyError) -> Ratio {
            guard case .ratio(let q) = x.value else { throw .wrongType(name: x.name, expected: "比例") }
            return q
        }
        func names(_ x: ResolvedParameter) throws(PolicyError) -> Set<String> {
            guard case .names(let n) = x.value else { throw .wrongType(name: x.name, expected: "名单") }
            return Set(n)
        }
        dibao = try money(dibaoStandard)
        tekunBasic = try money(tekunBasicStandard)
        careAble = try money(tekunCareAble)
        carePartly = try money(tekunCarePartly)
        careFully = try money(tekunCareFully)
        costDeduction = try money(employmentCostDeduction)
        vehicleLimit = try money(vehicleValueLimit)
        livingAllowance = try money(disabilityLivingAllowance)
        careAllowance = try money(disabilityCareAllowance)
        orphanAmount = try money(orphanAllowance)
        unsupportedAmount = try money(unsupportedChildAllowance)
        disposableIncomeAnnual = try money(perCapitaDisposableIncomePreviousYear)
        townshipLimit = try money(townshipTemporaryApprovalLimit)
        deliberationThreshold = try money(temporaryDeliberationThreshold)
        basicPension = try money(residentBasicPension)
        assetMonths = try int(financialAssetLimitMonths)
        nearAssetMonths = try int(nearDibaoAssetLimitMonths)
        propertiesMax = try int(maxProperties)
        exitMonths = try int(gradualExitMonths)
        elderAge = try int(tekunElderAge)
        childAge = try int(tekunChildAge)
        partlyFrom = try int(selfCarePartlyUnableFrom)
        fullyFrom = try int(selfCareFullyUnableFrom)
        adult = try int(adultAge)
        childLimit = try int(childAgeLimit)
        inclusionMaxGrade = try int(individualInclusionMaxGrade)
        inclusionMentalMaxGrade = try int(individualInclusionMentalMaxGrade)
        careMaxGrade = try int(disabilityCareMaxGrade)
        windowMonths = try rigidExpenditureWindowMonths.map { x throws(PolicyError) in try int(x) }
        deductRigid = try flag(deductRigidCosts)
        // A city that deducts rigid costs says which: no silent default.
        if deductRigid && rigidDeductionKinds == nil { throw .missingParameter(name: "rigidDeductionKinds", region: region, date: date) }
        deductibleKinds = try rigidDeductionKinds.map { x throws(PolicyError) in try names(x) } ?? []
        rigidCap = try rigidDeductionMonthlyCap.map { x throws(PolicyError) in try money(x) }
        deliberationScore = try deliberationHardshipScore.map { x throws(PolicyError) in try int(x) }
        businessOK = try flag(businessAllowed)
        singlePersonOK = try flag(singlePersonHouseholdForSevereDisability)
        livingCoversNear = try flag(disabilityLivingCoversNearDibao)
        excluded = try names(excludedIncomeKinds)
        tekunExcluded = try names(tekunExcludedIncomeKinds)
        guard case .grades(let g) = tekunDisabilityMaxGrade.value else { throw .wrongType(name: "tekunDisabilityMaxGrade", expected: "等级表") }
        tekunGrades = g
        guard case .grades(let sg) = supporterDisabilityMaxGrade.value else { throw .wrongType(name: "supporterDisabilityMaxGrade", expected: "等级表") }
        supporterGrades = sg
        supporterDibaoAge = try int(supporterUnableDibaoAge)
        supporterAge = try int(supporterUnableAge)
        nearMultiple = try ratio(nearDibaoMultiple)
        rigidShare = try ratio(rigidExpenditureShare)
        emergencyMultiple = try ratio(temporaryEmergencyMultiple)
        guard case .tiers(let t) = temporaryExpenditureTiers.value else { throw .wrongType(name: "temporaryExpenditureTiers", expected: "分档表") }
        expenditureTiers = t.sorted { $0.from < $1.from }
    }
}

/// Annual and monthly figures meet in one place: an annual amount counts as one twelfth a month,
/// rounded half up to the cent; a monthly amount counts as it is. [DB 13]
public enum MonthlyConversion {
    public static let monthsPerYear: Int64 = 12

    public static func monthly(_ amount: Cents, basis: AmountBasis) -> Cents {
        switch basis {
        case .perMonth: return amount
        case .perYear, .total: return amount.divided(by: monthsPerYear, rounding: .halfUp)
        }
    }

    public static func annual(_ monthly: Cents) -> Cents { monthly * monthsPerYear }
}
