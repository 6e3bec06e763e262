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

    func requireViewer(_ actor: Actor) throws {
        guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
    }

    // MARK: search

    public func search(_ query: HouseholdQuery, actor: Actor, limit: Int = RegistryStore.searchLimit) async throws -> [HouseholdSummary] {
        let found = try await summaries(try await matches(query, actor: actor, limit: limit))
        try await auditSearch(query, actor: actor, found: found.count)
        return found
    }

    /// Every search is audited, with its terms masked (`HouseholdQuery.masked`): who looked for whom is what an
    /// auditor of personal data asks first.
    func auditSearch(_ query: HouseholdQuery, actor: Actor, found: Int) async throws {
        try await AuditLog(db).record(actor: actor, action: .search, targetKind: "households", targetID: query.masked, detail: "查找家庭，\(found) 户")
    }

    /// The most matches a search page counts; past it the page says so and asks for a narrower search.
    public static let searchCap = 1_000

    /// One page of a search and how many households match in all — exactly, up to `searchCap`.
    public func search(_ query: HouseholdQuery, actor: Actor, offset: Int, limit: Int, program: Program? = nil) async throws -> (items: [HouseholdSummary], total: Int, capped: Bool) {
        var ids = try await matches(query, actor: actor, limit: Self.searchCap + 1)
        if let program { ids = try await enrolled(ids, in: program) }
        let page = Array(ids.dropFirst(max(0, offset)).prefix(limit))
        try await auditSearch(query, actor: actor, found: ids.count)
        return (try await summaries(page), min(ids.count, Self.searchCap), ids.count > Self.searchCap)
    }

    /// Of these households, those with an active enrolment in `program`, in the same order.
    func enrolled(_ ids: [UUID], in program: Program) async throws -> [UUID] {
        guard !ids.isEmpty else { return [] }
        let on = Set(try await sql.select().distinct().column("household_id").from("enrolments").where("household_id", .in, ids)
            .where("program", .equal, program.rawValue).where("status", .equal, EnrolmentStatus.active.rawValue).all()
            .map { try $0.decode(column: "household_id", as: UUID.self) })
        return ids.filter(on.contains)
    }

    /// The households a search finds, in the order found, at most `limit`.
    func matches(_ query: HouseholdQuery, actor: Actor, limit: Int) async throws -> [UUID] {
        try requireViewer(actor)
        var ids: [UUID] = []
        switch query {
        case .nationalID(let id):
            ids = try await sql.select().distinct().column("household_id").from("members")
                .where("national_id_index", .equal, try SealedColumns.index(id.value))
                .within(actor.jurisdiction)
                .limit(limit).all().map { try $0.decode(column: "household_id", as: UUID.self) }
        case .idTail(let tail):
            ids = try await idTail(tail, scope: actor.jurisdiction, limit: limit)
        case .text(let text):
            ids = try await textSearch(text, scope: actor.jurisdiction, limit: limit)
        }
        return ids
    }

    /// Households with a member whose ID ends in `tail`: the stored last four narrow it, and a longer tail is checked
    /// against the opened numbers of those few.
    func idTail(_ tail: String, scope: RegionCode, limit: Int) async throws -> [UUID] {
        let rows = try await sql.select().columns("household_id", "national_id_sealed").from("members")
            .where("national_id_tail", .equal, SealedColumns.tail(tail))
            .within(scope)
            .orderBy("household_id").all()
        var ids: [UUID] = []
        for r in rows where ids.count < limit {
            if tail.count > SealedColumns.tailLength {
                guard try SealedColumns.open(try r.decode(column: "national_id_sealed", as: String.self)).hasSuffix(tail) else { continue }
            }
            let id = try r.decode(column: "household_id", as: UUID.self)
            if ids.last != id { ids.append(id) }
        }
        return ids
    }

    /// The households living in `region` (which must lie inside the jurisdiction), in address order.
    public func households(in region: RegionCode, actor: Actor, offset: Int = 0, limit: Int, program: Program? = nil) async throws -> (items: [HouseholdSummary], total: Int) {
        try requireViewer(actor)
        guard actor.covers(region) else { return ([], 0) }
        func filtered(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            let q = q.from("households").within(region)
            guard let program else { return q }
            return q.where(SQLColumn("id"), .in, SQLSubquery.select { $0.column("household_id").from("enrolments")
                .where("program", .equal, program.rawValue).where("status", .equal, EnrolmentStatus.active.rawValue) })
        }
        let total = try await filtered(sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))))
            .first()?.decode(column: "n", as: Int.self) ?? 0
        let ids = try await filtered(sql.select().column("id"))
            .orderBy("address").orderBy("id").offset(max(0, offset)).limit(limit).all().map { try $0.decode(column: "id", as: UUID.self) }
        return (try await summaries(ids), total)
    }

    /// Text is a region's name (the households living there), the start of a person's name, or a
    /// fragment of an address, in that order, until the limit is reached.
    func textSearch(_ text: String, scope: RegionCode, limit: Int) async throws -> [UUID] {
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
        let members = try await sql.select().columns("household_id", "relation", "name", "national_id_sealed").from("members")
            .where("household_id", .in, ids).all()
        let enrolments = try await sql.select().columns("household_id", "program").from("enrolments")
            .where("household_id", .in, ids).where("status", .equal, EnrolmentStatus.active.rawValue).all()
        var memberRows: [UUID: [(Domain.Relation, String, String)]] = [:]
        for r in members {
            let hid = try r.decode(column: "household_id", as: UUID.self)
            memberRows[hid, default: []].append((Domain.Relation(rawValue: try r.decode(column: "relation", as: String.self)) ?? Domain.Relation.other,
                                                 try r.decode(column: "name", as: String.self),
                                                 try r.decode(column: "national_id_sealed", as: String.self)))
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
                id: Household.ID(id), headName: head?.1 ?? "", headMaskedID: (head.flatMap { try? SealedColumns.nationalID($0.2) })?.masked ?? "",
                address: try h.decode(column: "address", as: String.self), residenceRegion: region,
                residenceRegionName: names[region.value] ?? region.value, memberCount: ms.count,
                programs: Program.allCases.filter { programs[id]?.contains($0) == true })
        }
        // Keep the order in which the matches were found.
        return ids.compactMap { out[$0] }
    }

}
