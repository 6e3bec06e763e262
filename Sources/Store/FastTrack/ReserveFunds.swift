import Domain
import FluentKit
import Foundation
import SQLKit

/// One line of a township's reserve-fund ledger.
public struct ReserveFundEntry: Sendable, Equatable {
    public var kind: ReserveFundEntryKind
    public var amount: Cents
    public var balanceAfter: Cents
    public var caseID: UUID?
    public var note: String
    public var username: String
    public var at: Date
}

public struct ReserveFundSummary: Sendable, Equatable {
    public var township: String
    public var balance: Cents
}

/// Each township's reserve fund (备用金) for help first: allocated and replenished by the county (or city), drawn by
/// the township's grants. The balance is one row per township and every movement one conditional update of it
/// with its ledger line, in the caller's transaction, so a grant over the balance is refused and two at once cannot
/// overdraw it.
public struct ReserveFunds: Sendable {
    let db: any Database

    public init(_ db: any Database) { self.db = db }

    /// Money in: an allocation or a replenishment by the county or city for a township inside its jurisdiction.
    public func credit(_ kind: ReserveFundEntryKind, township: RegionCode, amount: Cents, note: String, actor: Actor, now: Date = Date()) async throws -> Cents {
        guard actor.may(.manageReserveFunds) else { throw DomainError.forbidden }
        guard kind != .grant else { throw ReserveFundError.invalidAmount }
        guard township.level == .township else { throw ReserveFundError.notATownship }
        guard actor.jurisdiction.contains(township) else { throw CaseStoreError.notFound }
        guard amount.value > 0 else { throw ReserveFundError.invalidAmount }
        return try await db.writeTransaction { tx in
            let stamp = Timestamp.text(now)
            // Create the township's row at zero if it has none, then add: one statement each, on either engine.
            try await tx.sql.raw("""
                INSERT INTO reserve_funds (township_region, balance_cents, updated_at) VALUES (\(bind: township.value), 0, \(bind: stamp))
                ON CONFLICT (township_region) DO NOTHING
                """).run()
            let row = try await tx.sql.update("reserve_funds").set("balance_cents", to: SQLRaw("balance_cents + \(amount.value)"))
                .set("updated_at", to: stamp).where("township_region", .equal, township.value).returning("balance_cents").first()
            let balance = Cents(try row?.decode(column: "balance_cents", as: Int64.self) ?? 0)
            try await Self.entry(tx, township: township, kind: kind, amount: amount, balance: balance, caseID: nil, note: note, actor: actor, at: stamp)
            try await AuditLog(tx).record(actor: actor, action: .reserveFund, targetKind: "reserveFund", targetID: township.value,
                                          detail: "\(kind.chinese) \(amount.yuanText)，余额 \(balance.yuanText)" + (note.isEmpty ? "" : "：\(note)"), at: now)
            return balance
        }
    }

    /// Money out for a help-first grant, inside the approval's transaction: refused, with the balance, when the fund
    /// cannot cover it.
    static func draw(_ tx: any Database, township: RegionCode, amount: Cents, caseID: UUID, note: String, actor: Actor, now: Date) async throws {
        guard amount.value > 0 else { return }
        let stamp = Timestamp.text(now)
        let row = try await tx.sql.update("reserve_funds").set("balance_cents", to: SQLRaw("balance_cents - \(amount.value)"))
            .set("updated_at", to: stamp).where("township_region", .equal, township.value)
            .where("balance_cents", .greaterThanOrEqual, amount.value).returning("balance_cents").first()
        guard let row else {
            let balance = try await tx.sql.select().column("balance_cents").from("reserve_funds").where("township_region", .equal, township.value).first()?
                .decode(column: "balance_cents", as: Int64.self) ?? 0
            throw ReserveFundError.insufficient(balance: Cents(balance), needed: amount)
        }
        let balance = Cents(try row.decode(column: "balance_cents", as: Int64.self))
        try await entry(tx, township: township, kind: .grant, amount: amount, balance: balance, caseID: caseID, note: note, actor: actor, at: stamp)
    }

    static func entry(_ tx: any Database, township: RegionCode, kind: ReserveFundEntryKind, amount: Cents, balance: Cents, caseID: UUID?, note: String,
                      actor: Actor, at stamp: String) async throws {
        try await tx.sql.insert(into: "reserve_fund_entries")
            .columns("id", "township_region", "kind", "amount_cents", "balance_after_cents", "case_id", "note", "username", "at")
            .values(SQLBind(UUID()), SQLBind(township.value), SQLBind(kind.rawValue), SQLBind(amount.value), SQLBind(balance.value), SQLBind(caseID),
                    SQLBind(note), SQLBind(actor.username), SQLBind(stamp)).run()
    }

    /// The balance of a township's fund (zero where none was set up).
    public func balance(township: RegionCode, actor: Actor) async throws -> Cents {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard actor.jurisdiction.contains(township) || township.contains(actor.jurisdiction) else { throw CaseStoreError.notFound }
        return Cents(try await db.sql.select().column("balance_cents").from("reserve_funds").where("township_region", .equal, township.value).first()?
            .decode(column: "balance_cents", as: Int64.self) ?? 0)
    }

    /// The funds of the townships inside the reader's jurisdiction (or the reader's own township).
    public func funds(actor: Actor) async throws -> [ReserveFundSummary] {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        let area = actor.jurisdiction.ancestor(at: .township) ?? actor.jurisdiction
        return try await db.sql.select().columns("township_region", "balance_cents").from("reserve_funds")
            .where { $0.within(area, column: "township_region") }.orderBy("township_region").all().map {
                ReserveFundSummary(township: try $0.decode(column: "township_region", as: String.self), balance: Cents(try $0.decode(column: "balance_cents", as: Int64.self)))
            }
    }

    /// A township's ledger, newest first, with the total for paging.
    public func ledger(township: RegionCode, actor: Actor, offset: Int, limit: Int) async throws -> (items: [ReserveFundEntry], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard actor.jurisdiction.contains(township) || township.contains(actor.jurisdiction) else { throw CaseStoreError.notFound }
        let total = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("reserve_fund_entries")
            .where("township_region", .equal, township.value).first()?.decode(column: "n", as: Int.self) ?? 0
        let rows = try await db.sql.select().columns("kind", "amount_cents", "balance_after_cents", "case_id", "note", "username", "at").from("reserve_fund_entries")
            .where("township_region", .equal, township.value).orderBy("at", .descending).offset(offset).limit(limit).all()
        return (try rows.map { r in
            ReserveFundEntry(kind: ReserveFundEntryKind(rawValue: try r.decode(column: "kind", as: String.self)) ?? .grant,
                             amount: Cents(try r.decode(column: "amount_cents", as: Int64.self)),
                             balanceAfter: Cents(try r.decode(column: "balance_after_cents", as: Int64.self)),
                             caseID: try r.decode(column: "case_id", as: UUID?.self), note: try r.decode(column: "note", as: String.self),
                             username: try r.decode(column: "username", as: String.self),
                             at: Timestamp.date(try r.decode(column: "at", as: String.self)) ?? .distantPast)
        }, total)
    }
}
