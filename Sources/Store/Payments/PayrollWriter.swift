import Domain
import FluentKit
import Foundation
import NIOCore
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

    /// A page's rows for each table, made ready before its transaction (on PostgreSQL as COPY's text too), so that a
    /// page is made while the one before it is written.
    struct Page: Sendable {
        var tables: [(table: String, columns: [C], rows: [[BulkJSON.Value]], copy: ByteBuffer?)] = []
        var isEmpty: Bool { tables.isEmpty }
    }

    static func page(_ lines: [(PayrollLineDraft, PayrollReader.Context)], payroll: UUID, copy: Bool) throws -> Page {
        guard !lines.isEmpty else { return Page() }
        var lineRows: [[BulkJSON.Value]] = [], months: [[BulkJSON.Value]] = [], oneOffs: [[BulkJSON.Value]] = [], deductions: [[BulkJSON.Value]] = []
        lineRows.reserveCapacity(lines.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var random = SystemRandomNumberGenerator()
        for (draft, context) in lines {
            let id = timeOrderedID(&random)
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
                .of(id), .of(payroll), .text(reference(&random)), enrolment, key, .of(draft.householdID), draft.payeeID.map(BulkJSON.Value.of) ?? .null,
                context.accountID.map(BulkJSON.Value.of) ?? .null, .text(context.residence), .text(draft.program.rawValue), .text(draft.month.description),
                .int(draft.dueCents), .text(draft.arrearsMonths.map(\.description).joined(separator: ",")), .int(draft.arrearsCents), .int(draft.oneOffCents),
                .int(draft.deductions.reduce(0) { $0 + $1.cents }), .int(draft.netCents), block, .int(draft.fromReserveFund ? 1 : 0),
                .text((draft.block == nil ? PayrollLineStatus.pending : .blocked).rawValue),
            ])
        }
        var page = Page()
        for (table, columns, rows) in [("payroll_lines", lineColumns, lineRows), ("paid_months", monthColumns, months), ("paid_one_offs", oneOffColumns, oneOffs),
                                       ("payroll_deductions", deductionColumns, deductions)] where !rows.isEmpty {
            page.tables.append((table, columns, rows, copy ? BulkCopy.text(rows, columns) : nil))
        }
        return page
    }

    static func write(_ lines: [(PayrollLineDraft, PayrollReader.Context)], payroll: UUID, db: any Database) async throws {
        try await write(try page(lines, payroll: payroll, copy: BulkCopy.isAvailable(db.sql)), db: db)
    }

    static func write(_ page: Page, db: any Database) async throws {
        guard !page.isEmpty else { return }
        try await db.writeTransaction { tx in
            let sql = tx.sql
            // A page's commit does not wait for its WAL to reach disk: a hundred pages a payroll would wait a hundred
            // times. Safe here: a database crash can lose only the last pages, whole (the run resumes after what is
            // there, so nothing is paid twice), and the payroll is marked prepared by a normal commit, which flushes
            // every page before it.
            if BulkCopy.isAvailable(sql) { try await sql.raw("SET LOCAL synchronous_commit TO OFF").run() }
            for t in page.tables {
                if BulkCopy.isAvailable(sql) {
                    try await BulkCopy.copy(sql, into: t.table, t.columns.map(\.name), text: t.copy ?? BulkCopy.text(t.rows, t.columns))
                } else {
                    try await BulkJSON.insert(sql, into: t.table, t.columns, rows: t.rows, insideTransaction: true)
                }
            }
        }
    }

    /// The line's reference for the bank and its return: "L", the time in 7 characters of Crockford base 32, then 10
    /// random ones (50 bits; the unique index refuses the rare repeat, with its page, and the run goes on when it is
    /// run again). Leading with the time keeps a run's new keys together at the end of the index, not scattered
    /// through it. Written as bytes from one draw of the system's generator (each draw is a system call).
    static func reference(_ random: inout SystemRandomNumberGenerator) -> String {
        var t = UInt64(Date().timeIntervalSince1970)
        var n = random.next() & ((1 << 50) - 1)
        return String(unsafeUninitializedCapacity: 18) { out in
            out[0] = UInt8(ascii: "L")
            for i in stride(from: 7, through: 1, by: -1) { out[i] = alphabet[Int(t & 31)]; t >>= 5 }
            for i in 8..<18 { out[i] = alphabet[Int(n & 31)]; n >>= 5 }
            return 18
        }
    }

    static let alphabet = CaseCodes.alphabet.map { UInt8(ascii: $0.unicodeScalars.first!) }

    /// A row ID that starts with the time in milliseconds (as UUID version 7 does): a million new lines go to the end
    /// of the primary key's index rather than all over it. Its 74 random bits come from two draws of the system's
    /// generator (a draw per byte took 3.8 s a million).
    static func timeOrderedID(_ random: inout SystemRandomNumberGenerator) -> UUID {
        let ms = UInt64(Date().timeIntervalSince1970 * 1000)
        let a = random.next(), b = random.next()
        func byte(_ v: UInt64, _ i: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: v >> (8 * i)) }
        return UUID(uuid: (byte(ms, 5), byte(ms, 4), byte(ms, 3), byte(ms, 2), byte(ms, 1), byte(ms, 0),
                           (byte(a, 0) & 0x0F) | 0x70, byte(a, 1), (byte(a, 2) & 0x3F) | 0x80, byte(a, 3), byte(a, 4), byte(a, 5),
                           byte(b, 0), byte(b, 1), byte(b, 2), byte(b, 3)))
    }
}
