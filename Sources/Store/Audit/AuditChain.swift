import Crypto
import Domain
import FluentKit
import Foundation
import SQLKit

/// An audit entry about to be written: everything but its place in the chain.
public struct AuditDraft: Sendable {
    public var id = UUID()
    public var at: Date
    public var userID: UUID?
    public var username: String
    public var role: String
    public var actorRegion: String
    public var action: String
    public var targetKind: String
    public var targetID: String
    public var detail: String
    public var origin: String

    public init(actor: Actor, action: AuditAction, targetKind: String, targetID: String, detail: String, at: Date = Date()) {
        self.init(at: at, userID: actor.userID, username: actor.username, role: actor.role.rawValue, actorRegion: actor.jurisdiction.value,
                  action: action.rawValue, targetKind: targetKind, targetID: targetID, detail: detail, origin: actor.origin)
    }

    init(at: Date, userID: UUID?, username: String, role: String, actorRegion: String, action: String, targetKind: String,
         targetID: String, detail: String, origin: String) {
        self.at = at; self.userID = userID; self.username = username; self.role = role; self.actorRegion = actorRegion
        self.action = action; self.targetKind = targetKind; self.targetID = targetID; self.detail = detail; self.origin = origin
    }
}

/// The audit log is a hash chain (等保 2.0 level 3, 安全审计: records protected against deletion and change): every entry
/// has a sequence number and carries the hash of the entry before it, so an entry changed, removed or slipped in breaks
/// the chain from there on, and `verify` names the first entry where it breaks. One chain for the whole log, in
/// sequence order; an archive (`AuditArchive`) takes whole old stretches off its front and leaves their last hash as
/// the anchor the rest continues from. The table itself refuses UPDATE and DELETE (triggers, `AddAuditChain`).
public enum AuditChain {
    /// The hash before the first entry.
    public static let genesis = String(repeating: "0", count: 64)
    /// Held while an entry takes the next place in the chain on PostgreSQL (in SQLite the write lock does it).
    static let lockKey: Int64 = 0x6A69_757A_6875_0A

    /// An entry's fields as text, in a fixed order, separated by a character no field contains unescaped.
    static func hash(seq: Int64, id: UUID, at: String, userID: UUID?, username: String, role: String, actorRegion: String, action: String,
                     targetKind: String, targetID: String, detail: String, origin: String, previous: String) -> String {
        let fields = [String(seq), id.uuidString.lowercased(), at, userID?.uuidString.lowercased() ?? "", username, role, actorRegion, action,
                      targetKind, targetID, detail, origin, previous]
        // Each field's length first, so no two different entries join to the same text.
        let text = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "\u{1F}")
        return SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A stored entry's hash, recomputed from its columns as if it stood at `seq` after `previous`.
    static func hash(of r: any SQLRow, seq: Int64, previous: String) throws -> String {
        hash(seq: seq, id: try r.decode(column: "id", as: UUID.self), at: try r.decode(column: "at", as: String.self),
             userID: try r.decode(column: "user_id", as: UUID?.self), username: try r.decode(column: "username", as: String.self),
             role: try r.decode(column: "role", as: String.self), actorRegion: try r.decode(column: "actor_region", as: String.self),
             action: try r.decode(column: "action", as: String.self), targetKind: try r.decode(column: "target_kind", as: String.self),
             targetID: try r.decode(column: "target_id", as: String.self), detail: try r.decode(column: "detail", as: String.self),
             origin: try r.decode(column: "origin", as: String.self), previous: previous)
    }

    /// Appends `drafts` in order after the chain's last entry, inside the caller's transaction or a new one: the
    /// next place is taken under a lock, so two writers never fork the chain (a unique index on the sequence would
    /// refuse it besides).
    static func append(_ drafts: [AuditDraft], on db: any Database) async throws {
        guard !drafts.isEmpty else { return }
        if db.inTransaction { return try await appendLocked(drafts, tx: db) }
        try await db.writeTransaction { tx in try await appendLocked(drafts, tx: tx) }
    }

