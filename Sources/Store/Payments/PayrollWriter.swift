import Domain
import FluentKit
import Foundation
import SQLKit

/// One page of a payroll's lines, with the months and one-offs they pay and the recoveries they deduct, in one
/// transaction. A month or one-off already paid by any payroll is refused by its unique key, and the whole page
/// with it: nothing is ever paid twice.
enum PayrollWriter {
    typealias C = BulkJSON.Column

    static let lineColumns = [
        C(name: "id", source: .row(0), type: "uuid"), C(name: "payroll_id", source: .row(1), type: "uuid"), C(name: "reference", source: .row(2), type: "text"),
        C(name: "enrolment_id", source: .row(3), type: "uuid"), C(name: "one_off_key", source: .row(4), type: "text"),
        C(name: "household_id", source: .row(5), type: "uuid"), C(name: "payee_id", source: .row(6), type: "uuid"),
        C(name: "account_id", source: .row(7), type: "uuid"), C(name: "residence_region", source: .row(8), type: "text"),
        C(name: "program", source: .row(9), type: "text"), C(name: "month", source: .row(10), type: "text"),
        C(name: "due_cents", source: .row(11), type: "bigint"), C(name: "arrears_months", source: .row(12), type: "text"),
        C(name: "arrears_cents", source: .row(13), type: "bigint"), C(name: "one_off_cents", source: .row(14), type: "bigint"),
        C(name: "deduction_cents", source: .row(15), type: "bigint"), C(name: "net_cents", source: .row(16), type: "bigint"),
        C(name: "block", source: .row(17), type: "text"), C(name: "from_reserve_fund", source: .row(18), type: "boolean"),
        C(name: "status", source: .row(19), type: "text"),
    ]
    static let monthColumns = [C(name: "enrolment_id", source: .row(0), type: "uuid"), C(name: "month", source: .row(1), type: "text"),
                               C(name: "line_id", source: .row(2), type: "uuid")]
    static let oneOffColumns = [C(name: "key", source: .row(0), type: "text"), C(name: "line_id", source: .row(1), type: "uuid")]
    static let deductionColumns = [C(name: "recovery_id", source: .row(0), type: "uuid"), C(name: "line_id", source: .row(1), type: "uuid"),
                                   C(name: "cents", source: .row(2), type: "bigint")]

    static func write(_ lines: [(PayrollLineDraft, PayrollReader.Context)], payroll: UUID, db: any Database) async throws {
        guard !lines.isEmpty else { return }
        var lineRows: [[BulkJSON.Value]] = [], months: [[BulkJSON.Value]] = [], oneOffs: [[BulkJSON.Value]] = [], deductions: [[BulkJSON.Value]] = []
        lineRows.reserveCapacity(lines.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (draft, context) in lines {
            let id = timeOrderedID()
            var enrolment: BulkJSON.Value = .null, key: BulkJSON.Value = .null
            switch draft.source {
            case .enrolment(let e):
                enrolment = .of(e)
                for m in draft.paidMonths { months.append([.of(e), .text(m.description), .of(id)]) }
            case .oneOff(let k):
                key = .text(k)
                if draft.block == nil { oneOffs.append([.text(k), .of(id)]) }
            }
            for d in draft.deductions { deductions.append([.of(d.recoveryID), .of(id), .int(d.cents)]) }
            let block: BulkJSON.Value = try draft.block.map { .text(String(decoding: try encoder.encode($0), as: UTF8.self)) } ?? .null
            lineRows.append([
                .of(id), .of(payroll), .text(reference()), enrolment, key, .of(draft.householdID), draft.payeeID.map(BulkJSON.Value.of) ?? .null,
                context.accountID.map(BulkJSON.Value.of) ?? .null, .text(context.residence), .text(draft.program.rawValue), .text(draft.month.description),
                .int(draft.dueCents), .text(draft.arrearsMonths.map(\.description).joined(separator: ",")), .int(draft.arrearsCents), .int(draft.oneOffCents),
                .int(draft.deductions.reduce(0) { $0 + $1.cents }), .int(draft.netCents), block, .int(draft.fromReserveFund ? 1 : 0),
                .text((draft.block == nil ? PayrollLineStatus.pending : .blocked).rawValue),
            ])
        }
        let (l, m, o, d) = (lineRows, months, oneOffs, deductions)
        try await db.writeTransaction { tx in
            let sql = tx.sql
            // A page's commit does not wait for its WAL to reach disk: a hundred pages a payroll would wait a hundred
            // times. Safe here: a database crash can lose only the last pages, whole (the run resumes after what is
            // there, so nothing is paid twice), and the payroll is marked prepared by a normal commit, which flushes
            // every page before it.
            if BulkCopy.isAvailable(sql) { try await sql.raw("SET LOCAL synchronous_commit TO OFF").run() }
            for (table, columns, rows) in [("payroll_lines", lineColumns, l), ("paid_months", monthColumns, m), ("paid_one_offs", oneOffColumns, o),
                                           ("payroll_deductions", deductionColumns, d)] where !rows.isEmpty {
                if BulkCopy.isAvailable(sql) {
                    try await BulkCopy.copy(sql, into: table, columns, rows: rows)
                } else {
                    try await BulkJSON.insert(sql, into: table, columns, rows: rows, insideTransaction: true)
                }
            }
        }
    }

    /// The line's reference for the bank and its return: "L", the time in 7 characters of Crockford base 32, then 10
    /// random ones (50 bits; the unique index refuses the rare repeat, with its page, and the run goes on when it is
    /// run again). Leading with the time keeps a run's new keys together at the end of the index, not scattered
    /// through it.
    static func reference() -> String {
        var out = "L"
        var t = UInt64(Date().timeIntervalSince1970)
        var time: [Character] = []
        for _ in 0..<7 { time.append(CaseCodes.alphabet[Int(t & 31)]); t >>= 5 }
        out.append(contentsOf: time.reversed())
        var n = UInt64.random(in: 0..<(1 << 50))
        for _ in 0..<10 { out.append(CaseCodes.alphabet[Int(n & 31)]); n >>= 5 }
        return out
    }

    /// A row ID that starts with the time in milliseconds (as UUID version 7 does): a million new lines go to the end
    /// of the primary key's index rather than all over it.
    static func timeOrderedID() -> UUID {
        var b = [UInt8](repeating: 0, count: 16)
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        for i in 0..<6 { b[i] = UInt8((ms >> (8 * (5 - UInt64(i)))) & 0xFF) }
        var r = SystemRandomNumberGenerator()
        for i in 6..<16 { b[i] = UInt8.random(in: 0...255, using: &r) }
        b[6] = (b[6] & 0x0F) | 0x70
        b[8] = (b[8] & 0x3F) | 0x80
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}
