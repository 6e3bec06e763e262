import Crypto
import Domain
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

/// One line of the import history.
public struct FeedImportRecord: Sendable, Equatable {
    public var id: UUID
    public var feed: String
    public var fileName: String
    public var receivedAt: String
    public var username: String
    public var rowsRead: Int
    public var linked: Int
    public var newFacts: Int
    public var changed: Int
    public var rejected: Int
    public var review: Int
}

extension FeedImporter {
    /// The newest imports first, for the import report page.
    public static func history(_ db: any Database, actor: Actor, limit: Int = 100) async throws -> [FeedImportRecord] {
        try await history(db, actor: actor, offset: 0, limit: limit).items
    }

    /// One page of the whole history, newest first, and how many imports there have been.
    public static func history(_ db: any Database, actor: Actor, offset: Int, limit: Int) async throws -> (items: [FeedImportRecord], total: Int) {
        guard actor.may(.importData) else { throw DomainError.forbidden }
        let total = try await db.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("feed_imports")
            .first()?.decode(column: "n", as: Int.self) ?? 0
        return (try await db.sql.select().column("*").from("feed_imports").orderBy("finished_at", .descending).orderBy("id")
            .offset(max(0, offset)).limit(limit).all().map { r in
            FeedImportRecord(id: try r.decode(column: "id", as: UUID.self), feed: try r.decode(column: "feed", as: String.self), fileName: try r.decode(column: "file_name", as: String.self),
                             receivedAt: try r.decode(column: "received_at", as: String.self), username: try r.decode(column: "username", as: String.self),
                             rowsRead: try r.decode(column: "rows_read", as: Int.self), linked: try r.decode(column: "linked", as: Int.self),
                             newFacts: try r.decode(column: "new_facts", as: Int.self), changed: try r.decode(column: "changed", as: Int.self),
                             rejected: try r.decode(column: "rejected", as: Int.self), review: try r.decode(column: "review", as: Int.self))
        }, total)
    }
}
