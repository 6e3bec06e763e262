import Domain
import FluentKit
import Foundation
import SQLKit

/// Monthly payrolls by county and programme: prepared a page of enrolments at a time (each page one transaction,
/// so a run killed half-way leaves whole pages and the next run goes on after them), approved by a second person,
/// sent to the bank as a file, and closed by the bank's return. Every enrolment-month and every one-off is paid
/// under a unique key, so nothing is paid twice, whatever is run again.
public struct Payrolls: Sendable {
    let db: any Database
    let parameters: ParameterSet

    public init(_ db: any Database, parameters: ParameterSet) {
        self.db = db
        self.parameters = parameters
    }

    static let page = 10_000
    static let summaryColumns = ["id", "code", "county_region", "program", "month", "status", "first_month", "prepared_by", "approved_by",
                                 "line_count", "blocked_count", "total_cents", "bank_format", "bank_file_sha256"]

    static func summary(_ r: any SQLRow) throws -> PayrollSummary {
        PayrollSummary(id: try r.decode(column: "id", as: UUID.self), code: try r.decode(column: "code", as: String.self),
                       county: try r.decode(column: "county_region", as: String.self),
                       program: Program(rawValue: try r.decode(column: "program", as: String.self)) ?? .dibao,
                       month: try PayMonth(try r.decode(column: "month", as: String.self)),
                       status: PayrollStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .preparing,
                       firstMonth: try PayMonth(try r.decode(column: "first_month", as: String.self)),
                       preparedBy: try r.decode(column: "prepared_by", as: String.self), approvedBy: try r.decode(column: "approved_by", as: String?.self),
                       lineCount: try r.decode(column: "line_count", as: Int64.self), blockedCount: try r.decode(column: "blocked_count", as: Int64.self),
                       totalCents: try r.decode(column: "total_cents", as: Int64.self), bankFormat: try r.decode(column: "bank_format", as: String?.self),
                       bankFileSHA256: try r.decode(column: "bank_file_sha256", as: String?.self))
    }

    /// A payroll of the actor's jurisdiction (its county inside it).
    public func summary(_ id: UUID, actor: Actor) async throws -> PayrollSummary? {
        guard actor.may(.viewPayments) else { throw DomainError.forbidden }
        return try await db.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("payrolls").where("id", .equal, id)
            .within(actor.jurisdiction, column: "county_region").first().map(Self.summary)
    }

    public func find(county: RegionCode, program: Program, month: PayMonth, actor: Actor) async throws -> PayrollSummary? {
        guard actor.may(.viewPayments) else { throw DomainError.forbidden }
        return try await db.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("payrolls").where("county_region", .equal, county.value)
            .where("program", .equal, program.rawValue).where("month", .equal, month.description)
            .within(actor.jurisdiction, column: "county_region").first().map(Self.summary)
    }

    // MARK: preparing

