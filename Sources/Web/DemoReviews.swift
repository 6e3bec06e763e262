import Domain
import Fluent
import Foundation
import SQLKit
import Store

/// Life after approval in the demo city: each enrolment was last reviewed on some day of the past year (a few
/// longer ago), the daily run has opened the reviews now due — some overdue, some after a death — and in the demo
/// street one review ended in a gradual exit that the county decided. Made through the same stores as real work.
enum DemoReviews {
    static func seed(db: any Database, policy: Policy, accounts: [DemoAccount], city: DemoCity, today: LocalDate) async throws {
        func actor(_ role: Role) -> Actor { accounts.actor(role) }
        let (window, reviewer) = (actor(.townshipOfficer), actor(.countyReviewer))
        let system = Actor(userID: nil, username: "system", role: .cityAdmin, jurisdiction: city.city.code, origin: "demo")
        let sql = db as! any SQLDatabase
        let reviews = Reviews(db, parameters: policy.calculator.parameters, cycles: policy.reviewCycles)

        // The last review of each enrolment: within the last 200 days, or for one in twelve 330–380 days ago (due
        // now, a few overdue). Drawn from the enrolment's ID, so the same city gets the same history.
        let enrolments = try await sql.select().column("id").from("enrolments").where("status", .equal, EnrolmentStatus.active.rawValue)
            .where("program", .in, SQLGroupExpression(SQLList(policy.reviewCycles.programs.map { SQLBind($0.rawValue) }))).all()
            .map { try $0.decode(column: "id", as: UUID.self) }
        var byDay: [Int: [UUID]] = [:]
        for id in enrolments {
            let h = id.uuid.0 ^ id.uuid.5 ^ id.uuid.11
            let daysAgo = Int(h) % 12 == 0 ? 330 + Int(id.uuid.7) % 50 : Int(id.uuid.9) % 200
            byDay[daysAgo, default: []].append(id)
        }
        for (daysAgo, ids) in byDay {
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min(ids.count, $0 + 500)]) }) {
                // Only enrolments that had begun by then: a newer one counts from its start.
                let day = today.adding(days: -daysAgo).description
                try await sql.update("enrolments").set("last_reviewed_on", to: day).where("id", .in, chunk).where("since", .lessThan, day).run()
            }
        }
        // A member of a few assisted households died since their last review: those are reviewed at once [DD].
        let recentDeaths = sql.select().column("household_id").from("facts").where("kind", .equal, FactKind.death.rawValue)
            .where("valid_from", .greaterThan, today.adding(days: -90).description)
        try await sql.update("enrolments").set("last_reviewed_on", to: today.adding(days: -120).description)
            .where("household_id", .in, SQLGroupExpression(recentDeaths.query)).where("since", .lessThan, today.adding(days: -120).description).run()
        // Yesterday's run of the schedule (`jiuzhu review --due`).
        _ = try await reviews.openDue(actor: system, today: today.adding(days: -1))

        // In the street: a dibao household whose income has risen above the standard goes into gradual exit
        // (three months at its amount), proposed from its review and decided by the county.
        let candidate = try await sql.select().columns("id", "version", "enrolment_id").from("reviews")
            .where("status", .equal, ReviewStatus.open.rawValue).where("program", .equal, Program.dibao.rawValue)
            .within(window.jurisdiction).within(window.jurisdiction, column: "registered_region")
            .where(SQLRaw("NOT EXISTS (SELECT 1 FROM enrolment_changes c WHERE c.enrolment_id = reviews.enrolment_id AND c.status = 'proposed')"))
            .orderBy("due_on").first()
        if let r = candidate {
            let changes = EnrolmentChanges(db, parameters: policy.calculator.parameters)
            let id = try await changes.propose(
                enrolment: try r.decode(column: "enrolment_id", as: UUID.self), newCents: 0, effectiveOn: today.firstOfMonth,
                reasons: ["定期核查：家庭成员稳定就业，家庭人均收入已超过低保标准"], articles: ["DB 33"], source: .review,
                origin: .init(review: (try r.decode(column: "id", as: UUID.self), try r.decode(column: "version", as: Int.self))), exitMonths: 3,
                actor: window, today: today.adding(days: -6))
            try await changes.decide(id, approve: true, recovery: nil, expectedVersion: 1, actor: reviewer, today: today.adding(days: -3))
        }
    }
}
