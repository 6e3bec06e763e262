import Domain
import Fluent
import Foundation
import SQLKit
import Store

/// Payments in the demo: the district's payees banked (entered by the district, confirmed by the city), four months
/// of payrolls sent to the bank and answered, the three oldest closed, last month's with a line the bank could not pay
/// being re-issued to a new account, this month's waiting for approval, and a payee who died last month: held, not
/// paid. Made through the same stores, with the bank's answers written in the bank's format.
enum DemoPayments {
    static func seed(db: any Database, policy: Policy, cipher: DataCipher, accounts: [DemoAccount], today: LocalDate) async throws {
        let (maker, checker) = (accounts.actor(.countyReviewer), accounts.actor(.cityAdmin))
        let county = maker.jurisdiction
        let sql = db as! any SQLDatabase
        let bank = BankAccounts(db, cipher: cipher)
        // Everyone the district pays: the enrolled member, or the head of an enrolled household.
        // (and the heads of households granted one-off help in the district).
        let (low, high) = (county.subtreeRange.lowerBound, county.subtreeRange.upperBound)
        let payees = try await sql.raw("""
            SELECT DISTINCT COALESCE(e.member_id, m.id) AS payee, m2.name AS name, e.household_id AS household FROM enrolments e
            JOIN households h ON h.id = e.household_id JOIN members m ON m.household_id = e.household_id AND m.relation = 'head'
            JOIN members m2 ON m2.id = COALESCE(e.member_id, m.id)
            WHERE e.status = 'active' AND h.registered_region >= \(bind: low) AND h.registered_region <= \(bind: high)
            UNION SELECT m.id AS payee, m.name AS name, c.household_id AS household FROM cases c
            JOIN members m ON m.household_id = c.household_id AND m.relation = 'head'
            WHERE c.status = 'approved' AND c.program = 'temporary'
            AND COALESCE(c.emergency_region, c.registered_region) >= \(bind: low) AND COALESCE(c.emergency_region, c.registered_region) <= \(bind: high)
            ORDER BY payee
            """).all().map { (try $0.decode(column: "payee", as: UUID.self), try $0.decode(column: "name", as: String.self), try $0.decode(column: "household", as: UUID.self)) }
        guard payees.count > 2 else { return }
        for (i, p) in payees.enumerated() {
            let id = try await bank.enter(member: p.0, bank: i % 3 == 0 ? "演示商业银行" : "演示农商银行", account: "6230\(String(format: "%012d", 880_000 + i))",
                                          accountName: p.1, note: "社会救助一卡通", actor: maker)
            try await bank.confirm(id, actor: checker)
        }
        let month = PayMonth(containing: today)
        let months = [4, 3, 2, 1].map { n in (0..<n).reduce(month) { m, _ in m.previous } }
        // A payee died early last month (an exact-ID record from public security): the benefit is held and not paid.
        let died = payees[1]
        let diedOn = month.previous.first.adding(days: 8)
        let fact = UUID()
        try await sql.insert(into: "facts").columns("id", "household_id", "member_id", "category", "kind", "valid_from", "source_department", "received_at",
                                                    "reference", "note")
            .values(SQLBind(fact), SQLBind(died.2), SQLBind(died.0), SQLBind(FactCategory.event.rawValue), SQLBind(FactKind.death.rawValue),
                    SQLBind(diedOn.description), SQLBind(Department.publicSecurity.rawValue), SQLBind(diedOn.adding(days: 1).description), SQLBind("演示：死亡注销"), SQLBind("")).run()
        let payrolls = Payrolls(db, parameters: policy.calculator.parameters)
        let formats = try BankFileFormats.bundled()
        guard let format = formats["fixed-gb18030"] else { return }
        let dir = NSTemporaryDirectory() + "jiuzhu-demo-bank-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for m in months + [month] {
            for program in [Program.dibao, .tekun, .nearDibao, .expenditureHardship, .temporary] {
                let run = try await payrolls.prepare(county: county, program: program, month: m, actor: maker)
                guard m != month, run.payroll.status == .prepared else { continue }
                _ = try await payrolls.approve(run.payroll.id, actor: checker)
                let file = URL(fileURLWithPath: dir).appendingPathComponent("\(run.payroll.code).txt").path
                let sent = try await payrolls.writeBankFile(run.payroll.id, format: format, to: file, cipher: cipher, actor: maker, today: m.first.adding(days: 4))
                guard sent.count > 0 else { continue }
                // Last month the bank could not pay the first dibao line: the card had been closed.
                let failing = m == month.previous && program == .dibao ? 1 : 0
                let answer = try BankSimulator.answer(file, format: format, failing: failing, on: m.first.adding(days: 6))
                _ = try await payrolls.importReturn(run.payroll.id, path: answer, format: format, actor: maker)
                if failing > 0, let failed = try await payrolls.lines(run.payroll.id, status: .failed, actor: maker).items.first, let payee = failed.payeeID {
                    let id = try await bank.enter(member: payee, bank: "演示商业银行", account: "6228\(String(format: "%012d", 990_001))",
                                                  accountName: payees.first { $0.0 == payee }?.1 ?? "收款人", note: "原卡已销户，换新卡", actor: maker)
                    try await bank.confirm(id, actor: checker)
                    try await payrolls.reissue(line: failed.id, actor: maker)
                }
            }
        }
    }
}

