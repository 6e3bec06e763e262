import Domain
import FluentKit
import Foundation
import SQLKit

/// A payroll line as pages and the API show it.
public struct PayrollLineView: Sendable, Equatable {
    public var id: UUID
    public var reference: String
    public var enrolmentID: UUID?
    public var oneOffKey: String?
    public var householdID: UUID
    public var payeeID: UUID?
    public var residenceRegion: String
    public var program: Program
    public var dueCents: Int64
    public var arrearsMonths: [PayMonth]
    public var arrearsCents: Int64
    public var oneOffCents: Int64
    public var deductionCents: Int64
    public var netCents: Int64
    public var block: PayrollBlock?
    public var status: PayrollLineStatus
    public var bankResult: String?
    public var bankReason: String?
    /// The household head's name (lists show names, not codes).
    public var headName: String?
}

extension Payrolls {
    static let lineColumns = ["id", "reference", "enrolment_id", "one_off_key", "household_id", "payee_id", "residence_region", "program", "due_cents",
                              "arrears_months", "arrears_cents", "one_off_cents", "deduction_cents", "net_cents", "block", "status", "bank_result", "bank_reason"]

    static func line(_ r: any SQLRow) throws -> PayrollLineView {
        PayrollLineView(id: try r.decode(column: "id", as: UUID.self), reference: try r.decode(column: "reference", as: String.self),
                        enrolmentID: try r.decode(column: "enrolment_id", as: UUID?.self), oneOffKey: try r.decode(column: "one_off_key", as: String?.self),
                        householdID: try r.decode(column: "household_id", as: UUID.self), payeeID: try r.decode(column: "payee_id", as: UUID?.self),
                        residenceRegion: try r.decode(column: "residence_region", as: String.self),
                        program: Program(rawValue: try r.decode(column: "program", as: String.self)) ?? .dibao,
                        dueCents: try r.decode(column: "due_cents", as: Int64.self),
                        arrearsMonths: try r.decode(column: "arrears_months", as: String.self).split(separator: ",").map { try PayMonth(String($0)) },
                        arrearsCents: try r.decode(column: "arrears_cents", as: Int64.self), oneOffCents: try r.decode(column: "one_off_cents", as: Int64.self),
                        deductionCents: try r.decode(column: "deduction_cents", as: Int64.self), netCents: try r.decode(column: "net_cents", as: Int64.self),
                        block: try r.decode(column: "block", as: String?.self).flatMap { try? JSONDecoder().decode(PayrollBlock.self, from: Data($0.utf8)) },
                        status: PayrollLineStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .pending,
                        bankResult: try r.decode(column: "bank_result", as: String?.self), bankReason: try r.decode(column: "bank_reason", as: String?.self),
                        headName: nil)
    }

    /// A payroll's lines, by reference, with the total; optionally only those in one state (the re-issue queue is
    /// `.failed`).
    public func lines(_ payroll: UUID, status: PayrollLineStatus? = nil, actor: Actor, offset: Int = 0, limit: Int = 50) async throws
        -> (items: [PayrollLineView], total: Int) {
        try await lines(payroll, statuses: status.map { [$0] } ?? [], actor: actor, offset: offset, limit: limit)
    }

