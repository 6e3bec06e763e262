import Domain
import FluentKit
import Foundation
import SQLKit

/// A new data key for everything sealed (`jiuzhu keys rotate`): every sealed value opened with the old key and sealed
/// with the new, in one transaction, so the database is never half under one key. The blind indexes stay as they are:
/// a department's natural keys and the linkage's identities exist only as indexes and could not be made again, so the
/// index key must stay the same (configured on its own as `JIUZHU_INDEX_KEY` first).
public enum DataKeyRotation {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case sameKey
        case indexKeyChanges
        public var description: String {
            switch self {
            case .sameKey: return "新旧数据密钥相同，无需更换 (the new data key is the old one)"
            case .indexKeyChanges:
                return "新旧密钥的盲索引密钥不同：先用 jiuzhu keys index-key（以原密钥运行）取得盲索引密钥，配置为 JIUZHU_INDEX_KEY，再更换数据密钥。"
                    + " The blind-index key must stay: set JIUZHU_INDEX_KEY first."
            }
        }
    }

    /// Re-seals every sealed value from `old` to `new`, records the new key for `DataKeyCheck` and audits it; returns
    /// how many values were re-sealed. `old` must be the database's key (checked first) and share `new`'s index key.
    public static func rotate(_ db: any Database, from old: DataCipher, to new: DataCipher, actor: Actor, now: Date = Date(),
                              progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws -> Int {
        guard actor.may(.rotateDataKey) else { throw DomainError.forbidden }
        guard old.sharesIndex(with: new) else { throw Failure.indexKeyChanges }
        guard old.fingerprint != new.fingerprint else { throw Failure.sameKey }
        try await DataKeyCheck.confirm(db, cipher: old)
        return try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            var count = 0
            for (table, column) in SealedColumns.stored {
                try await SealedColumns.rewrite(sql, table: table, reading: [column], writing: [column], cipher: new) { cipher, values in
                    guard let sealed = values[0] else { return nil }
                    count += 1
                    return [try cipher.seal(text: try old.open(sealed))]
                }
                progress(table + "." + column, count)
            }
            try await sql.update("data_key_check").set("sealed_check", to: try new.seal(text: DataKeyCheck.probe))
                .set("recorded_at", to: Timestamp.text(now)).where("id", .equal, 1).run()
            try await AuditLog(tx).record(actor: actor, action: .rotateDataKey, targetKind: "database", targetID: "data-key",
                                          detail: "更换数据密钥：\(count) 个加密值已用新密钥重新加密，盲索引不变", at: now)
            return count
        }
    }
}
