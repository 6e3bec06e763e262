import Foundation

/// The demo city's settings, read from `demo-city.json`. Every amount there is a demo value.
public struct DemoSettings: Sendable, Codable {
    public let note: String
    public let cityCode: RegionCode
    /// A real city's published screening figures, shown beside the demo city's for scale.
    public let publishedMonitoring: PublishedMonitoring?
    public let urbanNames: [String]
    public let ruralNames: [String]
    public let ruralDistricts: [RegionCode]
    public let surnames: [String]
    public let givenMale: [String]
    public let givenFemale: [String]

    public static func bundled() throws -> DemoSettings {
        try JSONDecoder().decode(DemoSettings.self, from: BundledData.data("demo-city", "json"))
    }
}

public struct PublishedMonitoring: Sendable, Codable {
    public let place: String
    public let screenedPeople: Int
    public let warnings: Int
    public let handled: Int
    public let source: String
}

/// One generated household with everything that belongs to it.
public struct HouseholdBundle: Sendable {
    public var household: Household
    public var members: [Member]
    public var facts: [Fact]
    public var enrolments: [Enrolment]

    public init(household: Household, members: [Member], facts: [Fact], enrolments: [Enrolment]) {
        self.household = household
        self.members = members
        self.facts = facts
        self.enrolments = enrolments
    }
}

/// Builds the demo city: 天津市 with its real districts from the reference data, invented streets
/// and communities (marked `isDemo`), and households with realistic structure, health, incomes,
/// assets and some current enrolments. Deterministic for a seed; the date is passed in.
public struct DemoCity: Sendable {
    public let settings: DemoSettings
    /// The city's standards on `today`, from the policy parameters: the amounts of the demo's enrolments are
    /// those the calculator would pay, and cannot drift from them.
    public let standards: Standards
    public let city: Region
    public let districts: [Region]
    public let streets: [Region]
    public let communities: [Region]
    /// Counties elsewhere in China, for members born outside the city.
    let otherCounties: [RegionCode]
    public let today: LocalDate
    public let seed: UInt64

    public init(reference: RegionReference, settings: DemoSettings, parameters: ParameterSet, today: LocalDate, seed: UInt64 = 20_241_001) throws {
        guard let city = reference[settings.cityCode] else {
            throw DomainError.invalidData(file: "demo-city.json", reason: "参考数据中没有城市 \(settings.cityCode)")
        }
        self.settings = settings
        standards = try PolicyCalculator(parameters: parameters).standards(region: settings.cityCode, date: today)
        self.city = city
        self.today = today
        self.seed = seed
        districts = reference.children(of: settings.cityCode)
        otherCounties = reference.regions.keys
            .filter { $0.level == .county && !settings.cityCode.contains($0) }
            .sorted()
        var rng = SeededRandom(seed: seed)
        var streets: [Region] = []
        var communities: [Region] = []
        for d in districts {
            let rural = settings.ruralDistricts.contains(d.code)
            var names = (rural ? settings.ruralNames : settings.urbanNames).shuffled(using: &rng)
            let streetCount = rng.int(3...6)
            for s in 0..<streetCount {
                // 9xx township codes are rarely used in the official scheme, so invented streets stand apart.
                let code = try RegionCode(d.code.prefix + String(format: "%03d", 901 + s) + "000")
                let sname = names.removeFirst() + (rural ? "镇" : "街道")
                streets.append(Region(code: code, name: sname, isDemo: true))
                let communityCount = rng.int(2...5)
                for c in 0..<communityCount {
                    let cc = try RegionCode(code.prefix + String(format: "%03d", c + 1))
                    let base = (rural ? settings.ruralNames : settings.urbanNames)[(s * 7 + c * 3) % (rural ? settings.ruralNames.count : settings.urbanNames.count)]
                    let cname = rural ? "\(base)\(["东", "西", "南", "北", "前"][c])村" : "\(base)\(["一", "二", "三", "四", "五"][c])里社区"
                    communities.append(Region(code: cc, name: cname, isDemo: true))
                }
            }
        }
        self.streets = streets
        self.communities = communities
    }

    /// Every region the demo needs stored: the province, the city, its districts and the invented levels.
    public func regions(reference: RegionReference) -> [Region] {
        var out: [Region] = []
        for a in city.code.ancestors { if let r = reference[a] { out.append(r) } }
        return out + [city] + districts + streets + communities
    }

