import Domain
import FluentKit
import Foundation
import SQLKit

/// What a payroll run reads: the county's enrolments of the programme a page at a time, each completed with its
/// decisions, the months already paid, its holds, its payee's death record and account, and what it owes back.
struct PayrollReader: Sendable {
    let sql: any SQLDatabase
    let county: RegionCode
    let program: Program
    let terms: PayrollTerms

    /// Where a line's money goes and whose jurisdiction it is in.
    struct Context: Sendable {
        var residence: String
        var accountID: UUID?
    }

    /// The few things a run reads once: decided changes since the first month, holds, open recoveries, deaths.
    struct Known: Sendable {
        var changes: [UUID: [DecidedChange]] = [:]
        var holds: [UUID: String] = [:]
        var recoveries: [UUID: [OpenRecovery]] = [:]
        var deaths: [UUID: LocalDate] = [:]
    }

    struct Row: Sendable {
        var id: UUID
        var household: UUID
        var payee: UUID?
        var since: String
        var amount: Int64
        var status: String
        var changedOn: String?
        var exitEndsOn: String?
        var residence: String

        static let shape = RowShape<Row>(
            columns: ["id", "household_id", "payee", "since", "monthly_amount_cents", "status", "status_changed_on", "exit_ends_on", "residence_region"],
            byName: { r in
                Row(id: try r.uuid("id"), household: try r.uuid("household_id"), payee: try r.optionalUUID("payee"), since: try r.text("since"),
                    amount: try r.int64("monthly_amount_cents"), status: try r.text("status"), changedOn: try r.optionalText("status_changed_on"),
                    exitEndsOn: try r.optionalText("exit_ends_on"), residence: try r.text("residence_region"))
            },
            byPosition: { c in try decodeInOrder(&c) })

        /// Its cells in the order of `shape.columns` (a streamed row begins with them).
        static func decodeInOrder(_ c: inout PostgresCells) throws -> Row {
            Row(id: try c.uuid(), household: try c.uuid(), payee: try c.optionalUUID(), since: try c.text(), amount: try c.int64(), status: try c.text(),
                changedOn: try c.optionalText(), exitEndsOn: try c.optionalText(), residence: try c.text())
        }
    }

    static let headOf = "(SELECT m.id FROM members m WHERE m.household_id = %@ AND m.relation = '\(Relation.head.rawValue)' ORDER BY m.id LIMIT 1)"

    /// The one definition of the enrolments a payroll pays: the programme's, of households registered in the county
    /// (the registration side pays [YC]), in force or held, or ended since the first month (they may still be owed).
    func candidates(select: String, after cursor: UUID?) -> (text: String, binds: [BulkRead.Bind]) {
        let registered = Jurisdiction.condition(county, column: "h.registered_region", firstPlaceholder: 1)
        var text = "SELECT \(select) FROM enrolments e JOIN households h ON h.id = e.household_id WHERE e.program = '\(program.rawValue)' AND \(registered.text) "
            + "AND (e.status IN ('\(EnrolmentStatus.active.rawValue)', '\(EnrolmentStatus.suspended.rawValue)') "
            + "OR (e.status = '\(EnrolmentStatus.ended.rawValue)' AND e.status_changed_on > $3))"
        var binds = registered.binds + [.text(terms.firstMonth.first.description)]
        if let cursor {
            text += " AND e.id > $4"
            binds.append(.uuid(cursor))
        }
        return (text, binds)
    }

    static let count = RowShape<Int64>(columns: ["n"], byName: { try $0.int64("n") }, byPosition: { try $0.int64() })

    func count() async throws -> Int {
        let q = candidates(select: "count(*) AS n", after: nil)
        return Int(try await BulkRead.rows(sql, Self.count, query: q.text, q.binds).first ?? 0)
    }

    func page(after cursor: UUID?) async throws -> [Row] {
        let payee = "COALESCE(e.member_id, \(Self.headOf.replacingOccurrences(of: "%@", with: "e.household_id")))"
        let q = candidates(select: "e.id, e.household_id, \(payee) AS payee, e.since, e.monthly_amount_cents, e.status, e.status_changed_on, e.exit_ends_on, "
                                   + "h.residence_region", after: cursor)
        return try await BulkRead.rows(sql, Row.shape, query: q.text + " ORDER BY e.id LIMIT \(Payrolls.page)", q.binds)
    }

