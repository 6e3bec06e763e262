import Foundation

/// The Chinese name of each policy parameter (`Resources/policy/parameter-names.json`), so that an explanation
/// says "低保标准", not `dibaoStandard`. Data, like the parameters: a city that adds a parameter names it there.
public enum ParameterNames {
    struct File: Decodable { let names: [String: String] }

    public static let bundled: [String: String] = {
        guard let data = try? BundledData.data("policy/parameter-names", "json"),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [:] }
        return file.names
    }()

    /// The Chinese name; a parameter a city added without naming it shows as "参数 key" rather than not at all.
    public static func chinese(_ name: String) -> String { bundled[name] ?? "参数 \(name)" }

    /// A value as a person reads it: income kinds and disability categories by their Chinese names.
    public static func chinese(_ value: ParameterValue) -> String {
        switch value {
        case .names(let n): return n.map { IncomeKind(rawValue: $0)?.chinese ?? ExpenditureKind(rawValue: $0)?.chinese ?? $0 }.joined(separator: "、")
        case .grades(let g):
            return g.sorted { $0.key < $1.key }.map { "\(DisabilityCategory(rawValue: $0.key)?.chinese ?? $0.key)\($0.value)级及以上" }.joined(separator: "、")
        case .multipleOf(let n, let r): return "\(chinese(n)) × \(r)"
        default: return value.description
        }
    }
}
