import Domain
import FluentKit
import Foundation
import SQLKit

/// What changed since last month's payroll, each change with the decision behind it.
public struct PayrollDiff: Sendable, Equatable {
    public struct Changed: Sendable, Equatable {
        public var line: PayrollLineView
        public var beforeCents: Int64
        /// The decided change that took effect, in its own words.
        public var reason: String?
    }
    public var previous: PayrollSummary?
    public var newCount: Int
    public var newCents: Int64
    public var stoppedCount: Int
    public var stoppedCents: Int64
    public var changedCount: Int
    public var changed: [Changed]
}

/// One sub-region's part of a payroll.
public struct PayrollArea: Sendable, Equatable {
    public var region: String
    public var lines: Int
    public var blocked: Int
    public var cents: Int64
}

/// A payroll's lines, month by month, as one list (a line found not to be what the decisions say now).
public struct PayrollMismatch: Sendable, Equatable {
    public var line: PayrollLineView
    public var expectedCents: Int64
}

extension Payrolls {
    /// The household head's name for a line of table alias `alias`, in SQL written as text.
    static func headNameOf(_ alias: String) -> String {
        "(SELECT m.name FROM members m WHERE m.household_id = \(alias).household_id AND m.relation = '\(Relation.head.rawValue)' LIMIT 1)"
    }

    /// A line with the head's name a query selected as `head_name`.
    static func named(_ r: any SQLRow) throws -> PayrollLineView {
        var l = try line(r)
        l.headName = try r.decode(column: "head_name", as: String?.self)
        return l
    }

    /// The payrolls of the jurisdiction, newest month first.
    public func list(actor: Actor, offset: Int = 0, limit: Int = 30) async throws -> (items: [PayrollSummary], total: Int) {
        guard actor.may(.viewPayments) else { throw DomainError.forbidden }
        let total = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("payrolls")
            .within(actor.jurisdiction, column: "county_region").first()?.decode(column: "n", as: Int.self) ?? 0
        let items = try await db.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("payrolls").within(actor.jurisdiction, column: "county_region")
            .orderBy("month", .descending).orderBy("county_region").orderBy("program").offset(offset).limit(limit).all().map(Self.summary)
        return (items, total)
    }

    /// The payroll by sub-region (the county's townships), counted in SQL.
    public func areas(_ id: UUID, actor: Actor) async throws -> [PayrollArea] {
        guard let p = try await summary(id, actor: actor) else { throw PayrollStoreError.notFound }
        let digits = try RegionCode(p.county).level.child?.significantDigits ?? 12
        let area = SQLFunction("substr", args: SQLColumn("residence_region"), SQLLiteral.numeric("1"), SQLLiteral.numeric("\(digits)"))
        let blocked: SQLQueryString = "SUM(CASE WHEN status = \(bind: PayrollLineStatus.blocked.rawValue) THEN 1 ELSE 0 END)"
        return try await db.sql.select().column(area, as: "area").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(blocked, as: "blocked")
            .column(SQLRaw("CAST(SUM(net_cents) AS BIGINT)"), as: "cents").from("payroll_lines").where("payroll_id", .equal, id)
            .groupBy(SQLColumn("area")).orderBy(SQLColumn("area")).all().map { r in
                PayrollArea(region: try r.decode(column: "area", as: String.self).padding(toLength: 12, withPad: "0", startingAt: 0),
                            lines: try r.decode(column: "n", as: Int.self), blocked: Int(try r.decode(column: "blocked", as: Int64?.self) ?? 0),
                            cents: try r.decode(column: "cents", as: Int64?.self) ?? 0)
            }
    }

