import Domain
import FluentKit
import Foundation
import SQLKit
@testable import Store
import Testing

/// A new data key: every sealed value re-sealed under it in one transaction, the blind indexes kept (the index key
/// stays), the database's recorded key changed, audited; refused whole with the wrong old key, a changing index key,
/// a value the old key cannot open, or anyone but the system administrator.
@Suite struct DataKeyRotationTests {
    static let new = try! DataCipher(base64Key: Data(repeating: 11, count: 32).base64EncodedString(), indexKey: DataCipher.development.indexKeyBase64)

    static func sealed(_ sql: any SQLDatabase) async throws -> [String: String] {
        var all: [String: String] = [:]
        for (table, column) in SealedColumns.stored {
            for r in try await sql.select().column("id").column(column).from(table).all() {
                guard let v = try r.decode(column: column, as: String?.self) else { continue }
                all["\(table).\(column).\(try r.decode(column: "id", as: UUID.self))"] = v
            }
        }
        return all
    }

    static func setting(_ f: Fixture) async throws -> any SQLDatabase {
        let sql = f.scratch.db as! any SQLDatabase
        let head = try #require(try await sql.select().columns("id", "household_id").from("members").orderBy("id").limit(1).first())
        try await sql.insert(into: "bank_accounts").columns("id", "household_id", "member_id", "bank", "account_cipher", "account_tail", "account_name", "status",
                                                        "residence_region", "registered_region", "note", "created_by", "created_at")
            .values(SQLBind(UUID()), SQLBind(try head.decode(column: "household_id", as: UUID.self)), SQLBind(try head.decode(column: "id", as: UUID.self)),
                    SQLBind("农商银行"), SQLBind(try DataCipher.development.seal(text: "6230000012345678")), SQLBind("5678"), SQLBind("张三"), SQLBind("active"),
                    SQLBind("120104001001"), SQLBind("120104001001"), SQLBind(""), SQLBind("test"), SQLBind("2026-11-01T00:00:00Z")).run()
        return sql
    }

    @Test func everySealedValueIsSealedAgainUnderTheNewKeyAndTheIndexesStay() async throws {
        try await Fixture.with(households: 15) { f in
            let sql = try await Self.setting(f)
            let admin = f.actor(.systemAdmin, f.city.city.code)
            let before = try await Self.sealed(sql)
            let plain = try before.mapValues { try DataCipher.development.open($0) }
            let indexes = try await sql.select().column("national_id_index").from("members").orderBy("id").all()
                .map { try $0.decode(column: "national_id_index", as: String.self) }
            let count = try await DataKeyRotation.rotate(f.scratch.db, from: .development, to: Self.new, actor: admin)
            let after = try await Self.sealed(sql)
            #expect(count == before.count && after.count == before.count && before.keys.contains { $0.hasPrefix("bank_accounts.") })
            for (key, value) in after {
                #expect(value != before[key])
                #expect(try Self.new.open(value) == plain[key], "\(key)")
                #expect(throws: DataCipher.CipherError.unreadable) { try DataCipher.development.open(value) }
            }
            let indexesAfter = try await sql.select().column("national_id_index").from("members").orderBy("id").all()
                .map { try $0.decode(column: "national_id_index", as: String.self) }
            #expect(indexesAfter == indexes)
            // The database now takes the new key only; the rotation is in the audit log.
            try await DataKeyCheck.confirm(f.scratch.db, cipher: Self.new)
            await #expect(throws: DataKeyCheck.Failure.dataKey) { try await DataKeyCheck.confirm(f.scratch.db, cipher: .development) }
            let logged = try await AuditLog(f.scratch.db).recent(actor: f.actor(.auditor, f.city.city.code), action: .rotateDataKey)
            #expect(logged.count == 1 && logged[0].detail.contains("\(count)"))
        }
    }

    @Test func aRotationThatCannotFinishChangesNothing() async throws {
        try await Fixture.with(households: 10) { f in
            let sql = try await Self.setting(f)
            let admin = f.actor(.systemAdmin, f.city.city.code)
            let before = try await Self.sealed(sql)
            let wrongOld = try DataCipher(base64Key: Data(repeating: 12, count: 32).base64EncodedString(), indexKey: DataCipher.development.indexKeyBase64)
            await #expect(throws: DataKeyCheck.Failure.dataKey) { _ = try await DataKeyRotation.rotate(f.scratch.db, from: wrongOld, to: Self.new, actor: admin) }
            // A new key whose own index key would be derived from it: every index would stop matching.
            let derived = try DataCipher(base64Key: Data(repeating: 11, count: 32).base64EncodedString())
            await #expect(throws: DataKeyRotation.Failure.indexKeyChanges) { _ = try await DataKeyRotation.rotate(f.scratch.db, from: .development, to: derived, actor: admin) }
            await #expect(throws: DataKeyRotation.Failure.sameKey) { _ = try await DataKeyRotation.rotate(f.scratch.db, from: .development, to: .development, actor: admin) }
            await #expect(throws: DomainError.forbidden) {
                _ = try await DataKeyRotation.rotate(f.scratch.db, from: .development, to: Self.new, actor: f.actor(.cityAdmin, f.city.city.code))
            }
            // A damaged value, in the last table rotated: the members re-sealed before it are rolled back with it.
            try await DataKeyCheck.confirm(f.scratch.db, cipher: .development)
            try await sql.update("bank_accounts").set("account_cipher", to: "damaged").run()
            await #expect(throws: DataCipher.CipherError.unreadable) { _ = try await DataKeyRotation.rotate(f.scratch.db, from: .development, to: Self.new, actor: admin) }
            let after = try await Self.sealed(sql)
            #expect(after.filter { !$0.key.hasPrefix("bank_accounts.") } == before.filter { !$0.key.hasPrefix("bank_accounts.") })
            try await DataKeyCheck.confirm(f.scratch.db, cipher: .development)
        }
    }

    /// Every column that holds a sealed value is one the rotation knows: a new one left out would be unreadable after.
    @Test func theRotationKnowsEverySealedColumn() async throws {
        try await Fixture.with(households: 1) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let query: SQLQueryString = sql.dialect.name == "postgresql"
                ? "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema()"
                : "SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'"
            let columns = try await sql.raw(query).all().map { (try $0.decode(column: "t", as: String.self), try $0.decode(column: "c", as: String.self)) }
            let sealedLooking = columns.filter { $0.1.hasSuffix("_sealed") || $0.1.contains("cipher") || $0.1.hasSuffix("_secret") }
            #expect(sealedLooking.count >= 7)
            for (t, c) in sealedLooking { #expect(SealedColumns.stored.contains { $0 == (t, c) }, "\(t).\(c)") }
        }
    }
}
