import ArgumentParser
import Domain
import Foundation

/// `jiuzhu link`: links any two person lists in CSV files with a Fellegi–Sunter model — the same engine
/// that links department feeds to the register, not tied to Chinese fields.
struct Link: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Link two person lists (CSV) with a Fellegi–Sunter model; writes one line per right-hand record.")

    @Argument(help: "The register (left) CSV file.") var left: String
    @Argument(help: "The list to link (right) CSV file.") var right: String
    @Option(help: "The model (JSON); the shipped Chinese person model if absent.") var model: String?
    @Option(help: "Model field = CSV column, when the headers differ (repeatable), e.g. nationalId=id_no.") var map: [String] = []
    @Option(help: "The column that identifies a record in each file.") var key: String
    @Flag(help: "Estimate m/u and the prior by EM even if the model has them.") var estimate = false
    @Option(help: "Write the model with the estimated weights here.") var saveModel: String?
    @Option(help: "Write the decisions here (CSV).") var output: String?

    func run() async throws {
        var model = try model.map { try LinkageModel.load(Data(contentsOf: URL(fileURLWithPath: $0))) } ?? LinkageModel.bundledChinesePerson()
        let start = Date()
        let columns = try LinkFiles.columns(model, map: map)
        let a = try LinkFiles.read(left, columns: columns, key: key)
        let b = try LinkFiles.read(right, columns: columns, key: key)
        print("read \(a.count) + \(b.count) records in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        var linker = try Linker(model: model, left: a, right: b)
        if estimate || !model.isTrained {
            let report = try linker.estimate()
            print("EM: \(report.candidatePairs) candidate pairs, \(report.iterations) iterations, prior \(String(format: "%.4f", report.prior))")
            model = linker.model
        }
        if let saveModel { try LinkFiles.encode(model).write(to: URL(fileURLWithPath: saveModel)) }
        let outcome = try linker.link()
        print("compared \(outcome.compared) pairs: \(outcome.links.count) linked, \(outcome.review.count) for review, \(outcome.newPersons.count) new; \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        if let output {
            var text = "left,right,decision,probability,weight\n"
            for (decision, pairs) in [("link", outcome.links), ("review", outcome.review)] {
                for p in pairs { text += "\(linker.leftKey(p.left)),\(linker.rightKey(p.right)),\(decision),\(String(format: "%.6f", p.probability)),\(String(format: "%.2f", p.weight))\n" }
            }
            for j in outcome.newPersons { text += ",\(linker.rightKey(j)),new,,\n" }
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        }
    }
}

enum LinkFiles {
    /// The CSV column for each model field: its own name unless mapped.
    static func columns(_ model: LinkageModel, map: [String]) throws -> [String] {
        var mapping: [String: String] = [:]
        for m in map {
            let parts = m.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, model.index(of: parts[0]) != nil else { throw ValidationError("--map \(m): expected field=column with a field of the model") }
            mapping[parts[0]] = parts[1]
        }
        return model.fields.map { mapping[$0.name] ?? $0.name }
    }

    static func read(_ path: String, columns: [String], key: String) throws -> [LinkRecord] {
        var reader = try CSVReader(path: path, encoding: .auto)
        guard let header = reader.next()?.fields else { throw DataError("\(path) is empty") }
        guard let keyIndex = header.firstIndex(of: key) else { throw DataError("\(path) has no column \(key)") }
        let indices = try columns.map { c in
            guard let i = header.firstIndex(of: c) else { throw DataError("\(path) has no column \(c)") }
            return i
        }
        var out: [LinkRecord] = []
        while let row = reader.next() {
            let f = row.fields
            out.append(LinkRecord(key: keyIndex < f.count ? f[keyIndex] : "", values: indices.map { $0 < f.count && !f[$0].isEmpty ? f[$0] : nil }))
        }
        return out
    }

    static func encode(_ model: LinkageModel) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try e.encode(model)
    }
}
