import Domain
import Foundation
import Store
import SQLKit
import Testing

@Suite struct SiblingCommunityTests {
    @Test func aCoordinatorCannotReadTheNeighbouringCommunity() async throws {
        // setup: two households in sibling communities of one street
        try await Fixture.with() { f in
            let bundles = f.allBundles()
            let a = bundles[0]
            let street = a.household.residenceRegion.parent!
            let sibling = try #require(bundles.first { $0.household.residenceRegion.parent == street && $0.household.residenceRegion != a.household.residenceRegion })
            let coordinator = f.actor(.coordinator, a.household.residenceRegion)
            let store = RegistryStore(f.scratch.db)
            // act
            let own = try await store.profile(a.household.id, actor: coordinator)
            let neighbour = try await store.profile(sibling.household.id, actor: coordinator)
            let found = try await store.search(.nationalID(sibling.members[0].nationalID), actor: coordinator)
            // check
            #expect(own != nil)
            #expect(neighbour == nil)
            #expect(found.isEmpty)
        }
    }
}

@Suite struct DemoInvariantTests {
    /// Checked on what is stored, not on what was generated: valid unique IDs, birth dates and sex that
    /// agree with them, and every member in exactly one existing household.
    @Test func storedDemoDataKeepsItsInvariants() async throws {
        try await Fixture.with(households: 400) { f in
            let sql = f.scratch.db as! any SQLDatabase
            // act
            let rows = try await sql.select().columns("national_id_sealed", "birth_date", "sex", "household_id").from("members").all()
            let orphans = try await sql.raw("SELECT count(*) AS n FROM members m LEFT JOIN households h ON h.id = m.household_id WHERE h.id IS NULL").first()
            let households = try await sql.raw("SELECT count(*) AS n FROM households").first()
            let withoutHead = try await sql.raw("""
                SELECT count(*) AS n FROM households h
                WHERE (SELECT count(*) FROM members m WHERE m.household_id = h.id AND m.relation = 'head') <> 1
                """).first()
            // check
            var seen = Set<String>()
            for r in rows {
                let id = try NationalID(try DataCipher.inUse().open(try r.decode(column: "national_id_sealed", as: String.self)))
                #expect(seen.insert(id.value).inserted)
                #expect(id.birthDate.description == (try r.decode(column: "birth_date", as: String.self)))
                #expect(id.sex.rawValue == (try r.decode(column: "sex", as: String.self)))
            }
            #expect(rows.count == Array(f.city.households(count: 400)).reduce(0) { $0 + $1.members.count })
            #expect(try orphans?.decode(column: "n", as: Int.self) == 0)
            #expect(try households?.decode(column: "n", as: Int.self) == 400)
            #expect(try withoutHead?.decode(column: "n", as: Int.self) == 0)
        }
    }
}
