import Foundation

extension AssessmentRequest {
    /// The registry's view of a household as an assessment request: facts in force on `date`
    /// become incomes, assets and rigid spending with their sources; a death on file marks the
    /// member deceased; current enrolments carry over. Conflicting reports are resolved first
    /// (`FactAuthority`). What the registry does not know (self-care,
    /// supporters, a child's parents) stays unknown, and the rules treat it conservatively.
    public init(profile p: HouseholdProfile, date: LocalDate) {
        func source(_ f: Fact) -> SourceInput {
            SourceInput(department: f.provenance.department, receivedAt: f.provenance.receivedAt, reference: f.provenance.reference)
        }
        // When two departments report one wage or one vehicle differently, only the authoritative report
        // counts; summing both would count the same income twice.
        let inForce = FactAuthority.bundled.resolve(p.facts.filter { $0.validFrom <= date && ($0.validTo.map { $0 >= date } ?? true) }).used
        // Households are small: lists searched in order cost less than hashing into sets for every household screened.
        let dead = p.facts.filter { $0.kind == .death && $0.validFrom <= date }.compactMap(\.memberID)
        // A tekun enrolment was granted on a finding, made at the time, that no one able to support the person
        // exists [TK 2]; the register keeps the enrolment, not the finding, so the finding stands until a review.
        let tekun = p.enrolments.filter { $0.program == .tekun && $0.status == .active }.compactMap(\.memberID)
        // Someone born after the date was not yet a member then.
        let born = p.members.filter { $0.birthDate <= date }
        let present = born.map(\.id)
        // Each member's ID as text once: the calculator keys members by text, and formatting a UUID is not free.
        let idText = p.members.map { ($0.id, $0.id.description) }
        func text(_ id: Member.ID) -> String { idText.first { $0.0 == id }?.1 ?? id.description }
        let members = born.map { m in
            MemberInput(id: text(m.id), name: m.name, relation: m.relation, birthDate: m.birthDate, sex: m.sex,
                        status: dead.contains(m.id) ? .deceased : .present,
                        disability: m.disability.map { DisabilityInput(category: $0.category, grade: $0.grade) },
                        seriousIllness: m.hasSeriousIllness, employment: m.employment, schooling: m.schooling,
                        legalSupporter: tekun.contains(m.id) ? .unable : nil)
        }
        var incomes: [IncomeInput] = []
        var assets: [AssetInput] = []
        var expenditures: [ExpenditureInput] = []
        for f in inForce {
            guard let amount = f.amount else { continue }
            if let m = f.memberID, !present.contains(m) { continue }
            let member = f.memberID.map(text)
            switch f.kind.category {
            case .income:
                guard let kind = IncomeKind(rawValue: f.kind.rawValue) else { continue }
                incomes.append(IncomeInput(member: member, kind: kind, amountCents: amount.value, basis: f.basis ?? .perMonth, source: source(f)))
            case .asset:
                guard let kind = AssetKind(rawValue: f.kind.rawValue) else { continue }
                assets.append(AssetInput(member: member, kind: kind, amountCents: amount.value, source: source(f)))
            case .expenditure:
                guard let kind = ExpenditureKind(rawValue: f.kind.rawValue) else { continue }
                expenditures.append(ExpenditureInput(member: member, kind: kind, amountCents: amount.value, source: source(f)))
            case .event:
                continue
            }
        }
        let enrolments = p.enrolments.filter { $0.status == .active && ($0.memberID.map { present.contains($0) } ?? true) }.map {
            CurrentEnrolment(program: $0.program, member: $0.memberID.map(text), since: $0.since, monthlyAmountCents: $0.monthlyAmount.value)
        }
        self.init(date: date, region: p.household.residenceRegion, members: members, incomes: incomes, assets: assets,
                  expenditures: expenditures, enrolments: enrolments)
    }
}

/// An assessment as plain text, for the command line and for print.
public enum AssessmentText {
    public static func render(_ a: Assessment, members: [MemberInput] = [], explain: Bool = true) -> String {
        func who(_ id: String?) -> String {
            guard let id else { return "" }
            return "（\(members.first { $0.id == id }?.label ?? id)）"
        }
        var out = "评估日期 \(a.date)  区划 \(a.region)\n"
        out += "分层：\(a.tier.chinese)\n"
        out += "计入人数 \(a.figures.countedMembers)，家庭月收入 \(Cents(a.figures.monthlyIncomeCents).yuanText)，人均 \(Cents(a.figures.incomePerMemberCents).yuanText)，"
        out += "低保标准 \(Cents(a.figures.dibaoStandardCents).yuanText)\n"
        out += "每月合计 \(a.monthlyTotal.yuanText)\n\n"
        if let p = a.deliberation {
            out += "【建议一事一议】\(p.summary) [\(p.article)]\n"
            for h in p.hardship { out += "  ▸ \(h)\n" }
            for miss in p.nearMisses { out += "  · \(miss.program.chinese)\(who(miss.member))：\(miss.missing.joined(separator: "；"))\n" }
            out += "\n"
        }
        for d in a.decisions.sorted(by: { order($0) < order($1) }) {
            let amount = d.amountKind == .none ? "" : "  \(d.amount.yuanText)\(d.amountKind == .perMonth ? "/月" : "（一次性）")"
            out += "【\(d.outcome.chinese)】\(d.program.chinese)\(who(d.member))\(amount)\n  \(d.summary)\n"
            for c in d.changes { out += "  ▸ \(c)\n" }
            for n in d.notes { out += "  · \(n)\n" }
            if explain {
                for (i, s) in d.steps.enumerated() {
                    out += "    \(i + 1). \(s.rule) [\(s.article)]：\(s.result)\n"
                    for input in s.inputs { out += "       - \(input.name)：\(input.value)\(input.source.map { "（来源：\($0)）" } ?? "")\n" }
                    for p in s.parameters { out += "       - \(p.label)（\(p.name)）= \(p.value)（\(p.scope)，\(p.effective)起；\(p.reference)）\n" }
                }
            }
            out += "\n"
        }
        return out
    }

    public static func order(_ d: Decision) -> Int {
        switch d.outcome {
        case .qualifies: return 0
        case .needsDecision: return 1
        case .doesNotQualify: return 2
        }
    }
}
