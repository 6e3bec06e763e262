import Foundation

/// JSON as the store keeps it (a snapshot, an assessment, a step's record): keys sorted, so the same value is always
/// the same text.
public enum StoredJSON {
    public static func text(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
