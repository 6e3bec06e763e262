import ArgumentParser
import Domain
import Foundation

/// `jiuzhu bench assess`: the policy calculator's speed, and the OpenFisca anchor's on the same inputs in the same run.
struct BenchAssess: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assess",
        abstract: "Time the anchor's mini_dibao rule (ours vs OpenFisca, same inputs), the full assessment of many households, and one full explanation.")

    @Option(help: "Households for the OpenFisca comparison and the full assessment.") var households = 1_000_000
    @Option(help: "The OpenFisca anchor folder (mini_dibao).") var anchor = "../shared/anchors/openfisca"
    @Option(help: "A Python with openfisca-core 46 installed (or set OPENFISCA_PYTHON).") var python = ProcessInfo.processInfo.environment["OPENFISCA_PYTHON"] ?? "/tmp/of/bin/python"

    func run() async throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("jiuzhu bench assess — \(households) households, \(cores) cores")
        try compareWithOpenFisca(cores: cores)
        try fullAssessment(cores: cores)
        try oneExplanation()
    }

    // MARK: 1. the anchor's rule on the same inputs

    /// The anchor's parameters (mini_dibao/parameters/dibao.yaml, illustrative values), in our format.
    static let anchorParameters = """
    {"entries": [
      {"region": "110000000000", "effective": "2023-07-01", "values": {"dibaoStandard": {"yuan": "1395"}}},
      {"region": "110000000000", "effective": "2024-07-01", "values": {"dibaoStandard": {"yuan": "1450"}}},
      {"region": "310000000000", "effective": "2023-07-01", "values": {"dibaoStandard": {"yuan": "1420"}}},
      {"region": "310000000000", "effective": "2024-07-01", "values": {"dibaoStandard": {"yuan": "1510"}}},
      {"region": "130000000000", "effective": "2023-01-01", "values": {"dibaoStandard": {"yuan": "560"}}},
      {"region": "130000000000", "effective": "2024-01-01", "values": {"dibaoStandard": {"yuan": "600"}}},
      {"region": "national", "effective": "2023-01-01", "values": {"financialAssetLimitMonths": 24, "disabilitySupplementRate": {"ratio": "0.3"}}},
      {"region": "national", "effective": "2024-07-01", "values": {"disabilitySupplementRate": {"ratio": "0.4"}}}
    ]}
    """

    struct Columns {
        var personHousehold: [Int32] = []
        var income: [Int64] = []
        var grade: [Int8] = []
        var dead: [Int8] = []
        var start: [Int32] = [0]
        var region: [Int8] = []
        var assets: [Int64] = []
    }

    /// Synthetic households shaped like the anchor's own benchmark: 1–4 people, 60% with income, some disability, 0.5% deceased.
    static func makeColumns(_ n: Int) -> Columns {
        var rng = SeededRandom(seed: 42)
        var c = Columns()
        c.region.reserveCapacity(n)
        c.assets.reserveCapacity(n)
        for h in 0..<n {
            let size = rng.int(1...4)
            for _ in 0..<size {
                c.personHousehold.append(Int32(h))
                // Gamma(1.2, 700)-like incomes, in whole cents.
                let u = max(1e-12, Double.random(in: 0..<1, using: &rng))
                let v = max(1e-12, Double.random(in: 0..<1, using: &rng))
                let yuan = rng.chance(0.6) ? 700 * (-log(u) - 0.2 * log(v)) : 0
                c.income.append(Int64((yuan * 100).rounded()))
                c.grade.append(rng.weighted([(0 as Int8, 90.0), (1, 3), (2, 3), (3, 2), (4, 2)]))
                c.dead.append(rng.chance(0.005) ? 1 : 0)
            }
            c.start.append(Int32(c.personHousehold.count))
            c.region.append(Int8(rng.int(0...2)))
            c.assets.append(Int64((-log(max(1e-12, Double.random(in: 0..<1, using: &rng))) * 20_000 * 100).rounded()))
        }
        return c
    }

    /// The anchor rule, in exact cents: eligible when income < standard × living members and assets
    /// ≤ standard × members × 24; benefit = the gap plus a supplement per severely disabled member.
    static func miniDibao(_ c: Columns, standards: [Cents], rate: Ratio, months: Int64, cores: Int) -> (total: Int64, eligible: Int, benefits: [Int64]) {
        let n = c.region.count
        var benefits = [Int64](repeating: 0, count: n)
        let chunks = max(1, cores)
        let supplements = standards.map { rate.of($0) }
        benefits.withUnsafeMutableBufferPointer { out in
            let out = UncheckedBuffer(out)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lo = n * chunk / chunks, hi = n * (chunk + 1) / chunks
                c.income.withUnsafeBufferPointer { income in
                    c.grade.withUnsafeBufferPointer { grade in
                        c.dead.withUnsafeBufferPointer { dead in
                            for h in lo..<hi {
                                var members: Int64 = 0, total: Int64 = 0, severe: Int64 = 0
                                for p in Int(c.start[h])..<Int(c.start[h + 1]) where dead[p] == 0 {
                                    members += 1
                                    total += income[p]
                                    if grade[p] == 1 || grade[p] == 2 { severe += 1 }
                                }
                                let r = Int(c.region[h])
                                let std = standards[r].value
                                let eligible = members > 0 && total < std * members && c.assets[h] <= std * members * months
                                out.base[h] = eligible ? std * members - total + severe * supplements[r].value : 0
                            }
                        }
                    }
                }
            }
        }
        return (benefits.reduce(0, +), benefits.filter { $0 > 0 }.count, benefits)
    }

    struct UncheckedBuffer: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<Int64>
        init(_ b: UnsafeMutableBufferPointer<Int64>) { base = b }
    }

    func compareWithOpenFisca(cores: Int) throws {
        let t0 = Date()
        let c = Self.makeColumns(households)
        print("inputs: \(households) households, \(c.income.count) persons, made in \(fmt(Date().timeIntervalSince(t0))) s")
        let params = try ParameterSet(files: [Data(Self.anchorParameters.utf8)])
        let date = try LocalDate("2024-08-01")
        let regions = try ["110000000000", "310000000000", "130000000000"].map { try RegionCode($0) }
        var best = Double.infinity
        var result: (total: Int64, eligible: Int, benefits: [Int64]) = (0, 0, [])
        for _ in 0..<3 {
            let s0 = DispatchTime.now().uptimeNanoseconds
            // Parameters are resolved per region and date, then the rule runs over the columns.
            let standards = try regions.map { try params.resolve("dibaoStandard", region: $0, date: date).amount! }
            guard case .ratio(let rate) = try params.resolve("disabilitySupplementRate", region: regions[0], date: date).value,
                  case .integer(let months) = try params.resolve("financialAssetLimitMonths", region: regions[0], date: date).value else { return }
            result = Self.miniDibao(c, standards: standards, rate: rate, months: Int64(months), cores: cores)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e9)
        }
        let ours = Double(households) / best
        print("mini_dibao (ours, exact cents): \(fmt(best, 3)) s = \(fmt(ours / 1e6, 2)) M households/s; eligible \(result.eligible); total \(Cents(result.total).yuanText)/month")

        // OpenFisca on the same inputs.
        let dir = NSTemporaryDirectory() + "jiuzhu-anchor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func write<T>(_ name: String, _ a: [T]) throws {
            try a.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: dir + "/" + name)) }
        }
        try write("person_household.i32", c.personHousehold)
        try write("person_income_cents.i64", c.income)
        try write("person_disability_grade.i8", c.grade)
        try write("person_deceased.i8", c.dead)
        try write("household_region.i8", c.region)
        try write("household_assets_cents.i64", c.assets)
        try Data(#"{"households": \#(households), "persons": \#(c.income.count), "period": "2024-08"}"#.utf8).write(to: URL(fileURLWithPath: dir + "/meta.json"))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("bench/openfisca_same_inputs.py").path
        guard FileManager.default.isExecutableFile(atPath: python), FileManager.default.fileExists(atPath: anchor + "/mini_dibao/__init__.py") else {
            print("OpenFisca: not run (needs \(python) with openfisca-core==46.0.1 and the anchor at \(anchor)); " +
                  "set up with: python3 -m venv /tmp/of && /tmp/of/bin/pip install openfisca-core==46.0.1")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script, anchor, dir]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: out) as? [String: Any],
              let calc = json["calc_seconds"] as? Double, let build = json["build_seconds"] as? Double,
              let eligible = json["eligible"] as? Int, let total = json["total_benefit_yuan"] as? Double,
              let sample = json["benefit_yuan"] as? [Double] else {
            print("OpenFisca: failed (exit \(process.terminationStatus))")
            return
        }
        let theirs = Double(households) / calc
        print("mini_dibao (OpenFisca 46, float32): \(fmt(calc, 3)) s = \(fmt(theirs / 1e6, 2)) M households/s (+ \(fmt(build)) s to build the simulation); " +
              "eligible \(eligible); total ¥\(fmt(total))/month")
        let worst = zip(sample, result.benefits.prefix(sample.count)).map { abs($0 - Double($1) / 100) }.max() ?? 0
        print("agreement: eligible \(eligible == result.eligible ? "identical" : "differs by \(abs(eligible - result.eligible))"); " +
              "totals differ by ¥\(fmt(abs(total - Double(result.total) / 100))) (float32 rounding); largest difference in the first \(sample.count) households ¥\(fmt(worst))")
        print("ratio: ours is \(fmt(theirs > 0 ? ours / theirs : 0, 1))× OpenFisca's households per second on the same rule and inputs")
    }

    // MARK: 2. the full assessment of many households

    func fullAssessment(cores: Int) throws {
        let calc = PolicyCalculator(parameters: try ParameterSet.bundled())
        let date = try LocalDate("2025-03-15")
        let region = try RegionCode("120104901001")
        let standards = try calc.standards(region: region, date: date)
        let t0 = Date()
        var rng = SeededRandom(seed: 7)
        var requests: [AssessmentRequest] = []
        requests.reserveCapacity(households)
        let ids = ["m1", "m2", "m3", "m4", "m5"]
        for _ in 0..<households {
            let size = rng.int(1...4)
            var members: [MemberInput] = []
            var incomes: [IncomeInput] = []
            for i in 0..<size {
                let age = i == 0 ? rng.int(25...90) : rng.int(0...80)
                let disability: DisabilityInput? = rng.chance(0.07) ? DisabilityInput(category: rng.pick(DisabilityCategory.allCases), grade: rng.int(1...4)) : nil
                members.append(MemberInput(id: ids[i], relation: i == 0 ? .head : .other, birthDate: date.adding(days: -age * 365 - rng.int(0...364)),
                                           disability: disability, seriousIllness: rng.chance(0.03), employment: age >= 60 ? .retired : .employed,
                                           schooling: age < 18 && age > 5 ? .primary : nil, selfCareUnableActivities: age > 75 ? rng.int(0...6) : nil,
                                           legalSupporter: age > 75 && rng.chance(0.3) ? .nobody : nil))
                if rng.chance(0.6) { incomes.append(IncomeInput(member: ids[i], kind: age >= 60 ? .employeePension : .wage, amountCents: Int64(rng.int(0...600_000)), basis: .perMonth)) }
            }
            requests.append(AssessmentRequest(date: date, region: region, members: members, incomes: incomes,
                                              assets: [AssetInput(kind: .deposit, amountCents: Int64(rng.int(0...10_000_000)))],
                                              expenditures: rng.chance(0.1) ? [ExpenditureInput(member: "m1", kind: .medicalSelfPay, amountCents: Int64(rng.int(0...8_000_000)))] : nil))
        }
        print("full assessment: \(households) households made in \(fmt(Date().timeIntervalSince(t0))) s")
        let chunks = max(1, cores)
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: chunks)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let box = CountBox(counts)
        let s0 = DispatchTime.now().uptimeNanoseconds
        requests.withUnsafeBufferPointer { all in
            let all = RequestBox(all)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lo = households * chunk / chunks, hi = households * (chunk + 1) / chunks
                var qualifying = 0
                for i in lo..<hi {
                    if let a = try? calc.assess(all.base[i], standards: standards, explain: false) { qualifying += a.tier == .watch ? 0 : 1 }
                }
                box.base[chunk] = qualifying
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e9
        print("full assessment (all programmes, no explanation): \(households) households in \(fmt(seconds, 2)) s = \(fmt(Double(households) / seconds / 1e3, 0)) k households/s on \(chunks) threads; \(box.base.reduce(0, +)) in tier 1 or 2")
    }

    struct RequestBox: @unchecked Sendable {
        let base: UnsafeBufferPointer<AssessmentRequest>
        init(_ b: UnsafeBufferPointer<AssessmentRequest>) { base = b }
    }

    struct CountBox: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<Int>
        init(_ b: UnsafeMutableBufferPointer<Int>) { base = b }
    }

    // MARK: 3. one full explanation

    func oneExplanation() throws {
        let calc = PolicyCalculator(parameters: try ParameterSet.bundled())
        let data = Data("""
        {"date": "2025-03-15", "region": "120104901001",
         "members": [
           {"id": "a", "relation": "head", "birthDate": "1950-01-01", "employment": "retired", "disability": {"category": "physical", "grade": 2}},
           {"id": "b", "relation": "spouse", "birthDate": "1952-01-01", "seriousIllness": true},
           {"id": "c", "relation": "grandchild", "birthDate": "2012-01-01", "schooling": "primary", "parents": "unableToSupport"}],
         "incomes": [{"member": "a", "kind": "employeePension", "amountCents": 180000, "basis": "perMonth", "source": {"department": "humanResources", "receivedAt": "2025-02-01"}}],
         "assets": [{"kind": "deposit", "amountCents": 2000000}],
         "expenditures": [{"member": "b", "kind": "medicalSelfPay", "amountCents": 4000000}],
         "emergency": {"kind": "suddenIllness", "occurredOn": "2025-03-01"}}
        """.utf8)
        let request = try AssessmentRequest.decode(data)
        let runs = 2_000
        var steps = 0
        let s0 = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<runs { steps = try calc.assess(request, explain: true).decisions.reduce(0) { $0 + $1.steps.count } }
        let each = Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e3 / Double(runs)
        print("one full explanation (3 members, \(steps) steps, parameters resolved each time): \(fmt(each, 0)) µs per household")
    }

    func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
}
