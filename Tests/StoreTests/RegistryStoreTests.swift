import Domain
import Foundation
import Store
import Testing

/// A small demo city in a scratch database (SQLite here, PostgreSQL too when DATABASE_URL is set).
struct Fixture {
    let scratch: ScratchDatabase
    let city: DemoCity
    let system: Actor

    static func make(households: Int = 300) async throws -> Fixture {
        let scratch = try await ScratchDatabase.make(label: "store")
        let reference = try RegionReference.bundled()
        let city = try DemoCity(reference: reference, settings: DemoSettings.bundled(), parameters: try ParameterSet.bundled(), today: LocalDate("2026-11-22"))
        let system = Actor(userID: nil, username: "test", role: .cityAdmin, jurisdiction: city.city.code, origin: "test")
        do {
            _ = try await DemoLoader(scratch.db).load(city: city, reference: reference, households: households, actor: system)
        } catch {
            try? await scratch.drop()
            throw error
        }
        return Fixture(scratch: scratch, city: city, system: system)
    }

    /// Runs `body` on a fresh fixture and always drops its database, even when the body throws.
    static func with(households: Int = 300, _ body: (Fixture) async throws -> Void) async throws {
        let f = try await make(households: households)
        do {
            try await body(f)
        } catch {
            try? await f.scratch.drop()
            throw error
        }
        try await f.scratch.drop()
    }

    func actor(_ role: Role, _ region: RegionCode) -> Actor {
        Actor(userID: UUID(), username: "\(role.rawValue)-\(region.value)", role: role, jurisdiction: region, origin: "127.0.0.1")
    }

    func allBundles() -> [HouseholdBundle] { Array(city.households(count: 300)) }
}

@Suite struct RegistryStoreTests {
    @Test func searchIsScopedToTheJurisdiction() async throws {
        // setup
        try await Fixture.with() { f in
            let bundles = f.allBundles()
            let target = bundles[0]
            let community = target.household.residenceRegion
            let other = f.city.communities.first { c in c.code != community && bundles.contains { $0.household.residenceRegion == c.code } }!.code
            let inside = f.actor(.coordinator, community)
            let outside = f.actor(.coordinator, other)
            let head = target.members[0]
            // act
            let byID = try await RegistryStore(f.scratch.db).search(.nationalID(head.nationalID), actor: inside)
            let byIDOutside = try await RegistryStore(f.scratch.db).search(.nationalID(head.nationalID), actor: outside)
            let byName = try await RegistryStore(f.scratch.db).search(.text(head.name), actor: inside)
            let byTail = try await RegistryStore(f.scratch.db).search(.idTail(String(head.nationalID.value.suffix(6))), actor: inside)
            // check
            #expect(byID.map(\.id) == [target.household.id])
            #expect(byIDOutside.isEmpty)
            #expect(byName.contains { $0.id == target.household.id })
            #expect(byName.allSatisfy { community.contains($0.residenceRegion) })
            #expect(byTail.contains { $0.id == target.household.id })
            // a text of control characters alone finds nothing (a bare NUL used to list the whole jurisdiction)
            #expect(try await RegistryStore(f.scratch.db).search(.text("\u{0}"), actor: inside).isEmpty)
            // lists never carry a whole ID number
            #expect(byID[0].headMaskedID == head.nationalID.masked)
            #expect(byID[0].headMaskedID.contains("********"))
        }
    }

    @Test func searchByAddressFindsHouseholdsInTheStreet() async throws {
        try await Fixture.with() { f in
            let street = f.allBundles()[0].household.residenceRegion.parent!
            let streetName = f.city.regionName(street)
            let township = f.actor(.townshipOfficer, street)
            // act
            let hits = try await RegistryStore(f.scratch.db).search(.text(streetName), actor: township)
            // check
            #expect(!hits.isEmpty)
            #expect(hits.allSatisfy { street.contains($0.residenceRegion) && $0.address.contains(streetName) })
        }
    }

    @Test func profileOutsideTheJurisdictionIsIndistinguishableFromMissing() async throws {
        try await Fixture.with() { f in
            let target = f.allBundles()[0]
            let district = target.household.residenceRegion.ancestors.first { $0.level == .county }!
            let otherDistrict = f.city.districts.first { $0.code != district }!.code
            let store = RegistryStore(f.scratch.db)
            // act
            let inside = try await store.profile(target.household.id, actor: f.actor(.countyReviewer, district))
            let outside = try await store.profile(target.household.id, actor: f.actor(.countyReviewer, otherDistrict))
            let missing = try await store.profile(Household.ID(UUID()), actor: f.actor(.countyReviewer, district))
            // check
            #expect(inside?.members.count == target.members.count)
            #expect(inside?.facts.count == target.facts.count)
            #expect(inside?.enrolments.count == target.enrolments.count)
            #expect(inside?.head?.relation == .head)
            #expect(outside == nil)
            #expect(missing == nil)
        }
    }

