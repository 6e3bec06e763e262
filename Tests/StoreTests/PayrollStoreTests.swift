import Domain
import Foundation
import SQLKit
@testable import Store
import Testing

/// Payments against a real database: accounts entered by one clerk and confirmed by another, encrypted; a payroll
/// that never pays the dead, the held or the unbanked, never pays anything twice, is approved by a second person,
/// goes to the bank as a file and is closed by the bank's return, refused whole when its totals differ.
@Suite struct PayrollStoreTests {
    static let december = try! PayMonth("2026-12")
    static let cipher = DataCipher.development

    struct Setting {
        let f: Fixture
        let sql: any SQLDatabase
        let county: RegionCode
        let payrolls: Payrolls
        let accounts: BankAccounts
        let maker: Actor, checker: Actor, township: Actor, township2: Actor
        /// The dibao enrolments of the county and their payees (the head).
        let enrolments: [(id: UUID, household: UUID, payee: UUID)]
    }

    /// The county with the most households; a dibao enrolment (¥700 a month since 2025) for `count` of its households
    /// that had none.
    static func setting(_ f: Fixture, count: Int = 12) async throws -> Setting {
        let sql = f.scratch.db as! any SQLDatabase
        let registered = try await sql.select().column("registered_region").from("households").all()
            .map { try RegionCode(try $0.decode(column: "registered_region", as: String.self)) }
        let county = try #require(Dictionary(grouping: registered, by: { $0.ancestor(at: .county)! }).max { $0.value.count < $1.value.count }?.key)
        let households = try await sql.raw("""
            SELECT h.id AS household, h.residence_region AS residence, m.id AS payee FROM households h
            JOIN members m ON m.household_id = h.id AND m.relation = 'head'
            WHERE h.registered_region >= \(bind: county.subtreeRange.lowerBound) AND h.registered_region <= \(bind: county.subtreeRange.upperBound)
            AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = h.id) ORDER BY h.id
            """).all()
        var added = 0
        for r in households.prefix(count) {
            let id = UUID(), household = try r.decode(column: "household", as: UUID.self)
            try await sql.insert(into: "enrolments").columns("id", "household_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
                .values(SQLBind(id), SQLBind(household), SQLBind(try r.decode(column: "residence", as: String.self)), SQLBind("dibao"), SQLBind("2025-01-01"),
                        SQLBind(Int64(70_000)), SQLBind("active")).run()
            added += 1
        }
        try #require(added == count, "the demo county has \(households.count) households without an enrolment")
        // Ours first, then those the demo enrolled in the county: every dibao enrolment the payroll will see.
        let enrolments = try await sql.raw("""
            SELECT e.id AS id, e.household_id AS household, COALESCE(e.member_id, m.id) AS payee FROM enrolments e
            JOIN households h ON h.id = e.household_id JOIN members m ON m.household_id = e.household_id AND m.relation = 'head'
            WHERE e.program = 'dibao' AND e.status = 'active'
            AND h.registered_region >= \(bind: county.subtreeRange.lowerBound) AND h.registered_region <= \(bind: county.subtreeRange.upperBound)
            ORDER BY CASE WHEN e.since = '2025-01-01' AND e.monthly_amount_cents = 70000 THEN 0 ELSE 1 END, e.id
            """).all().map { (id: try $0.decode(column: "id", as: UUID.self), household: try $0.decode(column: "household", as: UUID.self),
                              payee: try $0.decode(column: "payee", as: UUID.self)) }
        func a(_ n: String, _ r: Role, _ c: RegionCode) -> Actor { Actor(userID: UUID(), username: n, role: r, jurisdiction: c, origin: "test") }
        return Setting(f: f, sql: sql, county: county, payrolls: Payrolls(f.scratch.db, parameters: try ParameterSet.bundled()),
                       accounts: BankAccounts(f.scratch.db, cipher: cipher), maker: a("maker", .countyReviewer, county), checker: a("checker", .countyReviewer, county),
                       township: a("clerk", .townshipOfficer, county), township2: a("clerk2", .countyReviewer, county), enrolments: enrolments)
    }

    /// A confirmed account for each payee: entered by one person, confirmed by another.
    static func bank(_ s: Setting, _ payees: [UUID]) async throws {
        for (i, p) in payees.enumerated() {
            // Each payee's own number, from their ID: one number pays one household.
            let n = withUnsafeBytes(of: p.uuid) { $0.prefix(7).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } } % 1_000_000_000_000_000
            let id = try await s.accounts.enter(member: p, bank: "演示农商银行", account: "6230" + String(format: "%015llu", n),
                                                accountName: "户主\(i)", note: "", actor: s.township)
            try await s.accounts.confirm(id, actor: s.township2)
        }
    }

