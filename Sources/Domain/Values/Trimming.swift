import Foundation

extension String {
    /// Leading and trailing white space (incl. the ideographic space) removed. Most values from data
    /// files have none, and Foundation's `trimmingCharacters` goes through NSString on Linux, which
    /// showed up as a tenth of an import's time; so the common case costs two scalar checks.
    public var trimmed: String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        guard first.properties.isWhitespace || last.properties.isWhitespace else { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