    /// A candidate with its account and the months paid since the first month, read in one pass (PostgreSQL).
    struct Streamed: Sendable {
        var row: Row
        var account: UUID?
        var months: String?

        static let shape = RowShape<Streamed>(
            columns: Row.shape.columns + ["account", "months"],
            byName: { r in Streamed(row: try Row.shape.byName(r), account: try r.optionalUUID("account"), months: try r.optionalText("months")) },
            byPosition: { c in
                Streamed(row: try Row.decodeInOrder(&c), account: try c.optionalUUID(), months: try c.optionalText())
            })
    }

    /// The candidates after `cursor` in the order of their IDs, each with its payee's confirmed account and the months
    /// already paid, as one query for a cursor: hash joins over the county, one sort. Its values are written in
    /// (region codes, a programme, a date and a UUID: all typed).
    func streamQuery(after cursor: UUID?) -> String {
        let status = "(e.status IN ('\(EnrolmentStatus.active.rawValue)', '\(EnrolmentStatus.suspended.rawValue)') OR (e.status = '\(EnrolmentStatus.ended.rawValue)' "
            + "AND e.status_changed_on > '\(terms.firstMonth.first.description)'))"
        return "SELECT e.id, e.household_id, COALESCE(e.member_id, hd.id) AS payee, e.since, e.monthly_amount_cents, e.status, e.status_changed_on, "
            + "e.exit_ends_on, h.residence_region, a.id AS account, pm.months FROM enrolments e JOIN households h ON h.id = e.household_id "
            + "LEFT JOIN (SELECT DISTINCT ON (household_id) household_id, id FROM members WHERE relation = '\(Relation.head.rawValue)' ORDER BY household_id, id) hd "
            + "ON hd.household_id = e.household_id "
            + "LEFT JOIN bank_accounts a ON a.member_id = COALESCE(e.member_id, hd.id) AND a.status = '\(BankAccountStatus.active.rawValue)' "
            + "LEFT JOIN (SELECT enrolment_id, string_agg(month, ',') AS months FROM paid_months WHERE month >= '\(terms.firstMonth.description)' "
            + "GROUP BY enrolment_id) pm ON pm.enrolment_id = e.id "
            + "WHERE e.program = '\(program.rawValue)' AND \(Jurisdiction.literalCondition(county, column: "h.registered_region")) AND \(status)"
            + (cursor.map { " AND e.id > '\($0.uuidString.lowercased())'" } ?? "") + " ORDER BY e.id"
    }

    /// Streamed rows as the payroll computes them: no further reads.
    func completed(_ rows: [Streamed], known: Known) throws -> [(PayrollEnrolment, Context)] {
        try rows.map { s in
            let r = s.row
            let paid = Set(try (s.months ?? "").split(separator: ",").map { try PayMonth(String($0)) })
            let e = PayrollEnrolment(id: r.id, householdID: r.household, payeeID: r.payee, program: program, since: try LocalDate(r.since), amountCents: r.amount,
                                     status: EnrolmentStatus(rawValue: r.status) ?? .active, statusChangedOn: try r.changedOn.map { try LocalDate($0) },
                                     exitEndsOn: try r.exitEndsOn.map { try LocalDate($0) }, changes: known.changes[r.id] ?? [], paidMonths: paid,
                                     hold: known.holds[r.id] ?? (r.status == EnrolmentStatus.suspended.rawValue ? "暂停发放" : nil),
                                     payeeDiedOn: r.payee.flatMap { known.deaths[$0] }, hasAccount: s.account != nil, recoveries: known.recoveries[r.id] ?? [])
            return (e, Context(residence: r.residence, accountID: s.account))
        }
    }

    /// Where a run killed half-way goes on: after the last enrolment it wrote a line for (its page was one
    /// transaction, so every enrolment before it was done; those with nothing due wrote nothing and are read again,
    /// to the same end).
    func resumeAfter(_ payroll: UUID) async throws -> UUID? {
        try await sql.select().column("enrolment_id").from("payroll_lines").where("payroll_id", .equal, payroll)
            .where("enrolment_id", .isNot, SQLLiteral.null).orderBy("enrolment_id", .descending).first()?.decode(column: "enrolment_id", as: UUID?.self)
    }

