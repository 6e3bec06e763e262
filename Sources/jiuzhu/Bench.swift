import ArgumentParser
import Domain
import Foundation
import Store
import Web

/// `jiuzhu bench`: figures for the notes, never asserted in tests.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: `bench registry` (the default), `bench assess`, `bench import` and `bench link`.",
        subcommands: [BenchRegistry.self, BenchAssess.self, BenchImport.self, BenchLink.self, BenchScreen.self, BenchCases.self, BenchReviews.self, BenchPayroll.self, BenchAudit.self], defaultSubcommand: BenchRegistry.self)
}

/// What the database benchmarks share: the engines to measure, a throw-away (or kept) database for each, and memory.
enum BenchSupport {
    /// SQLite always; PostgreSQL too when `DATABASE_URL` is set.
    /// SQLite, and PostgreSQL when DATABASE_URL is set; `only` ("sqlite" or "postgres") keeps one of them.
    /// The demo city of today, with the reference data it was made from and a city administrator to load it as.
    static func demoCity() throws -> (RegionReference, LocalDate, DemoCity, Actor) {
        let reference = try RegionReference.bundled()
        let today = LocalDate(Date(), timeZone: .china)
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: today)
        return (reference, today, city, Actor(userID: nil, username: "bench", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli"))
    }

    /// `households` of the demo city generated into `scratch`, with progress; the city as `demoCity` gives it.
    static func generatedCity(_ name: String, _ scratch: ScratchDatabase, households: Int) async throws -> (RegionReference, LocalDate, DemoCity, Actor) {
        let made = try demoCity()
        let bar = ProgressBar(total: households, label: "[\(name)] 生成 \(households) 户")
        _ = try await DemoLoader(scratch.db).load(city: made.2, reference: made.0, households: households, actor: made.3) { bar.update($0) }
        bar.finish()
        return made
    }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        guard !xs.isEmpty else { return 0 }
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count - 1) * p / 100).rounded()))]
    }

    static func engines(only: String? = nil) -> [(name: String, environment: [String: String])] {
        let env = ProcessInfo.processInfo.environment
        var targets: [(String, [String: String])] = [("SQLite", env.filter { $0.key != "DATABASE_URL" })]
        if let url = env["DATABASE_URL"], !url.isEmpty { targets.append(("PostgreSQL", env)) }
        guard let only = only?.lowercased() else { return targets }
        return targets.filter { $0.0.lowercased().hasPrefix(only.prefix(4)) }
    }

    /// A scratch database for one engine, dropped afterwards — except a SQLite file the caller asked to keep.
    static func withDatabase(_ name: String, _ environment: [String: String], label: String, keepSQLiteFile: String?,
                             keepPostgresDatabase: String? = nil, _ body: (ScratchDatabase) async throws -> Void) async throws {
        let scratch = try await ScratchDatabase.make(environment: environment, label: label, keepSQLiteFile: name == "SQLite" ? keepSQLiteFile : nil,
                                                     keepPostgresDatabase: name == "SQLite" ? nil : keepPostgresDatabase)
        do {
            try await body(scratch)
        } catch {
            if scratch.isKept { await scratch.store.shutdown() } else { try? await scratch.drop() }
            throw error
        }
        if scratch.isKept { await scratch.store.shutdown() } else { try await scratch.drop() }
    }

    /// Starts a new peak (Linux: `clear_refs` 5 resets the high-water mark) and returns the resident size now, in MB,
    /// so that one step's peak is measured apart from what ran before it.
    static func resetPeakRSS() -> Int {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
        return (line?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) / 1024
    }

    static func peakRSSMegabytes() -> Int {
        var usage = rusage()
        getrusage(Int32(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss / 1024) // kilobytes on Linux
    }
}

