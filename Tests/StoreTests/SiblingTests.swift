import Domain
import Foundation
import Store
import Testing

@Suite struct SiblingCommunityTests {
    @Test func aCoordinatorCannotReadTheNeighbouringCommunity() async throws {
        // setup: two households in sibling communities of one street
        let f = try await Fixture.make()
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
        try await f.scratch.drop()
    }
}
