import Domain
import FluentKit
import Foundation
import SQLKit

/// Reads of the registry. Every method takes the acting user, and every query is bounded to
/// their jurisdiction here, in the store, so no page or route can forget it.
public struct RegistryStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    var sql: any SQLDatabase { db.sql }

    public static let searchLimit = 50

    private func requireViewer(_ actor: Actor) throws {
        guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
    }

    // MARK: search

    public func search(_ query: HouseholdQuery, actor: Actor, limit: Int = RegistryStore.searchLimit) async throws -> [HouseholdSummary] {
        try requireViewer(actor)
        var ids: [UUID] = []
        switch query {
        case .nationalID(let id):
            ids = try await sql.select().distinct().column("household_id").from("members")
                .where("national_id", .equal, id.value)
                .within(actor.jurisdiction)
                .limit(limit).all().map { try $0.decode(column: "household_id", as: UUID.self) }
        case .idTail(let tail):
            ids = try await sql.select().distinct().column("household_id").from("members")
                .where("national_id_tail", .equal, String(tail.suffix(4)))
                .where("national_id", .like, "%" + tail)
                .within(actor.jurisdiction)
                .limit(limit).all().map { try $0.decode(column: "household_id", as: UUID.self) }
        case .text(let text):
            ids = try await textSearch(text, scope: actor.jurisdiction, limit: limit)
        }
        return try await summaries(ids)
    }

    /// The households living in `region` (which must lie inside the jurisdiction), in address order.
    public func households(in region: RegionCode, actor: Actor, limit: Int) async throws -> [HouseholdSummary] {
        try requireViewer(actor)
        guard actor.covers(region) else { return [] }
        let ids = try await sql.select().column("id").from("households")
            .within(region)
            .orderBy("address").limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) }
        return try await summaries(ids)
    }

    /// Text is a region's name (the households living there), the start of a person's name, or a
    /// fragment of an address, in that order, until the limit is reached.
    private func textSearch(_ text: String, scope: RegionCode, limit: Int) async throws -> [UUID] {
        var ids: [UUID] = []
        func add(_ more: [UUID]) { for m in more where ids.count < limit && !ids.contains(m) { ids.append(m) } }
        let literal = Self.stripWildcards(text)
        guard !literal.isEmpty else { return [] }

        // 1. A street or community by name: its households (the region table is small).
        let regions = try await sql.select().column("code").from("regions")
            .within(scope, column: "code")
            .where("level", .greaterThanOrEqual, RegionLevel.township.rawValue)
            .where(SQLBinaryExpression(SQLColumn("name"), .like, SQLBind("%" + literal + "%")))
            .limit(20).all().map { try RegionCode(try $0.decode(column: "code", as: String.self)) }
        for r in regions where ids.count < limit {
            add(try await sql.select().column("id").from("households")
                .within(r)
                .orderBy("address").limit(limit - ids.count).all().map { try $0.decode(column: "id", as: UUID.self) })
        }
        // 2. Names by prefix, through the name index.
        if ids.count < limit {
            let prefix: any SQLExpression = sql.dialect.name == "sqlite"
                ? SQLBinaryExpression(left: SQLColumn("name"), op: SQLRaw("GLOB"), right: SQLBind(literal + "*"))
                : SQLBinaryExpression(SQLColumn("name"), .like, SQLBind(literal + "%"))
            add(try await sql.select().distinct().column("household_id").from("members")
                .where(prefix)
                .within(scope)
                .limit(limit).all().map { try $0.decode(column: "household_id", as: UUID.self) })
        }
        // 3. Anywhere in the address. Over a whole district or city, reading the table straight through
        // beats hopping through the region index for every row, so SQLite is told not to use it there.
        if ids.count < limit {
            let wide = scope.level <= .county
            let table: any SQLExpression = wide && sql.dialect.name == "sqlite" ? SQLRaw("households NOT INDEXED") : SQLIdentifier("households")
            add(try await sql.select().column("id").from(table)
                .within(scope)
                .where(SQLBinaryExpression(SQLColumn("address"), .like, SQLBind("%" + literal + "%")))
                .limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) })
        }
        return ids
    }

    /// Wildcards a user types are dropped rather than interpreted (LIKE's % and _, GLOB's * ? [); control characters too,
    /// whoever built the query.
    static func stripWildcards(_ s: String) -> String {
        String(HouseholdQuery.withoutControlCharacters(s).filter { !"%_*?[]".contains($0) })
    }

    func summaries(_ ids: [UUID]) async throws -> [HouseholdSummary] {
        guard !ids.isEmpty else { return [] }
        let households = try await sql.select().columns("id", "residence_region", "address").from("households")
            .where("id", .in, ids).all()
        let members = try await sql.select().columns("household_id", "relation", "name", "national_id").from("members")
            .where("household_id", .in, ids).all()
        let enrolments = try await sql.select().columns("household_id", "program").from("enrolments")
            .where("household_id", .in, ids).where("status", .equal, EnrolmentStatus.active.rawValue).all()
        var memberRows: [UUID: [(Domain.Relation, String, String)]] = [:]
        for r in members {
            let hid = try r.decode(column: "household_id", as: UUID.self)
            memberRows[hid, default: []].append((Domain.Relation(rawValue: try r.decode(column: "relation", as: String.self)) ?? Domain.Relation.other,
                                                 try r.decode(column: "name", as: String.self),
                                                 try r.decode(column: "national_id", as: String.self)))
        }
        var programs: [UUID: Set<Program>] = [:]
        for r in enrolments {
            if let p = Program(rawValue: try r.decode(column: "program", as: String.self)) {
                programs[try r.decode(column: "household_id", as: UUID.self), default: []].insert(p)
            }
        }
        let regionCodes = Set(try households.map { try $0.decode(column: "residence_region", as: String.self) })
        let names = try await regionNames(Array(regionCodes))
        var out: [UUID: HouseholdSummary] = [:]
        for h in households {
            let id = try h.decode(column: "id", as: UUID.self)
            let ms = memberRows[id] ?? []
            let head = ms.first { $0.0 == Domain.Relation.head } ?? ms.first
            let region = try RegionCode(try h.decode(column: "residence_region", as: String.self))
            out[id] = HouseholdSummary(
                id: Household.ID(id), headName: head?.1 ?? "", headMaskedID: (try? NationalID(head?.2 ?? ""))?.masked ?? "",
                address: try h.decode(column: "address", as: String.self), residenceRegion: region,
                residenceRegionName: names[region.value] ?? region.value, memberCount: ms.count,
                programs: Program.allCases.filter { programs[id]?.contains($0) == true })
        }
        // Keep the order in which the matches were found.
        return ids.compactMap { out[$0] }
    }

    // MARK: profile

    /// The whole profile, or nil when it does not exist or lies outside the actor's jurisdiction
    /// (the two are indistinguishable on purpose). A successful read is written to the audit log.
    public func profile(_ id: Household.ID, actor: Actor) async throws -> HouseholdProfile? {
        try requireViewer(actor)
        guard let h = try await sql.select().columns("id", "registered_region", "residence_region", "address").from("households")
            .where("id", .equal, id.rawValue)
            .within(actor.jurisdiction)
            .first() else { return nil }
        let household = Household(id: id,
                                  registeredRegion: try RegionCode(try h.decode(column: "registered_region", as: String.self)),
                                  residenceRegion: try RegionCode(try h.decode(column: "residence_region", as: String.self)),
                                  address: try h.decode(column: "address", as: String.self))
        let members = try await sql.select().column("*").from("members").where("household_id", .equal, id.rawValue).all()
            .map(RowDecoding.member).sorted { ($0.relation == .head ? 0 : 1, $0.birthDate) < ($1.relation == .head ? 0 : 1, $1.birthDate) }
        let facts = try await sql.select().column("*").from("facts").where("household_id", .equal, id.rawValue).all().map(RowDecoding.fact)
        let enrolments = try await sql.select().column("*").from("enrolments").where("household_id", .equal, id.rawValue).all().map(RowDecoding.enrolment)
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

    // MARK: regions and counts

    public func region(_ code: RegionCode) async throws -> Region? {
        guard let r = try await sql.select().columns("code", "name", "is_demo").from("regions").where("code", .equal, code.value).first() else {
            return nil
        }
        return try RowDecoding.region(r)
    }

    /// The setting that names the city whose registry this is (written by whatever loaded the registry's regions).
    public static let citySettingKey = "registry.city"

    /// The city whose registry this is, for commands and pages that need the city and were not configured with
    /// one: as recorded when the registry was loaded, else the one city among its regions (a city bureau's
    /// registry holds one).
    public func city() async throws -> RegionCode? {
        if let recorded = try await SettingsStore(db).get(Self.citySettingKey) { return try RegionCode(recorded) }
        let rows = try await sql.select().column("code").from("regions").where("level", .equal, RegionLevel.city.rawValue).limit(2).all()
        guard rows.count == 1 else { return nil }
        return try RegionCode(try rows[0].decode(column: "code", as: String.self))
    }

    func regionNames(_ codes: [String]) async throws -> [String: String] {
        guard !codes.isEmpty else { return [:] }
        var out: [String: String] = [:]
        for r in try await sql.select().columns("code", "name").from("regions").where("code", .in, codes).all() {
            out[try r.decode(column: "code", as: String.self)] = try r.decode(column: "name", as: String.self)
        }
        return out
    }

    /// Counts for `region` (default: the whole jurisdiction) and each of its child regions.
    /// Nil when the region is unknown or outside the jurisdiction.
    public func overview(actor: Actor, region code: RegionCode? = nil) async throws -> Overview? {
        guard actor.may(.viewStatistics) else { throw DomainError.forbidden }
        let code = code ?? actor.jurisdiction
        guard actor.covers(code), let region = try await region(code) else { return nil }
        let childDigits = code.level.child?.significantDigits ?? 12
        let childExpr = SQLFunction("substr", args: SQLColumn("residence_region"), SQLLiteral.numeric("1"), SQLLiteral.numeric("\(childDigits)"))

        func grouped(_ table: String, extra: ((SQLSelectBuilder) -> SQLSelectBuilder)? = nil) async throws -> [String: Int] {
            var q = sql.select().column(SQLAlias(childExpr, as: SQLIdentifier("child"))).column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from(table)
                .within(code)
            if let extra { q = extra(q) }
            var out: [String: Int] = [:]
            for r in try await q.groupBy(childExpr).all() {
                out[try r.decode(column: "child", as: String.self)] = try r.decode(column: "n", as: Int.self)
            }
            return out
        }
        let hh = try await grouped("households")
        let people = try await grouped("members")
        let enrol = try await grouped("enrolments") { $0.where("status", .equal, EnrolmentStatus.active.rawValue) }

        let byProgramRows = try await sql.select().column("program")
            .column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
            // PostgreSQL sums a bigint column as numeric; cast back so both engines return an integer.
            .column(SQLAlias(SQLRaw("CAST(SUM(monthly_amount_cents) AS BIGINT)"), as: SQLIdentifier("total")))
            .from("enrolments")
            .within(code)
            .where("status", .equal, EnrolmentStatus.active.rawValue)
            .groupBy("program").all()
        var byProgram: [ProgramCount] = []
        for r in byProgramRows {
            guard let p = Program(rawValue: try r.decode(column: "program", as: String.self)) else { continue }
            byProgram.append(ProgramCount(program: p, enrolments: try r.decode(column: "n", as: Int.self),
                                          monthlyAmount: Cents(try r.decode(column: "total", as: Int64?.self) ?? 0)))
        }
        byProgram.sort { ($0.enrolments, $1.program.rawValue) > ($1.enrolments, $0.program.rawValue) }

        let children = try await sql.select().columns("code", "name", "is_demo").from("regions")
            .where("parent_code", .equal, code.value).orderBy("code").all().map(RowDecoding.region)
        let subRegions = children.map { c in
            let key = String(c.code.value.prefix(childDigits))
            return RegionCounts(region: c, households: hh[key] ?? 0, people: people[key] ?? 0, enrolments: enrol[key] ?? 0)
        }
        var ancestors: [Region] = []
        for a in code.ancestors where actor.covers(a) {
            if let r = try await self.region(a) { ancestors.append(r) }
        }
        return Overview(region: region, ancestors: ancestors, households: hh.values.reduce(0, +), people: people.values.reduce(0, +),
                        byProgram: byProgram, subRegions: subRegions)
    }
}

