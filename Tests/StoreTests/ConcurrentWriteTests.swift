import Domain
import Foundation
import SQLKit
import Store
import Testing

/// Many staff writing at once. On SQLite two pooled connections (and a second process, such as `jiuzhu import`
/// beside the server) write to one file; a transaction that read first and then wrote used to fail with
/// "database is locked" when another had committed in between. Every write must wait its turn and succeed.
@Suite struct ConcurrentWriteTests {
    @Test func manyStaffActingOnWarningsAtOnceAllSucceed() async throws {
        try await Fixture.with(households: 60) { f in
            // setup: warnings to act on, and a second handle on the same database (as a second process would have)
            let admin = f.actor(.cityAdmin, f.city.city.code)
            let setup = try MonitoringSetup.bundled()
            _ = try await Monitor(f.scratch.db, setup: setup).screen(region: f.city.city.code, actor: admin)
            let ids = try await WarningStore(f.scratch.db, setup: setup).inbox(WarningFilter(limit: 500), actor: admin, today: MonitoringTests.today)
                .items.map(\.id)
            try #require(ids.count >= 8)
            let second = try StandaloneDatabase(f.scratch.config)
            defer { Task { await second.shutdown() } }
            let handles = [f.scratch.db, second.db]
            // A township officer may assign, send for a visit and record its findings; over the whole city here.
            let officer = f.actor(.townshipOfficer, f.city.city.code)

            // act: eight staff at once, each taking warnings through assign, home visit and findings
            let failures = await withTaskGroup(of: [String].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var failed: [String] = []
                        let db = handles[worker % handles.count]
                        let store = WarningStore(db, setup: setup)
                        for (i, id) in ids.enumerated() where i % 8 == worker {
                            do {
                                _ = try await store.act(id, .assign(to: "协理员\(worker)"), actor: officer, today: MonitoringTests.today)
                                _ = try await store.act(id, .startVerification, actor: officer, today: MonitoringTests.today)
                                for visit in try await store.openVisits(actor: officer) where visit.warningID == id {
                                    _ = try await store.completeVisit(visit.id, findings: "家中实有\(worker)人", actor: officer)
                                }
                                try await AuditLog(db).record(actor: officer, action: .readWarning, targetKind: "warning", targetID: "\(id)", detail: "并发")
                            } catch {
                                failed.append(String(describing: error))
                            }
                        }
                        return failed
                    }
                }
                var all: [String] = []
                for await f in group { all += f }
                return all
            }

            // check: no write failed, and every warning's findings are stored
            #expect(failures.isEmpty, "\(failures.prefix(3))")
            let done = try await (f.scratch.db as! any SQLDatabase).raw("SELECT count(*) AS n FROM home_visits WHERE status = 'done'").first()?
                .decode(column: "n", as: Int.self)
            #expect(done == ids.count)
        }
    }
}
