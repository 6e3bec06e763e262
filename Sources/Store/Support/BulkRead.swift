import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import SQLKit

/// Reads the column values of a row by name. `RowDecoding` is written against this, so the same decoders
/// serve SQLKit rows (pages, one profile) and bulk reads (screening millions of rows).
protocol ColumnReader {
    func text(_ column: String) throws -> String
    func optionalText(_ column: String) throws -> String?
    func int64(_ column: String) throws -> Int64
    func optionalInt64(_ column: String) throws -> Int64?
    func uuid(_ column: String) throws -> UUID
    func optionalUUID(_ column: String) throws -> UUID?
}

/// Any SQLKit row, through its Decodable path.
struct SQLRowReader: ColumnReader {
    let row: any SQLRow
    init(_ row: any SQLRow) { self.row = row }
    func text(_ c: String) throws -> String { try row.decode(column: c, as: String.self) }
    func optionalText(_ c: String) throws -> String? { try row.decode(column: c, as: String?.self) }
    func int64(_ c: String) throws -> Int64 { try row.decode(column: c, as: Int64.self) }
    func optionalInt64(_ c: String) throws -> Int64? { try row.decode(column: c, as: Int64?.self) }
    func uuid(_ c: String) throws -> UUID { try row.decode(column: c, as: UUID.self) }
    func optionalUUID(_ c: String) throws -> UUID? { try row.decode(column: c, as: UUID?.self) }
}

/// A failed bulk read names the table and column.
struct BulkReadError: Error, CustomStringConvertible {
    let column: String
    let reason: String
    var description: String { "读取列 \(column) 失败：\(reason)" }
}

/// Many rows of a table for a list of keys, decoded where they arrive. SQLKit decodes every value through
/// `Decodable` with dynamic casts, which took a third of a full screening; this reads PostgreSQL cells with
/// their static decoders and SQLite values as they are. Other databases fall back to SQLKit.
enum BulkRead {
    static func rows<T: Sendable>(_ sql: any SQLDatabase, _ columns: [String], from table: String, where key: String, in ids: [UUID],
                                  _ make: @escaping @Sendable (any ColumnReader) throws -> T) async throws -> [T] {
        try await rows(sql, RowShape(columns: columns, byName: make), from: table, where: key, in: ids)
    }

    static func rows<T: Sendable>(_ sql: any SQLDatabase, _ shape: RowShape<T>, from table: String, where key: String, in ids: [UUID]) async throws -> [T] {
        guard !ids.isEmpty else { return [] }
        let columns = shape.columns
        // One binary uuid[] parameter, each key looked up through the index on its own (LATERAL … OFFSET 0
        // keeps the planner from turning it into a join). `key = ANY($1)` made the planner estimate every
        // element of the array (a seventh of PostgreSQL's time), a text array was parsed again on every
        // query (another tenth), and a plain join was planned as a hash of the whole enrolments table per batch.
        let text = "SELECT \(columns.map { "t.\($0)" }.joined(separator: ", ")) FROM unnest($1::uuid[]) AS k(wanted) "
            + "CROSS JOIN LATERAL (SELECT \(columns.joined(separator: ", ")) FROM \(table) WHERE \(key) = k.wanted OFFSET 0) AS t"
        // A key listed twice would join twice; the IN form of the other engines reads it once.
        var seen = Set<UUID>(minimumCapacity: ids.count)
        let array = PostgresData(array: ids.filter { seen.insert($0).inserted }.map { PostgresData(uuid: $0) }, elementType: .uuid)
        return try await rows(sql, shape, postgres: text, [array],
                              otherwise: sql.select().columns(columns.map { SQLColumn($0) }).from(table).where(key, .in, ids))
    }

    /// A value bound to a query's `$1`, `$2`, … (numbered in the order they first appear).
    enum Bind: Sendable {
        case text(String)
        case uuid(UUID)
    }

