import Domain
import FluentKit
import Foundation
import SQLKit

public enum BankAccountStatus: String, ChineseLabelled {
    case pending, active, superseded, rejected
    public var chinese: String {
        switch self {
        case .pending: return "待复核"
        case .active: return "使用中"
        case .superseded: return "已更换"
        case .rejected: return "复核未通过"
        }
    }
}

/// A payee's account as staff see it: the number masked, never in clear.
public struct BankAccountView: Sendable, Equatable {
    public var id: UUID
    public var householdID: UUID
    public var memberID: UUID
    public var bank: String
    public var masked: String
    public var accountName: String
    public var status: BankAccountStatus
    public var note: String
    public var createdBy: String
    public var createdAt: String
    public var confirmedBy: String?
}

public enum BankAccountError: Error, Equatable, Sendable {
    case notFound
    /// Maker-checker: whoever entered the account may not confirm it.
    case sameClerk
    case notPending
    case changeWaiting
    /// The number is another household's account (in use or waiting): help is paid to the household's own account.
    case anotherHouseholds
    case invalid(String)

    public var chinese: String {
        switch self {
        case .notFound: return "未找到该账户，或不在您的辖区"
        case .sameClerk: return "收款账户须由登记人以外的另一人复核确认（双人复核）"
        case .notPending: return "该账户不是待复核状态"
        case .changeWaiting: return "此人已有一个待复核的账户变更，请先复核或退回"
        case .anotherHouseholds: return "该账号已登记为另一户家庭的收款账户：救助金发放到本户成员本人的账户，同一账户不能为两户收款，请核实账号"
        case .invalid(let why): return why
        }
    }
}

/// Payees' bank accounts (一卡通): entered by one person, confirmed by another, the number encrypted at rest and
/// masked wherever it is shown. Each step is audited. Scoped like the household: where it lives or is registered.
public struct BankAccounts: Sendable {
    let db: any Database
    let cipher: DataCipher

    public init(_ db: any Database, cipher: DataCipher) {
        self.db = db
        self.cipher = cipher
    }

    /// Enters a new account, or a change of account, for a member: waiting for a second person's confirmation.
    public func enter(member: UUID, bank: String, account: String, accountName: String, note: String, actor: Actor, now: Date = Date()) async throws -> UUID {
        guard actor.may(.manageBankAccounts) else { throw DomainError.forbidden }
        let number: BankAccountNumber
        do { number = try BankAccountNumber(account) } catch { throw BankAccountError.invalid(error.chinese) }
        let bankName = bank.trimmingCharacters(in: .whitespacesAndNewlines)
        let name = accountName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !bankName.isEmpty else { throw BankAccountError.invalid("请填写开户银行") }
        guard !name.isEmpty else { throw BankAccountError.invalid("请填写账户名（持卡人姓名）") }
        let sealed = try cipher.seal(number)
        let id = UUID()
        do {
            try await insert(id, member: member, bank: bankName, sealed: sealed, number: number, name: name, note: note, actor: actor, now: now)
        } catch let e as BankAccountError {
            throw e
        } catch {
            // Two clerks at once for one person: the unique index stops the second, which is told why.
            if try await db.sql.select().column("id").from("bank_accounts").where("member_id", .equal, member)
                .where("status", .equal, BankAccountStatus.pending.rawValue).first() != nil { throw BankAccountError.changeWaiting }
            throw error
        }
        return id
    }

