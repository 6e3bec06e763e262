import ArgumentParser
import Domain
import Foundation
import SQLKit
import Store

/// `jiuzhu bench import`: a large medical-insurance feed through the whole pipeline.
struct BenchImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a synthetic medical-insurance feed (validated, linked, stored) on SQLite, and PostgreSQL when DATABASE_URL is set.")

    @Option(help: "Rows in the feed file.") var rows = 1_000_000
    @Option(help: "Households in the registry the feed links to.") var households = 100_000
    @Option(help: "Reuse this SQLite registry (e.g. the one `bench registry --sqlite-file` keeps).") var sqliteFile: String?
    @Option(help: "Only this engine: sqlite or postgres.") var only: String?

    func run() async throws {
        say("jiuzhu bench import — \(rows) rows onto \(households) households, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "benchimport", keepSQLiteFile: sqliteFile) { try await measure(name, $0) }
        }
    }

    func measure(_ name: String, _ scratch: ScratchDatabase) async throws {
        do {
            let reference = try RegionReference.bundled()
            let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate(Date(), timeZone: .china))
            let system = Actor(userID: nil, username: "bench", role: .cityAdmin, jurisdiction: city.city.code, origin: "cli")
            _ = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: households, actor: system)
            // The people the feed is about: real registry members, plus 2% IDs nobody has.
            let cipher = try DataCipher.inUse()
            let ids = try await (scratch.db as! any SQLDatabase).select().column("national_id_sealed").from("members").limit(300_000).all()
                .map { try cipher.open(try $0.decode(column: "national_id_sealed", as: String.self)) }
            var rng = SeededRandom(seed: UInt64(Date().timeIntervalSince1970))
            let stranger = try NationalID(addressCode: "110101", birthDate: LocalDate("1960-01-01"), sequence: 555)
            /// A claims file of `count` rows.
            func claims(_ count: Int) throws -> String {
                let path = NSTemporaryDirectory() + "jiuzhu-claims-\(UUID().uuidString).csv"
                _ = FileManager.default.createFile(atPath: path, contents: nil)
                let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
                var chunk = "身份证号,姓名,结算日期,个人自付金额,结算单号\n"
                let run = UUID().uuidString.prefix(8)
                for i in 0..<count {
                    let id = rng.chance(0.02) ? stranger.value : rng.pick(ids)
                    chunk += "\(id),某,2026-\(String(format: "%02d", rng.int(1...10)))-\(String(format: "%02d", rng.int(1...28))),\(rng.int(0...90_000)).\(rng.int(10...99)),\(run)-\(i)\n"
                    if chunk.utf8.count > 1 << 20 { out.write(Data(chunk.utf8)); chunk = "" }
                }
                out.write(Data(chunk.utf8))
                try out.close()
                return path
            }
            let spec = try FeedCatalogue.bundled()["medical-insurance-claims"]!
            let officer = Actor(userID: nil, username: "bench", role: .dataOfficer, jurisdiction: city.city.code, origin: "cli")
            // Memory flat in the file's size: a file a tenth as large first, each import's peak measured on its own.
            var peaks: [(rows: Int, mb: Int)] = []
            for count in [max(1, rows / 10), rows] {
                let path = try claims(count)
                defer { try? FileManager.default.removeItem(atPath: path) }
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
                let rssBefore = BenchSupport.resetPeakRSS()
                let t0 = Date()
                let report = try await FeedImporter(scratch.db, spec: spec, actor: officer).run(path: path)
                let seconds = Date().timeIntervalSince(t0)
                peaks.append((count, BenchSupport.peakRSSMegabytes()))
                say("[\(name)] import: \(report.rowsRead) rows (\(size / 1_048_576) MB) in \(String(format: "%.1f", seconds)) s = \(Int(Double(report.rowsRead) / seconds)) rows/s; " +
                      "linked \(report.linked), new \(report.newFacts), review \(report.review), events \(report.events); " +
                      "reading and checking \(String(format: "%.1f", report.validateSeconds)) s of it, alongside the writes; " +
                      "foreign keys checked per row: \(report.referencesCheckedPerRow ? "yes (the role may not set session_replication_role)" : "no"); " +
                      "peak RSS \(rssBefore) → \(peaks.last!.mb) MB")
                // The screening an import triggers, measured apart.
                let t1 = Date()
                let screening = try await Monitor(scratch.db, setup: try MonitoringSetup.bundled()).reactToEvents(actor: Monitor.systemActor(triggeredBy: officer))
                say("[\(name)]   then the screening it triggers: \(screening.households) households in \(String(format: "%.1f", Date().timeIntervalSince(t1))) s " +
                      "(\(screening.phases.description)); peak RSS \(BenchSupport.peakRSSMegabytes()) MB")
            }
            say("[\(name)] import memory: peak \(peaks[0].mb) MB for \(peaks[0].rows) rows, \(peaks[1].mb) MB for \(peaks[1].rows) rows")
        }
    }

}