    @Test func anAccountIsConfirmedByASecondPersonAndNeverRestsInClear() async throws {
        try await Fixture.with(households: 120) { f in
            let s = try await Self.setting(f)
            let payee = try #require(s.enrolments.first).payee
            await #expect(throws: BankAccountError.invalid("数据文件 收款账户 有误：账号应为10–32位数字（可含空格），收到「6230-abc」")) {
                _ = try await s.accounts.enter(member: payee, bank: "银行", account: "6230-abc", accountName: "张三", note: "", actor: s.township)
            }
            let id = try await s.accounts.enter(member: payee, bank: "演示农商银行", account: "6230 1234 5678 9012 345", accountName: "张三", note: "一卡通",
                                                actor: s.township)
            await #expect(throws: BankAccountError.changeWaiting) {
                _ = try await s.accounts.enter(member: payee, bank: "银行", account: "6230123456789012", accountName: "张三", note: "", actor: s.township2)
            }
            await #expect(throws: BankAccountError.sameClerk) { try await s.accounts.confirm(id, actor: s.township) }
            try await s.accounts.confirm(id, actor: s.township2)
            let household = try #require(s.enrolments.first).household
            let view = try #require(try await s.accounts.list(household: household, actor: s.township).first)
            #expect(view.status == .active && view.masked == "**** **** 2345" && view.confirmedBy == "clerk2")
            // at rest: neither the number nor any run of it
            let stored = try #require(try await s.sql.select().column("account_cipher").from("bank_accounts").where("id", .equal, id).first()?
                .decode(column: "account_cipher", as: String.self))
            #expect(!stored.contains("6230123456789012345") && !stored.contains("56789012"))
            #expect(try Self.cipher.open(stored) == "6230123456789012345")
            #expect(throws: DataCipher.CipherError.unreadable) { try DataCipher(base64Key: Data(repeating: 7, count: 32).base64EncodedString()).open(stored) }
            #expect(throws: DataCipher.CipherError.badKey) { try DataCipher(base64Key: "short") }
            // a change replaces it only when confirmed
            let change = try await s.accounts.enter(member: payee, bank: "演示商业银行", account: "6228480012345678", accountName: "张三", note: "原卡销户",
                                                    actor: s.township)
            #expect(try await s.accounts.list(household: household, actor: s.township).filter { $0.status == .active }.count == 1)
            try await s.accounts.confirm(change, actor: s.township2)
            let after = try await s.accounts.list(household: household, actor: s.township)
            #expect(after.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.active, .superseded] && after.first { $0.status == .active }?.masked == "**** **** 5678")
            #expect(try await s.sql.select().column("detail").from("audit_entries").where("action", .equal, "confirmBankAccount").all().count == 2)
            // two clerks entering an account for the same person at once: one is taken, the other told a change is waiting
            let other = try #require(s.enrolments.dropFirst().first).payee
            let (accounts, clerks) = (s.accounts, [s.township, s.township2])
            let outcomes = await withTaskGroup(of: String.self) { group in
                for (i, clerk) in clerks.enumerated() {
                    group.addTask {
                        do {
                            _ = try await accounts.enter(member: other, bank: "演示银行", account: "6230000000\(i)00000", accountName: "乙", note: "", actor: clerk)
                            return "ok"
                        } catch let e as BankAccountError { return e == .changeWaiting ? "waiting" : "\(e)" } catch { return "\(error)" }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.sorted() == ["ok", "waiting"], "\(outcomes)")
        }
    }

    /// One number pays one household, found by its blind index: refused for another household, in use or waiting,
    /// when entered and again when confirmed; the same household may use it again.
    @Test func oneAccountNumberPaysOneHousehold() async throws {
        try await Fixture.with(households: 120) { f in
            let s = try await Self.setting(f)
            let (a, b) = (s.enrolments[0], s.enrolments[1])
            let first = try await s.accounts.enter(member: a.payee, bank: "演示农商银行", account: "6230 1111 2222 3333 444", accountName: "甲", note: "", actor: s.township)
            await #expect(throws: BankAccountError.anotherHouseholds) {
                _ = try await s.accounts.enter(member: b.payee, bank: "演示农商银行", account: "6230111122223333444", accountName: "乙", note: "", actor: s.township2)
            }
            try await s.accounts.confirm(first, actor: s.township2)
            await #expect(throws: BankAccountError.anotherHouseholds) {
                _ = try await s.accounts.enter(member: b.payee, bank: "演示银行", account: "6230-1111-2222-3333-444", accountName: "乙", note: "", actor: s.township2)
            }
            // the household's own member may enter it again (a card reissued under the same number)
            let again = try await s.accounts.enter(member: a.payee, bank: "演示农商银行", account: "6230111122223333444", accountName: "甲", note: "补卡", actor: s.township)
            try await s.accounts.confirm(again, actor: s.township2)
            // entered for another household at the same moment, past the first check: the confirmation refuses it
            let raced = try await s.accounts.enter(member: b.payee, bank: "演示银行", account: "6230999988887777666", accountName: "乙", note: "", actor: s.township)
            try await s.sql.update("bank_accounts").set("account_index", to: Self.cipher.blindIndex("6230111122223333444")).where("id", .equal, raced).run()
            await #expect(throws: BankAccountError.anotherHouseholds) { try await s.accounts.confirm(raced, actor: s.township2) }
            // a register whose accounts were sealed before the index: the migration indexes them
            try await SealIdentifiers().revert(on: f.scratch.db)
            try await SealIdentifiers().prepare(on: f.scratch.db)
            let index = try await s.sql.select().column("account_index").from("bank_accounts").where("id", .equal, again).first()?.decode(column: "account_index", as: String.self)
            #expect(index == Self.cipher.blindIndex("6230111122223333444"))
        }
    }

    @Test func theDeadTheHeldAndTheUnbankedAreNeverPaidAndNothingTwice() async throws {
        try await Fixture.with(households: 200) { f in
            let s = try await Self.setting(f)
            let (dead, held, unbanked) = (s.enrolments[0], s.enrolments[1], s.enrolments[2])
            try await Self.bank(s, s.enrolments.filter { $0.id != unbanked.id }.map(\.payee))
            // the head of one household died on 20 December (an exact-ID death record); another's payment is held
            try await s.sql.insert(into: "facts").columns("id", "household_id", "member_id", "category", "kind", "valid_from", "source_department", "received_at",
                                                          "reference", "note")
                .values(SQLBind(UUID()), SQLBind(dead.household), SQLBind(dead.payee), SQLBind("event"), SQLBind("death"), SQLBind("2026-12-20"), SQLBind("publicSecurity"),
                        SQLBind("2026-12-21"), SQLBind("test"), SQLBind("")).run()
            try await s.sql.insert(into: "payment_holds").columns("id", "enrolment_id", "household_id", "member_id", "residence_region", "fact_id", "reason", "created_at")
                .values(SQLBind(UUID()), SQLBind(held.id), SQLBind(held.household), SQLBind(held.payee), SQLBind(s.county.value), SQLBind(UUID()),
                        SQLBind("死亡比对待核实"), SQLBind("2026-12-01T00:00:00Z")).run()

            // a township may not prepare; the county does
            await #expect(throws: DomainError.forbidden) {
                _ = try await s.payrolls.prepare(county: s.county, program: .dibao, month: Self.december, actor: s.township)
            }
            let run = try await s.payrolls.prepare(county: s.county, program: .dibao, month: Self.december, actor: s.maker)
            #expect(!run.resumed && run.payroll.status == .prepared && run.payroll.lineCount == Int64(s.enrolments.count) && run.payroll.blockedCount == 3)
            // PostgreSQL plans the review and the bank file knowing the lines just written (a table never analysed counts -1).
            if s.sql.dialect.name == "postgresql" {
                let planned = try await s.sql.raw("SELECT CAST(reltuples AS BIGINT) AS n FROM pg_class WHERE relname = 'payroll_lines'").first()
                #expect(try (planned?.decode(column: "n", as: Int64.self) ?? -1) >= run.payroll.lineCount)
            }
            let lines = try await s.payrolls.lines(run.payroll.id, actor: s.maker, limit: 1_000).items
            func line(_ e: UUID) -> PayrollLineView? { lines.first { $0.enrolmentID == e } }
            #expect(line(dead.id)?.block == .payeeDied(on: try LocalDate("2026-12-20")) && line(dead.id)?.netCents == 0)
            #expect(line(held.id)?.block == .held(reason: "死亡比对待核实") && line(unbanked.id)?.block == .noAccount)
            #expect(lines.filter { $0.block == nil }.allSatisfy { $0.netCents > 0 && $0.status == .pending })
            #expect(run.payroll.totalCents == lines.reduce(0) { $0 + $1.netCents })
            // one paid month per paid line, none for the blocked
            let months = try await s.sql.select().column("enrolment_id").from("paid_months").where("month", .equal, "2026-12").all()
            #expect(months.count == s.enrolments.count - 3)

            // preparing again finds the first and changes nothing
            await #expect(throws: PayrollStoreError.workflow(.alreadyPrepared(.prepared))) {
                _ = try await s.payrolls.prepare(county: s.county, program: .dibao, month: Self.december, actor: s.checker)
            }
            #expect(try await s.payrolls.lines(run.payroll.id, actor: s.maker).total == s.enrolments.count)

            // maker-checker: the preparer may not approve; the bank file needs the approval
            let path = NSTemporaryDirectory() + "payroll-\(UUID().uuidString).txt"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let format = try #require(try BankFileFormats.bundled()["fixed-gb18030"])
            await #expect(throws: PayrollStoreError.workflow(.notApproved(.prepared))) {
                _ = try await s.payrolls.writeBankFile(run.payroll.id, format: format, to: path, cipher: Self.cipher, actor: s.maker, today: try LocalDate("2026-12-07"))
            }
            await #expect(throws: PayrollStoreError.workflow(.preparerCannotApprove)) { _ = try await s.payrolls.approve(run.payroll.id, actor: s.maker) }
            #expect(try await s.payrolls.approve(run.payroll.id, actor: s.checker).status == .approved)
            let file = try await s.payrolls.writeBankFile(run.payroll.id, format: format, to: path, cipher: Self.cipher, actor: s.maker,
                                                          today: try LocalDate("2026-12-07"))
            #expect(file.count == s.enrolments.count - 3 && file.totalCents == run.payroll.totalCents)
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            let rows = written.split(separator: 0x0A).map { Data($0.dropLast()) }
            #expect(rows.count == file.count + 2)

            // the bank's return: every line paid but the first, whose account was closed
            var references: [(String, Int64)] = []
            for r in rows[1...file.count] {
                let text = String(data: r, encoding: FeedEncoding.gb18030Encoding)!
                let bytes = Array(r)
                let ref = String(decoding: bytes[(1 + 8 + 32 + 40 + 16)..<(1 + 8 + 32 + 40 + 16 + 20)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                let amount = Int64(String(decoding: bytes[(1 + 8 + 32 + 40)..<(1 + 8 + 32 + 40 + 16)], as: UTF8.self))!
                #expect(text.hasPrefix("D"))
                references.append((ref, amount))
            }
            func returnFile(_ lines: [(String, Int64, String, String)], declaredTotal: Int64? = nil) throws -> String {
                let p = NSTemporaryDirectory() + "return-\(UUID().uuidString).txt"
                var d = Data()
                func pad(_ s: String, _ w: Int, right: Bool = false, zero: Bool = false) -> Data {
                    let b = s.data(using: FeedEncoding.gb18030Encoding)!
                    let padding = Data(repeating: zero ? 0x30 : 0x20, count: w - b.count)
                    return right ? padding + b : b + padding
                }
                let total = lines.reduce(0) { $0 + $1.1 }
                d += Data("H".utf8) + pad("B", 24) + pad("20261210", 8) + pad(String(lines.count), 8, right: true, zero: true)
                    + pad(String(declaredTotal ?? total), 16, right: true, zero: true) + Data("\r\n".utf8)
                for (ref, amount, code, reason) in lines {
                    d += Data("D".utf8) + pad(ref, 20) + pad("6230", 32) + pad(String(amount), 16, right: true, zero: true) + pad(code, 4) + pad(reason, 60) + Data("\r\n".utf8)
                }
                d += Data("T".utf8) + pad(String(lines.count), 8, right: true, zero: true) + pad(String(declaredTotal ?? total), 16, right: true, zero: true) + Data("\r\n".utf8)
                try d.write(to: URL(fileURLWithPath: p))
                return p
            }
            let results = references.enumerated().map { i, r in (r.0, r.1, i == 0 ? "E001" : "0000", i == 0 ? "账户已销户" : "") }
            // a return whose totals differ from what was sent is refused whole, with the difference
            var short = results
            short[1].1 -= 1
            let bad = try returnFile(short)
            await #expect(throws: PayrollStoreError.bank(.amountDiffers(file: (bad as NSString).lastPathComponent, row: 3, reference: short[1].0,
                                                                         expected: results[1].1, found: results[1].1 - 1))) {
                _ = try await s.payrolls.importReturn(run.payroll.id, path: bad, format: format, actor: s.maker)
            }
            let trailerWrong = try returnFile(results, declaredTotal: file.totalCents + 100)
            await #expect { _ = try await s.payrolls.importReturn(run.payroll.id, path: trailerWrong, format: format, actor: s.maker) } throws: { e in
                guard case .bank(.totalsDiffer(_, _, let declared, let found)) = e as? PayrollStoreError else { return false }
                return declared - found == 100 && (e as! PayrollStoreError).chinese.contains("相差")
            }
            let missing = try returnFile(Array(results.dropLast()))
            await #expect(throws: PayrollStoreError.bank(.missingLines(file: (missing as NSString).lastPathComponent, count: 1))) {
                _ = try await s.payrolls.importReturn(run.payroll.id, path: missing, format: format, actor: s.maker)
            }
            #expect(try await s.payrolls.lines(run.payroll.id, status: .pending, actor: s.maker).total == file.count)
            let good = try returnFile(results)
            let imported = try await s.payrolls.importReturn(run.payroll.id, path: good, format: format, actor: s.maker)
            #expect(imported.paid == file.count - 1 && imported.failed == 1 && imported.status == .sent)
            await #expect(throws: PayrollStoreError.returnAlreadyImported) {
                _ = try await s.payrolls.importReturn(run.payroll.id, path: good, format: format, actor: s.maker)
            }
            // the failed line waits in the re-issue queue for a new account, confirmed by a second person
            let failed = try #require(try await s.payrolls.lines(run.payroll.id, status: .failed, actor: s.maker).items.first)
            #expect(failed.reference == results[0].0 && failed.bankReason == "账户已销户")
            await #expect(throws: PayrollStoreError.account("请先为收款人登记并复核新的收款账户，再重新发放")) {
                try await s.payrolls.reissue(line: failed.id, actor: s.maker)
            }
            let fixed = try await s.accounts.enter(member: try #require(failed.payeeID), bank: "演示商业银行", account: "6228480099990000", accountName: "户主",
                                                   note: "原卡销户", actor: s.township)
            try await s.accounts.confirm(fixed, actor: s.township2)
            try await s.payrolls.reissue(line: failed.id, actor: s.maker)
            let again = try await s.payrolls.writeBankFile(run.payroll.id, format: format, to: path, cipher: Self.cipher, reissue: true, actor: s.maker,
                                                           today: try LocalDate("2026-12-12"))
            #expect(again.count == 1 && again.totalCents == failed.netCents)
            #expect(String(data: try Data(contentsOf: URL(fileURLWithPath: path)), encoding: FeedEncoding.gb18030Encoding)?.contains("6228480099990000") == true)
            let closing = try await s.payrolls.importReturn(run.payroll.id, path: try returnFile([(failed.reference, failed.netCents, "0000", "")]), format: format,
                                                            actor: s.maker)
            #expect(closing.paid == 1 && closing.status == .closed)

            // January: the hold is released — December is owed as arrears; the dead are still not paid
            try await s.sql.update("payment_holds").set("released_at", to: "2027-01-02T00:00:00Z").where("enrolment_id", .equal, held.id).run()
            let january = try await s.payrolls.prepare(county: s.county, program: .dibao, month: try PayMonth("2027-01"), actor: s.maker)
            let jan = try await s.payrolls.lines(january.payroll.id, actor: s.maker, limit: 1_000).items
            let released = try #require(jan.first { $0.enrolmentID == held.id })
            #expect(released.arrearsMonths == [Self.december] && released.block == nil && released.netCents == released.dueCents + released.arrearsCents)
            #expect(jan.first { $0.enrolmentID == dead.id }?.block == .payeeDied(on: try LocalDate("2026-12-20")))
            // every enrolment-month at most once across both payrolls
            let dup = try await s.sql.raw("SELECT enrolment_id, month, COUNT(*) AS n FROM paid_months GROUP BY enrolment_id, month HAVING COUNT(*) > 1").all()
            #expect(dup.isEmpty)
        }
    }

    /// A line's key and its reference for the bank start with the time (so a payroll's million new keys go to the end
    /// of their indexes) and end with random bits: every one distinct, an ID a well-formed version 7 UUID.
    @Test func aLinesKeysStartWithTheTimeAndEndRandom() {
        var random = SystemRandomNumberGenerator()
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let ids = (0..<20_000).map { _ in PayrollWriter.timeOrderedID(&random) }
        let references = (0..<20_000).map { _ in PayrollWriter.reference(&random) }
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        #expect(Set(ids).count == ids.count && Set(references).count == references.count)
        var last: UInt64 = 0
        for id in ids {
            let b = withUnsafeBytes(of: id.uuid) { Array($0) }
            let ms = b[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(ms >= before && ms <= after && ms >= last)
            last = ms
            #expect(b[6] >> 4 == 7 && b[8] >> 6 == 0b10)
        }
        let alphabet = Set(CaseCodes.alphabet)
        for r in references {
            #expect(r.count == 18 && r.first == "L" && r.dropFirst().allSatisfy(alphabet.contains))
            let seconds = r.dropFirst().prefix(7).reduce(UInt64(0)) { $0 << 5 | UInt64(CaseCodes.alphabet.firstIndex(of: $1)!) }
            #expect(seconds >= before / 1000 && seconds <= after / 1000)
        }
        // the random part: each of its ten characters takes many values
        for position in 8..<18 {
            let seen = Set(references.map { Array($0)[position] })
            #expect(seen.count == alphabet.count, "position \(position)")
        }
    }

    @Test func twoPreparationsAtOncePayEachMonthOnce() async throws {
        try await Fixture.with(households: 150) { f in
            let s = try await Self.setting(f)
            try await Self.bank(s, s.enrolments.map(\.payee))
            let (payrolls, county, maker, checker) = (s.payrolls, s.county, s.maker, s.checker)
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for who in [maker, checker] {
                    group.addTask { (try? await payrolls.prepare(county: county, program: .dibao, month: Self.december, actor: who)) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.contains(true))
            let months = try await s.sql.select().column("enrolment_id").from("paid_months").all()
            #expect(months.count == s.enrolments.count)
            #expect(try await s.sql.select().column("id").from("payrolls").all().count == 1)
        }
    }

    /// Payment verification: the county draws its share of the month's paid lines with a seed it keeps (the same
    /// seed draws the same payees); the township records what it found; a failure is a fact of the household, and the
    /// screening that follows raises it as a warning in its township.
    @Test func aVerificationSampleIsDrawnAndAFailureIsRaisedAsAWarning() async throws {
        try await Fixture.with(households: 200) { f in
            let s = try await Self.setting(f, count: 15)
            try await Self.bank(s, s.enrolments.map(\.payee))
            let run = try await s.payrolls.prepare(county: s.county, program: .dibao, month: Self.december, actor: s.maker)
            _ = try await s.payrolls.approve(run.payroll.id, actor: s.checker)
            // (the bank paid every line)
            try await s.sql.update("payroll_lines").set("status", to: "paid").where("payroll_id", .equal, run.payroll.id).run()
            let checks = PaymentVerifications(f.scratch.db, parameters: try ParameterSet.bundled())
            let today = LocalDate(Date(), timeZone: .china)
            await #expect(throws: DomainError.forbidden) {
                _ = try await checks.draw(county: s.county, month: Self.december, actor: s.township, today: today, seed: 7)
            }
            let drawn = try await checks.draw(county: s.county, month: Self.december, actor: s.maker, today: today, seed: 7)
            // 2% of the paid lines, rounded up
            #expect(drawn == (s.enrolments.count * 2 + 99) / 100)
            let open = try await checks.list(actor: s.township, open: true).items
            #expect(open.count == drawn && open.allSatisfy { $0.drawSeed == "7" && $0.status == "open" })
            // drawn once: the next draw takes only what was not drawn
            let again = try await checks.draw(county: s.county, month: Self.december, actor: s.maker, today: today, seed: 7)
            #expect(try await checks.list(actor: s.township, open: true).total == drawn + again)

            let first = try #require(open.first)
            await #expect(throws: PaymentVerificationError.invalid("核验未通过的，请写明核实的情况")) {
                try await checks.record(first.id, check: PaymentCheck(method: .phone, arrived: false, alive: true, livesThere: true, note: " "), actor: s.township,
                                        today: today)
            }
            let passed = try await checks.record(first.id, check: PaymentCheck(method: .visit, arrived: false, alive: true, livesThere: false,
                                                                                 note: "邻居称已搬往外地半年，银行卡由亲属保管"), actor: s.township, today: today)
            #expect(!passed)
            await #expect(throws: PaymentVerificationError.alreadyDone) {
                try await checks.record(first.id, check: PaymentCheck(method: .phone, arrived: true, alive: true, livesThere: true, note: ""), actor: s.township,
                                        today: today)
            }
            let fact = try #require(try await s.sql.select().columns("kind", "note").from("facts").where("household_id", .equal, first.householdID)
                .where("kind", .equal, "paymentUnverified").first())
            #expect(try fact.decode(column: "note", as: String.self).contains("款项未到账，收款人不在当地居住"))
            // the screening after it raises the warning in the household's township
            _ = try await Monitor(f.scratch.db, setup: try MonitoringSetup.bundled(), now: { Date() }).reactToEvents(actor: f.system)
            let warning = try await s.sql.select().column("indicator").from("warnings").where("household_id", .equal, first.householdID)
                .where("indicator", .equal, "JZ-P02").first()
            #expect(warning != nil)
        }
    }
}
