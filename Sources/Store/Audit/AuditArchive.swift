import Crypto
import Domain
import FluentKit
import Foundation
import SQLKit

/// Old audit entries moved off the database into a signed file, and the anchor the chain goes on from.
///
/// The Cybersecurity Law (网络安全法 第二十一条第三项) requires network logs be kept at least six months: nothing
/// younger than `minimumRetentionDays` is ever archived. The file holds the entries as JSON lines between a header
/// and an HMAC-SHA256 signature over everything before it, under the audit key (`JIUZHU_AUDIT_KEY`). The database
/// keeps each archive's last sequence number and hash, so the entries left verify from there.
public enum AuditArchive {
    public static let minimumRetentionDays = 184
    public static let format = "jiuzhu-audit-archive-1"

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case tooRecent(keepFrom: LocalDate)
        case brokenChain(String)
        case nothingToArchive
        case badFile(String, line: Int, String)

        public var description: String {
            switch self {
            case .tooRecent(let d):
                return "审计记录至少保留 \(minimumRetentionDays) 天（网络安全法第二十一条）：只能归档 \(d) 之前的记录 (entries must be kept \(minimumRetentionDays) days)"
            case .brokenChain(let why): return "审计链已断，先查明原因再归档：\(why) (the audit chain is broken)"
            case .nothingToArchive: return "没有早于该日期的审计记录可归档 (nothing to archive)"
            case .badFile(let f, let line, let why): return "归档文件 \(f) 第 \(line) 行：\(why) (bad archive file)"
            }
        }
    }

    public struct Summary: Sendable, Equatable {
        public var rows: Int
        public var throughSeq: Int64
        public var lastHash: String
        public var fileSHA256: String
    }

    /// The last archive's end: the sequence number and hash the entries left in the database continue from.
    static func anchor(_ sql: any SQLDatabase) async throws -> (Int64, String)? {
        guard let r = try await sql.select().columns("through_seq", "last_hash").from("audit_archives").orderBy("through_seq", .descending).limit(1).first()
        else { return nil }
        return (try r.decode(column: "through_seq", as: Int64.self), try r.decode(column: "last_hash", as: String.self))
    }

    /// Moves the entries written before the Beijing day `before` into `path`, signed with `key`, once the whole chain
    /// verifies. The file is written and flushed first; the entries are deleted only with the anchor recorded, in one
    /// transaction; a failure leaves the database as it was and removes the file.
    public static func archive(_ db: any Database, before: LocalDate, today: LocalDate, path: String, key: SymmetricKey,
                               actor: Actor) async throws -> Summary {
        let keepFrom = today.adding(days: -minimumRetentionDays)
        guard before <= keepFrom else { throw Failure.tooRecent(keepFrom: keepFrom) }
        let check = try await AuditChain.verify(db)
        if let broken = check.broken { throw Failure.brokenChain(broken.description) }
        let sql = db.sql
        let cutoff = Timestamp.text(before.startInstant(in: .china))
        // A prefix of the chain: up to the first entry on or after the cutoff.
        let firstKept = try await sql.select().column("seq").from("audit_entries").where("at", .greaterThanOrEqual, cutoff)
            .orderBy("seq").limit(1).first()?.decode(column: "seq", as: Int64.self)
        let (startSeq, startHash) = try await anchor(sql) ?? (0, AuditChain.genesis)
        let tip = try await AuditChain.tip(sql).seq
        let through = firstKept.map { $0 - 1 } ?? tip
        guard through > startSeq else { throw Failure.nothingToArchive }

        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw Failure.badFile(path, line: 0, "无法创建")
        }
        var mac = HMAC<SHA256>(key: key)
        var digest = SHA256()
        func write(_ object: [String: Any]) throws {
            var line = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            line.append(0x0A)
            mac.update(data: line)
            digest.update(data: line)
            try out.write(contentsOf: line)
        }
        var rows = 0
        var lastHash = startHash
        do {
            try write(["format": format, "from_seq": startSeq + 1, "through_seq": through, "previous_hash": startHash,
                       "archived_at": Timestamp.text(Date()), "archived_by": actor.username])
            var after = startSeq
            while after < through {
                let page = try await sql.select().column("*").from("audit_entries").where("seq", .greaterThan, SQLBind(after))
                    .where("seq", .lessThanOrEqual, SQLBind(through)).orderBy("seq").limit(5_000).all()
                if page.isEmpty { break }
                for r in page {
                    var o: [String: Any] = [:]
                    for c in ["at", "username", "role", "actor_region", "action", "target_kind", "target_id", "detail", "origin", "prev_hash", "hash"] {
                        o[c] = try r.decode(column: c, as: String.self)
                    }
                    o["id"] = try r.decode(column: "id", as: UUID.self).uuidString.lowercased()
                    o["user_id"] = try r.decode(column: "user_id", as: UUID?.self)?.uuidString.lowercased() ?? ""
                    after = try r.decode(column: "seq", as: Int64.self)
                    o["seq"] = after
                    lastHash = o["hash"] as! String
                    try write(o)
                    rows += 1
                }
            }
            let signature = Data(mac.finalize()).base64EncodedString()
            let tail = Data(#"{"signature":"\#(signature)"}"#.utf8) + Data([0x0A])
            digest.update(data: tail)
            try out.write(contentsOf: tail)
            try out.synchronize()
            try out.close()
            let fileHash = digest.finalize().map { String(format: "%02x", $0) }.joined()
            let (lastSeq, anchorHash, count) = (through, lastHash, rows)
            try await db.writeTransaction { tx in
                try await tx.sql.insert(into: "audit_archives")
                    .columns("id", "through_seq", "last_hash", "rows", "file_name", "file_sha256", "archived_at", "archived_by")
                    .values(SQLBind(UUID()), SQLBind(lastSeq), SQLBind(anchorHash), SQLBind(count), SQLBind((path as NSString).lastPathComponent),
                            SQLBind(fileHash), SQLBind(Timestamp.text(Date())), SQLBind(actor.username))
                    .run()
                try await AuditChain.withDeletesAllowed(tx) {
                    try await tx.sql.delete(from: "audit_entries").where("seq", .lessThanOrEqual, SQLBind(lastSeq)).run()
                }
                try await AuditLog(tx).record(actor: actor, action: .archiveAudit, targetKind: "audit", targetID: String(lastSeq),
                                              detail: "归档第 \(startSeq + 1)–\(lastSeq) 条（\(count) 条）至 \((path as NSString).lastPathComponent)，文件 SHA-256 \(fileHash)")
            }
            return Summary(rows: rows, throughSeq: through, lastHash: lastHash, fileSHA256: fileHash)
        } catch {
            try? out.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Checks an archive file: its signature under `key`, and the chain inside it. Returns the entries it holds.
    public static func verifyFile(_ path: String, key: SymmetricKey) throws -> Int {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure.badFile(name, line: 0, "无法读取") }
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        guard lines.count >= 2, let last = lines.last,
              let tail = try? JSONSerialization.jsonObject(with: Data(last)) as? [String: Any], let signature = (tail["signature"] as? String).flatMap({ Data(base64Encoded: $0) })
        else { throw Failure.badFile(name, line: lines.count, "没有签名行") }
        var mac = HMAC<SHA256>(key: key)
        for line in lines.dropLast() { mac.update(data: Data(line) + Data([0x0A])) }
        guard Data(mac.finalize()) == signature else { throw Failure.badFile(name, line: lines.count, "签名不符：文件被改动，或密钥不对") }
        guard let header = try? JSONSerialization.jsonObject(with: Data(lines.first!)) as? [String: Any], header["format"] as? String == format,
              var previous = header["previous_hash"] as? String, var expected = (header["from_seq"] as? NSNumber)?.int64Value else {
            throw Failure.badFile(name, line: 1, "不是审计归档文件")
        }
        var count = 0
        for (i, line) in lines.dropFirst().dropLast().enumerated() {
            let n = i + 2
            guard let o = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { throw Failure.badFile(name, line: n, "不是 JSON") }
            func s(_ k: String) -> String { o[k] as? String ?? "" }
            guard (o["seq"] as? NSNumber)?.int64Value == expected, let id = UUID(uuidString: s("id")) else { throw Failure.badFile(name, line: n, "序号不连续") }
            let computed = AuditChain.hash(seq: expected, id: id, at: s("at"), userID: UUID(uuidString: s("user_id")), username: s("username"), role: s("role"),
                                           actorRegion: s("actor_region"), action: s("action"), targetKind: s("target_kind"), targetID: s("target_id"),
                                           detail: s("detail"), origin: s("origin"), previous: previous)
            guard s("prev_hash") == previous, s("hash") == computed else { throw Failure.badFile(name, line: n, "哈希链不符") }
            previous = computed
            expected += 1
            count += 1
        }
        return count
    }
}
