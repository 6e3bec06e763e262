import FluentPostgresDriver
import Foundation
import NIOCore
import SQLKit

/// New rows into PostgreSQL with `COPY … FROM STDIN`: the rows go as tab-separated text, with no statement to
/// plan and no JSON to parse and take apart per row. Only for rows that cannot clash with a stored one (COPY
/// has no ON CONFLICT): a clash fails the COPY, and with it the transaction, which is the right outcome.
/// Other engines use `BulkJSON.insert`.
enum BulkCopy {
    /// Whether `copy` can be used on this database.
    static func isAvailable(_ sql: any SQLDatabase) -> Bool { sql is any PostgresDatabase && BulkJSON.isPostgres(sql) }

    /// `rows` into `table`: each column's value from the row, or the same for every row.
    static func copy(_ sql: any SQLDatabase, into table: String, _ columns: [BulkJSON.Column], rows: [[BulkJSON.Value]]) async throws {
        guard !rows.isEmpty else { return }
        try await copy(sql, into: table, columns.map(\.name), text: text(rows, columns))
    }

    /// The rows in COPY's text format (made apart from the COPY, so a caller can make the next while one is sent).
    static func text(_ rows: [[BulkJSON.Value]], _ columns: [BulkJSON.Column]) -> ByteBuffer {
        var data = ByteBuffer()
        data.reserveCapacity(rows.count * 200)
        for row in rows { append(row, columns, to: &data) }
        return data
    }

    /// Rows already in COPY's text format into `table`'s `names` columns.
    static func copy(_ sql: any SQLDatabase, into table: String, _ names: [String], text: ByteBuffer) async throws {
        guard text.readableBytes > 0 else { return }
        guard let pg = sql as? any PostgresDatabase else { throw BulkReadError(column: table, reason: "COPY 仅用于 PostgreSQL") }
        // Inside a transaction this is the transaction's own connection.
        try await pg.withConnection { conn in
            let promise = conn.eventLoop.makePromise(of: Void.self)
            promise.completeWithTask {
                try await conn.copyFrom(table: table, columns: names, logger: conn.logger) { writer in
                    try await writer.write(text)
                }
            }
            return promise.futureResult
        }.get()
    }

    /// One row in COPY's text format: values separated by tabs, `\N` for NULL, and a backslash before the
    /// characters the format gives a meaning to.
    static func append(_ row: [BulkJSON.Value], _ columns: [BulkJSON.Column], to out: inout ByteBuffer) {
        for (i, c) in columns.enumerated() {
            if i > 0 { out.writeInteger(UInt8(ascii: "\t")) }
            let v: BulkJSON.Value
            switch c.source {
            case .row(let index): v = row[index]
            case .constant(let constant): v = constant
            }
            switch v {
            case .null: out.writeStaticString("\\N")
            case .int(let n): out.writeString(String(n))
            case .text(let s): appendEscaped(s, to: &out)
            }
        }
        out.writeInteger(UInt8(ascii: "\n"))
    }

    static func appendEscaped(_ s: String, to out: inout ByteBuffer) {
        // Most values need no escaping: copied whole. Scanned as raw bytes (a native string's UTF-8 is contiguous):
        // `contains(where:)` on the UTF-8 view went byte by byte through its index, a twentieth of the import's own time.
        let special: (UInt8) -> Bool = { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard s.utf8.withContiguousStorageIfAvailable({ $0.contains(where: special) }) ?? s.utf8.contains(where: special) else {
            out.writeString(s)
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x5C: out.writeStaticString("\\\\")
            case 0x09: out.writeStaticString("\\t")
            case 0x0A: out.writeStaticString("\\n")
            case 0x0D: out.writeStaticString("\\r")
            default: out.writeInteger(b)
            }
        }
    }
}
