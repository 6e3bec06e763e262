import Domain
import FluentKit
import Foundation
import SQLKit

/// Writes CSV lines, quoting where needed.
public enum CSVWriter {
    public static func line(_ fields: [String]) -> String {
        fields.map(field).joined(separator: ",") + "\r\n"
    }

    /// One field as Excel (and WPS) should open it, written the same way in every CSV the product writes:
    /// - A long run of digits (an ID number, a region code, a bank reference) is written `="…"`: as a bare number Excel
    ///   shows 1.20104E+17 and keeps only 15 digits, so the saved file has lost the ID. The formula holds digits only.
    /// - Text that Excel would run as a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first: a name from a
    ///   department's file could be `=HYPERLINK(…)`) gets an apostrophe first (OWASP's CSV-injection rule). A plain
    ///   number such as -12.50 is left alone: it is no formula.
    /// - Then quoted where it holds a comma, a quote or a line break.
    public static func field(_ s: String) -> String {
        var f = s
        if f.utf8.count >= longDigits, f.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            f = "=\"" + f + "\""
        } else if let first = f.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first), !isPlainNumber(f) {
            f = "'" + f
        }
        return f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
    }

    /// Excel keeps 15 significant digits and shows 12 or more in scientific notation.
    static let longDigits = 12

    static func isPlainNumber(_ s: String) -> Bool {
        var body = Substring(s)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        return !body.isEmpty && parts.count <= 2 && parts.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }
}