    public func regionName(_ code: RegionCode) -> String {
        if let c = communities.first(where: { $0.code == code }) { return c.name }
        if let s = streets.first(where: { $0.code == code }) { return s.name }
        if let d = districts.first(where: { $0.code == code }) { return d.name }
        return code.value
    }

    /// Households one at a time, so that 100,000 of them never sit in memory together.
    public func households(count: Int) -> AnyIterator<HouseholdBundle> {
        var maker = HouseholdMaker(city: self, rng: SeededRandom(seed: seed &+ 1))
        var made = 0
        return AnyIterator {
            guard made < count else { return nil }
            made += 1
            return maker.make()
        }
    }
}

/// The state of one generation run: the random stream and the ID sequence numbers already used.
struct HouseholdMaker {
    let city: DemoCity
    var rng: SeededRandom
    var usedSequences: [String: Int] = [:]
    let communityStreet: [RegionCode: Region]
    let streetDistrict: [RegionCode: Region]

    init(city: DemoCity, rng: SeededRandom) {
        self.city = city
        self.rng = rng
        var cs: [RegionCode: Region] = [:]
        for c in city.communities { cs[c.code] = city.streets.first { $0.code == c.code.parent } }
        communityStreet = cs
        var sd: [RegionCode: Region] = [:]
        for s in city.streets { sd[s.code] = city.districts.first { $0.code == s.code.parent } }
        streetDistrict = sd
    }

    enum Shape: CaseIterable { case elderAlone, singleAdult, elderCouple, couple, coupleOneChild, coupleTwoChildren, threeGenerations, singleParent }

    struct Person {
        var relation: Relation
        var age: Int
        var sex: Sex
        var surname: String
    }

