import Domain

/// Short forms of the structured steps for tests that are about something else (order, offices, deadlines).
extension CaseAction {
    static func signed(_ names: [String]) -> CaseAction {
        .recordCommitment(CommitmentRecord(signatures: names.map { CommitmentSignature(name: $0, form: .paper) }))
    }
    /// A report with nothing to compare: consistent.
    static var checked: CaseAction { .recordVerification(EconomicCheckReport(items: [])) }
    static func visited(_ investigators: [String], _ living: String = "家中陈设简单", unable: [DailyActivity]? = nil) -> CaseAction {
        .recordVisit(HomeVisitForm(investigators: investigators, present: ["申请人"], housing: .adequate, living: living, assetsSeen: "无",
                                   unableActivities: unable, householdSigner: "申请人", investigatorsSigned: true))
    }
}
