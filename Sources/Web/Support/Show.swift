import Domain
import Foundation
import Plot
import Store

/// How every page shows a time, a date, a region, an ID number and a user: one helper each, so that no page
/// invents its own format (`PageConventionTests` crawls every page as every role and fails on a bypass).
enum Show {
    /// Beijing time, to the minute: "2026-12-06 15:04". Staff work in Beijing time; the store keeps UTC.
    static func time(_ instant: Date) -> String {
        let seconds = Int(instant.timeIntervalSince1970.rounded(.down)) + TimeZone.china.secondsFromGMT(for: instant)
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return "\(LocalDate(instant, timeZone: .china)) \(two(secondOfDay / 3_600)):\(two(secondOfDay / 60 % 60))"
    }

    /// A stored timestamp ("2026-12-06T07:04:11.123Z", with or without the fraction) in Beijing time. Text that
    /// is not a timestamp comes back as it was, so a malformed value is seen rather than hidden.
    static func time(_ stored: String) -> String {
        Timestamp.date(stored).map(time) ?? stored
    }

    static func time(_ stored: String?) -> String { stored.map { time($0) } ?? "" }

    /// A calendar date: "2026-12-06" (the form a date input takes, so a typed date reads back the same).
    static func date(_ d: LocalDate) -> String { d.description }
    static func date(_ d: LocalDate?) -> String { d.map(date) ?? "" }

    /// A region by its name, with the code on hover for staff who need it.
    static func region(_ code: String, name: String?) -> Node<HTML.BodyContext> {
        .span(.class("region"), .attribute(named: "title", value: code), .text(name ?? "未知区域"))
    }
    static func region(_ r: Region) -> Node<HTML.BodyContext> { region(r.code.value, name: r.name) }

    /// Free text that may name regions by code (an audit entry's detail, written when it happened): each code
    /// is shown as its name with the code in small print.
    static func textNamingRegions(_ text: String, names: [String: String]) -> Node<HTML.BodyContext> {
        var nodes: [Node<HTML.BodyContext>] = []
        var start = text.startIndex
        for r in codeRanges(text) {
            let code = String(text[r])
            nodes.append(.text(String(text[start..<r.lowerBound])))
            nodes.append(.group(.text(names[code] ?? regionName(code)), .small(.class("code"), .text("（\(code)）"))))
            start = r.upperBound
        }
        nodes.append(.text(String(text[start...])))
        return .group(nodes)
    }

    /// The 12-digit region codes in a text.
    static func regionCodes(in text: String) -> [String] { codeRanges(text).map { String(text[$0]) } }

    /// Runs of exactly twelve ASCII digits.
    private static func codeRanges(_ text: String) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var i = text.startIndex
        while i < text.endIndex {
            guard text[i].isASCII, text[i].isNumber else { i = text.index(after: i); continue }
            var j = i
            while j < text.endIndex, text[j].isASCII, text[j].isNumber { j = text.index(after: j) }
            if text.distance(from: i, to: j) == 12 { out.append(i..<j) }
            i = j
        }
        return out
    }

    /// The official name of a real region (the shipped reference data), for text that has only the code, such
    /// as the scope of a policy parameter. A code the reference does not know stays a code.
    static func regionName(_ code: String) -> String {
        (try? RegionCode(code)).flatMap { RegionReference.shared?[$0]?.name } ?? code
    }

    /// An ID number as every list shows it: the first six and the last four, eight stars between — whatever the
    /// length of what a department sent, so the mask does not tell a 17-character typo from a real number.
    static func maskedID(_ raw: String?) -> String {
        guard let raw, !raw.isEmpty else { return "（无）" }
        if let id = try? NationalID(raw) { return id.masked }
        let chars = Array(NationalID.normalise(raw))
        guard chars.count > 10 else { return String(repeating: "*", count: 8) }
        return String(chars.prefix(6)) + String(repeating: "*", count: 8) + String(chars.suffix(4))
    }

    /// A member of staff by name and role ("李娜（社区协理员）"), never by username.
    static func user(name: String, role: Role?) -> String {
        role.map { "\(name)（\($0.chinese)）" } ?? name
    }

    /// A username as stored beside a record, shown as the person: their name and role from the staff directory
    /// (`UserStore.directory`). "system" and command-line runs have no person behind them.
    static func user(_ username: String?, in directory: [String: StaffUser]) -> String {
        guard let username, !username.isEmpty else { return "" }
        if let u = directory[username] { return user(name: u.displayName, role: u.role) }
        if username.hasPrefix("cli") { return "命令行操作" }
        return ["system": "系统", "monitor": "系统（自动筛查）"][username] ?? username
    }
}
