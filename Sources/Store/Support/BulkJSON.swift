import Foundation
import SQLKit
import FluentSQLiteDriver

/// Many rows in one statement. On PostgreSQL, one bound parameter: a JSON array of arrays that the database
/// unpacks itself (`jsonb_array_elements`); binding and serialising every value through SQLKit cost more than
/// the inserts themselves at a million rows. On SQLite, inserts bind every value straight through SQLiteNIO
/// (`insertValues`), and updates read a JSON array with `json_each`. New import rows go to PostgreSQL by COPY
/// (`BulkCopy`).
enum BulkJSON {
    enum Value: Sendable {
        case text(String)
        case int(Int64)
        case null

        static func of(_ s: String?) -> Value { s.map(Value.text) ?? .null }
        static func of(_ i: Int64?) -> Value { i.map(Value.int) ?? .null }
        static func of(_ u: UUID) -> Value { .text(u.text(lowercase: false)) }
    }

    /// A column filled from the row's value at `index`, or the same value for every row.
    enum Source {
        case row(Int)
        case constant(Value)
    }

    struct Column {
        var name: String
        var source: Source
        /// The PostgreSQL type to cast the JSON text to (`uuid`, `bigint`, `text`).
        var type: String
    }

    static func encode(_ rows: [[Value]]) -> String {
        var out = "["
        out.reserveCapacity(rows.count * 160)
        for (r, row) in rows.enumerated() {
            if r > 0 { out += "," }
            append(row, to: &out)
        }
        return out + "]"
    }

    static func append(_ row: [Value], to out: inout String) {
        out += "["
        for (i, v) in row.enumerated() {
            if i > 0 { out += "," }
            switch v {
            case .null: out += "null"
            case .int(let n): out += String(n)
            case .text(let s): appendQuoted(s, to: &out)
            }
        }
        out += "]"
    }

    /// A JSON string. Runs without anything to escape are copied whole: the values are often JSON themselves
    /// (scores, evidence), full of quotes, and escaping them character by character was a seventh of a screening.
    static func appendQuoted(_ s: String, to out: inout String) {
        out += "\""
        let bytes = s.utf8
        var run = bytes.startIndex
        var i = run
        while i != bytes.endIndex {
            let b = bytes[i]
            if b == 0x22 || b == 0x5C || b < 0x20 {
                // Only ASCII bytes are escaped, so every run ends on a character boundary.
                if run != i { out.append(contentsOf: Substring(bytes[run..<i])) }
                switch b {
                case 0x22: out += "\\\""
                case 0x5C: out += "\\\\"
                case 0x0A: out += "\\n"
                case 0x0D: out += "\\r"
                case 0x09: out += "\\t"
                default: out += String(format: "\\u%04x", b)
                }
                run = bytes.index(after: i)
            }
            i = bytes.index(after: i)
        }
        if run != bytes.endIndex { out.append(contentsOf: Substring(bytes[run..<bytes.endIndex])) }
        out += "\""
    }

    static func isPostgres(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "postgresql" }

