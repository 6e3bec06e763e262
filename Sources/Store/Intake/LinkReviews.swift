import Domain
import FluentKit
import Foundation
import SQLKit

/// One line of the review queue.
public struct LinkReviewSummary: Sendable, Equatable {
    public var id: UUID
    public var feed: String
    public var memberName: String
    public var maskedID: String
    public var probability: Double
    /// The evidence in bits (log₂ of the odds), which the page puts in words.
    public var weight: Double
    public var rows: Int
    public var reason: String
    public var createdAt: String
}

/// Everything a reviewer needs to decide: the department's record and the registered person side by
/// side, the evidence field by field, and the rows that would be applied.
public struct LinkReview: Sendable {
    public struct Row: Sendable, Equatable {
        public var row: Int
        public var kind: FactKind
        public var date: String?
        public var amount: Cents?
        public var reference: String?
    }
    public var id: UUID
    public var feed: String
    public var feedTitle: String
    public var status: String
    public var reason: String
    public var evidence: LinkEvidence
    public var householdID: Household.ID
    public var memberName: String
    public var maskedID: String
    public var rows: [Row]
    public var decidedBy: String?
    public var decidedAt: String?
}

public enum LinkDecisionError: Error, Equatable, Sendable {
    case alreadyDecided(String)
}

/// The human side of probabilistic linkage: the queue of probable matches, each scoped to the member's
/// residence like every other registry read, and the confirm or reject decision — the only way a fuzzy
/// match can bring in a death, a move or an income (#4).
public struct LinkReviewStore: Sendable {
    /// Why a probable match waits for a person, in the words the reviewer reads.
    public static let uncertainReason = "身份证号对不上，其余信息相近，但不足以由系统自行认定，须人工判断"

    let db: any Database
    public init(_ db: any Database) { self.db = db }

    func require(_ actor: Actor) throws {
        guard actor.may(.reviewLinks) else { throw DomainError.forbidden }
    }

    public func queue(actor: Actor, importID: UUID? = nil, limit: Int = 200) async throws -> [LinkReviewSummary] {
        try await queue(actor: actor, importID: importID, offset: 0, limit: limit).items
    }

    /// One page of the pairs waiting for a person, oldest first, and how many wait in all.
    public func queue(actor: Actor, importID: UUID?, offset: Int, limit: Int) async throws -> (items: [LinkReviewSummary], total: Int) {
        try require(actor)
        var counted = db.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("person_links")
            .where("status", .equal, "review").within(actor.jurisdiction)
        if let importID { counted = counted.where("import_id", .equal, importID) }
        let total = try await counted.first()?.decode(column: "n", as: Int.self) ?? 0
        var q = db.sql.select()
            .columns(SQLColumn("id", table: "person_links"), SQLColumn("feed", table: "person_links"), SQLColumn("probability", table: "person_links"),
                     SQLColumn("weight", table: "person_links"),
                     SQLColumn("reason", table: "person_links"), SQLColumn("created_at", table: "person_links"),
                     SQLColumn("name", table: "members"), SQLColumn("national_id_sealed", table: "members"))
            .column(SQLAlias(SQLRaw("(SELECT count(*) FROM feed_unlinked u WHERE u.link_id = person_links.id AND u.status = 'review')"), as: SQLIdentifier("rows")))
            .from("person_links").join("members", on: SQLColumn("member_id", table: "person_links"), .equal, SQLColumn("id", table: "members"))
            .where(SQLColumn("status", table: "person_links"), .equal, SQLBind("review"))
            .within(actor.jurisdiction, table: "person_links")
        if let importID { q = q.where(SQLColumn("import_id", table: "person_links"), .equal, SQLBind(importID)) }
        return (try await q.orderBy(SQLColumn("created_at", table: "person_links")).orderBy(SQLColumn("id", table: "person_links"))
            .offset(max(0, offset)).limit(limit).all().map { r in
            LinkReviewSummary(id: try r.decode(column: "id", as: UUID.self), feed: try r.decode(column: "feed", as: String.self),
                              memberName: try r.decode(column: "name", as: String.self),
                              maskedID: (try? SealedColumns.nationalID(try r.decode(column: "national_id_sealed", as: String.self)))?.masked ?? "",
                              probability: try r.decode(column: "probability", as: Double.self),
                              weight: try r.decode(column: "weight", as: Double.self), rows: try r.decode(column: "rows", as: Int.self),
                              reason: try r.decode(column: "reason", as: String.self), createdAt: try r.decode(column: "created_at", as: String.self))
        }, total)
    }

