import Domain
import Fluent
import Foundation
import SQLKit
import Store

/// The honesty loop in the demo: the district drew its share of last month's commitment approvals and traced back
/// the approvals a later warning touched; the street found one declaration false (the head is on the dishonesty list
/// and stopping the benefit waits for the district) — made through the same store, with a fixed draw.
enum DemoHonesty {
    static func seed(db: any Database, policy: Policy, accounts: [DemoAccount], today: LocalDate) async throws {
        func actor(_ role: Role) -> Actor { accounts.actor(role) }
        let (township, county) = (actor(.townshipOfficer), actor(.countyReviewer))
        let checks = SpotChecks(db, parameters: policy.calculator.parameters)
        var generator = SeededRandom(seed: 2026)
        _ = try await checks.draw(from: today.adding(days: -60), to: today, actor: county, today: today.adding(days: -5), using: &generator)
        let open = try await checks.list(actor: township, filter: .open, offset: 0, limit: 10).items
        guard let found = open.first(where: { $0.state.kind == .random }) ?? open.first else { return }
        try await checks.record(found.id, truthful: false, finding: "入户核查发现申请人之子在外地务工，月工资约4500元，申报时未如实申报",
                                recoverCents: 117_000, expectedVersion: found.state.version, actor: township, today: today.adding(days: -2))
    }
}
