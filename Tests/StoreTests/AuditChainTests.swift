import Crypto
import Domain
import FluentKit
import Foundation
import SQLKit
import Testing
@testable import Store

/// The audit log as a hash chain: one chain however many write at once, a table that refuses change, a check that
/// names the first entry tampered with, and archives that move old entries to a signed file and leave the rest whole.
@Suite struct AuditChainTests {
    static let city = try! RegionCode("120100000000")
    static func actor(_ n: Int = 0) -> Actor {
        Actor(userID: UUID(), username: "staff\(n)", role: .townshipOfficer, jurisdiction: city, origin: "10.0.0.\(n % 250)")
    }

    static func with(_ body: (any Database) async throws -> Void) async throws {
        let scratch = try await ScratchDatabase.make(label: "audit")
        do { try await body(scratch.db) } catch { try? await scratch.drop(); throw error }
        try await scratch.drop()
    }

    static func write(_ db: any Database, count: Int, at: Date = Date(), from: Int = 0) async throws {
        for i in from..<(from + count) {
            try await AuditLog(db).record(actor: actor(i), action: .readProfile, targetKind: "household", targetID: UUID().uuidString.lowercased(),
                                          detail: "查看档案 #\(i)，含\u{1F}分隔符、\u{0}与\n换行", at: at)
        }
    }

    /// Lifts the table's triggers, as only the database's owner can: how someone with the server's disk would tamper.
    static func asOwner(_ db: any Database, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let sql = db.sql
        if sql.dialect.name == "postgresql" {
            try await sql.raw("ALTER TABLE audit_entries DISABLE TRIGGER USER").run()
            try await body(sql)
            try await sql.raw("ALTER TABLE audit_entries ENABLE TRIGGER USER").run()
        } else {
            try await sql.raw("DROP TRIGGER audit_no_update").run()
            try await sql.raw("DROP TRIGGER audit_no_delete").run()
            try await body(sql)
            try await AuditChain.createTriggers(sql)
        }
    }

    @Test func parallelWritersMakeOneUnbrokenChain() async throws {
        try await Self.with { db in
            try await withThrowingTaskGroup(of: Void.self) { group in
                // no more writers than the pool of one event loop has connections (4), so they meet at the chain's end
                // and not in the pool's queue, which times out when the whole suite loads the machine
                for i in 0..<3 { group.addTask { try await Self.write(db, count: 6, from: 6 * i) } }
                // and a batch written at once, in one transaction with other work
                group.addTask {
                    try await db.writeTransaction { tx in
                        try await AuditLog(tx).record((0..<10).map { AuditDraft(actor: Self.actor($0), action: .openCase, targetKind: "case", targetID: "c\($0)", detail: "批量") })
                    }
                }
                try await group.waitForAll()
            }
            let check = try await AuditChain.verify(db, pageSize: 7)
            #expect(check == .init(rows: 28, broken: nil))
            let seqs = try await db.sql.select().column("seq").from("audit_entries").orderBy("seq").all().map { try $0.decode(column: "seq", as: Int64.self) }
            #expect(seqs == Array(1...28))
        }
    }