    /// Prepares the month's payroll of one county and programme, or goes on with one a crash left half-prepared. A
    /// payroll already prepared is not prepared again (corrections go into the next month).
    public func prepare(county: RegionCode, program: Program, month: PayMonth, actor: Actor, now: Date = Date(),
                        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> PayrollRun {
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        guard county.level == .county, actor.jurisdiction.contains(county) else { throw PayrollStoreError.notACounty }
        let started = ContinuousClock.now
        let (payroll, resumed) = try await claim(county: county, program: program, month: month, actor: actor, now: now)
        guard case .integer(let percent) = try parameters.resolve("recoveryDeductionPercent", region: county, date: month.first).value else {
            throw PolicyError.wrongType(name: "recoveryDeductionPercent", expected: "整数")
        }
        let terms = PayrollTerms(firstMonth: payroll.firstMonth, recoveryPercent: percent)
        var run = PayrollRun(payroll: payroll, resumed: resumed)
        let reader = PayrollReader(sql: db.sql, county: county, program: program, terms: terms)
        let known = try await reader.preload()
        let total = try await reader.count()
        var cursor = try await reader.resumeAfter(payroll.id)
        // PostgreSQL reads the county in one cursor and writes a page on another connection while the next is fetched;
        // SQLite reads keyset pages and has one writer. Pages are written in order, each in its own transaction, so a
        // run killed part-way leaves whole pages only.
        let overlap = BulkJSON.isPostgres(db.sql)
        let state = RunState(run)
        let handle: @Sendable ([(PayrollEnrolment, PayrollReader.Context)], Int, Double) async throws -> Void = { [db] enrolments, examined, readSeconds in
            var t = ContinuousClock.now
            let lines: [(PayrollLineDraft, PayrollReader.Context)] = enrolments.compactMap { e, context in
                PayrollCalculation.line(e, month: month, terms: terms).map { ($0, context) }
            }
            // The page's rows (and COPY's text) are made while the page before is still being written.
            let page = try PayrollWriter.page(lines, payroll: payroll.id, copy: overlap)
            let compute = (ContinuousClock.now - t).seconds
            t = ContinuousClock.now
            try await state.awaitWriting()
            let task = Task { try await PayrollWriter.write(page, db: db) }
            if overlap { await state.setWriting(task) } else { try await task.value }
            let done = await state.add(examined: examined, lines: lines.count, read: readSeconds, compute: compute, write: (ContinuousClock.now - t).seconds)
            progress(done, total)
        }
        do {
            if overlap {
                await state.mark()
                try await PostgresCursor.stream(db.sql, PayrollReader.Streamed.shape, reader.streamQuery(after: cursor), chunk: Self.page) { rows in
                    let read = await state.sinceMark()
                    try await handle(try reader.completed(rows, known: known), rows.count, read)
                    await state.mark()
                }
            } else {
                while true {
                    let t = ContinuousClock.now
                    let page = try await reader.page(after: cursor)
                    guard let last = page.last else { break }
                    cursor = last.id
                    let enrolments = try await reader.complete(page, known: known)
                    try await handle(enrolments, page.count, (ContinuousClock.now - t).seconds)
                    if page.count < Self.page { break }
                }
            }
            let t = ContinuousClock.now
            try await state.awaitWriting()
            await state.add(examined: 0, lines: 0, read: 0, compute: 0, write: (ContinuousClock.now - t).seconds)
        } catch {
            // What was started is finished before the error goes up: the database holds whole pages only.
            try? await state.awaitWriting()
            throw error
        }
        run = await state.run
        if program == .temporary {
            let grants = try await reader.oneOffs(month: month, known: known)
            let lines = grants.map { grant, context in (PayrollCalculation.line(grant, month: month), context) }
            try await PayrollWriter.write(lines, payroll: payroll.id, db: db)
            run.lines += lines.count
        }
        // A payroll adds up to a million lines at once, and autovacuum notices only a minute or more later. Until then
        // PostgreSQL plans the review and the bank file for the table as it was before: a bank file of a million lines
        // was read through a million index look-ups (5 s) instead of one hash join (2 s). Sampling costs 0.3 s.
        if BulkCopy.isAvailable(db.sql) { try await db.sql.raw("ANALYZE payroll_lines").run() }
        var empty = payroll
        empty.status = .closed
        run.payroll = try await finish(payroll.id, actor: actor, now: now, empty: empty)
        run.seconds = (ContinuousClock.now - started).seconds
        return run
    }

    /// The payroll row to prepare: a new one, or the one a crash left in `preparing`. Two runs at once for the same
    /// month: the unique index lets one create it.
    func claim(county: RegionCode, program: Program, month: PayMonth, actor: Actor, now: Date) async throws -> (PayrollSummary, Bool) {
        let system = Actor(userID: actor.userID, username: actor.username, role: .cityAdmin, jurisdiction: county, origin: actor.origin)
        if let existing = try await find(county: county, program: program, month: month, actor: system) {
            guard existing.status == .preparing else { throw PayrollStoreError.workflow(.alreadyPrepared(existing.status)) }
            return (existing, true)
        }
        let first = try await db.sql.select().column("month").from("payrolls").where("county_region", .equal, county.value)
            .where("program", .equal, program.rawValue).orderBy("month").first()?.decode(column: "month", as: String.self)
        let firstMonth = try first.map { min(try PayMonth($0), month) } ?? month
        do {
            try await db.writeTransaction { tx in
                try await tx.sql.insert(into: "payrolls")
                    .columns("id", "code", "county_region", "program", "month", "status", "first_month", "prepared_by", "prepared_at", "line_count",
                             "blocked_count", "total_cents")
                    .values(SQLBind(UUID()), SQLBind("\(county.prefix)-\(program.rawValue)-\(month)"), SQLBind(county.value), SQLBind(program.rawValue),
                            SQLBind(month.description), SQLBind(PayrollStatus.preparing.rawValue), SQLBind(firstMonth.description), SQLBind(actor.username),
                            SQLBind(Timestamp.text(now)), SQLBind(Int64(0)), SQLBind(Int64(0)), SQLBind(Int64(0)))
                    .run()
            }
        } catch {
            guard let existing = try await find(county: county, program: program, month: month, actor: system) else { throw error }
            guard existing.status == .preparing else { throw PayrollStoreError.workflow(.alreadyPrepared(existing.status)) }
            return (existing, true)
        }
        guard let made = try await find(county: county, program: program, month: month, actor: system) else { throw PayrollStoreError.notFound }
        return (made, false)
    }

    /// Totals from the lines themselves, and the payroll ready for a second person's check.
    func finish(_ id: UUID, actor: Actor, now: Date, empty: PayrollSummary) async throws -> PayrollSummary {
        try await db.writeTransaction { tx in
            let blocked: SQLQueryString = "SUM(CASE WHEN status = \(bind: PayrollLineStatus.blocked.rawValue) THEN 1 ELSE 0 END)"
            let t = try await tx.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(blocked, as: "blocked")
                .column(SQLRaw("CAST(SUM(net_cents) AS BIGINT)"), as: "total").from("payroll_lines").where("payroll_id", .equal, id).first()
            let n = try t?.decode(column: "n", as: Int64.self) ?? 0
            let b = try t?.decode(column: "blocked", as: Int64?.self) ?? 0
            let total = try t?.decode(column: "total", as: Int64?.self) ?? 0
            // Nothing to pay this month: no payroll is kept (a grant decided later in the month is paid by preparing again).
            if n == 0 {
                try await tx.sql.delete(from: "payrolls").where("id", .equal, id).where("status", .equal, PayrollStatus.preparing.rawValue).run()
                return
            }
            let changed = try await tx.sql.update("payrolls").set("status", to: PayrollStatus.prepared.rawValue).set("line_count", to: n)
                .set("blocked_count", to: b).set("total_cents", to: total).where("id", .equal, id)
                .where("status", .equal, PayrollStatus.preparing.rawValue).returning("code").all()
            guard let code = try changed.first?.decode(column: "code", as: String.self) else { throw PayrollStoreError.workflow(.alreadyPrepared(.prepared)) }
            try await AuditLog(tx).record(actor: actor, action: .preparePayroll, targetKind: "payroll", targetID: id.uuidString.lowercased(),
                                          detail: "生成发放名册 \(code)：\(n) 笔，其中不予发放 \(b) 笔，合计 \(Cents(total).yuanText)", at: now)
        }
        guard let s = try await db.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("payrolls").where("id", .equal, id).first()
        else { return empty }
        return try Self.summary(s)
    }

    // MARK: approving

    /// A second person approves: never the one who prepared it. An approved payroll does not change again.
    public func approve(_ id: UUID, actor: Actor, now: Date = Date()) async throws -> PayrollSummary {
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        try await db.writeTransaction { tx in
            guard let row = try await tx.sql.select().columns(Self.summaryColumns.map { SQLColumn($0) }).from("payrolls").where("id", .equal, id)
                .within(actor.jurisdiction, column: "county_region").first() else { throw PayrollStoreError.notFound }
            let p = try Self.summary(row)
            do {
                _ = try PayrollWorkflow.approve(status: p.status, preparedBy: p.preparedBy, by: actor.username)
            } catch let e as PayrollError { throw PayrollStoreError.workflow(e) }
            let changed = try await tx.sql.update("payrolls").set("status", to: PayrollStatus.approved.rawValue).set("approved_by", to: actor.username)
                .set("approved_at", to: Timestamp.text(now)).where("id", .equal, id).where("status", .equal, PayrollStatus.prepared.rawValue)
                .returning("id").all()
            guard !changed.isEmpty else { throw PayrollStoreError.workflow(.notPrepared(.approved)) }
            try await AuditLog(tx).record(actor: actor, action: .approvePayroll, targetKind: "payroll", targetID: id.uuidString.lowercased(),
                                          detail: "审批发放名册 \(p.code)：\(p.lineCount) 笔，合计 \(Cents(p.totalCents).yuanText)（生成人 \(p.preparedBy)）", at: now)
        }
        guard let s = try await summary(id, actor: actor) else { throw PayrollStoreError.notFound }
        return s
    }
}

/// A run's counts and phase times, and the page being written, shared by the reading loop and the cursor's callback.
actor RunState {
    var run: PayrollRun
    var writing: Task<Void, any Error>?
    var marked = ContinuousClock.now
    init(_ run: PayrollRun) { self.run = run }

    func mark() { marked = ContinuousClock.now }
    func sinceMark() -> Double { (ContinuousClock.now - marked).seconds }

    func awaitWriting() async throws {
        if let w = writing {
            writing = nil
            try await w.value
        }
    }

    func setWriting(_ t: Task<Void, any Error>) { writing = t }

    @discardableResult
    func add(examined: Int, lines: Int, read: Double, compute: Double, write: Double) -> Int {
        run.examined += examined
        run.lines += lines
        run.readSeconds += read
        run.computeSeconds += compute
        run.writeSeconds += write
        return run.examined
    }
}