    /// The rows of one SQL text that both engines read alike (its select list in the order of `shape.columns`).
    /// SQLite takes `$1`, `$2`, … as named parameters numbered by first appearance, so they must appear in order.
    static func rows<T: Sendable>(_ sql: any SQLDatabase, _ shape: RowShape<T>, query text: String, _ binds: [Bind]) async throws -> [T] {
        if let lite = sql as? any SQLiteDatabase {
            let values = try binds.map { b -> SQLiteData in
                switch b {
                case .text(let t): return .text(t)
                // Stored as Fluent stores them.
                case .uuid(let u): return try SQLiteDataEncoder().encode(u)
                }
            }
            return try await rows(lite, shape, text, values)
        }
        guard let pg = sql as? any PostgresDatabase else { throw BulkReadError(column: "?", reason: "数据库类型不受支持") }
        return try await rows(pg, shape, text, binds.map { b -> PostgresData in
            switch b {
            case .text(let t): return PostgresData(string: t)
            case .uuid(let u): return PostgresData(uuid: u)
            }
        })
    }

    /// The rows of a query written twice: as PostgreSQL text with its parameters (its select list in the order of
    /// `shape.columns`), and as SQLKit for the other engines.
    private static func rows<T: Sendable>(_ sql: any SQLDatabase, _ shape: RowShape<T>, postgres text: String, _ binds: [PostgresData],
                                  otherwise query: SQLSelectBuilder) async throws -> [T] {
        if let pg = sql as? any PostgresDatabase { return try await rows(pg, shape, text, binds) }
        if let lite = sql as? any SQLiteDatabase {
            // SQLite's own rows, not SQLKit's: SQLKit hands them over wrapped, and every value then went through
            // `Decodable` (two thirds of a SQLite screening's reading).
            var serializer = SQLSerializer(database: sql)
            query.query.serialize(to: &serializer)
            return try await rows(lite, shape, serializer.sql, try serializer.binds.map { try SQLiteDataEncoder().encode($0) })
        }
        let out = Collected<T>()
        try await query.run { row in
            do { out.append(try shape.byName(SQLRowReader(row))) } catch { out.fail(error) }
        }
        return try out.result()
    }

    /// SQLite's own rows, each read as it arrives, on the thread that steps the statement. Fluent's database
    /// runs a query through SQLiteNIO's futures-based call, which hands every row to the event loop as a task
    /// of its own: a fifth of a SQLite screening's CPU went into those hand-overs. The connection's own
    /// `async` query calls back in place.
    private static func rows<T: Sendable>(_ lite: any SQLiteDatabase, _ shape: RowShape<T>, _ text: String, _ values: [SQLiteData]) async throws -> [T] {
        let out = Collected<T>()
        try await lite.withConnection { (connection: SQLiteConnection) in
            try await connection.query(text, values) { row in
                do { out.append(try shape.byName(SQLiteReader(row: row))) } catch { out.fail(error) }
            }
        }
        return try out.result()
    }

    private static func rows<T: Sendable>(_ pg: any PostgresDatabase, _ shape: RowShape<T>, _ text: String, _ binds: [PostgresData]) async throws -> [T] {
        let out = Collected<T>()
        if let byPosition = shape.byPosition {
            try await pg.query(text, binds) { row in
                var cells = PostgresCells(row)
                out.append(try byPosition(&cells))
            }.get()
        } else {
            let columns = shape.columns
            try await pg.query(text, binds) { row in
                out.append(try shape.byName(PostgresReader(row: row.makeRandomAccess(), columns: columns)))
            }.get()
        }
        return try out.result()
    }
}

/// A table's columns and how to make a value of one of its rows: by column name on any engine, and on
/// PostgreSQL optionally by position, reading the row's cells once each in the order of `columns`. Looking
/// each cell up by name copied the row into an array and compared column names for every value, a sixth of
/// the thread that receives every row of a screening. (PostgresNIO's own tuple `decode` is generic over a
/// parameter pack and is not specialised outside its module: it was slower still.)
struct RowShape<T>: Sendable {
    let columns: [String]
    let byName: @Sendable (any ColumnReader) throws -> T
    var byPosition: (@Sendable (inout PostgresCells) throws -> T)? = nil
}

/// A PostgreSQL row's cells in the order of the query's columns, each taken once.
struct PostgresCells {
    private var cells: PostgresRow.Iterator
    init(_ row: PostgresRow) { cells = row.makeIterator() }