    func insert(_ id: UUID, member: UUID, bank bankName: String, sealed: String, number: BankAccountNumber, name: String, note: String, actor: Actor,
                now: Date) async throws {
        try await db.writeTransaction { tx in
            let query = tx.sql.select().column(SQLColumn("household_id", table: "members"))
                .column(SQLColumn("residence_region", table: "households")).column(SQLColumn("registered_region", table: "households"))
                .from("members").join("households", on: SQLColumn("household_id", table: "members"), .equal, SQLColumn("id", table: "households"))
                .where(SQLColumn("id", table: "members"), .equal, SQLBind(member))
                .where { Self.scope($0, actor, table: "households", household: SQLColumn("id", table: "households"), sql: tx.sql) }
            guard let h = try await query.first() else { throw BankAccountError.notFound }
            if try await tx.sql.select().column("id").from("bank_accounts").where("member_id", .equal, member)
                .where("status", .equal, BankAccountStatus.pending.rawValue).first() != nil { throw BankAccountError.changeWaiting }
            let household = try h.decode(column: "household_id", as: UUID.self)
            let index = cipher.blindIndex(number.digits)
            try await Self.refuseAnotherHouseholds(index, household: household, tx.sql)
            let stamp = Timestamp.text(now)
            try await tx.sql.insert(into: "bank_accounts")
                    .columns("id", "household_id", "member_id", "bank", "account_cipher", "account_index", "account_tail", "account_name", "status",
                             "residence_region", "registered_region", "note", "created_by", "created_at")
                    .values(SQLBind(id), SQLBind(household), SQLBind(member), SQLBind(bankName), SQLBind(sealed), SQLBind(index),
                            SQLBind(number.tail), SQLBind(name), SQLBind(BankAccountStatus.pending.rawValue),
                            SQLBind(try h.decode(column: "residence_region", as: String.self)), SQLBind(try h.decode(column: "registered_region", as: String.self)),
                            SQLBind(note.trimmingCharacters(in: .whitespacesAndNewlines)), SQLBind(actor.username), SQLBind(stamp))
                    .run()
            try await AuditLog(tx).record(actor: actor, action: .enterBankAccount, targetKind: "household",
                                          targetID: try h.decode(column: "household_id", as: UUID.self).uuidString.lowercased(),
                                          detail: "登记收款账户 \(bankName) \(number.masked)（\(name)），待复核", at: now)
        }
    }

    /// The second person confirms: the account is in use from now, the one before it superseded, in one transaction.
    public func confirm(_ id: UUID, actor: Actor, now: Date = Date()) async throws {
        try await decide(id, confirm: true, reason: "", actor: actor, now: now)
    }

    /// The second person sends it back with a reason; the account in use stays.
    public func reject(_ id: UUID, reason: String, actor: Actor, now: Date = Date()) async throws {
        let r = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !r.isEmpty else { throw BankAccountError.invalid("请写明退回的理由") }
        try await decide(id, confirm: false, reason: r, actor: actor, now: now)
    }

    func decide(_ id: UUID, confirm: Bool, reason: String, actor: Actor, now: Date) async throws {
        guard actor.may(.manageBankAccounts) else { throw DomainError.forbidden }
        try await db.writeTransaction { tx in
            let query = tx.sql.select().columns("member_id", "household_id", "status", "created_by", "bank", "account_tail", "account_name", "account_index")
                .from("bank_accounts").where("id", .equal, id).where { Self.scope($0, actor, table: nil, household: SQLColumn("household_id"), sql: tx.sql) }
            guard let row = try await query.first() else { throw BankAccountError.notFound }
            guard try row.decode(column: "status", as: String.self) == BankAccountStatus.pending.rawValue else { throw BankAccountError.notPending }
            guard try row.decode(column: "created_by", as: String.self) != actor.username else { throw BankAccountError.sameClerk }
            let member = try row.decode(column: "member_id", as: UUID.self)
            let stamp = Timestamp.text(now)
            if confirm {
                // Entered at the same moment for another household: the confirmation is where it is caught.
                try await Self.refuseAnotherHouseholds(try row.decode(column: "account_index", as: String.self),
                                                       household: try row.decode(column: "household_id", as: UUID.self), tx.sql, except: id)
                try await tx.sql.update("bank_accounts").set("status", to: BankAccountStatus.superseded.rawValue)
                    .where("member_id", .equal, member).where("status", .equal, BankAccountStatus.active.rawValue).run()
            }
            let changed = try await tx.sql.update("bank_accounts")
                .set("status", to: (confirm ? BankAccountStatus.active : .rejected).rawValue)
                .set("confirmed_by", to: actor.username).set("confirmed_at", to: stamp)
                .where("id", .equal, id).where("status", .equal, BankAccountStatus.pending.rawValue).returning("id").all()
            guard !changed.isEmpty else { throw BankAccountError.notPending }
            let masked = BankAccountNumber.masked(prefix: nil, tail: try row.decode(column: "account_tail", as: String.self))
            try await AuditLog(tx).record(actor: actor, action: .confirmBankAccount, targetKind: "household",
                                          targetID: try row.decode(column: "household_id", as: UUID.self).uuidString.lowercased(),
                                          detail: (confirm ? "复核确认收款账户 " : "退回收款账户 ") + "\(try row.decode(column: "bank", as: String.self)) \(masked)"
                                            + (confirm ? "" : "：\(reason)"), at: now)
        }
    }

