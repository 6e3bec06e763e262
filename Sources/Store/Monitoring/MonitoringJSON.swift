import Domain
import FluentKit
import Foundation
import SQLKit

/// A score's JSON as `JSONEncoder` with sorted keys writes it, built directly: every household's score is
/// written on every screening, and Foundation's encoder was a sixth of a full screening.
enum ScoreJSON {
    static func dimensions(_ score: HardshipScore) -> String {
        var out = "{"
        for (i, (d, v)) in score.byDimension.sorted(by: { $0.key.rawValue < $1.key.rawValue }).enumerated() {
            if i > 0 { out += "," }
            BulkJSON.appendQuoted(d.rawValue, to: &out)
            out += ":" + String(v)
        }
        return out + "}"
    }

    static func contributions(_ score: HardshipScore) -> String {
        var out = "["
        for (i, c) in score.contributions.enumerated() {
            if i > 0 { out += "," }
            out += "{\"code\":"
            BulkJSON.appendQuoted(c.code, to: &out)
            out += ",\"dimension\":"
            BulkJSON.appendQuoted(c.dimension.rawValue, to: &out)
            out += ",\"name\":"
            BulkJSON.appendQuoted(c.name, to: &out)
            out += ",\"points\":" + String(c.points) + "}"
        }
        return out + "]"
    }
}

/// A warning's evidence as JSON, built directly like `ScoreJSON`: every new or changed warning carries it, and
/// Foundation's encoder was a fifth of the screening that follows a 100,000-row feed. Keys sorted, absent
/// values left out, as `JSONEncoder` writes them; `JSONDecoder` reads it back to the same evidence (tested).
enum EvidenceJSON {
    static func encode(_ evidence: [Evidence]) -> String {
        var out = "["
        for (i, e) in evidence.enumerated() {
            out += i == 0 ? "{" : ",{"
            var first = true
            func field(_ name: String, _ value: String?) {
                guard let value else { return }
                out += first ? "\"" : ",\""
                first = false
                out += name + "\":"
                BulkJSON.appendQuoted(value, to: &out)
            }
            field("date", e.date?.description)
            field("department", e.department?.rawValue)
            field("factID", e.factID)
            field("key", e.key)
            field("reference", e.reference)
            field("text", e.text)
            out += "}"
        }
        return out + "]"
    }
}
