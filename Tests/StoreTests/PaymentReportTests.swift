import Domain
import Foundation
import SQLKit
import Store
import Testing

/// The payment report counts what the payrolls paid, by month, programme and sub-region: households, persons (a
/// household programme covers every member, a personal one the person), the amount and what the bank confirmed.
/// The blocked and the carried over are not counted; the jurisdiction bounds what may be asked.
@Suite struct PaymentReportTests {
    @Test func theReportCountsWhatWasPaidByMonthProgrammeAndSubRegion() async throws {
        try await Fixture.with(households: 200) { f in
            let s = try await PayrollStoreTests.setting(f, count: 12)
            let unbanked = s.enrolments[0]
            try await PayrollStoreTests.bank(s, s.enrolments.dropFirst().map(\.payee))
            // a personal programme for one member of a household of several: the member is the payee
            let family = try #require(try await s.sql.raw("""
                SELECT m.household_id AS household, m.id AS member, h.residence_region AS residence FROM members m JOIN households h ON h.id = m.household_id
                WHERE m.relation <> 'head' AND h.registered_region >= \(bind: s.county.subtreeRange.lowerBound)
                AND h.registered_region <= \(bind: s.county.subtreeRange.upperBound) ORDER BY m.id LIMIT 1
                """).first())
            let member = try family.decode(column: "member", as: UUID.self)
            try await s.sql.insert(into: "enrolments").columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
                .values(SQLBind(UUID()), SQLBind(try family.decode(column: "household", as: UUID.self)), SQLBind(member),
                        SQLBind(try family.decode(column: "residence", as: String.self)), SQLBind("tekun"), SQLBind("2025-01-01"), SQLBind(Int64(120_000)),
                        SQLBind("active")).run()
            try await PayrollStoreTests.bank(s, [member])

            let november = try PayMonth("2026-11"), december = PayrollStoreTests.december
            var payrolls: [PayMonth: UUID] = [:]
            var carried: PayrollLineView?
            for month in [november, december] {
                for program in [Program.dibao, .tekun] {
                    let run = try await s.payrolls.prepare(county: s.county, program: program, month: month, actor: s.maker)
                    _ = try await s.payrolls.approve(run.payroll.id, actor: s.checker)
                    guard program == .dibao else { continue }
                    payrolls[month] = run.payroll.id
                    guard month == november else { continue }
                    // November: the bank paid every line but one, which failed and was carried over to December
                    let lines = try await s.payrolls.lines(run.payroll.id, actor: s.maker, limit: 1_000).items.filter { $0.block == nil }
                    let failed = try #require(lines.last)
                    carried = failed
                    try await s.sql.update("payroll_lines").set("status", to: "paid").where("payroll_id", .equal, run.payroll.id)
                        .where("status", .equal, "pending").run()
                    try await s.sql.update("payroll_lines").set("status", to: "failed").where("id", .equal, failed.id).run()
                    try await s.payrolls.carryOver(line: failed.id, reason: "账户已销户", actor: s.maker)
                }
            }
            let carriedLine = try #require(carried)

            let reports = PaymentReports(f.scratch.db)
            let county = try await reports.report(PaymentReportQuery(from: november, to: december, program: .dibao, region: s.county), actor: s.maker)
            // what each month's lines say, counted here from the lines themselves
            for month in [november, december] {
                let rows = county.filter { $0.month == month }
                let lines = try await s.payrolls.lines(try #require(payrolls[month]), actor: s.maker, limit: 1_000).items
                let counted = lines.filter { $0.block == nil && $0.status != .carriedOver }
                #expect(rows.allSatisfy { $0.program == .dibao && (try? RegionCode($0.area))?.level == .township })
                #expect(rows.reduce(0) { $0 + $1.households } == Set(counted.map(\.householdID)).count)
                #expect(rows.reduce(Int64(0)) { $0 + $1.cents } == counted.reduce(Int64(0)) { $0 + $1.netCents })
                #expect(rows.reduce(0) { $0 + $1.lines } == counted.count)
                // the unbanked is not counted
                #expect(!counted.contains { $0.enrolmentID == unbanked.id })
                // every member of a household paid under dibao
                var persons = 0
                for h in Set(counted.map(\.householdID)) {
                    persons += try await s.sql.select().column("id").from("members").where("household_id", .equal, h).all().count
                }
                #expect(rows.reduce(0) { $0 + $1.persons } == persons)
                // each township's row: the lines of payees living in it
                for row in rows {
                    let there = counted.filter { $0.residenceRegion.hasPrefix(String(row.area.prefix(9))) }
                    #expect(row.cents == there.reduce(Int64(0)) { $0 + $1.netCents })
                }
                let confirmed = rows.reduce(Int64(0)) { $0 + $1.confirmedCents }
                #expect(confirmed == (month == november ? counted.reduce(Int64(0)) { $0 + $1.netCents } : 0))
            }
            // December pays the carried-over month as arrears: counted there, once
            let december2 = try await s.payrolls.lines(try #require(payrolls[december]), actor: s.maker, limit: 1_000).items
            #expect(december2.contains { $0.enrolmentID == carriedLine.enrolmentID && $0.arrearsMonths == [november] })

            // a payroll waiting for its second person pays nothing yet
            let january = try PayMonth("2027-01")
            #expect(try await s.payrolls.prepare(county: s.county, program: .dibao, month: january, actor: s.maker).payroll.status == .prepared)
            #expect(try await reports.report(PaymentReportQuery(from: january, to: january, program: nil, region: s.county), actor: s.maker).isEmpty)

            // a personal programme counts the person, not the household
            let tekun = try await reports.report(PaymentReportQuery(from: december, to: december, program: .tekun, region: s.county), actor: s.maker)
            #expect(tekun.count == 1 && tekun[0].persons == 1 && tekun[0].households == 1 && tekun[0].cents == 120_000)
            // all programmes: both
            let all = try await reports.report(PaymentReportQuery(from: december, to: december, program: nil, region: s.county), actor: s.maker)
            #expect(Set(all.map(\.program)) == [.dibao, .tekun])

            // the city's rows are its counties
            let cityActor = f.actor(.cityAdmin, f.city.city.code)
            let city = try await reports.report(PaymentReportQuery(from: december, to: december, program: .dibao, region: f.city.city.code), actor: cityActor)
            #expect(city.map(\.area) == [s.county.value])
            #expect(city.first?.cents == county.filter { $0.month == december }.reduce(Int64(0)) { $0 + $1.cents })

            // a township sees those living in it, by community; it may not ask for its county
            let township = try #require(try RegionCode(try #require(county.first { $0.month == december }).area))
            let officer = f.actor(.townshipOfficer, township)
            let own = try await reports.report(PaymentReportQuery(from: december, to: december, program: .dibao, region: township), actor: officer)
            #expect(!own.isEmpty && own.allSatisfy { (try? RegionCode($0.area))?.level == .village && township.contains(try! RegionCode($0.area)) })
            #expect(own.reduce(Int64(0)) { $0 + $1.cents } == county.first { $0.month == december && $0.area == township.value }?.cents)
            await #expect(throws: PaymentReportError.outsideJurisdiction) {
                _ = try await reports.report(PaymentReportQuery(from: december, to: december, program: nil, region: s.county), actor: officer)
            }
            // a coordinator does not see payments; a range backwards or over three years is refused
            await #expect(throws: DomainError.forbidden) {
                _ = try await reports.report(PaymentReportQuery(from: december, to: december, program: nil, region: township), actor: f.actor(.coordinator, township))
            }
            await #expect(throws: PaymentReportError.range) {
                _ = try await reports.report(PaymentReportQuery(from: december, to: november, program: nil, region: s.county), actor: s.maker)
            }
            await #expect(throws: PaymentReportError.range) {
                _ = try await reports.report(PaymentReportQuery(from: try PayMonth("2023-12"), to: december, program: nil, region: s.county), actor: s.maker)
            }
            #expect(try await reports.report(PaymentReportQuery(from: try PayMonth("2024-01"), to: december, program: nil, region: s.county), actor: s.maker).count
                    == all.count + county.filter { $0.month == november }.count + 1)
        }
    }
}
