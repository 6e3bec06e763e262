import Domain
import FluentKit
import Foundation
import SQLKit

// Whole household profiles: one, audited, or a region's in batches for bulk work.
extension RegistryStore {
    // MARK: profile

    /// The whole profile, or nil when it does not exist or lies outside the actor's jurisdiction
    /// (the two are indistinguishable on purpose). A successful read is written to the audit log.
    public func profile(_ id: Household.ID, actor: Actor) async throws -> HouseholdProfile? {
        try requireViewer(actor)
        // The household's row through the jurisdiction filter, then everything of it through the one loader.
        let reader = ProfileLoader(sql: sql)
        guard let row = try await sql.select().columns(ProfileLoader.household.columns.map { SQLColumn($0) }).from("households")
            .where("id", .equal, id.rawValue).within(actor.jurisdiction).first(),
              let loaded = try await reader.load([id.rawValue], households: [try ProfileLoader.household.byName(SQLRowReader(row))]).first else { return nil }
        let household = loaded.household
        // The head first, then by age.
        let members = loaded.members.sorted { ($0.relation == .head ? 0 : 1, $0.birthDate) < ($1.relation == .head ? 0 : 1, $1.birthDate) }
        let (facts, enrolments) = (loaded.facts, loaded.enrolments)
        let names = try await regionNames([household.registeredRegion.value, household.residenceRegion.value])
        try await AuditLog(db).record(actor: actor, action: .readProfile, targetKind: "household", targetID: id.description,
                                      detail: "查看家庭档案（\(members.count)人）")
        return HouseholdProfile(household: household,
                                registeredRegionName: names[household.registeredRegion.value] ?? household.registeredRegion.value,
                                residenceRegionName: names[household.residenceRegion.value] ?? household.residenceRegion.value,
                                members: members, facts: facts, enrolments: enrolments)
    }

    /// Whole profiles, a batch at a time in ID order, for bulk work such as a policy simulation.
    /// Scoped like every read; the caller writes one audit entry for the run rather than one per household.
    public func profiles(in region: RegionCode, actor: Actor, after: Household.ID?, limit: Int) async throws -> [HouseholdProfile] {
        try requireViewer(actor)
        guard actor.covers(region) else { return [] }
        var q = sql.select().columns("id", "registered_region", "residence_region", "address").from("households")
            .within(region)
        if let after { q = q.where("id", .greaterThan, after.rawValue) }
        let ids = try await q.orderBy("id").limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) }
        return try await ProfileLoader(sql: sql).load(ids)
    }

    /// Runs a policy simulation over every household of `region` in the actor's jurisdiction, and audits the run.
    public func simulate(_ simulation: Simulation, region: RegionCode, actor: Actor, batch: Int = 500,
                         progress: @Sendable (Int) -> Void = { _ in }) async throws -> Simulation {
        var sim = simulation
        var after: Household.ID?
        var done = 0
        while true {
            let profiles = try await self.profiles(in: region, actor: actor, after: after, limit: batch)
            guard let last = profiles.last else { break }
            for p in profiles { sim.add(p) }
            after = last.household.id
            done += profiles.count
            progress(done)
        }
        try await AuditLog(db).record(actor: actor, action: .simulation, targetKind: "region", targetID: region.value,
                                      detail: "政策模拟：\(simulation.change.chinese)，\(done)户")
        return sim
    }

}

/// The one reader of whole household profiles, for a list of IDs, in a few set-based reads: `RegistryStore.profile` (one
/// household, scoped and audited there), screening and simulation (batches, one audit entry per run) all use it.
struct ProfileLoader {
    let sql: any SQLDatabase

    static let memberColumns = ["id", "household_id", "relation", "national_id_sealed", "name", "sex", "birth_date", "disability_category",
                                "disability_grade", "illnesses", "work_capacity", "employment", "schooling"]
    static let factColumns = ["id", "household_id", "member_id", "kind", "amount_cents", "basis", "valid_from", "valid_to",
                              "source_department", "received_at", "reference", "note"]
    static let enrolmentColumns = ["id", "household_id", "member_id", "program", "since", "monthly_amount_cents", "status", "status_changed_on", "exit_ends_on"]

