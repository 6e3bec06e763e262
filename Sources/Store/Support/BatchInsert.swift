import FluentKit
import SQLKit

extension SQLDatabase {
    /// Rows inserted a few hundred at a time: one statement per batch, each under the bind limits of SQLite and
    /// PostgreSQL.
    func insertRows(_ table: String, _ columns: [String], _ rows: [[any SQLExpression]], maxParameters: Int = 9_000) async throws {
        guard !rows.isEmpty else { return }
        let perBatch = max(1, maxParameters / columns.count)
        var start = 0
        while start < rows.count {
            let end = min(rows.count, start + perBatch)
            var b = insert(into: table).columns(columns)
            for row in rows[start..<end] { b = b.values(row) }
            try await b.run()
            start = end
        }
    }
}