    static let changeColumns = ["enrolment_id", "effective_on", "current_cents", "new_cents", "exit_months"]

    /// A decided change as the payroll reads it; its kind follows from the amounts (and a gradual exit's months).
    static func decidedChange(_ r: any SQLRow) throws -> DecidedChange {
        let current = try r.decode(column: "current_cents", as: Int64.self), new = try r.decode(column: "new_cents", as: Int64.self)
        let kind: ChangeKind = try r.decode(column: "exit_months", as: Int?.self) != nil ? .gradualExit : new == 0 ? .stop : new > current ? .increase : .decrease
        return DecidedChange(kind: kind, effectiveOn: try LocalDate(try r.decode(column: "effective_on", as: String.self)), currentCents: current, newCents: new)
    }

    func preload() async throws -> Known {
        var k = Known()
        let since = terms.firstMonth.first.description
        for r in try await sql.select().columns(Self.changeColumns.map { SQLColumn($0) }).from("enrolment_changes")
            .where("status", .equal, ChangeStatus.approved.rawValue).where("program", .equal, program.rawValue)
            .where("effective_on", .greaterThanOrEqual, since).within(county, column: "registered_region").all() {
            k.changes[try r.decode(column: "enrolment_id", as: UUID.self), default: []].append(try Self.decidedChange(r))
        }
        for r in try await sql.select().columns("enrolment_id", "reason").from("payment_holds").where("released_at", .is, SQLLiteral.null).all() {
            k.holds[try r.decode(column: "enrolment_id", as: UUID.self)] = try r.decode(column: "reason", as: String.self)
        }
        let outstanding = SQLRaw("CAST(amount_cents - COALESCE((SELECT SUM(d.cents) FROM payroll_deductions d WHERE d.recovery_id = recoveries.id), 0) AS BIGINT)")
        for r in try await sql.select().column("id").column("enrolment_id").column(outstanding, as: "outstanding").from("recoveries")
            .where("status", .equal, EnrolmentChanges.openRecovery).orderBy("created_on").orderBy("id").all() {
            let left = try r.decode(column: "outstanding", as: Int64.self)
            guard left > 0 else { continue }
            k.recoveries[try r.decode(column: "enrolment_id", as: UUID.self), default: []]
                .append(OpenRecovery(id: try r.decode(column: "id", as: UUID.self), outstandingCents: left))
        }
        // Deaths are a few rows among millions of facts (a partial index holds only them).
        for r in try await sql.select().column("member_id").column(SQLFunction("MIN", args: SQLColumn("valid_from")), as: "died").from("facts")
            .where("kind", .equal, FactKind.death.rawValue).groupBy("member_id").all() {
            guard let m = try r.decode(column: "member_id", as: UUID?.self) else { continue }
            k.deaths[m] = try LocalDate(try r.decode(column: "died", as: String.self))
        }
        return k
    }

    /// The confirmed account of each payee.
    func accounts(_ payees: [UUID]) async throws -> [UUID: UUID] {
        var out: [UUID: UUID] = [:]
        let rows = try await BulkRead.rows(sql, ["member_id", "id", "status"], from: "bank_accounts", where: "member_id", in: payees) { r in
            (try r.uuid("member_id"), try r.uuid("id"), try r.text("status"))
        }
        for (m, id, status) in rows where status == BankAccountStatus.active.rawValue { out[m] = id }
        return out
    }

    /// A keyset page (SQLite) completed with its months paid and its payees' accounts, then built as the cursor's rows are.
    func complete(_ page: [Row], known: Known) async throws -> [(PayrollEnrolment, Context)] {
        var paid: [UUID: [String]] = [:]
        for (e, m) in try await BulkRead.rows(sql, ["enrolment_id", "month"], from: "paid_months", where: "enrolment_id", in: page.map(\.id), { r in
            (try r.uuid("enrolment_id"), try r.text("month"))
        }) {
            paid[e, default: []].append(m)
        }
        let accounts = try await accounts(page.compactMap(\.payee))
        return try completed(page.map { r in
            Streamed(row: r, account: r.payee.flatMap { accounts[$0] }, months: paid[r.id]?.joined(separator: ","))
        }, known: known)
    }

