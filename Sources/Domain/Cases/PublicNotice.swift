import Foundation

/// What a public notice (公示) and the approval list (公告) may show of a household: the name masked, the household's
/// size, the programme and the amount, with the dates. Never the ID number, the address or anything of health
/// [DB 19; privacy].
public enum PublicNotice {
    /// 张明 → 张*, 张小明 → 张*明, 欧阳小明 → 欧**明: the family name and, past two characters, the last character.
    public static func mask(_ name: String) -> String {
        let chars = Array(name.trimmingCharacters(in: .whitespaces))
        switch chars.count {
        case 0: return "*"
        case 1: return "*"
        case 2: return String(chars[0]) + "*"
        default: return String(chars[0]) + String(repeating: "*", count: chars.count - 2) + String(chars[chars.count - 1])
        }
    }
}
