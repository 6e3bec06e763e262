import Foundation

/// A feed file as rows, whatever its format: the header first, then the data rows, each numbered as a
/// person sees it (CSV: line 1 is the header; JSON lines: line 1 is the first record; XLSX: the sheet's
/// row numbers). The importer and the parser never need to know which format it was.
public struct FeedRowReader {
    enum Source {
        case csv(CSVReader)
        case jsonLines(CSVReader, headers: [String])
        case table([CSVReader.Row], position: Int)
    }

    private var source: Source
    private var headerSent = false

    public init(path: String, spec: FeedSpec) throws(FeedError) {
        switch spec.format {
        case .csv: source = .csv(try CSVReader(path: path, encoding: spec.encoding))
        case .jsonl:
            let headers = spec.columns.map(\.header) + (spec.kindColumn.map { [$0] } ?? [])
            source = .jsonLines(try CSVReader.lines(path: path, encoding: spec.encoding), headers: headers)
        case .xlsx:
            var rows = try XLSXReader.rows(path: path)
            // Excel keeps dates as day numbers; date columns are turned back into YYYY-MM-DD.
            if let header = rows.first?.fields {
                let dateColumns = Set(spec.columns.filter { $0.type == .date }.compactMap { c in header.firstIndex(of: c.header) })
                for r in rows.indices.dropFirst() where !dateColumns.isEmpty {
                    var fields = rows[r].fields
                    for i in dateColumns where i < fields.count { fields[i] = XLSXReader.date(fromSerial: fields[i]) ?? fields[i] }
                    rows[r] = CSVReader.Row(number: rows[r].number, fields: fields)
                }
            }
            source = .table(rows, position: 0)
        }
    }

    /// The line where bytes could not be decoded in the file's encoding, if any.
    public var undecodable: Int? {
        switch source {
        case .csv(let r), .jsonLines(let r, _): return r.undecodable
        case .table: return nil
        }
    }

    public mutating func next() -> CSVReader.Row? {
        switch source {
        case .csv(var r):
            let row = r.next()
            source = .csv(r)
            return row
        case .jsonLines(var r, let headers):
            if !headerSent {
                headerSent = true
                return CSVReader.Row(number: 0, fields: headers)
            }
            let line = r.next()
            source = .jsonLines(r, headers: headers)
            return line.map { Self.jsonRow($0, headers: headers) }
        case .table(let rows, let position):
            guard position < rows.count else { return nil }
            source = .table(rows, position: position + 1)
            return rows[position]
        }
    }

    /// One JSON object per line; each header is a key. Numbers and booleans are taken as written.
    static func jsonRow(_ line: CSVReader.Row, headers: [String]) -> CSVReader.Row {
        let text = line.fields.joined()
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            return CSVReader.Row(number: line.number, fields: headers.map { _ in "" }, problem: "不是有效的 JSON 对象")
        }
        let fields = headers.map { h -> String in
            switch object[h] {
            case let s as String: return s
            case let n as NSNumber: return n.stringValue
            default: return ""
            }
        }
        return CSVReader.Row(number: line.number, fields: fields)
    }
}
