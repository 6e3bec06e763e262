import Domain
import FluentKit
import Foundation
import SQLKit

/// Which screenings the schedule says are due: each level's regions in the city whose last full screening
/// fell in an earlier period (a month, a quarter) than today.
public struct ScreeningPlan: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    public func due(_ schedules: [ScreeningSchedule], city: RegionCode, today: LocalDate) async throws -> [RegionCode] {
        var out: [RegionCode] = []
        for s in schedules {
            var regions: [RegionCode] = []
            if s.regionLevel <= city.level {
                regions = [city]
            } else {
                regions = try await db.sql.select().column("code").from("regions")
                    .within(city, column: "code")
                    .where("level", .equal, s.regionLevel.rawValue).orderBy("code").all()
                    .map { try RegionCode(try $0.decode(column: "code", as: String.self)) }
            }
            for region in regions {
                let last = try await db.sql.select().column("started_at").from("screenings").where("region", .equal, region.value)
                    .where("mode", .equal, ScreeningReport.Mode.full.rawValue).where("finished_at", .isNot, SQLLiteral.null)
                    .orderBy("started_at", .descending).limit(1).first()
                    .flatMap { Timestamp.date(try $0.decode(column: "started_at", as: String.self)) }
                    .map { LocalDate($0, timeZone: .china) }
                if s.isDue(lastRun: last, today: today), !out.contains(region) { out.append(region) }
            }
        }
        return out
    }
}