    /// INSERT … SELECT from the JSON array; `conflict` columns make clashing rows be skipped.
    /// PostgreSQL reads the array as `jsonb`: parsed once, its elements are indexed, where with `json` every
    /// `->>` parsed its row again (a warning row has seventeen columns and its evidence).
    /// With `updating`, a clashing row overwrites those columns instead of being skipped.
    /// `insideTransaction`: the caller's transaction is rolled back on any error, so a statement that fails need not
    /// undo its own rows first. SQLite is told so (`INSERT OR FAIL`) and, on a connection without foreign-key
    /// checks, keeps no statement journal: copying every page a statement touches first was a thirtieth of an import.
    static func insert(_ sql: any SQLDatabase, into table: String, _ columns: [Column], rows: [[Value]], skippingConflictsOn conflict: [String]? = nil,
                       updating: [String] = [], batch: Int = 2_000, insideTransaction: Bool = false) async throws {
        guard !rows.isEmpty else { return }
        if let sqlite = sql as? any SQLiteDatabase, !isPostgres(sql) {
            try await insertValues(sqlite, into: table, columns, rows: rows, conflict: conflict.map { conflictClause(table, $0, updating, pg: false) },
                                   orFail: insideTransaction)
            return
        }
        let pg = isPostgres(sql)
        var start = 0
        while start < rows.count {
            let slice = Array(rows[start..<min(rows.count, start + batch)])
            var q = SQLQueryString("INSERT INTO \(ident: table) (")
            q.appendInterpolation(unsafeRaw: columns.map { "\"\($0.name)\"" }.joined(separator: ", "))
            q.appendInterpolation(unsafeRaw: ") SELECT ")
            for (i, c) in columns.enumerated() {
                if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                switch c.source {
                case .row(let index):
                    q.appendInterpolation(unsafeRaw: pg ? "(j->>\(index))::\(c.type)" : "value->>\(index)")
                case .constant(let v):
                    switch v {
                    case .null: q.appendInterpolation(unsafeRaw: "NULL")
                    case .int(let n): q.appendInterpolation(bind: n)
                    case .text(let s): q.appendInterpolation(bind: s)
                    }
                    if pg { q.appendInterpolation(unsafeRaw: "::\(c.type)") }
                }
            }
            q.appendInterpolation(unsafeRaw: pg ? " FROM jsonb_array_elements(" : " FROM json_each(")
            q.appendInterpolation(bind: encode(slice))
            q.appendInterpolation(unsafeRaw: pg ? "::jsonb) AS j" : ") WHERE true")
            if let conflict { q.appendInterpolation(unsafeRaw: conflictClause(table, conflict, updating, pg: pg)) }
            try await sql.raw(q).run()
            start += batch
        }
    }

    /// ` ON CONFLICT …`: skip a clashing row, or overwrite `updating` — unless that would rewrite the row
    /// with the values it has: a second screening on the same day changes no score, and rewriting them all
    /// cost a new row version and index entries each.
    static func conflictClause(_ table: String, _ conflict: [String], _ updating: [String], pg: Bool) -> String {
        // No columns: skip a row that clashes with any unique index (a partial one cannot be named as a target).
        if conflict.isEmpty { return " ON CONFLICT DO NOTHING" }
        var out = " ON CONFLICT (" + conflict.map { "\"\($0)\"" }.joined(separator: ", ") + ")"
        if updating.isEmpty { return out + " DO NOTHING" }
        let old = updating.map { "\"\(table)\".\"\($0)\"" }.joined(separator: ", ")
        let new = updating.map { "excluded.\"\($0)\"" }.joined(separator: ", ")
        out += " DO UPDATE SET " + updating.map { "\"\($0)\" = excluded.\"\($0)\"" }.joined(separator: ", ")
        return out + " WHERE (\(old)) \(pg ? "IS DISTINCT FROM" : "IS NOT") (\(new))"
    }

