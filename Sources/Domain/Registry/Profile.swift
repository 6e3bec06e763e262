import Foundation

/// One line of a household search result. The ID number is already masked: lists never carry a full one.
public struct HouseholdSummary: Sendable, Codable, Equatable {
    public var id: Household.ID
    public var headName: String
    public var headMaskedID: String
    public var address: String
    public var residenceRegion: RegionCode
    public var residenceRegionName: String
    public var memberCount: Int
    public var programs: [Program]

    public init(id: Household.ID, headName: String, headMaskedID: String, address: String, residenceRegion: RegionCode,
                residenceRegionName: String, memberCount: Int, programs: [Program]) {
        self.id = id
        self.headName = headName
        self.headMaskedID = headMaskedID
        self.address = address
        self.residenceRegion = residenceRegion
        self.residenceRegionName = residenceRegionName
        self.memberCount = memberCount
        self.programs = programs
    }
}

/// Everything the registry holds about one household, as its profile page shows it.
public struct HouseholdProfile: Sendable {
    public var household: Household
    public var registeredRegionName: String
    public var residenceRegionName: String
    public var members: [Member]
    public var facts: [Fact]
    public var enrolments: [Enrolment]

    public init(household: Household, registeredRegionName: String, residenceRegionName: String, members: [Member],
                facts: [Fact], enrolments: [Enrolment]) {
        self.household = household
        self.registeredRegionName = registeredRegionName
        self.residenceRegionName = residenceRegionName
        self.members = members
        self.facts = facts
        self.enrolments = enrolments
    }

    public var head: Member? { members.first { $0.relation == .head } ?? members.first }

    public func member(_ id: Member.ID?) -> Member? { id.flatMap { i in members.first { $0.id == i } } }

    /// Facts grouped by category, newest first within each.
    public var factsByCategory: [(FactCategory, [Fact])] {
        FactCategory.allCases.compactMap { c in
            let fs = facts.filter { $0.kind.category == c }.sorted { $0.validFrom > $1.validFrom }
            return fs.isEmpty ? nil : (c, fs)
        }
    }

    /// Life events and enrolment starts in date order, newest first.
    public var timeline: [TimelineEntry] {
        var out: [TimelineEntry] = []
        for f in facts where f.kind.category == .event {
            let who = member(f.memberID)?.name ?? ""
            out.append(TimelineEntry(date: f.validFrom, title: "\(who)\(who.isEmpty ? "" : " ")\(f.kind.chinese)",
                                     detail: f.note, source: f.provenance.department))
        }
        for e in enrolments {
            let who = member(e.memberID)?.name
            out.append(TimelineEntry(date: e.since, title: "纳入\(e.program.chinese)" + (who.map { "（\($0)）" } ?? ""),
                                     detail: "每月 \(e.monthlyAmount.yuanText)，\(e.status.chinese)", source: .civilAffairs))
        }
        return out.sorted { ($0.date, $0.title) > ($1.date, $1.title) }
    }
}

public struct TimelineEntry: Sendable, Equatable {
    public var date: LocalDate
    public var title: String
    public var detail: String
    public var source: Department
}

/// Counts for a region inside the user's jurisdiction.
public struct RegionCounts: Sendable, Codable, Equatable {
    public var region: Region
    public var households: Int
    public var people: Int
    public var enrolments: Int

    public init(region: Region, households: Int, people: Int, enrolments: Int) {
        self.region = region
        self.households = households
        self.people = people
        self.enrolments = enrolments
    }
}

public struct ProgramCount: Sendable, Codable, Equatable {
    public var program: Program
    public var enrolments: Int
    public var monthlyAmount: Cents

    public init(program: Program, enrolments: Int, monthlyAmount: Cents) {
        self.program = program
        self.enrolments = enrolments
        self.monthlyAmount = monthlyAmount
    }
}

/// The home page's and region browser's figures.
public struct Overview: Sendable, Codable, Equatable {
    public var region: Region
    public var ancestors: [Region]
    public var households: Int
    public var people: Int
    public var byProgram: [ProgramCount]
    public var subRegions: [RegionCounts]

    public init(region: Region, ancestors: [Region], households: Int, people: Int, byProgram: [ProgramCount], subRegions: [RegionCounts]) {
        self.region = region
        self.ancestors = ancestors
        self.households = households
        self.people = people
        self.byProgram = byProgram
        self.subRegions = subRegions
    }
}

/// What a search box string means.
public enum HouseholdQuery: Sendable, Equatable {
    /// A whole, valid ID number.
    case nationalID(NationalID)
    /// The last 4 to 17 characters of an ID number.
    case idTail(String)
    /// A name or part of an address.
    case text(String)

    /// The query as the audit log keeps it: enough to see what kind of search it was and roughly for whom, not the
    /// person's whole name or number (an ID as in lists, a tail by its last four, a name or address by its first character).
    public var masked: String {
        switch self {
        case .nationalID(let id): return "身份证号 \(id.masked)"
        case .idTail(let tail): return "身份证号尾号 " + String(repeating: "*", count: max(0, tail.count - 4)) + tail.suffix(4)
        case .text(let raw):
            let t = Self.withoutControlCharacters(raw)
            return "姓名或地址 " + t.prefix(1) + String(repeating: "*", count: max(0, t.count - 1))
        }
    }

    /// Too short to search without listing half the city.
    public static let minimumIDDigits = 4

    /// Why `parse` refused the text, in words for the person who typed it.
    public static func rejection(_ raw: String) -> String {
        let n = NationalID.normalise(raw)
        if n.count == 18 || n.count == 15 {
            do { _ = try NationalID(n) } catch { return error.chinese }
        }
        return "身份证号请至少输入\(minimumIDDigits)位；也可输入姓名或地址。"
    }

    public static func parse(_ raw: String) -> HouseholdQuery? {
        // Control characters (a NUL, a tab pasted from a spreadsheet) are no part of a name, an address or an ID:
        // a bare NUL used to search for "anything" and list every household of the jurisdiction.
        let raw = withoutControlCharacters(raw)
        let normalised = NationalID.normalise(raw)
        guard !normalised.isEmpty else { return nil }
        let idLike = normalised.allSatisfy { $0.isASCIIDigit || $0 == "X" } && normalised.contains(where: \.isASCIIDigit)
        if idLike {
            if let id = try? NationalID(normalised) { return .nationalID(id) }
            if normalised.count >= minimumIDDigits && normalised.count < 18 { return .idTail(normalised) }
            return nil
        }
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : .text(text)
    }

    /// The text with every control character (Unicode category Cc) and format character (Cf, e.g. a zero-width
    /// space) removed.
    public static func withoutControlCharacters(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.properties.generalCategory {
            case .control, .format: continue
            default: out.append(u)
            }
        }
        return String(out)
    }
}
