import FluentKit
import Foundation
import SQLKit

/// Payments (社会化发放): payees' bank accounts (the number encrypted, changes confirmed by a second person), monthly
/// payrolls by county and programme with their lines, the months and one-offs each line pays (one row each under a
/// unique key: nothing is paid twice, however often a payroll is prepared or re-run after a crash), the recoveries
/// deducted, and the bank's return files with their lines staged for an all-or-nothing reconciliation.
struct AddPayments: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("bank_accounts")
            .id()
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid, .required)
            .field("bank", .string, .required)
            // AES-GCM sealed box (nonce, ciphertext, tag), base64: the number never rests in clear.
            .field("account_cipher", .string, .required)
            .field("account_tail", .string, .required)
            .field("account_name", .string, .required)
            .field("status", .string, .required)
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("note", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .string, .required)
            .field("confirmed_by", .string)
            .field("confirmed_at", .string)
            .create()
        let sql = db as! any SQLDatabase
        try await sql.create(index: "idx_bank_accounts_member").on("bank_accounts").column("member_id").column("status").run()
        try await sql.create(index: "idx_bank_accounts_registered").on("bank_accounts").column("registered_region").column("status").run()
        // One account in use and one change waiting per person, even for two clerks at once.
        try await sql.raw("CREATE UNIQUE INDEX idx_bank_accounts_one_active ON bank_accounts (member_id) WHERE status = 'active'").run()
        try await sql.raw("CREATE UNIQUE INDEX idx_bank_accounts_one_pending ON bank_accounts (member_id) WHERE status = 'pending'").run()

        try await db.schema("payrolls")
            .id()
            .field("code", .string, .required)
            .field("county_region", .string, .required)
            .field("program", .string, .required)
            .field("month", .string, .required)
            .field("status", .string, .required)
            .field("first_month", .string, .required)
            .field("prepared_by", .string, .required)
            .field("prepared_at", .string, .required)
            .field("approved_by", .string)
            .field("approved_at", .string)
            .field("line_count", .int64, .required)
            .field("blocked_count", .int64, .required)
            .field("total_cents", .int64, .required)
            .field("bank_format", .string)
            .field("bank_file_sha256", .string)
            .field("sent_at", .string)
            .field("closed_at", .string)
            .create()
        // One payroll per county, programme and month: preparing twice finds the first.
        try await sql.raw("CREATE UNIQUE INDEX idx_payrolls_month ON payrolls (county_region, program, month)").run()

        try await db.schema("payroll_lines")
            .id()
            .field("payroll_id", .uuid, .required)
            .field("reference", .string, .required)
            .field("enrolment_id", .uuid)
            .field("one_off_key", .string)
            .field("household_id", .uuid, .required)
            .field("payee_id", .uuid)
            .field("account_id", .uuid)
            .field("residence_region", .string, .required)
            .field("program", .string, .required)
            .field("month", .string, .required)
            .field("due_cents", .int64, .required)
            .field("arrears_months", .string, .required)
            .field("arrears_cents", .int64, .required)
            .field("one_off_cents", .int64, .required)
            .field("deduction_cents", .int64, .required)
            .field("net_cents", .int64, .required)
            .field("block", .string)
            .field("from_reserve_fund", .bool, .required)
            .field("status", .string, .required)
            .field("bank_result", .string)
            .field("bank_reason", .string)
            .field("sequence", .int64)
            .create()
        try await sql.raw("CREATE UNIQUE INDEX idx_payroll_lines_reference ON payroll_lines (reference)").run()
        try await sql.raw("CREATE UNIQUE INDEX idx_payroll_lines_enrolment ON payroll_lines (payroll_id, enrolment_id)").run()
        // No index on a line's status: the bank's return changes it on every line, and an update that touches no index
        // can stay on its page (PostgreSQL's heap-only update, with the room the fill factor leaves). A payroll's
        // lines are found through (payroll_id, enrolment_id).
        if BulkJSON.isPostgres(sql) { try await sql.raw("ALTER TABLE payroll_lines SET (fillfactor = 70)").run() }

        // The months each line pays, and the one-offs: a second payment of either is refused by the database.
        try await db.schema("paid_months")
            .field("enrolment_id", .uuid, .required)
            .field("month", .string, .required)
            .field("line_id", .uuid, .required)
            .create()
        // (A month carried over is found by its enrolment and month: no second index to keep for a million rows a month.)
        try await sql.raw("CREATE UNIQUE INDEX idx_paid_months ON paid_months (enrolment_id, month)").run()
        try await db.schema("paid_one_offs")
            .field("key", .string, .required)
            .field("line_id", .uuid, .required)
            .create()
        try await sql.raw("CREATE UNIQUE INDEX idx_paid_one_offs ON paid_one_offs (key)").run()

        try await db.schema("payroll_deductions")
            .field("recovery_id", .uuid, .required)
            .field("line_id", .uuid, .required)
            .field("cents", .int64, .required)
            .create()
        try await sql.create(index: "idx_payroll_deductions_recovery").on("payroll_deductions").column("recovery_id").run()

        try await db.schema("bank_returns")
            .id()
            .field("payroll_id", .uuid, .required)
            .field("file_name", .string, .required)
            .field("file_sha256", .string, .required)
            .field("paid", .int64, .required)
            .field("failed", .int64, .required)
            .field("imported_by", .string, .required)
            .field("imported_at", .string, .required)
            .create()
        try await sql.raw("CREATE UNIQUE INDEX idx_bank_returns_file ON bank_returns (payroll_id, file_sha256)").run()
        try await db.schema("bank_return_lines")
            .field("return_id", .uuid, .required)
            .field("row_number", .int64, .required)
            .field("reference", .string, .required)
            .field("amount_cents", .int64, .required)
            .field("paid", .bool, .required)
            .field("result", .string, .required)
            .field("reason", .string, .required)
            .create()
        // A reference twice in one return file is refused by the database as the file is staged.
        try await sql.raw("CREATE UNIQUE INDEX idx_bank_return_lines ON bank_return_lines (return_id, reference)").run()

        // The month's payment verification: a random share of the lines paid, reached by phone or at home.
        try await db.schema("payment_verifications")
            .id()
            .field("payroll_id", .uuid, .required)
            .field("line_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("payee_id", .uuid)
            .field("residence_region", .string, .required)
            .field("county_region", .string, .required)
            .field("month", .string, .required)
            .field("drawn_on", .string, .required)
            .field("draw_seed", .string, .required)
            .field("status", .string, .required)
            .field("finding", .string)
            .field("done_by", .string)
            .field("done_on", .string)
            .field("fact_id", .uuid)
            .create()
        try await sql.raw("CREATE UNIQUE INDEX idx_payment_verifications_line ON payment_verifications (line_id)").run()
        try await sql.create(index: "idx_payment_verifications_residence").on("payment_verifications").column("residence_region").column("status").run()
    }

    func revert(on db: any Database) async throws {
        for t in ["payment_verifications", "bank_return_lines", "bank_returns", "payroll_deductions", "paid_one_offs", "paid_months", "payroll_lines", "payrolls", "bank_accounts"] {
            try await db.schema(t).delete()
        }
    }
}