    /// SQLite: multi-row `INSERT … VALUES` with every value bound, straight through SQLiteNIO. Taking a JSON
    /// array apart inside SQLite (`json_each`, then `->>` per column) turned each element back into text and
    /// parsed it again for every column: a sixth of an import's time in SQLite.
    static func insertValues(_ sqlite: any SQLiteDatabase, into table: String, _ columns: [Column], rows: [[Value]], conflict: String?,
                             orFail: Bool) async throws {
        // SQLite allows 32,766 bound values per statement.
        let per = max(1, 32_000 / max(1, columns.count))
        let head = (orFail ? "INSERT OR FAIL INTO \"" : "INSERT INTO \"") + table + "\" (" + columns.map { "\"\($0.name)\"" }.joined(separator: ", ") + ") VALUES "
        let tuple = "(" + Array(repeating: "?", count: columns.count).joined(separator: ",") + ")"
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + per)
            var text = head
            text.reserveCapacity(head.utf8.count + (end - start) * (tuple.utf8.count + 1) + 400)
            var binds: [SQLiteData] = []
            binds.reserveCapacity((end - start) * columns.count)
            for r in start..<end {
                if r > start { text += "," }
                text += tuple
                for c in columns {
                    let v: Value
                    switch c.source {
                    case .row(let index): v = rows[r][index]
                    case .constant(let constant): v = constant
                    }
                    switch v {
                    case .null: binds.append(.null)
                    case .int(let n): binds.append(.integer(Int(n)))
                    case .text(let t): binds.append(.text(t))
                    }
                }
            }
            if let conflict { text += conflict }
            try await sqlite.query(text, binds) { _ in }
            start = end
        }
    }

    /// UPDATE … FROM the JSON array: each row's value at `keyIndex` names the row to change (by `key`), the
    /// columns take the rest. One statement per batch instead of one per row.
    static func update(_ sql: any SQLDatabase, _ table: String, key: Column, _ columns: [Column], rows: [[Value]], batch: Int = 2_000) async throws {
        guard !rows.isEmpty else { return }
        let pg = isPostgres(sql)
        func value(_ c: Column) -> String {
            guard case .row(let index) = c.source else { return "NULL" }
            return pg ? "(j->>\(index))::\(c.type)" : "j.value->>\(index)"
        }
        var start = 0
        while start < rows.count {
            let slice = Array(rows[start..<min(rows.count, start + batch)])
            var q = SQLQueryString("UPDATE \(ident: table) SET ")
            for (i, c) in columns.enumerated() {
                if i > 0 { q.appendInterpolation(unsafeRaw: ", ") }
                q.appendInterpolation(unsafeRaw: "\"\(c.name)\" = ")
                switch c.source {
                case .row: q.appendInterpolation(unsafeRaw: value(c))
                case .constant(.null): q.appendInterpolation(unsafeRaw: "NULL")
                case .constant(.int(let n)): q.appendInterpolation(bind: n)
                case .constant(.text(let t)): q.appendInterpolation(bind: t)
                }
            }
            q.appendInterpolation(unsafeRaw: pg ? " FROM jsonb_array_elements(" : " FROM json_each(")
            q.appendInterpolation(bind: encode(slice))
            q.appendInterpolation(unsafeRaw: pg ? "::jsonb) AS j" : ") AS j")
            q.appendInterpolation(unsafeRaw: " WHERE \(table).\"\(key.name)\" = \(value(key))")
            try await sql.raw(q).run()
            start += batch
        }
    }

    /// The facts of `feed` with these natural keys, found key by key through the (feed, natural_key) index.
    /// Driven from the keys on purpose: database statistics mislead both engines here. Inside a long import,
    /// PostgreSQL's statistics still say the feed has no facts, and `feed = ? AND natural_key IN (…)` was planned as a scan of every fact of the feed per batch —
    /// quadratic. The LIMIT keeps PostgreSQL from flattening the per-key subquery back into that plan.
    static func lookup(_ sql: any SQLDatabase, keys: [String], feed: String) -> SQLQueryString {
        var list = ""
        append(keys.map(Value.text), to: &list)
        var q = SQLQueryString("")
        if isPostgres(sql) {
            q.appendInterpolation(unsafeRaw: "SELECT f.id, f.natural_key, f.amount_cents, f.valid_from, f.valid_to FROM json_array_elements_text(")
            q.appendInterpolation(bind: list)
            q.appendInterpolation(unsafeRaw: "::json) AS k(key) CROSS JOIN LATERAL (SELECT id, natural_key, amount_cents, valid_from, valid_to FROM facts WHERE feed = ")
            q.appendInterpolation(bind: feed)
            q.appendInterpolation(unsafeRaw: " AND natural_key = k.key LIMIT 1) AS f")
        } else {
            q.appendInterpolation(unsafeRaw: "SELECT f.id, f.natural_key, f.amount_cents, f.valid_from, f.valid_to FROM json_each(")
            q.appendInterpolation(bind: list)
            // SQLite's statistics, gathered after the demo load when every fact's feed was NULL, rate the index as
            // useless; the keys come first (CROSS JOIN fixes the order) and each is looked up through the index.
            q.appendInterpolation(unsafeRaw: ") AS k CROSS JOIN facts AS f INDEXED BY idx_facts_feed_key ON f.feed = ")
            q.appendInterpolation(bind: feed)
            q.appendInterpolation(unsafeRaw: " AND f.natural_key = k.value")
        }
        return q
    }
}