    /// One review, or nil when it does not exist or the member lives outside the jurisdiction. Reading it
    /// shows personal data side by side, so it is audited like a profile.
    public func review(_ id: UUID, actor: Actor) async throws -> LinkReview? {
        try require(actor)
        guard let r = try await db.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("person_links")))
            .columns(SQLAlias(SQLColumn("name", table: "members"), as: SQLIdentifier("member_name")), SQLColumn("national_id_sealed", table: "members"))
            .from("person_links").join("members", on: SQLColumn("member_id", table: "person_links"), .equal, SQLColumn("id", table: "members"))
            .where(SQLColumn("id", table: "person_links"), .equal, SQLBind(id))
            .within(actor.jurisdiction, table: "person_links")
            .first() else { return nil }
        let feed = try r.decode(column: "feed", as: String.self)
        let rows = try await db.sql.select().columns("row_number", "kind", "valid_from", "amount_cents", "reference").from("feed_unlinked")
            .where("link_id", .equal, id).orderBy("row_number").all().map { u in
                LinkReview.Row(row: try u.decode(column: "row_number", as: Int.self), kind: FactKind(rawValue: try u.decode(column: "kind", as: String.self)) ?? .otherIncome,
                               date: try u.decode(column: "valid_from", as: String?.self), amount: try u.decode(column: "amount_cents", as: Int64?.self).map(Cents.init),
                               reference: try u.decode(column: "reference", as: String?.self))
            }
        let evidence = try JSONDecoder().decode(LinkEvidence.self, from: Data(try SealedColumns.open(try r.decode(column: "evidence", as: String.self)).utf8))
        try await AuditLog(db).record(actor: actor, action: .readLinkReview, targetKind: "person_link", targetID: id.uuidString, detail: "\(feed)")
        return LinkReview(id: id, feed: feed, feedTitle: (try? FeedCatalogue.bundled()[feed]?.title) ?? feed, status: try r.decode(column: "status", as: String.self),
                          reason: try r.decode(column: "reason", as: String.self), evidence: evidence,
                          householdID: Household.ID(try r.decode(column: "household_id", as: UUID.self)),
                          memberName: try r.decode(column: "member_name", as: String.self),
                          maskedID: (try? SealedColumns.nationalID(try r.decode(column: "national_id_sealed", as: String.self)))?.masked ?? "",
                          rows: rows, decidedBy: try r.decode(column: "decided_by", as: String?.self), decidedAt: try r.decode(column: "decided_at", as: String?.self))
    }

    /// Confirms (the rows become facts of the member, with their events — a death included) or rejects
    /// (the rows stay with a person the register does not know, and this pair is never proposed again).
    /// Returns the number of facts written. Nil when the link is outside the jurisdiction. A confirmed death or
    /// income is a change like an import's, reacted to by `AfterCommit.decideLink`, which the pages call.
    public func decide(_ id: UUID, confirm: Bool, actor: Actor, now: Date = Date()) async throws -> Int? {
        try require(actor)
        return try await db.writeTransaction { tx -> Int? in
            guard let link = try await tx.sql.select().column("*").from("person_links").where("id", .equal, id)
                .within(actor.jurisdiction)
                .first() else { return nil }
            let status = try link.decode(column: "status", as: String.self)
            guard status == "review" else { throw LinkDecisionError.alreadyDecided(status) }
            let feed = try link.decode(column: "feed", as: String.self)
            try await tx.sql.update("person_links").set("status", to: confirm ? "confirmed" : "rejected")
                .set("decided_by", to: actor.username).set("decided_at", to: Timestamp.text(now)).where("id", .equal, id).run()
            var written = 0
            if confirm {
                guard let spec = try FeedCatalogue.bundled()[feed] else { throw FeedError.badSpec(feed, "接口定义已不存在") }
                let pending = try await tx.sql.select().column("*").from("feed_unlinked").where("link_id", .equal, id).where("status", .equal, "review").all()
                    .map(PersonLinkage.pending)
                let importRow = try await tx.sql.select().columns("id", "received_at").from("feed_imports")
                    .where("id", .equal, try link.decode(column: "import_id", as: UUID.self)).first()
                let received = try importRow.flatMap { try LocalDate(try $0.decode(column: "received_at", as: String.self)) } ?? LocalDate(now, timeZone: .china)
                let person = FactApplier.Person(member: try link.decode(column: "member_id", as: UUID.self),
                                                household: try link.decode(column: "household_id", as: UUID.self),
                                                region: try link.decode(column: "residence_region", as: String.self))
                var counts = FactApplier.Counts()
                let importID = try link.decode(column: "import_id", as: UUID.self)
                try await FactApplier(sql: tx.sql, spec: spec, received: received, batch: try await EventBatch.open(tx.sql, at: now)).apply(pending.map { ($0.record, person, importID) }, counts: &counts)
                written = counts.newFacts + counts.changed
                try await tx.sql.update("feed_unlinked").set("status", to: "linked").where("link_id", .equal, id).where("status", .equal, "review").run()
            } else {
                try await tx.sql.update("feed_unlinked").set("status", to: "new").set("link_id", to: SQLLiteral.null)
                    .where("link_id", .equal, id).where("status", .equal, "review").run()
            }
            try await AuditLog(tx).record(actor: actor, action: confirm ? .confirmLink : .rejectLink, targetKind: "person_link", targetID: id.uuidString,
                                          detail: "\(feed)：\(confirm ? "确认为同一人，写入\(written)条事实" : "否决，不是同一人")", at: now)
            return written
        }
    }
}
