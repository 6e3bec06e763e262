import Domain
import FluentKit
import Foundation
import SQLKit

/// One payee drawn for the month's payment verification.
public struct PaymentVerificationView: Sendable, Equatable {
    public var id: UUID
    public var payrollID: UUID
    public var householdID: UUID
    public var headName: String?
    public var residenceRegion: String
    public var month: PayMonth
    public var netCents: Int64
    public var drawnOn: LocalDate
    public var drawSeed: String
    public var status: String
    public var finding: String?
    public var doneBy: String?
}

public enum PaymentVerificationError: Error, Equatable, Sendable {
    case notFound
    case alreadyDone
    case nothingToDraw
    case invalid(String)
    public var chinese: String {
        switch self {
        case .notFound: return "未找到该核验任务，或不在您的辖区"
        case .alreadyDone: return "该核验已登记结果"
        case .nothingToDraw: return "该月没有可抽取的已发放明细（或已全部抽取）"
        case .invalid(let why): return why
        }
    }
}

/// Payment verification (资金发放核验): each month a random share of the lines paid (`paymentVerificationPercent`) is
/// drawn by the county, with the draw's seed kept so an auditor can draw it again; the township reaches each payee by
/// phone or at home. A failure (the money did not arrive, the payee died or lives elsewhere) is recorded as a fact of
/// the household in the same transaction, and the screening that follows raises it as a warning in its township.
public struct PaymentVerifications: Sendable {
    let db: any Database
    let parameters: ParameterSet

    public init(_ db: any Database, parameters: ParameterSet) {
        self.db = db
        self.parameters = parameters
    }

    /// A check drawn and not yet done; done ones say "passed" or "failed".
    static let open = "open"

    /// Draws the month's sample for a county from the lines its payrolls paid that were not drawn before.
    public func draw(county: RegionCode, month: PayMonth, actor: Actor, today: LocalDate, seed: UInt64 = UInt64.random(in: .min ... .max),
                     now: Date = Date()) async throws -> Int {
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        guard county.level == .county, actor.jurisdiction.contains(county) else { throw PayrollStoreError.notACounty }
        guard case .integer(let percent) = try parameters.resolve("paymentVerificationPercent", region: county, date: today).value else {
            throw PolicyError.wrongType(name: "paymentVerificationPercent", expected: "整数")
        }
        let rows = try await db.sql.select().column(SQLColumn("id", table: "payroll_lines")).column(SQLColumn("payroll_id", table: "payroll_lines"))
            .column(SQLColumn("household_id", table: "payroll_lines")).column(SQLColumn("payee_id", table: "payroll_lines"))
            .column(SQLColumn("residence_region", table: "payroll_lines"))
            .from("payroll_lines").join("payrolls", on: SQLColumn("id", table: "payrolls"), .equal, SQLColumn("payroll_id", table: "payroll_lines"))
            .where(SQLColumn("county_region", table: "payrolls"), .equal, SQLBind(county.value))
            .where(SQLColumn("month", table: "payrolls"), .equal, SQLBind(month.description))
            .where(SQLColumn("status", table: "payroll_lines"), .equal, SQLBind(PayrollLineStatus.paid.rawValue))
            .where(SQLRaw("NOT EXISTS (SELECT 1 FROM payment_verifications v WHERE v.line_id = payroll_lines.id)"))
            .orderBy(SQLColumn("reference", table: "payroll_lines")).all()
        var generator = SeededRandom(seed: seed)
        let drawn = SpotCheckWorkflow.draw(rows, percent: percent, using: &generator)
        guard !drawn.isEmpty else { throw PaymentVerificationError.nothingToDraw }
        let seedText = String(seed, radix: 16)
        try await db.writeTransaction { tx in
            var q = tx.sql.insert(into: "payment_verifications").columns("id", "payroll_id", "line_id", "household_id", "payee_id", "residence_region",
                                                                        "county_region", "month", "drawn_on", "draw_seed", "status")
            for r in drawn {
                q = q.values(SQLBind(UUID()), SQLBind(try r.decode(column: "payroll_id", as: UUID.self)), SQLBind(try r.decode(column: "id", as: UUID.self)),
                             SQLBind(try r.decode(column: "household_id", as: UUID.self)), SQLBind(try r.decode(column: "payee_id", as: UUID?.self)),
                             SQLBind(try r.decode(column: "residence_region", as: String.self)), SQLBind(county.value), SQLBind(month.description),
                             SQLBind(today.description), SQLBind(seedText), SQLBind(Self.open))
            }
            try await q.run()
            try await AuditLog(tx).record(actor: actor, action: .drawPaymentChecks, targetKind: "region", targetID: county.value,
                                          detail: "抽取 \(month.chinese) 资金发放核验 \(drawn.count) 户（已发放 \(rows.count) 笔的 \(percent)%，随机种子 \(seedText)）", at: now)
        }
        return drawn.count
    }

