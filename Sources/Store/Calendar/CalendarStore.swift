import Domain
import FluentKit
import Foundation
import SQLKit

/// The working calendar in use, shared by every copy of the monitoring setup: a year loaded while the server runs
/// is used at once by every deadline computed after it.
public final class CalendarCache: @unchecked Sendable {
    private let lock = NSLock()
    private var value: WorkingCalendar

    public init(_ calendar: WorkingCalendar) { value = calendar }

    public var current: WorkingCalendar {
        lock.lock()
        defer { lock.unlock() }
        return value
    }

    public func replace(with calendar: WorkingCalendar) {
        lock.lock()
        value = calendar
        lock.unlock()
    }
}

/// A year of holidays loaded after the package was built: the State Council publishes the next year's arrangement
/// each November or December, after the shipped `cn-holidays.json` was made.
public struct LoadedCalendarYear: Sendable, Equatable {
    public var year: Int
    public var holidays: Int
    public var adjustedWorkdays: Int
    public var source: String
    public var loadedBy: String
    public var loadedAt: Date
}

/// Holiday years loaded by a city administrator (`jiuzhu calendar load FILE`, or the calendar page), kept one row a
/// year so that loading a file again, or a corrected one, replaces the year rather than adding to it.
public struct CalendarStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    /// `base` (the shipped calendar) with every stored year loaded over it. A database not yet migrated has none.
    public func calendar(onto base: WorkingCalendar) async throws -> WorkingCalendar {
        guard try await tableExists() else { return base }
        var calendar = base
        for row in try await db.sql.select().columns("year", "days").from("calendar_years").orderBy("year").all() {
            let year = try row.decode(column: "year", as: Int.self)
            calendar = try calendar.loading(Data(try row.decode(column: "days", as: String.self).utf8), file: "calendar_years:\(year)").calendar
        }
        return calendar
    }

    /// Checks `json` against `current` and stores its years, all or nothing; the cache then holds the new calendar.
    /// Only a city administrator loads holidays: they are the city's working days for every statutory deadline.
    public func load(_ json: Data, file: String, into cache: CalendarCache, actor: Actor) async throws -> [Int] {
        guard actor.may(.manageCalendar) else { throw DomainError.forbidden }
        let (calendar, years) = try cache.current.loading(json, file: file)
        let now = Date()
        try await db.writeTransaction { tx in
            for y in years {
                try await tx.sql.delete(from: "calendar_years").where("year", .equal, y).run()
                try await tx.sql.insert(into: "calendar_years")
                    .columns("year", "days", "source", "loaded_by", "loaded_at")
                    .values(SQLBind(y), SQLBind(String(decoding: calendar.yearJSON(y), as: UTF8.self)), SQLBind(file), SQLBind(actor.username),
                            SQLBind(Timestamp.text(now)))
                    .run()
            }
            try await AuditLog(tx).record(actor: actor, action: .loadCalendar, targetKind: "calendar", targetID: years.map(String.init).joined(separator: ","),
                                          detail: "载入节假日安排：\(years.map { "\($0)年" }.joined(separator: "、"))（\(file)）", at: now)
        }
        cache.replace(with: calendar)
        return years
    }

    /// The years loaded so far, newest first.
    public func loaded() async throws -> [LoadedCalendarYear] {
        guard try await tableExists() else { return [] }
        return try await db.sql.select().columns("year", "days", "source", "loaded_by", "loaded_at").from("calendar_years").orderBy("year", .descending)
            .all().map { row in
                let days = try WorkingCalendar(json: Data(try row.decode(column: "days", as: String.self).utf8), file: "calendar_years")
                return LoadedCalendarYear(year: try row.decode(column: "year", as: Int.self), holidays: days.holidays.count,
                                          adjustedWorkdays: days.adjustedWorkdays.count, source: try row.decode(column: "source", as: String.self),
                                          loadedBy: try row.decode(column: "loaded_by", as: String.self),
                                          loadedAt: Timestamp.date(try row.decode(column: "loaded_at", as: String.self)) ?? .distantPast)
            }
    }

    func tableExists() async throws -> Bool {
        let sql = db.sql.dialect.name == "sqlite"
            ? "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'calendar_years'"
            : "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_name = 'calendar_years'"
        return try await db.sql.raw(SQLQueryString(sql)).first()?.decode(column: "n", as: Int.self) ?? 0 > 0
    }
}