    /// One number pays one household: found by its blind index among the accounts in use or waiting, whichever
    /// jurisdiction they lie in. Which household it is stays unsaid — it may be outside the clerk's jurisdiction.
    static func refuseAnotherHouseholds(_ index: String, household: UUID, _ sql: any SQLDatabase, except: UUID? = nil) async throws {
        var q = sql.select().column("id").from("bank_accounts").where("account_index", .equal, index)
            .where("household_id", .notEqual, household)
            .where("status", .in, [BankAccountStatus.active.rawValue, BankAccountStatus.pending.rawValue])
        if let except { q = q.where("id", .notEqual, except) }
        if try await q.first() != nil { throw BankAccountError.anotherHouseholds }
    }

    /// A household's accounts, newest first, masked.
    public func list(household: UUID, actor: Actor) async throws -> [BankAccountView] {
        guard actor.may(.viewPayments) || actor.may(.manageBankAccounts) else { throw DomainError.forbidden }
        return try await db.sql.select().columns("id", "household_id", "member_id", "bank", "account_tail", "account_name", "status", "note", "created_by",
                                                 "created_at", "confirmed_by")
            .from("bank_accounts").where("household_id", .equal, household)
            .where { Self.scope($0, actor, table: nil, household: SQLColumn("household_id"), sql: db.sql) }
            .orderBy("created_at", .descending).all().map(Self.view)
    }

    /// Whose accounts a person handles: households living or registered in the jurisdiction, and those it granted help
    /// first where an emergency struck (the granting county pays it) [YC; LS; ZX 48].
    static func scope(_ w: SQLPredicateGroupBuilder, _ actor: Actor, table: String?, household: SQLColumn, sql: any SQLDatabase) -> SQLPredicateGroupBuilder {
        w.where { $0.livingOrRegistered(in: actor.jurisdiction, table: table) }
            .orWhere(household, .in, SQLGroupExpression(sql.select().column("household_id").from("cases").within(actor.jurisdiction, column: "emergency_region").query))
    }

    static func view(_ r: any SQLRow) throws -> BankAccountView {
        BankAccountView(id: try r.decode(column: "id", as: UUID.self), householdID: try r.decode(column: "household_id", as: UUID.self),
                        memberID: try r.decode(column: "member_id", as: UUID.self), bank: try r.decode(column: "bank", as: String.self),
                        masked: BankAccountNumber.masked(prefix: nil, tail: try r.decode(column: "account_tail", as: String.self)),
                        accountName: try r.decode(column: "account_name", as: String.self),
                        status: BankAccountStatus(rawValue: try r.decode(column: "status", as: String.self)) ?? .rejected,
                        note: try r.decode(column: "note", as: String.self), createdBy: try r.decode(column: "created_by", as: String.self),
                        createdAt: try r.decode(column: "created_at", as: String.self), confirmedBy: try r.decode(column: "confirmed_by", as: String?.self))
    }
}
