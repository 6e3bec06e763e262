import Domain
import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix
import SQLKit

extension Database {
    var sql: any SQLDatabase { self as! any SQLDatabase }
}

/// Timestamps are stored as ISO 8601 text in UTC, which sorts and reads the same on SQLite and PostgreSQL.
public enum Timestamp {
    /// UTC with milliseconds, as `ISO8601DateFormatter` with internet date-time and fractional seconds writes it
    /// ("2026-12-02T08:13:32.123Z", tested against it). Built by hand: every import batch and screening batch
    /// stamps its rows, and creating Foundation's formatter took longer than writing the batch.
    static func text(_ d: Date) -> String {
        // To the nearest millisecond, counted as Foundation counts (from 2001-01-01).
        let totalMs = Int64(((d.timeIntervalSinceReferenceDate + Date.timeIntervalBetween1970AndReferenceDate) * 1_000).rounded())
        let ms = Int(((totalMs % 1_000) + 1_000) % 1_000)
        let seconds = (totalMs - Int64(ms)) / 1_000
        let days = Int((seconds - ((seconds % 86_400) + 86_400) % 86_400) / 86_400)
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        let milliseconds = String(String(1_000 + ms).dropFirst())
        return "\(LocalDate(dayNumber: days))T\(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(milliseconds)Z"
    }

    /// A stored timestamp read back (with or without the fraction, which older rows and other writers omit).
    public static func date(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}