    /// Open checks (or done ones) of the households living in the actor's jurisdiction, oldest drawn first.
    public func list(actor: Actor, open: Bool, offset: Int = 0, limit: Int = 50) async throws -> (items: [PaymentVerificationView], total: Int) {
        guard actor.may(.manageBankAccounts) || actor.may(.viewPayments) else { throw DomainError.forbidden }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            q.from("payment_verifications").within(actor.jurisdiction, table: "payment_verifications")
                .where(SQLColumn("status", table: "payment_verifications"), open ? .equal : .notEqual, SQLBind(Self.open))
        }
        let total = try await scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await scoped(db.sql.select().columns(["id", "payroll_id", "household_id", "residence_region", "month", "drawn_on", "draw_seed", "status",
                                                             "finding", "done_by"].map { SQLColumn($0, table: "payment_verifications") })
            .column(SQLColumn("net_cents", table: "payroll_lines")).headName(of: "payment_verifications"))
            .join("payroll_lines", on: SQLColumn("id", table: "payroll_lines"), .equal, SQLColumn("line_id", table: "payment_verifications"))
            .orderBy(SQLColumn("drawn_on", table: "payment_verifications")).orderBy(SQLColumn("id", table: "payment_verifications"))
            .offset(offset).limit(limit).all()
        let items = try rows.map { r in
            PaymentVerificationView(id: try r.decode(column: "id", as: UUID.self), payrollID: try r.decode(column: "payroll_id", as: UUID.self),
                                    householdID: try r.decode(column: "household_id", as: UUID.self), headName: try r.decode(column: "head_name", as: String?.self),
                                    residenceRegion: try r.decode(column: "residence_region", as: String.self),
                                    month: try PayMonth(try r.decode(column: "month", as: String.self)), netCents: try r.decode(column: "net_cents", as: Int64.self),
                                    drawnOn: try LocalDate(try r.decode(column: "drawn_on", as: String.self)),
                                    drawSeed: try r.decode(column: "draw_seed", as: String.self), status: try r.decode(column: "status", as: String.self),
                                    finding: try r.decode(column: "finding", as: String?.self), doneBy: try r.decode(column: "done_by", as: String?.self))
        }
        return (items, total)
    }

    /// Records what the township found. A failure becomes a fact of the household (and an event the screening reacts
    /// to) in the same transaction; returns whether it passed.
    @discardableResult
    public func record(_ id: UUID, check: PaymentCheck, actor: Actor, today: LocalDate, now: Date = Date()) async throws -> Bool {
        guard actor.may(.manageBankAccounts) else { throw DomainError.forbidden }
        let c: PaymentCheck
        do { c = try check.validated() } catch { throw PaymentVerificationError.invalid(error.chinese) }
        try await db.writeTransaction { tx in
            guard let row = try await tx.sql.select().columns("household_id", "payee_id", "residence_region", "status", "month").from("payment_verifications")
                .where("id", .equal, id).within(actor.jurisdiction).first() else { throw PaymentVerificationError.notFound }
            guard try row.decode(column: "status", as: String.self) == Self.open else { throw PaymentVerificationError.alreadyDone }
            var fact: UUID?
            let household = try row.decode(column: "household_id", as: UUID.self)
            if !c.passed {
                let factID = UUID()
                fact = factID
                let batch = try await EventBatch.open(tx.sql, at: now)
                let member = try row.decode(column: "payee_id", as: UUID?.self)
                let residence = try row.decode(column: "residence_region", as: String.self)
                try await tx.sql.insert(into: "facts").columns("id", "household_id", "member_id", "category", "kind", "valid_from", "source_department",
                                                               "received_at", "reference", "note")
                    .values(SQLBind(factID), SQLBind(household), SQLBind(member), SQLBind(FactCategory.event.rawValue), SQLBind(FactKind.paymentUnverified.rawValue),
                            SQLBind(today.description), SQLBind(Department.civilAffairs.rawValue), SQLBind(today.description),
                            SQLBind("payment-verification:\(id.uuidString.lowercased())"), SQLBind(c.finding)).run()
                try await tx.sql.insert(into: "events").columns("id", "fact_id", "household_id", "member_id", "residence_region", "kind", "occurred_on",
                                                                "created_at", "dedupe_key")
                    .values(SQLBind(UUID()), SQLBind(factID), SQLBind(household), SQLBind(member), SQLBind(residence), SQLBind(FactKind.paymentUnverified.rawValue),
                            SQLBind(today.description), SQLBind(batch.createdAt), SQLBind("payment-verification:\(id.uuidString.lowercased())")).run()
            }
            let changed = try await tx.sql.update("payment_verifications").set("status", to: c.passed ? "passed" : "failed").set("finding", to: c.finding)
                .set("done_by", to: actor.username).set("done_on", to: today.description).set("fact_id", to: fact)
                .where("id", .equal, id).where("status", .equal, Self.open).returning("id").all()
            guard !changed.isEmpty else { throw PaymentVerificationError.alreadyDone }
            try await AuditLog(tx).record(actor: actor, action: .recordPaymentCheck, targetKind: "household", targetID: household.uuidString.lowercased(),
                                          detail: "资金发放核验（\(try row.decode(column: "month", as: String.self))）：\(c.finding)", at: now)
        }
        return c.passed
    }
}
