import Crypto
import Domain
import Foundation
import SQLKit
@testable import Store
import Testing

/// ID and phone numbers rest sealed (#25): nothing in the database's bytes gives a number away, exact and tail
/// searches still find people, and the migration converts a register that held them in clear — and back.
@Suite struct SealedIdentifierTests {
    @Test func theKeyedIndexIsTheKeysAndTheSealIsFreshEachTime() throws {
        let other = try DataCipher(base64Key: Data(repeating: 5, count: 32).base64EncodedString())
        let id = "11010519491231002X"
        #expect(DataCipher.development.blindIndex(id) == DataCipher.development.blindIndex(id))
        #expect(DataCipher.development.blindIndex(id) != other.blindIndex(id))
        #expect(DataCipher.development.blindIndex(id) != DataCipher.development.blindIndex("110105194912310011"))
        // The index is not a plain hash of the number: without the key it cannot be recomputed from a guess.
        #expect(DataCipher.development.blindIndex(id) != Data(SHA256.hash(data: Data(id.utf8))).base64EncodedString())
        let a = try DataCipher.development.seal(text: id), b = try DataCipher.development.seal(text: id)
        #expect(a != b)
        #expect(try DataCipher.development.open(a) == id)
        #expect(throws: DataCipher.CipherError.unreadable) { try other.open(a) }
        // One process, one key: the development key is installed (a scratch database did it), another is refused.
        #expect(throws: DataCipher.CipherError.secondKey) { try DataCipher.install(other) }
        try DataCipher.install(.development)
    }

    /// What staff and residents type — a register, a department's file with a mistyped ID, a resident's request for
    /// help with a phone number, a spot check's dishonesty listing — leaves no number in clear anywhere in the file.
    @Test func noIDOrPhoneNumberRestsInClear() async throws {
        try await Fixture.with(households: 60) { f in
            let members = Array(f.city.households(count: 60)).flatMap(\.members)
            // A department's file: known people, and one with a mistyped digit, linked by name and birth date.
            let typo = members[3]
            var digits = Array(typo.nationalID.value)
            digits[16] = digits[16] == "1" ? "2" : "1"
            let lines = members.prefix(3).map { "\($0.nationalID.value),\($0.name),2026-10-01,10,S\($0.id)" } + ["\(String(digits)),\(typo.name),2026-10-02,20,T1"]
            _ = try await FeedImportTests.importer(f).run(path: try FeedImportTests.file(lines))
            #expect(try await FeedImportTests.count(f, "feed_unlinked") == 1)
            let phone = "13912345678"
            let township = try #require(f.city.communities[0].code.ancestor(at: .township))
            let requests = HelpRequests(f.scratch.db, calendar: try WorkingCalendar.bundled(), parameters: try ParameterSet.bundled())
            _ = try await requests.submit(HelpRequestForm(name: members[5].name, nationalID: members[5].nationalID.value, phone: phone, need: "看病没钱",
                                                          township: township.value, consent: true),
                                          townships: [township], today: try LocalDate("2026-11-23"), origin: "127.0.0.1")
            let bytes = try await Self.everythingStored(f)
            #expect(bytes.count > 50_000)
            for number in members.map(\.nationalID.value) + [String(digits), phone] {
                #expect(bytes.range(of: Data(number.utf8)) == nil, "\(number) rests in clear")
            }
            // A control: the names beside them do rest in clear, so the scan reads what it should.
            #expect(bytes.range(of: Data(members[5].name.utf8)) != nil)
            // And the request, as the township reads it, has both numbers back.
            let listed = try await requests.list(actor: f.actor(.townshipOfficer, township))
            #expect(listed.items.map(\.phone) == [phone])
            #expect(listed.items.map(\.maskedID) == [members[5].nationalID.masked])
            // A caller is found by the whole number or its last four, in the township's own requests only.
            let officer = f.actor(.townshipOfficer, township)
            for typed in [phone, "139 1234 5678", "5678"] {
                #expect(try await requests.list(actor: officer, phone: typed).items.map(\.phone) == [phone], "\(typed)")
            }
            #expect(try await requests.list(actor: officer, phone: "13912340000").total == 0)
            await #expect(throws: CaseStoreError.self) { try await requests.list(actor: officer, phone: "567") }
            let other = try #require(f.city.communities.lazy.compactMap { $0.code.ancestor(at: .township) }.first { $0 != township })
            #expect(try await requests.list(actor: f.actor(.townshipOfficer, other), phone: phone).total == 0)
        }
    }