extension DemoPayments {
    /// Two months ago's payment verification: the district drew its share; the street reached the payees, and one had
    /// not received the money (raised as a warning in the street).
    static func verify(db: any Database, policy: Policy, accounts: [DemoAccount], today: LocalDate) async throws {
        let (county, street) = (accounts.actor(.countyReviewer), accounts.actor(.townshipOfficer))
        let month = PayMonth(containing: today).previous.previous
        let checks = PaymentVerifications(db, parameters: policy.calculator.parameters)
        guard (try? await checks.draw(county: county.jurisdiction, month: month, actor: county, today: month.next.first.adding(days: 2), seed: 2026)) != nil,
              let first = try await checks.list(actor: street, open: true).items.first else { return }
        _ = try await AfterCommit(db, monitoring: policy.monitoring).recordPaymentCheck(
            first.id, check: PaymentCheck(method: .phone, arrived: false, alive: true, livesThere: true, note: "户主称当月未收到，存折上没有这笔入账"),
            parameters: policy.calculator.parameters, actor: street, today: today.adding(days: -3))
    }
}

/// The bank's side of a payment file, for the demo and the benchmark: it reads the file we sent and answers in its
/// return format, every line paid but the first `failing` (a closed account).
public enum BankSimulator {
    public static func answer(_ path: String, format: BankFileFormat, failing: Int, on day: LocalDate) throws -> String {
        let reader = BankReturnReader.paymentFile(format, file: (path as NSString).lastPathComponent)
        let writer = BankFileWriter(format)
        let out = path + ".return"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        guard let h = FileHandle(forWritingAtPath: out) else { throw PayrollStoreError.account("无法写入 \(out)") }
        defer { try? h.close() }
        var details: [(String, Int64)] = []
        var chunk = Data()
        var count = 0
        var total: Int64 = 0
        func flush() throws { try h.write(contentsOf: chunk); chunk.removeAll(keepingCapacity: true) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        for (row, line) in data.split(separator: 0x0A).enumerated() {
            let bytes = line.last == 0x0D ? Data(line.dropLast()) : Data(line)
            guard case .detail(let l) = try reader.record(bytes, row: row + 1) else { continue }
            details.append((l.reference, l.amountCents))
        }
        let sum = details.reduce(0) { $0 + $1.1 }
        if let header = try writer.returnHeader(batch: "RETURN", date: day, count: details.count, totalCents: sum) { chunk.append(header) }
        for (reference, amount) in details {
            count += 1
            total += amount
            let failed = count <= failing
            chunk.append(try writer.returnDetail(reference: reference, account: "", amountCents: amount, result: failed ? "E001" : format.paidCodes[0],
                                                 reason: failed ? "账户已销户" : "", line: count))
            if chunk.count > 1 << 20 { try flush() }
        }
        if let trailer = try writer.returnTrailer(batch: "RETURN", date: day, count: count, totalCents: total) { chunk.append(trailer) }
        try flush()
        return out
    }
}
