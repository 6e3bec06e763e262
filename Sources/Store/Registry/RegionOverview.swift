import Domain
import FluentKit
import Foundation
import SQLKit

// Regions and the counts of the region browser and the home page.
extension RegistryStore {
    // MARK: regions and counts

    /// The townships (streets) of a city, for a resident to say where they live; public, names only.
    public func townships(in city: RegionCode) async throws -> [Region] {
        try await sql.select().columns("code", "name", "is_demo").from("regions").within(city, column: "code")
            .where("level", .equal, RegionLevel.township.rawValue).orderBy("code").all().map(RowDecoding.region)
    }

    public func region(_ code: RegionCode) async throws -> Region? {
        guard let r = try await sql.select().columns("code", "name", "is_demo").from("regions").where("code", .equal, code.value).first() else {
            return nil
        }
        return try RowDecoding.region(r)
    }

    /// The regions one level below `code`, by code, without counting anything (a filter's choices; the
    /// overview's counts are for pages that show them). Nothing outside the actor's jurisdiction.
    public func children(of code: RegionCode, actor: Actor) async throws -> [Region] {
        guard actor.covers(code), let level = code.level.child else { return [] }
        return try await sql.select().columns("code", "name", "is_demo").from("regions").within(code, column: "code")
            .where("level", .equal, level.rawValue).orderBy("code").all().map(RowDecoding.region)
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

    /// Region names by code, for pages that show names, not codes.
    public func regionNames(_ codes: [String]) async throws -> [String: String] {
        let codes = Array(Set(codes))
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
