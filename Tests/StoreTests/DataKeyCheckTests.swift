import Domain
import FluentKit
import Foundation
import SQLKit
@testable import Store
import Testing

/// A server or command started with another data key refuses to start, before it seals a number under a second key
/// or looks anyone up by an index made with another: the first key is recorded as a sealed probe and its blind index.
@Suite struct DataKeyCheckTests {
    static let other = try! DataCipher(base64Key: Data(repeating: 7, count: 32).base64EncodedString())

    static func recorded(_ sql: any SQLDatabase) async throws -> [String] {
        try await sql.select().columns("sealed_check", "index_check").from("data_key_check").all()
            .map { try $0.decode(column: "sealed_check", as: String.self) + "|" + $0.decode(column: "index_check", as: String.self) }
    }

    @Test func aRegisterSealedWithOneKeyRefusesAnother() async throws {
        try await Fixture.with(households: 20) { f in
            let sql = f.scratch.db as! any SQLDatabase
            // Sealed before the check existed: the stored numbers themselves tell the wrong key, and nothing is recorded.
            await #expect(throws: DataKeyCheck.Failure.dataKey) { try await DataKeyCheck.confirm(f.scratch.db, cipher: Self.other) }
            #expect(try await Self.recorded(sql).isEmpty)
            // The right key is recorded once; confirming again (another start) changes nothing.
            try await DataKeyCheck.confirm(f.scratch.db, cipher: .development)
            let first = try await Self.recorded(sql)
            try await DataKeyCheck.confirm(f.scratch.db, cipher: .development)
            let again = try await Self.recorded(sql)
            #expect(first.count == 1 && again == first)
            #expect(!first[0].contains(DataKeyCheck.probe))
            // Recorded, another key is refused by the record alone.
            await #expect(throws: DataKeyCheck.Failure.dataKey) { try await DataKeyCheck.confirm(f.scratch.db, cipher: Self.other) }
            // A record whose index was made with another index key: the data key opens, the lookups would not match.
            try await sql.update("data_key_check").set("index_check", to: Self.other.blindIndex(DataKeyCheck.probe)).run()
            await #expect(throws: DataKeyCheck.Failure.indexKey) { try await DataKeyCheck.confirm(f.scratch.db, cipher: .development) }
            #expect(DataKeyCheck.Failure.indexKey.description.contains("盲索引") && DataKeyCheck.Failure.dataKey.description.contains("JIUZHU_DATA_KEY"))
        }
    }

    @Test func aMembersIndexMadeWithAnotherKeyIsFoundBeforeAnythingIsRecorded() async throws {
        try await Fixture.with(households: 5) { f in
            let sql = f.scratch.db as! any SQLDatabase
            let member = try #require(try await sql.select().column("id").column("national_id_sealed").from("members").orderBy("id").limit(1).first())
            let id = try DataCipher.development.open(try member.decode(column: "national_id_sealed", as: String.self))
            try await sql.update("members").set("national_id_index", to: Self.other.blindIndex(id))
                .where("id", .equal, try member.decode(column: "id", as: UUID.self)).run()
            await #expect(throws: DataKeyCheck.Failure.indexKey) { try await DataKeyCheck.confirm(f.scratch.db, cipher: .development) }
            #expect(try await Self.recorded(sql).isEmpty)
        }
    }

    /// A new database takes the first key it is started with; two starting at once record one.
    @Test func anEmptyDatabaseTakesTheFirstKey() async throws {
        let scratch = try await ScratchDatabase.make(label: "keycheck")
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { try await DataKeyCheck.confirm(scratch.db, cipher: .development) } }
                try await group.waitForAll()
            }
            #expect(try await Self.recorded(scratch.db as! any SQLDatabase).count == 1)
            await #expect(throws: DataKeyCheck.Failure.dataKey) { try await DataKeyCheck.confirm(scratch.db, cipher: Self.other) }
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }
}