    @Test func everyProfileReadIsAudited() async throws {
        try await Fixture.with() { f in
            let target = f.allBundles()[3]
            let reader = f.actor(.cityAdmin, f.city.city.code)
            let auditor = f.actor(.auditor, f.city.city.code)
            // act
            _ = try await RegistryStore(f.scratch.db).profile(target.household.id, actor: reader)
            _ = try await RegistryStore(f.scratch.db).profile(target.household.id, actor: reader)
            // check
            let entries = try await AuditLog(f.scratch.db).recent(actor: auditor, action: .readProfile)
            #expect(entries.count == 2)
            #expect(entries.allSatisfy { $0.username == reader.username && $0.targetID == target.household.id.description && $0.origin == "127.0.0.1" })
            // and only an auditor may read the log
            await #expect(throws: DomainError.forbidden) { try await AuditLog(f.scratch.db).recent(actor: reader) }
        }
    }

    @Test func dataOfficersCannotReadHouseholds() async throws {
        try await Fixture.with() { f in
            let officer = f.actor(.dataOfficer, f.city.city.code)
            await #expect(throws: DomainError.forbidden) {
                try await RegistryStore(f.scratch.db).search(.text("王"), actor: officer)
            }
            await #expect(throws: DomainError.forbidden) {
                try await RegistryStore(f.scratch.db).profile(f.allBundles()[0].household.id, actor: officer)
            }
        }
    }

    @Test func overviewCountsAddUp() async throws {
        try await Fixture.with() { f in
            let bundles = f.allBundles()
            let admin = f.actor(.cityAdmin, f.city.city.code)
            // act
            let city = try await RegistryStore(f.scratch.db).overview(actor: admin)
            // check
            let o = try #require(city)
            #expect(o.households == bundles.count)
            #expect(o.people == bundles.reduce(0) { $0 + $1.members.count })
            #expect(o.subRegions.count == 16)
            #expect(o.subRegions.reduce(0) { $0 + $1.households } == bundles.count)
            let dibao = bundles.reduce(0) { $0 + $1.enrolments.filter { $0.program == .dibao && $0.status == .active }.count }
            #expect(o.byProgram.first { $0.program == .dibao }?.enrolments == dibao)
            // a community coordinator cannot look at the district above them
            let community = bundles[0].household.residenceRegion
            let coordinator = f.actor(.coordinator, community)
            #expect(try await RegistryStore(f.scratch.db).overview(actor: coordinator, region: community.parent!) == nil)
            let own = try #require(try await RegistryStore(f.scratch.db).overview(actor: coordinator))
            #expect(own.households == bundles.filter { $0.household.residenceRegion == community }.count)
        }
    }

    @Test func demoLoadIsNotRepeated() async throws {
        try await Fixture.with(households: 50) { f in
            // act
            let again = try await DemoLoader(f.scratch.db).load(city: f.city, reference: RegionReference.bundled(), households: 50, actor: f.system)
            // check
            #expect(again == .reused(households: 50))
            let o = try await RegistryStore(f.scratch.db).overview(actor: f.actor(.cityAdmin, f.city.city.code))
            #expect(o?.households == 50)
        }
    }

    @Test func usersAndLockoutState() async throws {
        try await Fixture.with(households: 10) { f in
            let users = UserStore(f.scratch.db)
            // act
            let u = try await users.create(username: "li.na", displayName: "李娜", role: .coordinator,
                                           region: f.city.communities[0].code, passwordHash: "hash", createdBy: f.system)
            try await users.saveThrottle(u.id, .init(failures: 2, lockedUntil: Date(timeIntervalSince1970: 2_000_000_000)))
            // check
            let back = try #require(try await users.find(username: "li.na"))
            #expect(back.role == .coordinator)
            #expect(back.throttle.failures == 2)
            #expect(back.throttle.lockedUntil == Date(timeIntervalSince1970: 2_000_000_000))
            await #expect(throws: UserStoreError.usernameTaken("li.na")) {
                try await users.create(username: "li.na", displayName: "x", role: .auditor, region: f.city.city.code, passwordHash: "h", createdBy: f.system)
            }
            await #expect(throws: UserStoreError.unknownRegion("120104999000")) {
                try await users.create(username: "nobody", displayName: "x", role: .auditor, region: try RegionCode("120104999000"), passwordHash: "h", createdBy: f.system)
            }
        }
    }
}