/// Turning rows back into domain values. A row that does not decode is a storage fault, reported as such.
enum RowDecoding {
    static func region(_ r: any SQLRow) throws -> Region {
        Region(code: try RegionCode(try r.decode(column: "code", as: String.self)), name: try r.decode(column: "name", as: String.self),
               isDemo: try r.decode(column: "is_demo", as: Bool.self))
    }

    static func member(_ r: any SQLRow) throws -> Member { try member(SQLRowReader(r)) }

    static func member(_ r: some ColumnReader) throws -> Member {
        try member(id: r.uuid("id"), household: r.uuid("household_id"), relation: r.text("relation"), nationalID: r.text("national_id"),
                   name: r.text("name"), sex: r.text("sex"), birthDate: r.text("birth_date"), disabilityCategory: r.optionalText("disability_category"),
                   disabilityGrade: r.optionalInt64("disability_grade"), illnesses: r.text("illnesses"), workCapacity: r.text("work_capacity"),
                   employment: r.text("employment"), schooling: r.text("schooling"))
    }

    /// The stored values of a member row, read by name (above) or by position (`RowShape.member`).
    static func member(id: UUID, household: UUID, relation: String, nationalID: String, name: String, sex: String, birthDate: String,
                       disabilityCategory: String?, disabilityGrade: Int64?, illnesses: String, workCapacity: String,
                       employment: String, schooling: String) throws -> Member {
        let category = disabilityCategory.flatMap(DisabilityCategory.init(rawValue:))
        let disability = try category.flatMap { c in try disabilityGrade.map { try Disability(category: c, grade: Int($0)) } }
        return Member(
            id: Member.ID(id), householdID: Household.ID(household),
            relation: Domain.Relation(rawValue: relation) ?? .other,
            nationalID: try NationalID(nationalID), name: name,
            sex: Sex(rawValue: sex) ?? .male,
            birthDate: try LocalDate(birthDate),
            disability: disability, illnesses: illnesses.split(separator: ",").compactMap { Illness(rawValue: String($0)) },
            workCapacity: WorkCapacity(rawValue: workCapacity) ?? .full,
            employment: Employment(rawValue: employment) ?? .notInLabourForce,
            schooling: Schooling(rawValue: schooling) ?? .notApplicable)
    }