    mutating func make() -> HouseholdBundle {
        let community = rng.pick(city.communities)
        let street = communityStreet[community.code]!
        let district = streetDistrict[street.code]!
        let rural = city.settings.ruralDistricts.contains(district.code)
        // Most households are registered where they live; some moved within the city (一城通办 cases).
        let registered = rng.chance(0.06) ? rng.pick(city.communities).code : community.code
        let householdID = Household.ID(rng.uuid())
        let address = rural
            ? "\(district.name)\(street.name)\(community.name)\(rng.int(1...320))号"
            : "\(district.name)\(street.name)\(community.name)\(rng.int(1...36))号楼\(rng.int(1...6))单元\(rng.int(1...18))0\(rng.int(1...4))室"
        let household = Household(id: householdID, registeredRegion: registered, residenceRegion: community.code, address: address)

        // Roughly 8% of households are in hardship: low or no earnings, illness or disability, little saved.
        let hardship = rng.chance(0.08)
        let people = shapePeople(hardship: hardship)
        let receivedBase = city.today.adding(days: -rng.int(20...300))
        var members: [Member] = []
        var facts: [Fact] = []
        func provenance(_ d: Department, _ ref: String) -> Provenance {
            Provenance(department: d, receivedAt: receivedBase.adding(days: rng.int(0...15)), reference: "演示数据/\(ref)")
        }
        var monthlyIncome: Int64 = 0
        for p in people {
            let birth = birthDate(age: p.age)
            let bornHere = !rng.chance(p.age >= 18 ? 0.12 : 0.02)
            let addressCode = bornHere ? String(registeredDistrict(registered).prefix) : rng.pick(city.otherCounties).prefix
            let id = nationalID(addressCode: addressCode, birth: birth, sex: p.sex)
            let memberID = Member.ID(rng.uuid())
            let disability = makeDisability(age: p.age, hardship: hardship)
            var illnesses: [Illness] = []
            if rng.chance(p.age >= 60 ? 0.35 : (p.age >= 30 ? 0.1 : 0.02)) { illnesses.append(.chronic) }
            if rng.chance(hardship ? 0.12 : 0.015) { illnesses.append(.serious) }
            let capacity: WorkCapacity = {
                if p.age < 16 || p.age >= 70 { return .none }
                if let d = disability, d.grade <= 2 { return .none }
                if illnesses.contains(.serious) { return .none }
                if p.age >= 60 || disability != nil { return .partial }
                return .full
            }()
            let employment = makeEmployment(age: p.age, capacity: capacity, rural: rural, hardship: hardship)
            let schooling = makeSchooling(age: p.age)
            members.append(Member(id: memberID, householdID: householdID, relation: p.relation, nationalID: id,
                                  name: p.surname + givenName(p.sex), sex: p.sex, birthDate: birth, disability: disability,
                                  illnesses: illnesses, workCapacity: capacity, employment: employment, schooling: schooling))

            func income(_ kind: FactKind, _ dept: Department, _ yuan: ClosedRange<Int>) {
                let cents = Int64(rng.int(yuan)) * 100
                monthlyIncome += cents
                facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: memberID, kind: kind,
                                  amount: Cents(cents), basis: .perMonth, validFrom: receivedBase.adding(days: -rng.int(30...700)),
                                  validTo: nil, provenance: provenance(dept, kind.rawValue), note: ""))
            }
            switch employment {
            case .employed: income(.wage, .humanResources, hardship ? 1_900...3_200 : 3_000...12_000)
            case .flexible: income(.otherIncome, .civilAffairs, hardship ? 600...1_800 : 1_800...4_500)
            case .selfEmployed: income(.businessIncome, .tax, hardship ? 800...2_000 : 2_500...15_000)
            case .farming: income(.businessIncome, .civilAffairs, hardship ? 300...900 : 900...2_500)
            case .unemployed: if rng.chance(0.5) { income(.unemploymentBenefit, .humanResources, 1_600...1_800) }
            case .retired:
                if rural || hardship { income(.residentPension, .humanResources, 260...420) }
                else { income(.employeePension, .humanResources, 2_600...6_500) }
            case .notInLabourForce:
                if p.age >= 60 { income(.residentPension, .humanResources, 260...420) }
            }
            if let d = disability {
                facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: memberID, kind: .disabilityCertificate,
                                  amount: nil, basis: nil, validFrom: city.today.adding(days: -rng.int(60...3_000)), validTo: nil,
                                  provenance: provenance(.disabledFederation, "证"), note: d.chinese))
            }
            if illnesses.contains(.serious) {
                facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: memberID, kind: .diagnosis,
                                  amount: nil, basis: nil, validFrom: city.today.adding(days: -rng.int(30...900)), validTo: nil,
                                  provenance: provenance(.health, "诊断"), note: rng.pick(["恶性肿瘤", "尿毒症", "白血病", "重性精神病", "器官移植"])))
                let selfPay = Int64(rng.int(18_000...160_000)) * 100
                facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: memberID, kind: .medicalSelfPay,
                                  amount: Cents(selfPay), basis: .perYear, validFrom: city.today.adding(days: -365), validTo: city.today,
                                  provenance: provenance(.medicalInsurance, "结算"), note: "近12个月政策范围内自付"))
            }
            if p.age <= 1 {
                facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: memberID, kind: .birth,
                                  amount: nil, basis: nil, validFrom: birth, validTo: nil, provenance: provenance(.publicSecurity, "出生登记"), note: ""))
            }
        }
        // A few households have a member who died recently; their records stay, with the death on file.
        if members.count > 1, rng.chance(0.004) {
            let m = members[members.count - 1]
            facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: m.id, kind: .death, amount: nil, basis: nil,
                              validFrom: city.today.adding(days: -rng.int(5...200)), validTo: nil,
                              provenance: provenance(.publicSecurity, "死亡注销"), note: "户籍注销"))
        }
        // Assets.
        func asset(_ kind: FactKind, _ dept: Department, _ yuan: ClosedRange<Int>, _ note: String = "") {
            facts.append(Fact(id: Fact.ID(rng.uuid()), householdID: householdID, memberID: members.first?.id, kind: kind,
                              amount: Cents(Int64(rng.int(yuan)) * 100), basis: .total, validFrom: receivedBase.adding(days: -rng.int(10...2_000)),
                              validTo: nil, provenance: provenance(dept, kind.rawValue), note: note))
        }
        if rng.chance(hardship ? 0.5 : 0.92) { asset(.deposit, .bank, hardship ? 200...9_000 : 5_000...400_000) }
        if !hardship, rng.chance(0.12) { asset(.securities, .bank, 10_000...300_000) }
        if rng.chance(hardship ? 0.03 : 0.35) { asset(.vehicle, .vehicles, 25_000...260_000, rng.pick(["小型轿车", "SUV", "电动汽车"])) }
        if rng.chance(hardship ? 0.45 : 0.82) { asset(.realEstate, .realEstate, rural ? 80_000...400_000 : 300_000...2_400_000, "住宅") }
        if !hardship, rng.chance(0.05) { asset(.business, .marketRegulation, 10_000...500_000, "个体工商户") }

        let enrolments = makeEnrolments(householdID: householdID, members: members, monthlyIncome: monthlyIncome, hardship: hardship)
        return HouseholdBundle(household: household, members: members, facts: facts, enrolments: enrolments)
    }

    func registeredDistrict(_ code: RegionCode) -> RegionCode {
        streetDistrict[code.parent!]!.code
    }

    mutating func shapePeople(hardship: Bool) -> [Person] {
        let shape: Shape = rng.weighted([
            (.elderAlone, hardship ? 30 : 12), (.singleAdult, 7), (.elderCouple, 14), (.couple, 9),
            (.coupleOneChild, 28), (.coupleTwoChildren, 12), (.threeGenerations, 12), (.singleParent, hardship ? 10 : 4),
        ])
        let surname = rng.pick(city.settings.surnames)
        func spouseSurname() -> String { rng.pick(city.settings.surnames) }
        var out: [Person] = []
        let headSex: Sex = rng.chance(0.62) ? .male : .female
        let other: Sex = headSex == .male ? .female : .male
        switch shape {
        case .elderAlone:
            out.append(Person(relation: .head, age: rng.int(60...96), sex: rng.chance(0.6) ? .female : .male, surname: surname))
        case .singleAdult:
            out.append(Person(relation: .head, age: rng.int(22...59), sex: headSex, surname: surname))
        case .elderCouple:
            let a = rng.int(60...90)
            out.append(Person(relation: .head, age: a, sex: headSex, surname: surname))
            out.append(Person(relation: .spouse, age: max(55, a + rng.int(-5...5)), sex: other, surname: spouseSurname()))
        case .couple, .coupleOneChild, .coupleTwoChildren:
            let a = rng.int(shape == .couple ? 23...59 : 26...55)
            out.append(Person(relation: .head, age: a, sex: headSex, surname: surname))
            out.append(Person(relation: .spouse, age: max(20, a + rng.int(-4...4)), sex: other, surname: spouseSurname()))
            let kids = shape == .couple ? 0 : (shape == .coupleOneChild ? 1 : 2)
            for _ in 0..<kids {
                out.append(Person(relation: .child, age: max(0, a - rng.int(22...34)), sex: rng.chance(0.51) ? .male : .female, surname: headSex == .male ? surname : spouseSurname()))
            }
        case .threeGenerations:
            let a = rng.int(28...48)
            out.append(Person(relation: .head, age: a, sex: headSex, surname: surname))
            out.append(Person(relation: .spouse, age: max(22, a + rng.int(-4...4)), sex: other, surname: spouseSurname()))
            out.append(Person(relation: .child, age: max(0, a - rng.int(22...32)), sex: rng.chance(0.51) ? .male : .female, surname: surname))
            out.append(Person(relation: .parent, age: a + rng.int(24...32), sex: .female, surname: spouseSurname()))
            if rng.chance(0.5) { out.append(Person(relation: .parent, age: a + rng.int(26...34), sex: .male, surname: surname)) }
        case .singleParent:
            let a = rng.int(26...50)
            out.append(Person(relation: .head, age: a, sex: rng.chance(0.7) ? .female : .male, surname: surname))
            for _ in 0..<rng.int(1...2) {
                out.append(Person(relation: .child, age: max(0, min(a - 20, rng.int(1...17))), sex: rng.chance(0.51) ? .male : .female, surname: surname))
            }
        }
        return out
    }

    mutating func birthDate(age: Int) -> LocalDate {
        // A birthday somewhere in the year that gives this age today.
        let latest = LocalDate(dayNumber: (try! LocalDate(year: city.today.year - age, month: city.today.month, day: min(city.today.day, 28))).dayNumber)
        return latest.adding(days: -rng.int(0...364))
    }

    mutating func nationalID(addressCode: String, birth: LocalDate, sex: Sex) -> NationalID {
        // Sequence numbers are odd for men and even for women (GB 11643), unique per address and date.
        let key = addressCode + birth.description + sex.rawValue
        let k = usedSequences[key, default: rng.int(0...40)]
        usedSequences[key] = k + 1 + rng.int(0...2)
        let seq = sex == .male ? 2 * k + 1 : 2 * k + 2
        return try! NationalID(addressCode: addressCode, birthDate: birth, sequence: seq)
    }

    mutating func givenName(_ sex: Sex) -> String {
        let chars = sex == .male ? city.settings.givenMale : city.settings.givenFemale
        return rng.chance(0.7) ? rng.pick(chars) + rng.pick(chars) : rng.pick(chars)
    }

    mutating func makeDisability(age: Int, hardship: Bool) -> Disability? {
        let p = (age >= 60 ? 0.12 : 0.04) * (hardship ? 3 : 1)
        guard rng.chance(p) else { return nil }
        let category: DisabilityCategory = rng.weighted([
            (.physical, 40), (.hearing, 20), (.visual, 14), (.intellectual, 7), (.mental, 8), (.speech, 2), (.multiple, 9),
        ])
        let grade = rng.weighted([(1, 10.0), (2, 20), (3, 30), (4, 40)])
        return try! Disability(category: category, grade: grade)
    }

    mutating func makeEmployment(age: Int, capacity: WorkCapacity, rural: Bool, hardship: Bool) -> Employment {
        if age < 16 { return .notInLabourForce }
        if age < 22, rng.chance(0.6) { return .notInLabourForce }
        if age >= 60 { return rural ? (rng.chance(0.3) ? .farming : .notInLabourForce) : .retired }
        if capacity == .none { return .notInLabourForce }
        if rural { return rng.weighted([(.farming, 45), (.employed, 25), (.flexible, 15), (.selfEmployed, 5), (.unemployed, hardship ? 15 : 5)]) }
        return rng.weighted([(.employed, hardship ? 30 : 62), (.flexible, 14), (.selfEmployed, 7), (.unemployed, hardship ? 40 : 6), (.notInLabourForce, 6)])
    }

    mutating func makeSchooling(age: Int) -> Schooling {
        switch age {
        case 3...5: return .preschool
        case 6...11: return .primary
        case 12...14: return rng.chance(0.008) ? .droppedOut : .juniorSecondary
        case 15...17: return rng.chance(0.015) ? .droppedOut : (rng.chance(0.3) ? .vocational : .seniorSecondary)
        case 18...22: return rng.chance(0.5) ? .tertiary : .notApplicable
        default: return .notApplicable
        }
    }

    mutating func makeEnrolments(householdID: Household.ID, members: [Member], monthlyIncome: Int64, hardship: Bool) -> [Enrolment] {
        var out: [Enrolment] = []
        let s = city.standards
        func since() -> LocalDate { city.today.adding(days: -rng.int(40...2_500)) }
        let gap = s.dibao.value * Int64(members.count) - monthlyIncome
        let head = members[0]
        let elderAloneNoIncome = members.count == 1 && head.birthDate.age(on: city.today) >= 60 && monthlyIncome < s.dibao.value / 2
        // Demo only: some households in hardship are enrolled; others are left out, so that later
        // monitoring has missed coverage to find.
        if hardship && elderAloneNoIncome && rng.chance(0.45) {
            out.append(Enrolment(id: Enrolment.ID(rng.uuid()), householdID: householdID, memberID: head.id, program: .tekun,
                                 since: since(), monthlyAmount: s.tekunBasic, status: .active))
        } else if hardship && gap > 0 && rng.chance(0.75) {
            out.append(Enrolment(id: Enrolment.ID(rng.uuid()), householdID: householdID, memberID: nil, program: .dibao,
                                 since: since(), monthlyAmount: Cents(gap), status: rng.chance(0.97) ? .active : .suspended))
        }
        // Students of an enrolled dibao household usually receive education assistance as well; a few do not.
        // Drawn from a generator seeded by the student, so the rest of the city is the same as before this was added.
        if let dibao = out.first(where: { $0.program == .dibao }) {
            for m in members where ![.notApplicable, .preschool, .droppedOut].contains(m.schooling) {
                var own = SeededRandom(seed: withUnsafeBytes(of: m.id.rawValue.uuid) { $0.load(as: UInt64.self) })
                guard own.chance(0.9) else { continue }
                out.append(Enrolment(id: Enrolment.ID(own.uuid()), householdID: householdID, memberID: m.id, program: .education,
                                     since: dibao.since, monthlyAmount: Cents(0), status: .active))
            }
        }
        for m in members {
            guard let d = m.disability else { continue }
            if d.grade <= 2, rng.chance(0.7) {
                out.append(Enrolment(id: Enrolment.ID(rng.uuid()), householdID: householdID, memberID: m.id, program: .disabilityCare,
                                     since: since(), monthlyAmount: s.careAllowance, status: .active))
            }
            if hardship, rng.chance(0.6) {
                out.append(Enrolment(id: Enrolment.ID(rng.uuid()), householdID: householdID, memberID: m.id, program: .disabilityLiving,
                                     since: since(), monthlyAmount: s.livingAllowance, status: .active))
            }
        }
        return out
    }
}