    private static func appendLocked(_ drafts: [AuditDraft], tx: any Database) async throws {
        let sql = tx.sql
        if sql.dialect.name == "postgresql" { try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: lockKey))").run() }
        var (seq, previous) = try await tip(sql)
        var rows: [[any SQLExpression]] = []
        rows.reserveCapacity(drafts.count)
        for var d in drafts {
            seq += 1
            // PostgreSQL text cannot hold NUL; what is stored is what is hashed.
            for path in [\AuditDraft.username, \.targetKind, \.targetID, \.detail, \.origin] where d[keyPath: path].contains("\u{0}") {
                d[keyPath: path] = d[keyPath: path].replacingOccurrences(of: "\u{0}", with: "")
            }
            let at = Timestamp.text(d.at)
            let hash = Self.hash(seq: seq, id: d.id, at: at, userID: d.userID, username: d.username, role: d.role, actorRegion: d.actorRegion,
                                 action: d.action, targetKind: d.targetKind, targetID: d.targetID, detail: d.detail, origin: d.origin, previous: previous)
            rows.append([SQLBind(d.id), SQLBind(at), SQLBind(d.userID), SQLBind(d.username), SQLBind(d.role), SQLBind(d.actorRegion), SQLBind(d.action),
                         SQLBind(d.targetKind), SQLBind(d.targetID), SQLBind(d.detail), SQLBind(d.origin), SQLBind(seq), SQLBind(previous), SQLBind(hash)])
            previous = hash
        }
        try await sql.insertRows("audit_entries", ["id", "at", "user_id", "username", "role", "actor_region", "action", "target_kind", "target_id",
                                                   "detail", "origin", "seq", "prev_hash", "hash"], rows)
    }

    /// The last entry's place and hash; the archive's anchor when everything has been archived; else the start.
    static func tip(_ sql: any SQLDatabase) async throws -> (seq: Int64, hash: String) {
        if let last = try await sql.select().columns("seq", "hash").from("audit_entries").where("seq", .isNot, SQLLiteral.null)
            .orderBy("seq", .descending).limit(1).first() {
            return (try last.decode(column: "seq", as: Int64.self), try last.decode(column: "hash", as: String.self))
        }
        return try await AuditArchive.anchor(sql) ?? (0, genesis)
    }

    /// How many entries the database holds (for a progress bar).
    public static func entries(_ db: any Database) async throws -> Int {
        try await db.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("audit_entries")
            .first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// What `verify` found.
    public struct Verification: Sendable, Equatable {
        public var rows: Int
        /// The first entry that does not follow from the one before it, and why; nil when the chain is whole.
        public var broken: Broken?
        public struct Broken: Sendable, Equatable, CustomStringConvertible {
            public var seq: Int64
            public var at: String
            public var action: String
            public var reason: String
            public var description: String { "第 \(seq) 条（\(at)，\(action)）：\(reason)" }
        }
    }

    /// Recomputes the chain from its start (or the archive's anchor) to its end, a page at a time.
    public static func verify(_ db: any Database, pageSize: Int = 5_000, progress: (Int) -> Void = { _ in }) async throws -> Verification {
        let sql = db.sql
        var (expectedSeq, previous) = try await AuditArchive.anchor(sql) ?? (0, genesis)
        var rows = 0
        while true {
            let page = try await sql.select().column("*").from("audit_entries").where("seq", .greaterThan, SQLBind(expectedSeq))
                .orderBy("seq").limit(pageSize).all()
            if page.isEmpty {
                // Entries written before the chain existed would have no place in it; the migration sealed them all.
                let unsealed = try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                    .from("audit_entries").where("seq", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
                if unsealed > 0 {
                    return Verification(rows: rows, broken: .init(seq: expectedSeq + 1, at: "", action: "", reason: "有 \(unsealed) 条记录不在链中（序号为空）"))
                }
                return Verification(rows: rows, broken: nil)
            }
            for r in page {
                let seq = try r.decode(column: "seq", as: Int64.self)
                let at = try r.decode(column: "at", as: String.self), action = try r.decode(column: "action", as: String.self)
                func broken(_ why: String) -> Verification { Verification(rows: rows, broken: .init(seq: seq, at: at, action: action, reason: why)) }
                guard seq == expectedSeq + 1 else { return broken("前面缺少第 \(expectedSeq + 1)–\(seq - 1) 条（已被删除）") }
                guard try r.decode(column: "prev_hash", as: String.self) == previous else { return broken("所记前一条的哈希与前一条不符（前一条被改动或删除）") }
                let computed = try Self.hash(of: r, seq: seq, previous: previous)
                guard try r.decode(column: "hash", as: String.self) == computed else { return broken("内容与其哈希不符（本条被改动）") }
                expectedSeq = seq
                previous = computed
                rows += 1
            }
            progress(rows)
        }
    }
}

extension AuditChain {
    /// Gives entries written before the chain existed their places, in the order they were written, after the
    /// chain's present end (the migration's work; also a database restored from before it). Runs before the
    /// triggers exist, or with the update trigger lifted by the table's owner.
    static func sealUnsealed(_ db: any Database) async throws {
        let sql = db.sql
        var (seq, previous) = try await tip(sql)
        while true {
            let page = try await sql.select().column("*").from("audit_entries").where("seq", .is, SQLLiteral.null)
                .orderBy("at").orderBy("id").limit(2_000).all()
            if page.isEmpty { return }
            for r in page {
                seq += 1
                let id = try r.decode(column: "id", as: UUID.self)
                let hash = try Self.hash(of: r, seq: seq, previous: previous)
                try await sql.update("audit_entries").set("seq", to: SQLBind(seq)).set("prev_hash", to: previous).set("hash", to: hash)
                    .where("id", .equal, id).run()
                previous = hash
            }
        }
    }

    /// The table refuses UPDATE and DELETE, whoever asks: the application's own code included. On PostgreSQL the
    /// application's role is also granted only SELECT and INSERT on it (`DatabaseRoles`), so it cannot lift this.
    static func createTriggers(_ sql: any SQLDatabase) async throws {
        let refusal = "audit_entries is append-only (审计日志只能追加)"
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '\(unsafeRaw: refusal)'; END $$
                """).run()
            for (name, event, level) in [("audit_no_update", "UPDATE", "ROW"), ("audit_no_delete", "DELETE", "ROW"), ("audit_no_truncate", "TRUNCATE", "STATEMENT")] {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: name) BEFORE \(unsafeRaw: event) ON audit_entries FOR EACH \(unsafeRaw: level) EXECUTE FUNCTION audit_append_only()
                    """).run()
            }
        } else {
            for (name, event) in [("audit_no_update", "UPDATE"), ("audit_no_delete", "DELETE")] {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: name) BEFORE \(unsafeRaw: event) ON audit_entries BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: refusal)'); END
                    """).run()
            }
        }
    }

    /// Runs `body` (the archive's delete) with the delete trigger lifted, inside the caller's transaction: it is back
    /// before the transaction ends, whatever happens. Lifting it needs the table's owner on PostgreSQL.
    static func withDeletesAllowed(_ tx: any Database, _ body: () async throws -> Void) async throws {
        let sql = tx.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE audit_entries DISABLE TRIGGER audit_no_delete").run()
            try await body()
            try await sql.raw("ALTER TABLE audit_entries ENABLE TRIGGER audit_no_delete").run()
        } else {
            try await sql.raw("DROP TRIGGER audit_no_delete").run()
            try await body()
            try await sql.raw("""
                CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only (审计日志只能追加)'); END
                """).run()
        }
    }
}