    private mutating func next() throws -> PostgresCell {
        guard let c = cells.next() else { throw BulkReadError(column: "?", reason: "行的列数少于查询的列数") }
        return c
    }
    private static func string(_ x: PostgresCell) throws -> String {
        // Text arrives as its UTF-8 bytes; no need for the generic decoder.
        if let b = x.bytes, x.dataType == .text || x.dataType == .varchar { return String(buffer: b) }
        return try x.decode(String.self)
    }
    mutating func text() throws -> String { try Self.string(try next()) }
    mutating func optionalText() throws -> String? { let x = try next(); return x.bytes == nil ? nil : try Self.string(x) }
    mutating func int64() throws -> Int64 { try next().decode(Int64.self) }
    mutating func optionalInt64() throws -> Int64? { let x = try next(); return x.bytes == nil ? nil : try x.decode(Int64.self) }
    mutating func uuid() throws -> UUID { try next().decode(UUID.self) }
    mutating func optionalUUID() throws -> UUID? { let x = try next(); return x.bytes == nil ? nil : try x.decode(UUID.self) }
}

/// Rows gathered on the database's thread.
private final class Collected<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [T] = []
    private var error: (any Error)?
    func append(_ item: T) { lock.withLock { items.append(item) } }
    func fail(_ e: any Error) { lock.withLock { if error == nil { error = e } } }
    func result() throws -> [T] {
        try lock.withLock {
            if let error { throw error }
            return items
        }
    }
}

/// Cells by position: the columns are the query's own select list, so a name is found by a scan of a dozen
/// short strings instead of hashing it into the row's lookup table for every cell (a quarter of the reading).
private struct PostgresReader: ColumnReader {
    let row: PostgresRandomAccessRow
    let columns: [String]

    func cell(_ c: String) throws -> PostgresCell {
        guard let i = columns.firstIndex(of: c), i < row.count else { throw BulkReadError(column: c, reason: "缺少该列") }
        return row[i]
    }
    func string(_ x: PostgresCell) throws -> String {
        // Text arrives as its UTF-8 bytes; no need for the generic decoder.
        if let b = x.bytes, x.dataType == .text || x.dataType == .varchar { return String(buffer: b) }
        return try x.decode(String.self)
    }
    func text(_ c: String) throws -> String { try string(try cell(c)) }
    func optionalText(_ c: String) throws -> String? { let x = try cell(c); return x.bytes == nil ? nil : try string(x) }
    func int64(_ c: String) throws -> Int64 { try cell(c).decode(Int64.self) }
    func optionalInt64(_ c: String) throws -> Int64? { let x = try cell(c); return x.bytes == nil ? nil : try x.decode(Int64.self) }
    func uuid(_ c: String) throws -> UUID { try cell(c).decode(UUID.self) }
    func optionalUUID(_ c: String) throws -> UUID? { let x = try cell(c); return x.bytes == nil ? nil : try x.decode(UUID.self) }
}

private struct SQLiteReader: ColumnReader {
    let row: SQLiteRow

    func value(_ c: String) throws -> SQLiteData {
        guard let v = row.column(c) else { throw BulkReadError(column: c, reason: "缺少该列") }
        return v
    }
    func optionalText(_ c: String) throws -> String? {
        switch try value(c) {
        case .null: return nil
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .float(let f): return String(f)
        case .blob: throw BulkReadError(column: c, reason: "应为文本")
        }
    }
    func text(_ c: String) throws -> String {
        guard let s = try optionalText(c) else { throw BulkReadError(column: c, reason: "不应为空") }
        return s
    }
    func optionalInt64(_ c: String) throws -> Int64? {
        switch try value(c) {
        case .null: return nil
        case .integer(let i): return Int64(i)
        case .text(let s): guard let i = Int64(s) else { throw BulkReadError(column: c, reason: "应为整数") }; return i
        default: throw BulkReadError(column: c, reason: "应为整数")
        }
    }
    func int64(_ c: String) throws -> Int64 {
        guard let i = try optionalInt64(c) else { throw BulkReadError(column: c, reason: "不应为空") }
        return i
    }
    func optionalUUID(_ c: String) throws -> UUID? {
        switch try value(c) {
        case .null: return nil
        case .text(let s): guard let u = UUID(text: s) else { throw BulkReadError(column: c, reason: "应为 UUID") }; return u
        case .blob(var b) where b.readableBytes == 16:
            let bytes = b.readBytes(length: 16)!
            return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        default: throw BulkReadError(column: c, reason: "应为 UUID")
        }
    }
    func uuid(_ c: String) throws -> UUID {
        guard let u = try optionalUUID(c) else { throw BulkReadError(column: c, reason: "不应为空") }
        return u
    }
}
