import Foundation

/// At most `limit` requests per `window` for each key (a client's address), counted in fixed windows. Pure, with
/// the time passed in. Memory is bounded: past `maxKeys` the oldest windows are dropped, so a flood of addresses
/// cannot grow it without end.
public struct RateLimiter: Sendable {
    public let limit: Int
    public let window: TimeInterval
    public let maxKeys: Int
    private var counts: [String: (start: Date, count: Int)] = [:]

    public init(limit: Int, window: TimeInterval, maxKeys: Int = 50_000) {
        self.limit = limit
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Counts the request and says whether it is within the limit.
    public mutating func allow(_ key: String, now: Date) -> Bool {
        if counts.count >= maxKeys { counts = counts.filter { now.timeIntervalSince($0.value.start) < window } }
        if counts.count >= maxKeys { counts.removeAll(keepingCapacity: true) }
        var entry = counts[key] ?? (now, 0)
        if now.timeIntervalSince(entry.start) >= window { entry = (now, 0) }
        entry.count += 1
        counts[key] = entry
        return entry.count <= limit
    }

    /// Gives back a request counted by `allow` that turned out not to need counting (a sign-in that succeeded).
    public mutating func forgive(_ key: String) {
        guard var entry = counts[key], entry.count > 0 else { return }
        entry.count -= 1
        counts[key] = entry
    }
}