    /// The lines in any of `statuses` (all of them when empty).
    public func lines(_ payroll: UUID, statuses: [PayrollLineStatus], actor: Actor, offset: Int = 0, limit: Int = 50) async throws
        -> (items: [PayrollLineView], total: Int) {
        guard try await summary(payroll, actor: actor) != nil else { throw PayrollStoreError.notFound }
        func scoped(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            let q = q.from("payroll_lines").where("payroll_id", .equal, payroll)
            return statuses.isEmpty ? q : q.where("status", .in, statuses.map(\.rawValue))
        }
        let total = try await scoped(db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()?.decode(column: "n", as: Int.self) ?? 0
        let items = try await scoped(db.sql.select().columns(Self.lineColumns.map { SQLColumn($0, table: "payroll_lines") }).headName(of: "payroll_lines"))
            .orderBy("reference").offset(offset).limit(limit).all().map(Self.named)
        return (items, total)
    }

    /// One line of a payroll of the actor's jurisdiction.
    public func line(_ id: UUID, of payroll: UUID, actor: Actor) async throws -> PayrollLineView? {
        guard try await summary(payroll, actor: actor) != nil else { throw PayrollStoreError.notFound }
        return try await db.sql.select().columns(Self.lineColumns.map { SQLColumn($0, table: "payroll_lines") }).headName(of: "payroll_lines")
            .from("payroll_lines").where("payroll_id", .equal, payroll).where(SQLColumn("id", table: "payroll_lines"), .equal, SQLBind(id)).first().map(Self.named)
    }

    /// A failed line sent again once the payee's account is fixed: it takes the account now confirmed (which must be
    /// another than the one that failed) and goes into the next supplementary bank file.
    public func reissue(line: UUID, actor: Actor, now: Date = Date()) async throws {
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        try await db.writeTransaction { tx in
            let (row, payroll) = try await self.failedLine(line, actor: actor, tx: tx)
            guard let payee = try row.decode(column: "payee_id", as: UUID?.self),
                  let account = try await tx.sql.select().column("id").from("bank_accounts").where("member_id", .equal, payee)
                    .where("status", .equal, BankAccountStatus.active.rawValue).first()?.decode(column: "id", as: UUID.self),
                  account != (try row.decode(column: "account_id", as: UUID?.self)) else {
                throw PayrollStoreError.account("请先为收款人登记并复核新的收款账户，再重新发放")
            }
            try await tx.sql.update("payroll_lines").set("status", to: PayrollLineStatus.reissued.rawValue).set("account_id", to: account)
                .where("id", .equal, line).run()
            try await AuditLog(tx).record(actor: actor, action: .handlePayrollLine, targetKind: "payroll", targetID: payroll.uuidString.lowercased(),
                                          detail: "发放失败的 \(try row.decode(column: "reference", as: String.self)) 改用新账户重新发放", at: now)
        }
    }

    /// A failed line not paid this month: its months and one-off are freed to be paid by a later payroll (as arrears),
    /// and what it would have deducted stays owed. The payroll closes when nothing is left waiting.
    public func carryOver(line: UUID, reason: String, actor: Actor, now: Date = Date()) async throws {
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw PayrollStoreError.account("请写明转下月补发的原因") }
        try await db.writeTransaction { tx in
            let (row, payroll) = try await self.failedLine(line, actor: actor, tx: tx)
            try await tx.sql.update("payroll_lines").set("status", to: PayrollLineStatus.carriedOver.rawValue).where("id", .equal, line).run()
            // Its months (by enrolment and month, the unique key), its one-off and its deductions are freed.
            if let enrolment = try row.decode(column: "enrolment_id", as: UUID?.self) {
                let months = try row.decode(column: "arrears_months", as: String.self).split(separator: ",").map(String.init)
                    + [try row.decode(column: "month", as: String.self)]
                try await tx.sql.delete(from: "paid_months").where("enrolment_id", .equal, enrolment).where("month", .in, months)
                    .where("line_id", .equal, line).run()
            }
            for table in ["paid_one_offs", "payroll_deductions"] { try await tx.sql.delete(from: table).where("line_id", .equal, line).run() }
            try await Self.closeIfSettled(payroll, tx: tx, now: now)
            try await AuditLog(tx).record(actor: actor, action: .handlePayrollLine, targetKind: "payroll", targetID: payroll.uuidString.lowercased(),
                                          detail: "发放失败的 \(try row.decode(column: "reference", as: String.self)) 转下月补发：\(why)", at: now)
        }
    }

    func failedLine(_ line: UUID, actor: Actor, tx: any Database) async throws -> (any SQLRow, UUID) {
        guard let row = try await tx.sql.select().columns(SQLColumn("*", table: "payroll_lines")).from("payroll_lines")
            .join("payrolls", on: SQLColumn("id", table: "payrolls"), .equal, SQLColumn("payroll_id", table: "payroll_lines"))
            .where(SQLColumn("id", table: "payroll_lines"), .equal, SQLBind(line)).within(actor.jurisdiction, column: "county_region", table: "payrolls").first()
        else { throw PayrollStoreError.notFound }
        guard try row.decode(column: "status", as: String.self) == PayrollLineStatus.failed.rawValue else {
            throw PayrollStoreError.account("只有发放失败的明细可以重新发放或转下月补发")
        }
        return (row, try row.decode(column: "payroll_id", as: UUID.self))
    }

    static func closeIfSettled(_ payroll: UUID, tx: any Database, now: Date) async throws {
        let statuses = try await tx.sql.select().distinct().column("status").from("payroll_lines").where("payroll_id", .equal, payroll).all()
            .compactMap { PayrollLineStatus(rawValue: try $0.decode(column: "status", as: String.self)) }
        guard PayrollWorkflow.afterReturn(lines: statuses) == .closed else { return }
        try await tx.sql.update("payrolls").set("status", to: PayrollStatus.closed.rawValue).set("closed_at", to: Timestamp.text(now))
            .where("id", .equal, payroll).where("status", .equal, PayrollStatus.sent.rawValue).run()
    }
}