struct BenchRegistry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Measure demo generation, household search and profile latency on SQLite (and PostgreSQL when DATABASE_URL is set).")

    @Option(help: "Households to generate.") var households = 100_000
    @Option(help: "Timed searches and profile reads, each.") var queries = 500
    @Option(help: "Keep the SQLite database in this file and reuse it on the next run (skips generation).") var sqliteFile: String?

    func run() async throws {
        print("jiuzhu bench — \(households) households, \(queries) queries each, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines() {
            try await BenchSupport.withDatabase(name, environment, label: "bench", keepSQLiteFile: sqliteFile) { try await measure(name, $0) }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        do {
            let reference = try RegionReference.bundled()
            let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate(Date(), timeZone: .china))
            let system = Actor(userID: nil, username: "bench", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli")
            let bar = ProgressBar(total: households, label: "[\(name)] 生成")
            let t0 = Date()
            let outcome = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: households, actor: system) { bar.update($0) }
            bar.finish()
            let genSeconds = Date().timeIntervalSince(t0)
            if case .reused(let n) = outcome {
                print("[\(name)] generation: reused \(n) households from \(sqliteFile ?? "")")
            } else {
                print("[\(name)] generation: \(households) households in \(String(format: "%.1f", genSeconds)) s " +
                      "(\(Int(Double(households) / genSeconds)) households/s), peak RSS so far \(BenchSupport.peakRSSMegabytes()) MB")
            }

            // Queries a real user would type: names, last 4 ID digits, whole IDs, street names; as a city admin and a coordinator.
            var rng = SeededRandom(seed: 7)
            let sample = Array(city.households(count: min(households, 5_000)))
            let admin = Actor(userID: nil, username: "bench", role: .cityAdmin, jurisdiction: city.city.code, origin: "bench")
            var searchTimes: [Double] = []
            var byKind: [String: [Double]] = [:]
            var profileTimes: [Double] = []
            let store = RegistryStore(scratch.db)
            for i in 0..<queries {
                let b = rng.pick(sample)
                let m = rng.pick(b.members)
                let coordinator = Actor(userID: nil, username: "bench", role: .coordinator, jurisdiction: b.household.residenceRegion, origin: "bench")
                let actor = i % 2 == 0 ? admin : coordinator
                let query: HouseholdQuery
                let kind: String
                switch i % 5 {
                case 0: (query, kind) = (.text(m.name), "name")
                case 1: (query, kind) = (.idTail(String(m.nationalID.value.suffix(4))), "ID tail")
                case 2: (query, kind) = (.nationalID(m.nationalID), "whole ID")
                case 3: (query, kind) = (.text(city.regionName(b.household.residenceRegion.parent!)), "street")
                default: (query, kind) = (.text(String(b.household.address.suffix(9))), "address part")
                }
                let s0 = DispatchTime.now().uptimeNanoseconds
                _ = try await store.search(query, actor: actor)
                let ms = Double(DispatchTime.now().uptimeNanoseconds - s0) / 1e6
                searchTimes.append(ms)
                byKind[kind + (actor.role == .cityAdmin ? " (city)" : " (community)"), default: []].append(ms)
                let p0 = DispatchTime.now().uptimeNanoseconds
                _ = try await store.profile(b.household.id, actor: actor)
                profileTimes.append(Double(DispatchTime.now().uptimeNanoseconds - p0) / 1e6)
            }
            print("[\(name)] search:  p50 \(fmt(percentile(searchTimes, 50))) ms, p99 \(fmt(percentile(searchTimes, 99))) ms, max \(fmt(searchTimes.max() ?? 0)) ms")
            for (kind, times) in byKind.sorted(by: { $0.key < $1.key }) {
                print("[\(name)]   \(kind.padding(toLength: 26, withPad: " ", startingAt: 0)) p50 \(fmt(percentile(times, 50))) ms, p99 \(fmt(percentile(times, 99))) ms")
            }
            print("[\(name)] profile: p50 \(fmt(percentile(profileTimes, 50))) ms, p99 \(fmt(percentile(profileTimes, 99))) ms (audited read)")
        }
    }

    func percentile(_ xs: [Double], _ p: Double) -> Double { BenchSupport.percentile(xs, p) }

    func fmt(_ v: Double) -> String { String(format: "%.2f", v) }

}