    /// One-off grants not yet paid, decided from the first month to the end of this one: temporary assistance and help
    /// first (in the county where it was granted), and deliberations' one-off amounts.
    func oneOffs(month: PayMonth, known: Known) async throws -> [(PayrollOneOff, Context)] {
        let window = (terms.firstMonth.first.description, month.last.description)
        // Help first is paid by the county where it was granted (where the emergency struck) [LS; ZX 48].
        let place = SQLFunction("COALESCE", args: SQLColumn("emergency_region"), SQLColumn("registered_region"))
        let fund = SQLRaw("CASE WHEN EXISTS (SELECT 1 FROM reserve_fund_entries r WHERE r.case_id = cases.id) THEN 1 ELSE 0 END")
        let head = SQLRaw(Self.headOf.replacingOccurrences(of: "%@", with: "cases.household_id"))
        var found: [(key: String, household: UUID, payee: UUID?, residence: String, amount: Int64, on: String, basis: String, fund: Bool)] = []
        for r in try await sql.select().columns("id", "household_id", "member_id", "residence_region", "decision", "decided_on", "code")
            .column(fund, as: "fund").column(head, as: "head").from("cases")
            .where("program", .equal, Program.temporary.rawValue).where("status", .equal, CaseStatus.approved.rawValue)
            .where("decided_on", .greaterThanOrEqual, window.0).where("decided_on", .lessThanOrEqual, window.1)
            .within(county, expression: place).all() {
            guard let json = try r.decode(column: "decision", as: String?.self),
                  let decision = try? JSONDecoder().decode(CaseDecision.self, from: Data(json.utf8)), decision.approved, decision.amountCents > 0 else { continue }
            found.append(("case:\(try r.decode(column: "id", as: UUID.self).uuidString.lowercased())", try r.decode(column: "household_id", as: UUID.self),
                          try r.decode(column: "member_id", as: UUID?.self) ?? r.decode(column: "head", as: UUID?.self),
                          try r.decode(column: "residence_region", as: String.self), decision.amountCents, try r.decode(column: "decided_on", as: String.self),
                          "\(Program.temporary.chinese) \(try r.decode(column: "code", as: String.self))", try r.decode(column: "fund", as: Int64.self) != 0))
        }
        let deliberationHead = SQLRaw(Self.headOf.replacingOccurrences(of: "%@", with: "deliberations.household_id"))
        for r in try await sql.select().columns("id", "household_id", "residence_region", "decided_on", "meetings", "amount_cents")
            .column(deliberationHead, as: "head").from("deliberations")
            .where("status", .equal, DeliberationStatus.approved.rawValue).where("amount_cents", .isNot, SQLLiteral.null)
            .where("decided_on", .greaterThanOrEqual, window.0).where("decided_on", .lessThanOrEqual, window.1)
            .within(county, column: "registered_region").all() {
            // Only a one-off amount is paid here; a monthly decision enrolled the household.
            let meetings = (try? JSONDecoder().decode([DeliberationMeeting].self, from: Data(try r.decode(column: "meetings", as: String.self).utf8))) ?? []
            guard case .oneOff(let amount)? = meetings.last?.outcome else { continue }
            found.append(("deliberation:\(try r.decode(column: "id", as: UUID.self).uuidString.lowercased())", try r.decode(column: "household_id", as: UUID.self),
                          try r.decode(column: "head", as: UUID?.self), try r.decode(column: "residence_region", as: String.self), amount,
                          try r.decode(column: "decided_on", as: String.self), "一事一议", false))
        }
        guard !found.isEmpty else { return [] }
        let paid = Set(try await sql.select().column("key").from("paid_one_offs").where("key", .in, found.map(\.key)).all()
            .map { try $0.decode(column: "key", as: String.self) })
        let todo = found.filter { !paid.contains($0.key) }
        let accounts = try await accounts(todo.compactMap(\.payee))
        return try todo.map { g in
            let account = g.payee.flatMap { accounts[$0] }
            return (PayrollOneOff(key: g.key, householdID: g.household, payeeID: g.payee, program: .temporary, amountCents: g.amount, decidedOn: try LocalDate(g.on),
                                  basis: g.basis, fromReserveFund: g.fund, payeeDiedOn: g.payee.flatMap { known.deaths[$0] }, hasAccount: account != nil),
                    Context(residence: g.residence, accountID: account))
        }
    }
}