    /// On SQLite the database file's own bytes (the log checkpointed into it); on PostgreSQL every text value of every
    /// table, as a dump would hold them.
    static func everythingStored(_ f: Fixture) async throws -> Data {
        let sql = f.scratch.db as! any SQLDatabase
        if case .sqlite(let path) = f.scratch.config {
            _ = try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").all()
            return FileManager.default.contents(atPath: path) ?? Data()
        }
        var out = Data()
        let columns = try await sql.raw("""
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying', 'json', 'jsonb')
            """).all()
        var byTable: [String: [String]] = [:]
        for c in columns { byTable[try c.decode(column: "table_name", as: String.self), default: []].append(try c.decode(column: "column_name", as: String.self)) }
        for (table, names) in byTable {
            let list = names.map { "\"\($0)\"::text AS \"\($0)\"" }.joined(separator: ", ")
            for row in try await sql.raw("SELECT \(unsafeRaw: list) FROM \(ident: table)").all() {
                for name in names { out += Data(((try? row.decode(column: name, as: String?.self)) ?? nil ?? "").utf8) + Data([0]) }
            }
        }
        return out
    }

    @Test func exactAndTailSearchesStillFindPeople() async throws {
        try await Fixture.with(households: 80) { f in
            let store = RegistryStore(f.scratch.db)
            let city = f.actor(.cityAdmin, f.city.city.code)
            let member = Array(f.city.households(count: 80)).flatMap(\.members)[17]
            let exact = try await store.search(.nationalID(member.nationalID), actor: city)
            #expect(exact.map(\.id) == [member.householdID])
            for length in [4, 6, 10] {
                let found = try await store.search(.idTail(String(member.nationalID.value.suffix(length))), actor: city)
                #expect(found.map(\.id).contains(member.householdID), "tail of \(length)")
                // Every household found has a member whose number ends so.
                for h in found {
                    let p = try #require(try await store.profile(h.id, actor: city))
                    #expect(p.members.contains { $0.nationalID.value.hasSuffix(member.nationalID.value.suffix(length)) })
                }
            }
            let long = try await store.search(.idTail(String(member.nationalID.value.suffix(10))), actor: city)
            #expect(long.map(\.id) == [member.householdID])
            let profile = try #require(try await store.profile(member.householdID, actor: city))
            #expect(profile.members.contains { $0.nationalID == member.nationalID })
        }
    }

    /// A register kept before the seal: the migration seals and indexes what it holds, lookups work on it, and the
    /// revert gives the numbers back in clear.
    @Test func theMigrationSealsARegisterHeldInClear() async throws {
        try await Fixture.with(households: 40) { f in
            let db = f.scratch.db
            let sql = db as! any SQLDatabase
            let members = Array(f.city.households(count: 40)).flatMap(\.members)
            let township = try #require(f.city.communities[0].code.ancestor(at: .township))
            let requests = HelpRequests(db, calendar: try WorkingCalendar.bundled(), parameters: try ParameterSet.bundled())
            _ = try await requests.submit(HelpRequestForm(name: members[2].name, nationalID: members[2].nationalID.value, phone: "02212345678", need: "房子漏雨",
                                                          township: township.value, consent: true),
                                          townships: [township], today: try LocalDate("2026-11-23"), origin: "127.0.0.1")
            try await SealIdentifiers().revert(on: db)
            let plain = Set(try await sql.select().column("national_id").from("members").all().map { try $0.decode(column: "national_id", as: String.self) })
            #expect(plain == Set(members.map(\.nationalID.value)))
            #expect(try await sql.select().column("phone").from("help_requests").first()?.decode(column: "phone", as: String.self) == "02212345678")

            try await SealIdentifiers().prepare(on: db)
            let rows = try await sql.select().columns("national_id_index", "national_id_sealed", "national_id_tail").from("members").all()
            #expect(rows.count == members.count)
            for r in rows {
                let number = try DataCipher.development.open(try r.decode(column: "national_id_sealed", as: String.self))
                #expect(plain.contains(number))
                #expect(try r.decode(column: "national_id_index", as: String.self) == DataCipher.development.blindIndex(number))
                #expect(try r.decode(column: "national_id_tail", as: String.self) == String(number.suffix(4)))
            }
            let request = try #require(try await sql.select().columns("phone_sealed", "phone_index", "phone_tail", "national_id_sealed").from("help_requests").first())
            #expect(try DataCipher.development.open(try request.decode(column: "phone_sealed", as: String.self)) == "02212345678")
            #expect(try request.decode(column: "phone_index", as: String.self) == DataCipher.development.blindIndex("02212345678"))
            #expect(try request.decode(column: "phone_tail", as: String.self) == "5678")
            #expect(try DataCipher.development.open(try request.decode(column: "national_id_sealed", as: String.self)) == members[2].nationalID.value)
            let found = try await RegistryStore(db).search(.nationalID(members[9].nationalID), actor: f.actor(.cityAdmin, f.city.city.code))
            #expect(found.map(\.id) == [members[9].householdID])
        }
    }
}
