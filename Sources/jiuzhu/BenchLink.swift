import ArgumentParser
import Domain
import Foundation

/// `jiuzhu bench link`: our Fellegi–Sunter linkage against Splink 5 on the same synthetic registers
/// (`gen_cn.py`: corrupted IDs, homophone names, swapped dates, moved addresses; truth in person_id).
struct BenchLink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "link", abstract: "Person linkage against Splink on gen_cn.py data.")

    @Option(help: "Register size.") var register = 200_000
    @Option(help: "True matches in the feed.") var matches = 80_000
    @Option(help: "Feed persons not in the register.") var others = 20_000
    @Option(help: "The linkage anchor folder (gen_cn.py, cn_link.py).") var anchor = "../shared/anchors/linkage"
    @Option(help: "A Python with splink==5.0.0, pandas and pyarrow (or set SPLINK_PYTHON).")
    var python = ProcessInfo.processInfo.environment["SPLINK_PYTHON"] ?? "/tmp/sp/bin/python"
    @Flag(help: "Skip Splink (ours only).") var noSplink = false
    @Option(help: "Print the evidence for this many missed true matches.") var showMissed = 0

    func run() async throws {
        let anchorPath = URL(fileURLWithPath: anchor).standardizedFileURL.path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw DataError("needs \(python) with splink: python3 -m venv /tmp/sp && /tmp/sp/bin/pip install splink==5.0.0 pyarrow pandas")
        }
        let dir = NSTemporaryDirectory() + "jiuzhu-bench-link-\(register)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        print("jiuzhu bench link — register \(register), feed \(matches) matches + \(others) others, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        if !FileManager.default.fileExists(atPath: dir + "/cn_b.csv") {
            _ = try Self.python(python, [anchorPath + "/gen_cn.py", "\(register)", "\(matches)", "\(others)"], cwd: dir, echo: false)
        }

        let t0 = Date()
        let model = try LinkageModel.bundledChinesePerson()
        let columns = try LinkFiles.columns(model, map: ["nationalId=id_no", "birthDate=dob"])
        let a = try LinkFiles.read(dir + "/cn_a.csv", columns: columns, key: "person_id")
        let b = try LinkFiles.read(dir + "/cn_b.csv", columns: columns, key: "person_id")
        let tRead = Date().timeIntervalSince(t0)
        let t1 = Date()
        var linker = try Linker(model: model, left: a, right: b)
        let tPrepare = Date().timeIntervalSince(t1)
        let t2 = Date()
        let em = try linker.estimate()
        let tTrain = Date().timeIntervalSince(t2)
        for field in linker.model.fields {
            let levels = field.comparison.levels.map { l in "\(l) \(String(format: "%+.1f", field.weights?[l]?.bits ?? 0)) (m \(String(format: "%.4f", field.weights?[l]?.m ?? 0)))" }
            print("  \(field.name): " + levels.joined(separator: ", "))
        }
        print("  prior \(String(format: "%.3g", linker.model.prior ?? 0)) = \(String(format: "%.1f", log2((linker.model.prior ?? 0.5) / (1 - (linker.model.prior ?? 0.5))))) bits")
        let t3 = Date()
        let outcome = try linker.link()
        let tLink = Date().timeIntervalSince(t3)
        let ours = tPrepare + tTrain + tLink
        print("ours: read CSV \(f(tRead)) s (not counted); prepare+index \(f(tPrepare)) s, EM \(f(tTrain)) s (\(em.candidatePairs) candidate pairs, \(em.iterations) iterations, prior \(String(format: "%.3f", em.prior))), link \(f(tLink)) s; total \(f(ours)) s; peak RSS \(BenchSupport.peakRSSMegabytes()) MB")
        let truth = Set(b.map(\.key).filter { (Int($0) ?? Int.max) < 10_000_000 })
        func score(_ label: String, _ pairs: [ScoredPair]) -> Double {
            let tp = pairs.filter { linker.leftKey($0.left) == linker.rightKey($0.right) }.count
            let fp = pairs.count - tp, fn = truth.count - tp
            let p = pairs.isEmpty ? 0 : Double(tp) / Double(pairs.count), r = Double(tp) / Double(max(1, truth.count))
            let f1 = Self.f1(tp: Double(tp), fp: Double(fp), fn: Double(fn))
            print("\(label.padding(toLength: 44, withPad: " ", startingAt: 0)) TP=\(tp) FP=\(fp) FN=\(fn) P=\(String(format: "%.4f", p)) R=\(String(format: "%.4f", r)) F1=\(String(format: "%.4f", f1)) time=\(f(ours))s")
            return f1
        }
        let oursAt = [model.autoLinkAt: score("ours: automatic links (p ≥ \(model.autoLinkAt))", outcome.links),
                      model.reviewAt: score("ours: links + review queue (p ≥ \(model.reviewAt))", outcome.links + outcome.review)]
        print("ours: \(outcome.review.count) pairs sent to review, \(outcome.newPersons.count) new persons, \(outcome.compared) pairs compared")
        if let sample = outcome.review.first.map({ try? linker.explain(left: $0.left, right: $0.right) }) ?? nil {
            print("a review pair: " + sample.fields.map { "\($0.field) \($0.level) \(String(format: "%+.1f", $0.bits))" }.joined(separator: ", "))
        }
        if showMissed > 0 {
            let linkedRight = Set(outcome.links.map(\.right))
            let leftByKey = Dictionary(a.indices.map { (a[$0].key, $0) }, uniquingKeysWith: { x, _ in x })
            for j in b.indices where !linkedRight.contains(j) && truth.contains(b[j].key) {
                guard let i = leftByKey[b[j].key], let e = try? linker.explain(left: i, right: j) else { continue }
                print("missed \(b[j].key): p=\(String(format: "%.3f", e.probability)) " + e.fields.map { "\($0.field) \($0.level) \(String(format: "%+.1f", $0.bits)) [\($0.left ?? "-") | \($0.right ?? "-")]" }.joined(separator: "; "))
                if j > showMissed * 50 { break }
            }
        }
        guard !noSplink else { return }
        let out = try Self.python(python, [anchorPath + "/cn_link.py"], cwd: dir, echo: true)
        // "Splink: train=91.0s predict=1.2s", and its one-to-one lines at our two thresholds, compared at five decimals.
        let lines = out.split(separator: "\n")
        guard let line = lines.first(where: { $0.hasPrefix("Splink: train=") }) else { return }
        let numbers = line.split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
        guard numbers.count >= 2 else { return }
        let theirs = numbers[0] + numbers[1]
        print("ratio: Splink train+predict \(f(theirs)) s vs ours \(f(ours)) s → ours takes \(String(format: "%.3f", ours / theirs)) of Splink's time (\(f(theirs / ours))× faster)")
        for threshold in [model.autoLinkAt, model.reviewAt] {
            guard let their = lines.first(where: { $0.contains("p>=\(threshold) + greedy") }).flatMap(Self.f1) else { continue }
            print("F1 at p ≥ \(threshold), one-to-one: ours \(String(format: "%.5f", oursAt[threshold]!)) vs Splink \(String(format: "%.5f", their))")
        }
    }

    /// F1 from a score line's TP, FP and FN.
    static func f1(_ line: Substring) -> Double? {
        func count(_ name: String) -> Double? {
            line.range(of: name + "=").flatMap { r in Double(line[r.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }) }
        }
        guard let tp = count("TP"), let fp = count("FP"), let fn = count("FN") else { return nil }
        return f1(tp: tp, fp: fp, fn: fn)
    }

    /// The harmonic mean of precision and recall, 2·TP / (2·TP + FP + FN); 0 when nothing was found.
    static func f1(tp: Double, fp: Double, fn: Double) -> Double { tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn) }

    func f(_ x: Double) -> String { String(format: "%.2f", x) }

    static func python(_ python: String, _ args: [String], cwd: String, echo: Bool) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = args
        process.currentDirectoryURL = URL(fileURLWithPath: cwd)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if echo { print(text, terminator: "") }
        guard process.terminationStatus == 0 else { throw DataError("\(args.first ?? python) failed (exit \(process.terminationStatus))") }
        return text
    }
}