    static func fact(_ r: any SQLRow) throws -> Fact { try fact(SQLRowReader(r)) }

    static func fact(_ r: some ColumnReader) throws -> Fact {
        try fact(id: r.uuid("id"), household: r.uuid("household_id"), member: r.optionalUUID("member_id"), kind: r.text("kind"),
                 amount: r.optionalInt64("amount_cents"), basis: r.optionalText("basis"), validFrom: r.text("valid_from"),
                 validTo: r.optionalText("valid_to"), department: r.text("source_department"), receivedAt: r.text("received_at"),
                 reference: r.text("reference"), note: r.text("note"))
    }

    static func fact(id: UUID, household: UUID, member: UUID?, kind: String, amount: Int64?, basis: String?, validFrom: String,
                     validTo: String?, department: String, receivedAt: String, reference: String, note: String) throws -> Fact {
        guard let kind = FactKind(rawValue: kind), let dept = Department(rawValue: department) else {
            throw DomainError.invalidData(file: "facts", reason: "未知的事实类别或来源部门")
        }
        return Fact(
            id: Fact.ID(id), householdID: Household.ID(household), memberID: member.map(Member.ID.init),
            kind: kind, amount: amount.map(Cents.init), basis: basis.flatMap(AmountBasis.init(rawValue:)),
            validFrom: try LocalDate(validFrom), validTo: try validTo.map { try LocalDate($0) },
            provenance: Provenance(department: dept, receivedAt: try LocalDate(receivedAt), reference: reference),
            note: note)
    }

    static func enrolment(_ r: any SQLRow) throws -> Enrolment { try enrolment(SQLRowReader(r)) }

    static func enrolment(_ r: some ColumnReader) throws -> Enrolment {
        try enrolment(id: r.uuid("id"), household: r.uuid("household_id"), member: r.optionalUUID("member_id"), program: r.text("program"),
                      since: r.text("since"), monthlyAmount: r.int64("monthly_amount_cents"), status: r.text("status"),
                      statusChangedOn: r.optionalText("status_changed_on"))
    }

    static func enrolment(id: UUID, household: UUID, member: UUID?, program: String, since: String, monthlyAmount: Int64, status: String,
                          statusChangedOn: String?) throws -> Enrolment {
        guard let program = Program(rawValue: program), let status = EnrolmentStatus(rawValue: status) else {
            throw DomainError.invalidData(file: "enrolments", reason: "未知的救助项目或状态")
        }
        return Enrolment(
            id: Enrolment.ID(id), householdID: Household.ID(household), memberID: member.map(Member.ID.init),
            program: program, since: try LocalDate(since), monthlyAmount: Cents(monthlyAmount), status: status,
            statusChangedOn: try statusChangedOn.map { try LocalDate($0) })
    }
}
