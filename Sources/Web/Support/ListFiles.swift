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

    /// "导出：CSV · Excel" for a list, with the links built from its current filter.
    static func links(_ url: @escaping (Format) -> String) -> Node<HTML.BodyContext> {
        .p(.class("exports muted"), .text("导出本次结果："), .a(.href(url(.csv)), .text("CSV")), .text(" · "), .a(.href(url(.xlsx)), .text("Excel")))
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

    /// The download, written to the audit log as an export (what, how many rows).
    static func download(_ req: Request, _ format: Format, name: String, asciiName: String, header: [String], rows: [[String]]) async throws -> Response {
        try await AuditLog(req.db).record(actor: try req.actor(), action: .exportList, targetKind: "list", targetID: asciiName,
                                          detail: "导出\(name)（\(format == .csv ? "CSV" : "Excel")，\(rows.count) 行）")
        return try response(format, name: name, asciiName: asciiName, header: header, rows: rows)
    }

    /// The download for `format`, named in Chinese (with an ASCII name for older clients).
    static func response(_ format: Format, name: String, asciiName: String, header: [String], rows: [[String]]) throws -> Response {
        switch format {
        case .csv:
            return Layout.csvDownload(CSVFile.text(header: header, rows: rows), name: name + ".csv", asciiName: asciiName + ".csv")
        case .xlsx:
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .contentType, value: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            headers.replaceOrAdd(name: .contentDisposition, value: Layout.attachment(name: name + ".xlsx", asciiName: asciiName + ".xlsx"))
            return Response(status: .ok, headers: headers, body: .init(data: try XLSXFile.data(sheet: name, header: header, rows: rows)))
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
