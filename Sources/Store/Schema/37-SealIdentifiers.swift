import FluentKit
import Foundation
import SQLKit

/// ID numbers and phone numbers rest sealed (AES-GCM under the data key, as account numbers already do), so a copied
/// database file or dump does not give them away (#25, PIPL art. 51: encryption of personal information). Lookups that
/// need an exact number go by its blind index; the last four characters stay for tail search, as lists show them.
/// The rows are rewritten in batches, in ID order, one UPDATE per batch, so a city's whole register converts in one pass.
struct SealIdentifiers: AsyncMigration {
    /// One identifier column and what it becomes. With an index, the column is renamed to the index (keeping its
    /// unique constraint) and the sealed value gets a new column; without one it is sealed in place. A key column
    /// (`blindInPlace`) only ever needs equality, so it keeps its name and holds the blind index.
    struct Column {
        var table: String
        var plain: String
        var sealed: String?
        var index: String?
        var tail: String?
        var blindInPlace = false
    }

    static let columns = [
        Column(table: "members", plain: "national_id", sealed: "national_id_sealed", index: "national_id_index"),
        Column(table: "feed_unlinked", plain: "national_id", sealed: "national_id_sealed"),
        Column(table: "help_requests", plain: "national_id", sealed: "national_id_sealed"),
        Column(table: "help_requests", plain: "phone", sealed: "phone_sealed", index: "phone_index", tail: "phone_tail"),
        Column(table: "dishonesty_list", plain: "national_id", sealed: "national_id_sealed"),
        // A department's natural key and a feed's identity of a person name the typed ID number.
        Column(table: "facts", plain: "natural_key", blindInPlace: true),
        Column(table: "feed_unlinked", plain: "natural_key", blindInPlace: true),
        Column(table: "feed_unlinked", plain: "identity", blindInPlace: true),
        Column(table: "person_links", plain: "identity", blindInPlace: true),
        // The evidence shows both sides' values, the typed and the registered ID number among them.
        Column(table: "person_links", plain: "evidence", sealed: "evidence"),
    ]

    /// In one transaction: a conversion cut short leaves the table as it was, never half sealed.
    func prepare(on db: any Database) async throws {
        try await db.transaction { tx in
            try await Self.freshSchema(tx as! any SQLDatabase)
            try await Self.seal(tx as! any SQLDatabase)
        }
    }

    func revert(on db: any Database) async throws {
        try await db.transaction { tx in
            try await Self.freshSchema(tx as! any SQLDatabase)
            try await Self.unseal(tx as! any SQLDatabase)
        }
    }

    /// SQLite's ALTER TABLE finds columns in the connection's cached schema without checking it is current: a connection
    /// that last read before another one altered a table was told "no such column". Any statement reading the database
    /// checks the schema's version and reloads it, so one is run first.
    static func freshSchema(_ sql: any SQLDatabase) async throws {
        guard sql.dialect.name == "sqlite" else { return }
        _ = try await sql.raw("SELECT count(*) AS n FROM sqlite_master").all()
    }

    static func seal(_ sql: any SQLDatabase) async throws {
        for c in columns {
            let kept = c.kept
            if kept != c.plain { try await sql.raw("ALTER TABLE \(ident: c.table) RENAME COLUMN \(ident: c.plain) TO \(ident: kept)").run() }
            for added in c.added {
                try await sql.raw("ALTER TABLE \(ident: c.table) ADD COLUMN \(ident: added) TEXT NOT NULL DEFAULT ''").run()
            }

            let written = c.blindInPlace ? [kept] : [c.sealed, c.index, c.tail].compactMap { $0 }
            try await SealedColumns.rewrite(sql, table: c.table, reading: [kept], writing: written) { cipher, values in
                // A fact entered by hand has no natural key.
                guard let plain = values[0] else { return nil }
                if c.blindInPlace { return [cipher.blindIndex(plain)] }
                var values: [String] = []
                if c.sealed != nil { values.append(try cipher.seal(text: plain)) }
                if c.index != nil { values.append(cipher.blindIndex(plain)) }
                if c.tail != nil { values.append(SealedColumns.tail(plain)) }
                return values
            }
        }
        try await sql.create(index: "idx_help_requests_phone_tail").on("help_requests").column("phone_tail").run()
        // Account numbers rest sealed already (migration 31); their blind index finds one number entered for two households.
        try await sql.raw("ALTER TABLE bank_accounts ADD COLUMN account_index TEXT NOT NULL DEFAULT ''").run()
        try await SealedColumns.rewrite(sql, table: "bank_accounts", reading: ["account_cipher"], writing: ["account_index"]) { cipher, values in
            try values[0].map { [cipher.blindIndex(try cipher.open($0))] }
        }
        try await sql.create(index: "idx_bank_accounts_index").on("bank_accounts").column("account_index").run()
    }

    static func unseal(_ sql: any SQLDatabase) async throws {
        try await sql.drop(index: "idx_bank_accounts_index").run()
        try await sql.raw("ALTER TABLE bank_accounts DROP COLUMN account_index").run()
        try await sql.drop(index: "idx_help_requests_phone_tail").run()
        // A keyed hash cannot be turned back: blinded key columns stay as they are, which only means a department's
        // rows read after the revert are new to the register's natural keys.
        for c in columns.reversed() where !c.blindInPlace {
            let kept = c.kept
            if let sealed = c.sealed {
                try await SealedColumns.rewrite(sql, table: c.table, reading: [sealed], writing: [kept]) { cipher, values in
                    try values[0].map { [try cipher.open($0)] }
                }
            }
            for added in c.added { try await sql.raw("ALTER TABLE \(ident: c.table) DROP COLUMN \(ident: added)").run() }
            if kept != c.plain { try await sql.raw("ALTER TABLE \(ident: c.table) RENAME COLUMN \(ident: kept) TO \(ident: c.plain)").run() }
        }
    }
}

extension SealIdentifiers.Column {
    /// The column's name once sealed: the index when it has one, else the sealed value, else (a blinded key) itself.
    var kept: String { index ?? sealed ?? plain }
    /// Columns this one adds next to the one it keeps.
    /// (With an index, the kept column is the index and the sealed value is new.)
    var added: [String] { [index == nil ? nil : sealed, tail].compactMap { $0 } }
}
