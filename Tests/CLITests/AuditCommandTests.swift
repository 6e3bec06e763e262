import Domain
import Foundation
import SQLKit
import Store
import Testing

/// `jiuzhu audit verify` says the chain is whole, or names the first entry where it breaks and fails; `archive`
/// acts as a named audit administrator and keeps the law's six months.
@Suite struct AuditCommandTests {
    @Test func verifyNamesTheBrokenEntryAndArchiveActsAsANamedUser() async throws {
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty ?? true else { return }
        let dir = NSTemporaryDirectory() + "jiuzhu-audit-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/audit.sqlite"
        // setup: a migrated database with a region, an auditor and a few entries
        let scratch = try await ScratchDatabase.make(environment: [:], label: "audit-cli", keepSQLiteFile: path)
        let city = try RegionCode("120100000000")
        let reference = try RegionReference.bundled()
        try await RegistryWriter(scratch.db).insert(regions: city.ancestors.compactMap { reference[$0] } + [try #require(reference[city])])
        let system = Actor(userID: nil, username: "test", role: .cityAdmin, jurisdiction: city, origin: "test")
        try await UserStore(scratch.db).create(username: "auditor", displayName: "审计", role: .auditor, region: city, passwordHash: "x", createdBy: system)
        for i in 0..<6 {
            try await AuditLog(scratch.db).record(actor: system, action: .readProfile, targetKind: "household", targetID: "h\(i)", detail: "查看")
        }
        await scratch.store.shutdown()
        #expect(try CLI.run(["migrate"], environment: ["JIUZHU_SQLITE_PATH": path]).status == 0, "the server's own tables (sessions)")

        let whole = try CLI.run(["audit", "verify", "--database", path])
        #expect(whole.status == 0 && whole.out.contains("审计链完好：7 条"), "\(whole.out)\(whole.err)")
        let early = try CLI.run(["audit", "archive", "--database", path, "--before", "2026-11-01", "--out", dir + "/a.jsonl", "--as", "auditor"])
        #expect(early.status != 0 && early.err.contains("至少保留 184 天"), "\(early.err)")
        let nobody = try CLI.run(["audit", "archive", "--database", path, "--before", "2025-01-01", "--out", dir + "/a.jsonl", "--as", "nobody"])
        #expect(nobody.status != 0 && nobody.err.contains("没有用户「nobody」"), "\(nobody.err)")

        // someone with the file changes an entry
        let store = try StandaloneDatabase(.sqlite(path: path))
        let sql = store.db as! any SQLDatabase
        try await sql.raw("DROP TRIGGER audit_no_update").run()
        try await sql.raw("UPDATE audit_entries SET target_id = 'h9' WHERE seq = 4").run()
        await store.shutdown()
        let broken = try CLI.run(["audit", "verify", "--database", path])
        #expect(broken.status != 0 && broken.err.contains("第 4 条") && broken.err.contains("本条被改动"), "\(broken.err)")
    }
}
