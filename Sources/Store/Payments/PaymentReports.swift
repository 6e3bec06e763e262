import Domain
import FluentKit
import Foundation
import SQLKit

/// What a report asks for: months, one programme or all, and the region whose sub-regions are its rows.
public struct PaymentReportQuery: Sendable, Equatable {
    public var from: PayMonth
    public var to: PayMonth
    public var program: Program?
    public var region: RegionCode

    /// A report spans at most three years, so one request reads a bounded number of payrolls.
    public static let maxMonths = 36

    public init(from: PayMonth, to: PayMonth, program: Program?, region: RegionCode) {
        self.from = from
        self.to = to
        self.program = program
        self.region = region
    }
}

/// One month, programme and sub-region of a report. Paid means what the approved payrolls pay (not blocked, not carried
/// over: a carried-over month is counted when a later payroll pays it as arrears, so nothing is counted twice);
/// of it, `confirmedCents` is what the bank's return says arrived.
public struct PaymentReportRow: Sendable, Equatable {
    public var month: PayMonth
    public var program: Program
    /// The sub-region (12 digits): a county's townships, a city's counties, a township's communities.
    public var area: String
    public var households: Int
    /// The persons the payments cover: every member of a household paid under a household programme, the person
    /// paid under a personal one (each counted once a month and programme).
    public var persons: Int
    public var lines: Int
    public var cents: Int64
    public var confirmedCents: Int64
}

public enum PaymentReportError: Error, Equatable, Sendable {
    case outsideJurisdiction
    case range

    public var chinese: String {
        switch self {
        case .outsideJurisdiction: return "所选地区不在您的辖区内"
        case .range: return "起止月份无效：起始月份不能晚于截止月份，且最多 \(PaymentReportQuery.maxMonths) 个月"
        }
    }
}

/// Payment reports by programme, sub-region and month, counted in SQL over the payrolls of the jurisdiction.
///
/// Above a township, a report covers the payrolls of the counties inside the region (the county of registration
/// pays [YC]): a city's rows are its counties, a county's rows are the townships its payees live in, a household
/// living in another district (一城通办) under that district's township. A township sees the payments to those
/// who live in it, whichever county pays them, by community.
public struct PaymentReports: Sendable {
    let db: any Database

    public init(_ db: any Database) { self.db = db }

    static let approved = [PayrollStatus.approved, .sent, .closed].map(\.rawValue)
    static let unpaid = [PayrollLineStatus.blocked.rawValue, PayrollLineStatus.carriedOver.rawValue]

    public func report(_ q: PaymentReportQuery, actor: Actor) async throws -> [PaymentReportRow] {
        guard actor.may(.viewPayments) else { throw DomainError.forbidden }
        guard actor.jurisdiction.contains(q.region) else { throw PaymentReportError.outsideJurisdiction }
        guard q.from <= q.to, q.from.months(to: q.to) < PaymentReportQuery.maxMonths else { throw PaymentReportError.range }
        let byCounty = q.region.level <= .county
        // The payrolls first (a small table, by month), so the lines are read through their payroll's index.
        // Approved payrolls only: one waiting for its second person pays nothing yet.
        var payrolls = db.sql.select().column("id").from("payrolls").where("status", .in, Self.approved)
            .where("month", .greaterThanOrEqual, q.from.description).where("month", .lessThanOrEqual, q.to.description)
        if byCounty { payrolls = payrolls.within(q.region, column: "county_region") }
        if let program = q.program { payrolls = payrolls.where("program", .equal, program.rawValue) }
        let ids = try await payrolls.all().map { try $0.decode(column: "id", as: UUID.self) }
        guard !ids.isEmpty else { return [] }

        let childDigits = q.region.level.child?.significantDigits ?? 12
        // A city's rows are the paying counties; below, where the payees live.
        let areaColumn = q.region.level < .county ? "p.county_region" : "l.residence_region"
        let area = "substr(\(areaColumn), 1, \(childDigits))"
        let residence = byCounty ? "" : " AND " + Jurisdiction.literalCondition(q.region, column: "l.residence_region")
        let from = "FROM payroll_lines l JOIN payrolls p ON p.id = l.payroll_id"
        // The payroll IDs are bound (each database stores a UUID its own way); the rest is fixed text.
        let condition: SQLQueryString = """
            WHERE l.payroll_id IN (\(binds: ids)) AND l.status NOT IN ('\(unsafeRaw: Self.unpaid.joined(separator: "','"))')\(unsafeRaw: residence)
            """
        let paid = PayrollLineStatus.paid.rawValue
        let money = try await db.sql.raw("""
            SELECT p.month AS month, p.program AS program, \(unsafeRaw: area) AS area, COUNT(DISTINCT l.household_id) AS households, COUNT(*) AS n,
            CAST(SUM(l.net_cents) AS BIGINT) AS cents, CAST(SUM(CASE WHEN l.status = \(bind: paid) THEN l.net_cents ELSE 0 END) AS BIGINT) AS confirmed
            \(unsafeRaw: from) \(condition) GROUP BY p.month, p.program, \(unsafeRaw: area)
            """).all()
        // Persons in a query of their own: joining members multiplies the lines, which would multiply the money.
        let persons = try await db.sql.raw("""
            SELECT p.month AS month, p.program AS program, \(unsafeRaw: area) AS area, COUNT(DISTINCT m.id) AS persons
            \(unsafeRaw: from) LEFT JOIN enrolments e ON e.id = l.enrolment_id
            JOIN members m ON m.household_id = l.household_id AND (e.member_id IS NULL OR m.id = e.member_id) \(condition)
            GROUP BY p.month, p.program, \(unsafeRaw: area)
            """).all()
        struct Key: Hashable { var month: String, program: String, area: String }
        func key(_ r: any SQLRow) throws -> Key {
            Key(month: try r.decode(column: "month", as: String.self), program: try r.decode(column: "program", as: String.self),
                area: try r.decode(column: "area", as: String.self))
        }
        var personCount: [Key: Int] = [:]
        for r in persons { personCount[try key(r)] = try r.decode(column: "persons", as: Int.self) }
        return try money.map { r in
            let k = try key(r)
            return PaymentReportRow(month: try PayMonth(k.month), program: Program(rawValue: k.program) ?? .dibao,
                                    area: k.area.padding(toLength: 12, withPad: "0", startingAt: 0),
                                    households: try r.decode(column: "households", as: Int.self), persons: personCount[k] ?? 0,
                                    lines: try r.decode(column: "n", as: Int.self), cents: try r.decode(column: "cents", as: Int64?.self) ?? 0,
                                    confirmedCents: try r.decode(column: "confirmed", as: Int64?.self) ?? 0)
        }.sorted { ($0.month, $0.program.rawValue, $0.area) < ($1.month, $1.program.rawValue, $1.area) }
    }
}
