/// Enums whose cases have a Chinese label for pages: every code a person sees (relations, programmes, roles,
/// warning kinds, income kinds…) is shown by this label, never by its raw value.
public protocol ChineseLabelled: RawRepresentable, CaseIterable, Sendable, Codable where RawValue == String {
    var chinese: String { get }
}