    // The positional decoders take the cells in the order of these columns; `RowShapeTests` reads the same rows both ways.
    static let member = RowShape<Member>(columns: memberColumns, byName: { try RowDecoding.member($0) }, byPosition: { c in
        try RowDecoding.member(id: c.uuid(), household: c.uuid(), relation: c.text(), sealedNationalID: c.text(), name: c.text(), sex: c.text(),
                               birthDate: c.text(), disabilityCategory: c.optionalText(), disabilityGrade: c.optionalInt64(), illnesses: c.text(),
                               workCapacity: c.text(), employment: c.text(), schooling: c.text())
    })
    static let fact = RowShape<Fact>(columns: factColumns, byName: { try RowDecoding.fact($0) }, byPosition: { c in
        try RowDecoding.fact(id: c.uuid(), household: c.uuid(), member: c.optionalUUID(), kind: c.text(), amount: c.optionalInt64(),
                             basis: c.optionalText(), validFrom: c.text(), validTo: c.optionalText(), department: c.text(), receivedAt: c.text(),
                             reference: c.text(), note: c.text())
    })
    static let enrolment = RowShape<Enrolment>(columns: enrolmentColumns, byName: { try RowDecoding.enrolment($0) }, byPosition: { c in
        try RowDecoding.enrolment(id: c.uuid(), household: c.uuid(), member: c.optionalUUID(), program: c.text(), since: c.text(),
                                  monthlyAmount: c.int64(), status: c.text(), statusChangedOn: c.optionalText(), exitEndsOn: c.optionalText())
    })
    static let household = RowShape<Household>(columns: ["id", "registered_region", "residence_region", "address"], byName: { r in
        try household(id: r.uuid("id"), registered: r.text("registered_region"), residence: r.text("residence_region"), address: r.text("address"))
    }, byPosition: { c in
        try household(id: c.uuid(), registered: c.text(), residence: c.text(), address: c.text())
    })
    static func household(id: UUID, registered: String, residence: String, address: String) throws -> Household {
        Household(id: Household.ID(id), registeredRegion: try RegionCode(registered), residenceRegion: try RegionCode(residence), address: address)
    }

    /// `households`: the households' own rows when the caller has read them already (in any order).
    func load(_ ids: [UUID], households known: [Household]? = nil) async throws -> [HouseholdProfile] {
        guard !ids.isEmpty else { return [] }
        var members: [UUID: [Member]] = [:], facts: [UUID: [Fact]] = [:], enrolments: [UUID: [Enrolment]] = [:]
        for m in try await BulkRead.rows(sql, Self.member, from: "members", where: "household_id", in: ids) {
            members[m.householdID.rawValue, default: []].append(m)
        }
        for f in try await BulkRead.rows(sql, Self.fact, from: "facts", where: "household_id", in: ids) {
            facts[f.householdID.rawValue, default: []].append(f)
        }
        for e in try await BulkRead.rows(sql, Self.enrolment, from: "enrolments", where: "household_id", in: ids) {
            enrolments[e.householdID.rawValue, default: []].append(e)
        }
        let households: [Household]
        if let known { households = known } else { households = try await BulkRead.rows(sql, Self.household, from: "households", where: "id", in: ids) }
        // In the order asked for (the caller pages in that order).
        let byID = Dictionary(households.map { ($0.id.rawValue, $0) }, uniquingKeysWith: { a, _ in a })
        return ids.compactMap { id in
            byID[id].map { h in
                HouseholdProfile(household: h, registeredRegionName: "", residenceRegionName: "", members: members[id] ?? [],
                                 facts: facts[id] ?? [], enrolments: enrolments[id] ?? [])
            }
        }
    }
}
