import Domain
import Foundation
import SQLKit

/// How the store's identifier columns hold ID and phone numbers (`SealIdentifiers`): `…_sealed` is the number sealed
/// under the process's data key, `…_index` its blind index for exact lookup, `…_tail` its last characters for tail
/// search. Single values go through here; a reader or writer of many rows may take `DataCipher.inUse()` once and use it
/// for the batch (each call here looks the key up under a lock).
public enum SealedColumns {
    /// The characters kept in clear for tail search: the four a masked number shows anyway.
    static let tailLength = 4

    static func seal(_ text: String) throws -> String { try DataCipher.inUse().seal(text: text) }
    static func open(_ sealed: String) throws -> String { try DataCipher.inUse().open(sealed) }
    static func index(_ text: String) throws -> String { try DataCipher.inUse().blindIndex(text) }
    public static func tail(_ text: String) -> String { String(text.suffix(tailLength)) }

    /// Every column holding a value sealed under the data key. A new sealed column belongs here: the key check samples
    /// these and a key rotation re-seals them (a column left out would be unreadable after a rotation).
    public static let stored: [(table: String, column: String)] = [
        ("members", "national_id_sealed"), ("feed_unlinked", "national_id_sealed"), ("help_requests", "national_id_sealed"),
        ("help_requests", "phone_sealed"), ("dishonesty_list", "national_id_sealed"), ("person_links", "evidence"),
        ("bank_accounts", "account_cipher"), ("users", "totp_secret"),
    ]

    /// A stored ID number, opened and checked.
    static func nationalID(_ sealed: String) throws -> NationalID { try NationalID(try open(sealed)) }
}

extension SealedColumns {
    /// Rewrites `table`'s rows in ID order, a batch at a time, one UPDATE per batch: `change` is given the row's values
    /// of `reading` and the key, and answers new values for `writing` (nil leaves the row as it is). For converting
    /// stored values (`SealIdentifiers`) and for the benchmark's copied register.
    /// `cipher`: the key given to `change` (the process's installed key unless another is named: a key rotation's new one).
    public static func rewrite(_ sql: any SQLDatabase, table: String, reading: [String], writing: [String], batch: Int = 2_000, cipher given: DataCipher? = nil,
                               change: (DataCipher, [String?]) throws -> [String]?) async throws {
        typealias C = BulkJSON.Column
        let columns = writing.enumerated().map { C(name: $0.element, source: .row($0.offset + 1), type: "text") }
        var after: UUID?
        while true {
            var q = sql.select().column("id").columns(reading.map { SQLColumn($0) }).from(table)
            if let after { q = q.where("id", .greaterThan, after) }
            let rows = try await q.orderBy("id").limit(batch).all()
            guard let last = rows.last else { return }
            // Asked for only when there is a row: an empty database converts without a key.
            let cipher = try given ?? DataCipher.inUse()
            var updates: [[BulkJSON.Value]] = []
            for r in rows {
                guard let new = try change(cipher, try reading.map { try r.decode(column: $0, as: String?.self) }) else { continue }
                updates.append([.of(try r.decode(column: "id", as: UUID.self))] + new.map(BulkJSON.Value.text))
            }
            try await BulkJSON.update(sql, table, key: C(name: "id", source: .row(0), type: "uuid"), columns, rows: updates, batch: batch)
            after = try last.decode(column: "id", as: UUID.self)
        }
    }
}