    @Test func theTableRefusesChangeAndDeletion() async throws {
        try await Self.with { db in
            try await Self.write(db, count: 3)
            let sql = db.sql
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE audit_entries SET detail = 'x'").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_entries WHERE seq = 2").run() }
            if sql.dialect.name == "postgresql" {
                await #expect(throws: (any Error).self) { try await sql.raw("TRUNCATE audit_entries").run() }
            }
            #expect(try await AuditChain.verify(db).rows == 3)
        }
    }

    @Test func verifyNamesTheFirstEntryTamperedWith() async throws {
        // a changed entry
        try await Self.with { db in
            try await Self.write(db, count: 10)
            try await Self.asOwner(db) { try await $0.raw("UPDATE audit_entries SET detail = '无事' WHERE seq = 4").run() }
            let check = try await AuditChain.verify(db, pageSize: 3)
            #expect(check.rows == 3)
            #expect(check.broken?.seq == 4 && check.broken?.reason.contains("本条被改动") == true, "\(String(describing: check.broken))")
        }
        // a removed entry
        try await Self.with { db in
            try await Self.write(db, count: 10)
            try await Self.asOwner(db) { try await $0.raw("DELETE FROM audit_entries WHERE seq = 7").run() }
            let check = try await AuditChain.verify(db)
            #expect(check.broken?.seq == 8 && check.broken?.reason.contains("缺少第 7") == true, "\(String(describing: check.broken))")
        }
        // a changed entry whose own hash was recomputed to match: the next one says so
        try await Self.with { db in
            try await Self.write(db, count: 10)
            let row = try #require(try await db.sql.select().column("*").from("audit_entries").where("seq", .equal, 5).first())
            let previous = try row.decode(column: "prev_hash", as: String.self)
            var fields = try row.decode(column: "detail", as: String.self)
            fields = "改过的内容"
            let forged = AuditChain.hash(seq: 5, id: try row.decode(column: "id", as: UUID.self), at: try row.decode(column: "at", as: String.self),
                                         userID: try row.decode(column: "user_id", as: UUID?.self), username: try row.decode(column: "username", as: String.self),
                                         role: try row.decode(column: "role", as: String.self), actorRegion: try row.decode(column: "actor_region", as: String.self),
                                         action: try row.decode(column: "action", as: String.self), targetKind: try row.decode(column: "target_kind", as: String.self),
                                         targetID: try row.decode(column: "target_id", as: String.self), detail: fields,
                                         origin: try row.decode(column: "origin", as: String.self), previous: previous)
            try await Self.asOwner(db) { try await $0.update("audit_entries").set("detail", to: fields).set("hash", to: forged).where("seq", .equal, 5).run() }
            let check = try await AuditChain.verify(db)
            #expect(check.broken?.seq == 6 && check.broken?.reason.contains("前一条") == true, "\(String(describing: check.broken))")
        }
        // entries slipped in without a place
        try await Self.with { db in
            try await Self.write(db, count: 2)
            try await db.sql.insert(into: "audit_entries")
                .columns("id", "at", "username", "role", "actor_region", "action", "target_kind", "target_id", "detail", "origin")
                .values(SQLBind(UUID()), SQLBind(Timestamp.text(Date())), SQLBind("x"), SQLBind("auditor"), SQLBind(Self.city.value), SQLBind("login"),
                        SQLBind("user"), SQLBind("x"), SQLBind("插入"), SQLBind("x"))
                .run()
            let check = try await AuditChain.verify(db)
            #expect(check.broken?.reason.contains("不在链中") == true)
            // what the migration does for entries from before the chain: they take the next places
            try await Self.asOwner(db) { _ in try await AuditChain.sealUnsealed(db) }
            #expect(try await AuditChain.verify(db) == .init(rows: 3, broken: nil))
        }
    }

    @Test func archivingMovesOldEntriesToASignedFileAndTheRestStillVerify() async throws {
        try await Self.with { db in
            let today = LocalDate(Date(), timeZone: .china)
            let key = SymmetricKey(size: .bits256)
            let auditor = Actor(userID: UUID(), username: "auditor", role: .auditor, jurisdiction: Self.city, origin: "cli")
            func day(_ offset: Int) -> Date { today.adding(days: offset).startInstant(in: .china).addingTimeInterval(3600) }
            try await Self.write(db, count: 5, at: day(-300))
            try await Self.write(db, count: 3, at: day(-190), from: 5)
            try await Self.write(db, count: 4, at: Date(), from: 8)
            let dir = NSTemporaryDirectory() + "jiuzhu-archive-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            // the law's six months: nothing younger goes
            await #expect(throws: AuditArchive.Failure.tooRecent(keepFrom: today.adding(days: -184))) {
                try await AuditArchive.archive(db, before: today.adding(days: -100), today: today, path: dir + "/early.jsonl", key: key, actor: auditor)
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/early.jsonl"))
            // act
            let first = try await AuditArchive.archive(db, before: today.adding(days: -200), today: today, path: dir + "/a.jsonl", key: key, actor: auditor)
            // check: five went, the file holds them signed, and the database's entries verify from the anchor
            #expect(first.rows == 5 && first.throughSeq == 5)
            #expect(try AuditArchive.verifyFile(dir + "/a.jsonl", key: key) == 5)
            #expect(try await AuditChain.verify(db) == .init(rows: 8, broken: nil), "seven left and the archive's own entry")
            let second = try await AuditArchive.archive(db, before: today.adding(days: -184), today: today, path: dir + "/b.jsonl", key: key, actor: auditor)
            #expect(second.rows == 3 && second.throughSeq == 8)
            #expect(try AuditArchive.verifyFile(dir + "/b.jsonl", key: key) == 3)
            try await Self.write(db, count: 2, from: 20)
            #expect(try await AuditChain.verify(db) == .init(rows: 8, broken: nil))
            await #expect(throws: AuditArchive.Failure.nothingToArchive) {
                try await AuditArchive.archive(db, before: today.adding(days: -184), today: today, path: dir + "/c.jsonl", key: key, actor: auditor)
            }
            // a changed file, or the wrong key, is caught
            var text = try String(contentsOfFile: dir + "/a.jsonl", encoding: .utf8)
            text = text.replacingOccurrences(of: "查看档案 #2", with: "查看档案 #9")
            try text.write(toFile: dir + "/a-changed.jsonl", atomically: true, encoding: .utf8)
            #expect(throws: AuditArchive.Failure.self) { try AuditArchive.verifyFile(dir + "/a-changed.jsonl", key: key) }
            #expect(throws: AuditArchive.Failure.self) { try AuditArchive.verifyFile(dir + "/a.jsonl", key: SymmetricKey(size: .bits256)) }
        }
    }

    @Test func aBrokenChainIsNotArchived() async throws {
        try await Self.with { db in
            let today = LocalDate(Date(), timeZone: .china)
            try await Self.write(db, count: 4, at: today.adding(days: -400).startInstant(in: .china))
            try await Self.asOwner(db) { try await $0.raw("UPDATE audit_entries SET origin = '1.2.3.4' WHERE seq = 2").run() }
            let path = NSTemporaryDirectory() + "jiuzhu-archive-\(UUID().uuidString).jsonl"
            let auditor = Actor(userID: UUID(), username: "auditor", role: .auditor, jurisdiction: Self.city, origin: "cli")
            await #expect(throws: AuditArchive.Failure.self) {
                try await AuditArchive.archive(db, before: today.adding(days: -200), today: today, path: path, key: SymmetricKey(size: .bits256), actor: auditor)
            }
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(try await AuditChain.entries(db) == 4, "nothing was moved")
        }
    }

    /// PostgreSQL: the server's own role may read and append to the log, and nothing else.
    @Test func theApplicationsRoleOnlyAppendsToTheLog() async throws {
        try await Self.with { db in
            guard db.sql.dialect.name == "postgresql" else {
                await #expect(throws: DatabaseRoles.Failure.self) { try await DatabaseRoles.grantApplicationRole(db, role: "jiuzhu_app") }
                return
            }
            let role = "jz_app_\(UUID().uuidString.prefix(8).lowercased())"
            try await db.sql.raw("CREATE ROLE \(ident: role) NOLOGIN").run()
            try await DatabaseRoles.grantApplicationRole(db, role: role)
            await #expect(throws: DatabaseRoles.Failure.self) { try await DatabaseRoles.grantApplicationRole(db, role: "x; DROP TABLE users") }
            try await Self.write(db, count: 2)
            // as the role: appending works, the chain goes on
            try await db.transaction { tx in
                try await tx.sql.raw("SET LOCAL ROLE \(ident: role)").run()
                try await AuditLog(tx).record(actor: Self.actor(), action: .login, targetKind: "user", targetID: "x", detail: "as the app")
            }
            // and lifting the trigger, or changing an entry, is refused
            for statement in ["ALTER TABLE audit_entries DISABLE TRIGGER audit_no_update", "UPDATE audit_entries SET detail = 'x'", "DELETE FROM audit_entries"] {
                await #expect(throws: (any Error).self, "\(statement)") {
                    try await db.transaction { tx in
                        try await tx.sql.raw("SET LOCAL ROLE \(ident: role)").run()
                        try await tx.sql.raw(SQLQueryString(statement)).run()
                    }
                }
            }
            #expect(try await AuditChain.verify(db) == .init(rows: 3, broken: nil))
            try await db.sql.raw("DROP OWNED BY \(ident: role)").run()
            try await db.sql.raw("DROP ROLE \(ident: role)").run()
        }
    }
}
