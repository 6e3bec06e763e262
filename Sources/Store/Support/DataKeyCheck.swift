import FluentKit
import Foundation
import SQLKit

/// Whether the configured data key is the one this database's personal data is sealed and indexed with. Checked when
/// a server or command starts: with another key every sealed number would be unreadable, new ones would be sealed under
/// a second key, and exact lookups by blind index would find no one (an import would add everyone again).
public enum DataKeyCheck {
    static let probe = "jiuzhu data key check v1"

    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Sealed values do not open with this key.
        case dataKey
        /// They open, but the blind indexes were made with another index key.
        case indexKey
        public var description: String {
            switch self {
            case .dataKey:
                return "JIUZHU_DATA_KEY 与本数据库中已加密的个人信息不符，拒绝启动（否则新数据将用另一密钥加密、按身份证号查不到已有人员）。"
                    + "请配置原来的密钥。The data key is not the one this database was sealed with."
            case .indexKey:
                return "盲索引密钥与本数据库不符，拒绝启动：按身份证号、电话号码的精确查找将失效。请使用原来的密钥。"
                    + "The blind-index key is not the one this database was indexed with."
            }
        }
    }

    /// Refuses `cipher` if it is not the database's key. The first time (a new database, or one sealed before this
    /// check existed) the values already stored must open with it and match their indexes; then it is recorded.
    public static func confirm(_ db: any Database, cipher: DataCipher, now: Date = Date()) async throws {
        let sql = db.sql
        if try await recorded(sql) == nil {
            try await sample(sql, cipher)
            try await sql.insert(into: "data_key_check").columns("id", "sealed_check", "index_check", "recorded_at")
                .values(SQLBind(1), SQLBind(try cipher.seal(text: probe)), SQLBind(cipher.blindIndex(probe)), SQLBind(Timestamp.text(now)))
                .ignoringConflicts(with: ["id"]).run()
        }
        // Two starting at once: whichever recorded its key, this one must be it.
        guard let (sealed, index) = try await recorded(sql) else { throw Failure.dataKey }
        guard (try? cipher.open(sealed)) == probe else { throw Failure.dataKey }
        guard cipher.blindIndex(probe) == index else { throw Failure.indexKey }
    }

    static func recorded(_ sql: any SQLDatabase) async throws -> (String, String)? {
        guard let r = try await sql.select().columns("sealed_check", "index_check").from("data_key_check").where("id", .equal, 1).first() else { return nil }
        return (try r.decode(column: "sealed_check", as: String.self), try r.decode(column: "index_check", as: String.self))
    }

    /// Values sealed before the check was recorded: one of each sealed column opens with the key, and a member's ID
    /// number gives the index stored beside it.
    static func sample(_ sql: any SQLDatabase, _ cipher: DataCipher) async throws {
        if let m = try await sql.select().columns("national_id_sealed", "national_id_index").from("members").orderBy("id").limit(1).first() {
            guard let id = try? cipher.open(try m.decode(column: "national_id_sealed", as: String.self)) else { throw Failure.dataKey }
            guard cipher.blindIndex(id) == (try m.decode(column: "national_id_index", as: String.self)) else { throw Failure.indexKey }
        }
        for (table, column) in SealedColumns.stored {
            guard let r = try await sql.select().column(column).from(table).where(SQLColumn(column), .isNot, SQLLiteral.null).limit(1).first(),
                  let sealed = try r.decode(column: column, as: String?.self) else { continue }
            guard (try? cipher.open(sealed)) != nil else { throw Failure.dataKey }
        }
    }
}
