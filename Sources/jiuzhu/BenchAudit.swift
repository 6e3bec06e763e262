import ArgumentParser
import Domain
import Foundation
import Store

/// `jiuzhu bench audit`: the hash-chained audit log's cost — appends of one entry each (how every read and change
/// is logged), one writer and several at once, and the verification of the whole chain.
struct BenchAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit",
        abstract: "The audit log's append rate (sequential and concurrent writers) and chain verification, on SQLite and PostgreSQL.")

    @Option(help: "Entries appended one at a time by one writer.") var entries = 2_000
    @Option(help: "Concurrent writers for the second figure (each appends entries / writers).") var writers = 4
    @Option(help: "sqlite or postgres: one engine only.") var only: String?

    func run() async throws {
        for (name, environment) in BenchSupport.engines(only: only) {
            try await BenchSupport.withDatabase(name, environment, label: "bench-audit", keepSQLiteFile: nil) { scratch in
                let actor = Actor(userID: nil, username: "bench", role: .townshipOfficer, jurisdiction: try RegionCode("120104001000"), origin: "cli")
                let log = AuditLog(scratch.db)
                let bar = ProgressBar(total: entries, label: "[\(name)] 顺序写入")
                var start = Date()
                for i in 0..<entries {
                    try await log.record(actor: actor, action: .readProfile, targetKind: "household", targetID: "bench-\(i)", detail: "查看家庭档案（基准）")
                    if i % 100 == 0 { bar.update(i) }
                }
                bar.finish()
                let sequential = Double(entries) / Date().timeIntervalSince(start)
                start = Date()
                let per = max(1, entries / writers)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<writers {
                        group.addTask {
                            for i in 0..<per {
                                try await log.record(actor: actor, action: .readProfile, targetKind: "household", targetID: "bench-\(w)-\(i)",
                                                     detail: "查看家庭档案（基准，并发）")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let concurrent = Double(per * writers) / Date().timeIntervalSince(start)
                start = Date()
                let verified = try await AuditChain.verify(scratch.db)
                let verifySeconds = Date().timeIntervalSince(start)
                print("""
                    [\(name)] audit appends, one entry each: \(String(format: "%.0f", sequential))/s sequential, \
                    \(String(format: "%.0f", concurrent))/s with \(writers) writers; \
                    verify \(verified.rows) entries in \(String(format: "%.2f", verifySeconds)) s (\(verified.broken == nil ? "intact" : "BROKEN"))
                    """)
            }
        }
    }
}
