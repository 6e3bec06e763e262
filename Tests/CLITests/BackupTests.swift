import Domain
import Foundation
import SQLKit
import Store
import Testing

/// `jiuzhu backup` and `jiuzhu restore`: a backup taken while nothing stops, restored into a new database, holds
/// every row and an intact audit chain; a damaged backup, an occupied target or the wrong person is refused.
@Suite struct BackupTests {
    /// Rows per table.
    static func rows(_ config: DatabaseConfig) async throws -> [String: Int] {
        let store = try StandaloneDatabase(config)
        do {
            let contents = try await DatabaseBackup.contents(store.db)
            await store.shutdown()
            return contents.rows
        } catch {
            await store.shutdown()
            throw error
        }
    }

    @Test func aSQLiteBackupRestoresEveryRowAndTheChain() async throws {
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty ?? true else { return }
        let dir = NSTemporaryDirectory() + "jiuzhu-backup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (live, backup, restored) = (dir + "/live.sqlite", dir + "/backup.sqlite", dir + "/restored.sqlite")
        #expect(try CLI.run(["demo", "--households", "40", "--database", live, "--no-serve"]).status == 0)

        // only the system administrator, by name: neither a township officer nor the city's business administrator
        for someone in ["township", "admin"] {
            let refused = try CLI.run(["backup", "--out", backup, "--as", someone, "--database", live])
            #expect(refused.status != 0 && refused.err.contains("无权"), "\(refused.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: backup))
        // act
        let taken = try CLI.run(["backup", "--out", backup, "--as", "sysadmin", "--database", live])
        #expect(taken.status == 0 && taken.out.contains("已备份"), "\(taken.err)")
        let back = try CLI.run(["restore", backup, "--to-sqlite", restored])
        // check: every table as it was when the backup was taken (the live one has the backup's own audit entry since)
        #expect(back.status == 0 && back.out.contains("与备份清单一致"), "\(back.err)")
        var before = try await Self.rows(.sqlite(path: live))
        let after = try await Self.rows(.sqlite(path: restored))
        #expect(before["audit_entries"].map { $0 - 1 } == after["audit_entries"])
        before["audit_entries"] = after["audit_entries"]
        #expect(before == after)
        #expect((after["households"] ?? 0) >= 40 && (after["users"] ?? 0) >= 6)
        // the restored server's own audit check agrees
        let verified = try CLI.run(["audit", "verify", "--database", restored])
        #expect(verified.status == 0 && verified.out.contains("审计链完好"), "\(verified.err)")

        // refusals: an occupied target, a damaged backup
        #expect(try CLI.run(["restore", backup, "--to-sqlite", restored]).err.contains("已存在"))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: backup))
        let damaged = try CLI.run(["restore", backup, "--to-sqlite", dir + "/again.sqlite"])
        #expect(damaged.status != 0 && damaged.err.contains("SHA-256"), "\(damaged.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/again.sqlite"))
    }

    @Test func aPostgresBackupRestoresIntoAnEmptyDatabase() async throws {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else { return }
        // setup: a small registry with an administrator and audited work
        let source = try await ScratchDatabase.make(label: "backup-src")
        guard case .postgres(let s) = source.config, var c = URLComponents(string: url) else { return }
        // an empty database to restore into
        let name = "jz_restore_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try StandaloneDatabase(.postgres(url: url))
        try await (admin.db as! any SQLDatabase).raw("CREATE DATABASE \(unsafeRaw: name)").run()
        await admin.shutdown()
        c.path = "/" + name
        let targetURL = c.string!
        defer {
            Task {
                try? await source.drop()
                let admin = try StandaloneDatabase(.postgres(url: url))
                try? await (admin.db as! any SQLDatabase).raw("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)").run()
                await admin.shutdown()
            }
        }
        let reference = try RegionReference.bundled()
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate("2026-11-22"))
        let system = Actor(userID: nil, username: "test", role: .cityAdmin, jurisdiction: city.city.code, origin: "test")
        _ = try await DemoLoader(source.db).load(city: city, reference: reference, households: 30, actor: system)
        try await UserStore(source.db).create(username: "sysadmin", displayName: "管理", role: .systemAdmin, region: city.city.code, passwordHash: "x", createdBy: system)
        #expect(try CLI.run(["migrate"], environment: ["DATABASE_URL": s]).status == 0)
        let dir = NSTemporaryDirectory() + "jiuzhu-pgbackup-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // act
        let taken = try CLI.run(["backup", "--out", dir + "/b.dump", "--as", "sysadmin"], environment: ["DATABASE_URL": s])
        #expect(taken.status == 0, "\(taken.err)")
        let back = try CLI.run(["restore", dir + "/b.dump", "--to-url", targetURL])
        #expect(back.status == 0 && back.out.contains("与备份清单一致"), "\(back.err)")
        // check
        var before = try await Self.rows(.postgres(url: s))
        let after = try await Self.rows(.postgres(url: targetURL))
        before["audit_entries"] = before["audit_entries"].map { $0 - 1 }
        #expect(before == after)
        // a second restore into the now occupied database is refused
        #expect(try CLI.run(["restore", dir + "/b.dump", "--to-url", targetURL]).err.contains("不是空的"))
    }
}