    /// Against last month's payroll of the same county and programme: who is new, who stopped, whose amount changed
    /// (with the decided change that took effect this month), counted in SQL, the changed listed up to `limit`.
    public func diff(_ id: UUID, actor: Actor, limit: Int = 50) async throws -> PayrollDiff {
        guard let p = try await summary(id, actor: actor) else { throw PayrollStoreError.notFound }
        guard let county = try? RegionCode(p.county), let prev = try await find(county: county, program: p.program, month: p.month.previous, actor: actor) else {
            return PayrollDiff(previous: nil, newCount: 0, newCents: 0, stoppedCount: 0, stoppedCents: 0, changedCount: 0, changed: [])
        }
        func side(_ from: UUID, missingIn other: UUID) async throws -> (Int, Int64) {
            let r = try await db.sql.raw("""
                SELECT COUNT(*) AS n, CAST(COALESCE(SUM(a.due_cents), 0) AS BIGINT) AS cents FROM payroll_lines a WHERE a.payroll_id = \(bind: from)
                AND a.enrolment_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM payroll_lines b WHERE b.payroll_id = \(bind: other) AND b.enrolment_id = a.enrolment_id)
                """).first()
            return (try r?.decode(column: "n", as: Int.self) ?? 0, try r?.decode(column: "cents", as: Int64.self) ?? 0)
        }
        let (newCount, newCents) = try await side(id, missingIn: prev.id)
        let (stoppedCount, stoppedCents) = try await side(prev.id, missingIn: id)
        let count = try await db.sql.raw("""
            SELECT COUNT(*) AS n FROM payroll_lines a JOIN payroll_lines b ON b.enrolment_id = a.enrolment_id AND b.payroll_id = \(bind: prev.id)
            WHERE a.payroll_id = \(bind: id) AND a.due_cents <> b.due_cents
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        let columns = Self.lineColumns.map { "a.\($0) AS \($0)" }.joined(separator: ", ")
        let rows = try await db.sql.raw("""
            SELECT \(unsafeRaw: columns), b.due_cents AS before_cents, \(unsafeRaw: Self.headNameOf("a")) AS head_name,
            (SELECT c.reasons FROM enrolment_changes c WHERE c.enrolment_id = a.enrolment_id AND c.status = 'approved'
             AND c.effective_on >= \(bind: p.month.first.description) AND c.effective_on <= \(bind: p.month.last.description) ORDER BY c.decided_on DESC LIMIT 1) AS reason
            FROM payroll_lines a JOIN payroll_lines b ON b.enrolment_id = a.enrolment_id AND b.payroll_id = \(bind: prev.id)
            WHERE a.payroll_id = \(bind: id) AND a.due_cents <> b.due_cents ORDER BY a.reference LIMIT \(literal: limit)
            """).all()
        let changed = try rows.map { r in
            PayrollDiff.Changed(line: try Self.named(r), beforeCents: try r.decode(column: "before_cents", as: Int64.self),
                                reason: try r.decode(column: "reason", as: String?.self).map { text in
                                    (try? JSONDecoder().decode([String].self, from: Data(text.utf8)))?.joined(separator: "；") ?? text
                                })
        }
        return PayrollDiff(previous: prev, newCount: newCount, newCents: newCents, stoppedCount: stoppedCount, stoppedCents: stoppedCents,
                           changedCount: count, changed: changed)
    }
}

extension Payrolls {
    /// Lines whose month's amount is not what the decisions on file now say for that month: business data and payment
    /// data that disagree (a decision taken after the payroll was prepared, or a record changed by hand). Only lines
    /// whose amount differs from the enrolment's current amount are candidates (a later change or a part month is
    /// explained by the decisions); each candidate is computed again. At most `limit` are examined.
    public func mismatches(_ id: UUID, actor: Actor, limit: Int = 500) async throws -> [PayrollMismatch] {
        guard let p = try await summary(id, actor: actor) else { throw PayrollStoreError.notFound }
        let columns = Self.lineColumns.map { "l.\($0) AS \($0)" }.joined(separator: ", ")
        let rows = try await db.sql.raw("""
            SELECT \(unsafeRaw: columns), \(unsafeRaw: Self.headNameOf("l")) AS head_name, e.since AS since, e.monthly_amount_cents AS amount, e.status AS e_status, e.status_changed_on AS changed_on,
            e.exit_ends_on AS exit_ends_on FROM payroll_lines l JOIN enrolments e ON e.id = l.enrolment_id
            WHERE l.payroll_id = \(bind: id) AND l.due_cents > 0 AND l.due_cents <> e.monthly_amount_cents ORDER BY l.reference LIMIT \(literal: limit)
            """).all()
        guard !rows.isEmpty else { return [] }
        var changes: [UUID: [DecidedChange]] = [:]
        let ids = try rows.map { try $0.decode(column: "enrolment_id", as: UUID.self) }
        for r in try await db.sql.select().columns(PayrollReader.changeColumns.map { SQLColumn($0) }).from("enrolment_changes")
            .where("status", .equal, ChangeStatus.approved.rawValue).where("enrolment_id", .in, ids).all() {
            changes[try r.decode(column: "enrolment_id", as: UUID.self), default: []].append(try PayrollReader.decidedChange(r))
        }
        return try rows.compactMap { r in
            let line = try Self.named(r)
            guard let e = line.enrolmentID else { return nil }
            let enrolment = PayrollEnrolment(id: e, householdID: line.householdID, payeeID: line.payeeID, program: line.program,
                                             since: try LocalDate(try r.decode(column: "since", as: String.self)), amountCents: try r.decode(column: "amount", as: Int64.self),
                                             status: EnrolmentStatus(rawValue: try r.decode(column: "e_status", as: String.self)) ?? .active,
                                             statusChangedOn: try r.decode(column: "changed_on", as: String?.self).map { try LocalDate($0) },
                                             exitEndsOn: try r.decode(column: "exit_ends_on", as: String?.self).map { try LocalDate($0) }, changes: changes[e] ?? [])
            let expected = PayrollCalculation.amount(enrolment, for: p.month) ?? 0
            return expected == line.dueCents ? nil : PayrollMismatch(line: line, expectedCents: expected)
        }
    }
}
