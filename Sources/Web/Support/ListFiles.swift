import Domain
import Foundation
import Plot
import Store
import Vapor
import ZIPFoundation

/// A list as staff take it away: CSV for Excel, or an Excel workbook. Every list page offers both, built from
/// the same header and rows, so the two cannot disagree.
enum ListFile {
    enum Format: String { case csv, xlsx }

    /// The most rows one download holds, so that a download cannot hold the server's memory.
    static let rowLimit = 50_000

    /// The format a list's URL asks for (`format=csv` or `format=xlsx`), if any.
    static func requested(_ req: Request) -> Format? { req.query[String.self, at: "format"].flatMap(Format.init(rawValue:)) }

    /// "导出本次结果" for a list: a small form (GET, so the file is a plain download) carrying the list's current
    /// filter, the purpose every export states, and a button per format. `url` gives the list's address for a format.
    static func links(_ url: @escaping (Format) -> String, formats: [Format] = [.csv, .xlsx]) -> Node<HTML.BodyContext> {
        let parts = URLComponents(string: url(.csv))
        let kept = (parts?.queryItems ?? []).filter { !["format", "page", "purpose", "note"].contains($0.name) }
        // Folded away: the list is what the page is for; exporting is the exception, and asks why.
        return .details(.class("exports"), .summary(.text("导出本次结果（CSV / Excel）")), .form(.method(.get), .action(parts?.path ?? ""),
            .group(kept.map { .input(.type(.hidden), .name($0.name), .value(Layout.attr($0.value ?? ""))) }),
            purposeFields(label: "用途（写入文件首行和审计日志）"),
            .div(.class("buttons"), .group(formats.map { f in
                .button(.type(.submit), .name("format"), .value(f.rawValue), .text(f == .csv ? "下载 CSV" : "下载 Excel"))
            }))))
    }

    /// The purpose every export states, and a note (required for "other"); what was typed is kept on an error.
    static func purposeFields(label: String = "用途", purpose: String? = nil, note: String? = nil) -> Node<HTML.FormContext> {
        .group(
            .label(.text(label),
                   .select(.attribute(named: "name", value: "purpose"), .attribute(named: "required", value: "required"),
                           Layout.option("", "请选择…", selected: purpose == nil),
                           .group(ExportPurpose.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0.rawValue == purpose) }))),
            .input(.type(.text), .name("note"), .value(Layout.attr(note ?? "")), .attribute(named: "placeholder", value: "说明（用途为“其他”时必填）"),
                   .attribute(named: "aria-label", value: "用途说明"), .attribute(named: "maxlength", value: String(ExportReason.maxNote))))
    }

    /// The purpose a download states (`purpose`, `note` in its query); a download without one is refused.
    static func purpose(_ req: Request) throws -> ExportReason {
        switch ExportReason.parse(purpose: req.query[String.self, at: "purpose"], note: req.query[String.self, at: "note"]) {
        case .success(let reason): return reason
        case .failure(let problem): throw Abort(.badRequest, reason: "导出须说明用途：\(problem.description)")
        }
    }

    /// The first line of a file exported now by the request's user for `purpose`.
    static func stamp(_ req: Request, _ purpose: ExportReason) throws -> String {
        guard let user = req.staff else { throw Abort(.unauthorized) }
        return ExportStamp.text(name: user.displayName, username: user.username, at: req.application.now, purpose: purpose)
    }

    /// Rows of a list read a batch at a time (a store reads each batch with one `IN (…)` of ids, which databases
    /// bound), up to `rowLimit`.
    static func collect<T>(_ batch: (_ offset: Int, _ limit: Int) async throws -> [T]) async throws -> [T] {
        let size = 500
        var out: [T] = []
        while out.count < rowLimit {
            let next = try await batch(out.count, min(size, rowLimit - out.count))
            out += next
            if next.count < size { break }
        }
        return out
    }

    /// The download, for the purpose the request states, stamped and written to the audit log as an export
    /// (what, how many rows, why).
    static func download(_ req: Request, _ format: Format, name: String, asciiName: String, header: [String], rows: [[String]]) async throws -> Response {
        let purpose = try Self.purpose(req)
        try await AuditLog(req.db).record(actor: try req.actor(), action: .exportList, targetKind: "list", targetID: asciiName,
                                          detail: "导出\(name)（\(format == .csv ? "CSV" : "Excel")，\(rows.count) 行），用途：\(purpose.logged)")
        return try response(format, name: name, asciiName: asciiName, stamp: try stamp(req, purpose), header: header, rows: rows)
    }

    /// The download for `format`, named in Chinese (with an ASCII name for older clients); its first row is `stamp`.
    static func response(_ format: Format, name: String, asciiName: String, stamp: String, header: [String], rows: [[String]]) throws -> Response {
        // The stamp is the file's first row, above the list's own header.
        let (first, body) = ([stamp], [header] + rows)
        switch format {
        case .csv:
            return Layout.csvDownload(CSVFile.text(header: first, rows: body), name: name + ".csv", asciiName: asciiName + ".csv")
        case .xlsx:
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            headers.replaceOrAdd(name: .contentDisposition, value: Layout.attachment(name: name + ".xlsx", asciiName: asciiName + ".xlsx"))
            return Response(status: .ok, headers: headers, body: .init(data: try XLSXFile.data(sheet: name, header: first, rows: body)))
        }
    }
}

/// Lists leave as CSV that Excel opens as it should: UTF-8 with a byte-order mark (without it Excel in a
/// Chinese locale reads GB18030 and shows mojibake), each field as `CSVWriter` writes it (long digits kept whole,
/// formulas neutralised, quoted where needed).
enum CSVFile {
    static func text(header: [String], rows: [[String]]) -> String {
        var out = "\u{FEFF}"
        for line in [header] + rows { out += CSVWriter.line(line) }
        return out
    }
}

/// One worksheet, every cell text (`inlineStr`): an ID number or a code stays exactly as written, where Excel
/// would turn the same digits in a CSV into 1.20104E+17. The ZIP container is ZIPFoundation's.
enum XLSXFile {
    static func data(sheet: String, header: [String], rows: [[String]]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        let files: [(String, String)] = [
            ("[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>
            """),
            ("_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """),
            ("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="\(escape(sheetName(sheet)))" sheetId="1" r:id="rId1"/></sheets></workbook>
            """),
            ("xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>
            """),
            ("xl/worksheets/sheet1.xml", worksheet([header] + rows)),
        ]
        for (path, text) in files {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        guard let data = archive.data else { throw Abort(.internalServerError) }
        return data
    }

    static func worksheet(_ rows: [[String]]) -> String {
        var out = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (r, row) in rows.enumerated() {
            out += "<row r=\"\(r + 1)\">"
            for (c, value) in row.enumerated() {
                out += "<c r=\"\(column(c))\(r + 1)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(value))</t></is></c>"
            }
            out += "</row>"
        }
        return out + "</sheetData></worksheet>"
    }

    /// A, B, … Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var n = index + 1, s = ""
        while n > 0 { let r = (n - 1) % 26; s = String(UnicodeScalar(UInt8(65 + r))) + s; n = (n - 1) / 26 }
        return s
    }

    /// XML text; characters XML 1.0 cannot carry (control characters from a department's file) are dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default: if u.value >= 0x20 && u.value != 0xFFFE && u.value != 0xFFFF { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// Excel's sheet names: at most 31 characters, none of []:*?/\
    static func sheetName(_ s: String) -> String {
        String(s.filter { !"[]:*?/\\".contains($0) }.prefix(31))
    }
}
