import Foundation

/// What brings a review round sooner than the yearly one [DB 31; DD].
public enum ReviewTrigger: String, Codable, Sendable, CaseIterable {
    /// Every enrolment of the cycle's programmes.
    case always
    /// A member able to work who is in the labour force, or income that is not fixed (flexible work, self-employment, farming).
    case ableToWorkOrIrregularIncome
    /// A member died after the last review: the amount is recalculated for those who remain.
    case memberDied

    /// Employment that gives income that is not fixed.
    public static let irregularIncome: [Employment] = [.flexible, .selfEmployed, .farming]
    /// Employment of someone in the labour force (a full-capacity member who is retired or not in it is not "able to work" here).
    public static let labourForce: [Employment] = [.employed, .unemployed] + irregularIncome
}

/// One cycle: which programmes, on what condition, how many months after the last review (or the death), and why.
public struct ReviewCycle: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var programs: [Program]
    public var when: ReviewTrigger
    public var months: Int
    public var article: String
}

/// The review cycles, as data (`Resources/reviews/cycles.json`), refused when loaded if they cannot be followed.
public struct ReviewCycles: Sendable {
    public let cycles: [ReviewCycle]

    struct File: Decodable { let cycles: [ReviewCycle] }

    public init(json: Data, file: String = "cycles.json") throws(DomainError) {
        let parsed: File
        do { parsed = try JSONDecoder().decode(File.self, from: json) } catch {
            throw .invalidData(file: file, reason: "无法读取核查周期：\(error)")
        }
        guard !parsed.cycles.isEmpty else { throw .invalidData(file: file, reason: "没有核查周期") }
        for c in parsed.cycles {
            guard !c.programs.isEmpty else { throw .invalidData(file: file, reason: "\(c.id)：没有适用的救助项目") }
            guard (1...36).contains(c.months) else { throw .invalidData(file: file, reason: "\(c.id)：间隔月数应为1–36") }
            guard !c.article.trimmingCharacters(in: .whitespaces).isEmpty else { throw .invalidData(file: file, reason: "\(c.id)：须写明依据") }
        }
        guard Set(parsed.cycles.map(\.id)).count == parsed.cycles.count else { throw .invalidData(file: file, reason: "周期编号重复") }
        cycles = parsed.cycles
    }

    public static func bundled() throws -> ReviewCycles {
        try ReviewCycles(json: BundledData.data("cycles", "json", folder: "Resources/reviews"))
    }

    public subscript(_ id: String) -> ReviewCycle? { cycles.first { $0.id == id } }

    /// The programmes any cycle reviews.
    public var programs: [Program] { Array(Set(cycles.flatMap(\.programs))).sorted { $0.rawValue < $1.rawValue } }
}

/// What the schedule needs to know of an enrolment in force.
public struct ReviewSubject: Sendable, Equatable {
    public var program: Program
    public var since: LocalDate
    public var lastReviewedOn: LocalDate?
    public var ableToWorkOrIrregularIncome: Bool
    /// The latest death of a member on file, if any.
    public var memberDiedOn: LocalDate?

    public init(program: Program, since: LocalDate, lastReviewedOn: LocalDate?, ableToWorkOrIrregularIncome: Bool, memberDiedOn: LocalDate?) {
        self.program = program
        self.since = since
        self.lastReviewedOn = lastReviewedOn
        self.ableToWorkOrIrregularIncome = ableToWorkOrIrregularIncome
        self.memberDiedOn = memberDiedOn
    }
}

public struct ReviewDue: Sendable, Equatable {
    public var cycle: ReviewCycle
    public var dueOn: LocalDate
}

/// When an enrolment is next reviewed: the earliest due date among the cycles that apply to it, counted from its
/// last review (or its start), or from a member's death after that review [DB 31; DD].
public enum ReviewSchedule {
    /// Every cycle that applies, with its due date.
    public static func applicable(_ s: ReviewSubject, cycles: ReviewCycles) -> [ReviewDue] {
        let base = s.lastReviewedOn ?? s.since
        return cycles.cycles.compactMap { c in
            guard c.programs.contains(s.program) else { return nil }
            switch c.when {
            case .always: return ReviewDue(cycle: c, dueOn: base.adding(months: c.months))
            case .ableToWorkOrIrregularIncome:
                return s.ableToWorkOrIrregularIncome ? ReviewDue(cycle: c, dueOn: base.adding(months: c.months)) : nil
            case .memberDied:
                // A death the last review already saw is not a reason for another.
                guard let died = s.memberDiedOn, died > base else { return nil }
                return ReviewDue(cycle: c, dueOn: died.adding(months: c.months))
            }
        }
    }

    /// The next review: the earliest due (the first listed on a tie).
    public static func due(_ s: ReviewSubject, cycles: ReviewCycles) -> ReviewDue? {
        applicable(s, cycles: cycles).reduce(nil) { best, d in best.map { d.dueOn < $0.dueOn } ?? true ? d : best }
    }

    /// The review to open today, if any. A cycle's review opens `leadDays` before it is due, so that it can be done
    /// by then; after a death it opens as soon as the death is on file (the amount for those who remain should not
    /// wait for a cycle), due by the earlier of three months after the death and the next cycle.
    public static func opening(_ s: ReviewSubject, cycles: ReviewCycles, on today: LocalDate, leadDays: Int) -> ReviewDue? {
        let all = applicable(s, cycles: cycles)
        guard let earliest = due(s, cycles: cycles) else { return nil }
        if let death = all.first(where: { $0.cycle.when == .memberDied }) {
            return ReviewDue(cycle: death.cycle, dueOn: min(death.dueOn, earliest.dueOn))
        }
        return earliest.dueOn <= today.adding(days: leadDays) ? earliest : nil
    }
}
