import Crypto
import Domain
import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

extension Payrolls {
    /// Writes an approved payroll's bank file, a page of lines at a time (memory stays flat whatever the size), to
    /// `path` through a temporary file renamed at the end. The account numbers are decrypted only here, line by line.
    /// `reissue`: only the lines re-issued after a failure, as a supplementary file. Writing it again gives the same
    /// lines in the same order.
    public func writeBankFile(_ id: UUID, format: BankFileFormat, to path: String, cipher: DataCipher, reissue: Bool = false, actor: Actor,
                              today: LocalDate, now: Date = Date()) async throws -> BankFileWritten {
        let started = Date()
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        guard let p = try await summary(id, actor: actor) else { throw PayrollStoreError.notFound }
        do { _ = try PayrollWorkflow.send(status: p.status) } catch { throw PayrollStoreError.workflow(error) }
        let wanted = (reissue ? PayrollLineStatus.reissued : .pending).rawValue
        let sql = db.sql
        guard let t = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").column(SQLRaw("CAST(SUM(net_cents) AS BIGINT)"), as: "total")
            .from("payroll_lines").where("payroll_id", .equal, id).where("status", .equal, wanted).first() else { throw PayrollStoreError.notFound }
        let count = Int(try t.decode(column: "n", as: Int64.self))
        let total = try t.decode(column: "total", as: Int64?.self) ?? 0
        let writer = BankFileWriter(format)
        let batch = reissue ? "\(p.code)-R" : p.code
        let temporary = path + ".part"
        guard let out = HashingFile(temporary) else { throw PayrollStoreError.account("无法写入文件 \(path)") }
        let memo = "\(p.program.chinese) \(p.month.chinese)"
        // Where the time went: encoding and writing added up chunk by chunk (chunks are handled off this task), fetching here.
        let spent = NIOLockedValueBox((encode: 0.0, write: 0.0))
        var read = 0.0
        do {
            if let h = try writer.header(batch: batch, date: today, count: count, totalCents: total) { try out.write(h) }
            let counter = LineCounter()
            // Each chunk of lines in reference order becomes its bytes, written before the next is read. A memo is one
            // of three, made once.
            let memos = (plain: memo, arrears: memo + "（含补发）", oneOff: "\(Program.temporary.chinese) \(p.month.chinese)")
            // Lines `first`… of a chunk as bytes: an account opened and a name encoded per line.
            @Sendable func encode(_ rows: ArraySlice<SendLine>, first: Int) throws -> [UInt8] {
                var chunk: [UInt8] = []
                chunk.reserveCapacity(rows.count * 200)
                for (i, r) in zip(rows.indices, rows) {
                    let line = BankPaymentLine(sequence: first + i - rows.startIndex, account: try cipher.open(r.cipher), accountName: r.name,
                                               amountCents: r.net, reference: r.reference,
                                               memo: r.arrears > 0 ? memos.arrears : r.oneOff > 0 ? memos.oneOff : memos.plain)
                    try writer.appendDetail(line, to: &chunk)
                }
                return chunk
            }
            // Each chunk of lines in reference order becomes its bytes in two halves at once (decrypting and encoding
            // are most of the work), written in order before the next chunk is.
            let emit: @Sendable ([SendLine]) async throws -> Void = { rows in
                let first = counter.reserve(rows.count)
                let half = rows.count / 2
                let began = Date()
                async let front = encode(rows[..<half], first: first)
                let back = try encode(rows[half...], first: first + half)
                let bytes = try await front
                let encoded = Date()
                try out.write(bytes)
                try out.write(back)
                spent.withLockedValue { $0.encode += encoded.timeIntervalSince(began); $0.write += Date().timeIntervalSince(encoded) }
            }
            let select = "SELECT l.reference, l.net_cents, l.arrears_cents, l.one_off_cents, a.account_cipher, a.account_name FROM payroll_lines l "
                + "JOIN bank_accounts a ON a.id = l.account_id"
            if BulkCopy.isAvailable(sql) {
                // One cursor over the payroll (its values are a UUID and a status: typed).
                read = try await PostgresCursor.stream(sql, SendLine.shape, select + " WHERE l.payroll_id = '\(id.uuidString.lowercased())' AND l.status = '\(wanted)' "
                                                + "ORDER BY l.reference", chunk: Self.page, prefetch: true, emit)
            } else {
                var cursor: String?
                while true {
                    var text = select + " WHERE l.payroll_id = $1 AND l.status = $2"
                    var binds: [BulkRead.Bind] = [.uuid(id), .text(wanted)]
                    if let cursor {
                        text += " AND l.reference > $3"
                        binds.append(.text(cursor))
                    }
                    let began = Date()
                    let rows = try await BulkRead.rows(sql, SendLine.shape, query: text + " ORDER BY l.reference LIMIT \(Self.page)", binds)
                    read += Date().timeIntervalSince(began)
                    guard let last = rows.last else { break }
                    try await emit(rows)
                    cursor = last.reference
                    if rows.count < Self.page { break }
                }
            }
            let sequence = counter.value
            guard sequence == count else { throw PayrollStoreError.account("有 \(count - sequence) 笔明细的收款账户记录缺失，未生成银行文件") }
            if let tr = try writer.trailer(batch: batch, date: today, count: count, totalCents: total) { try out.write(tr) }
            try out.close()
        } catch {
            out.discard()
            if let e = error as? BankFileError { throw PayrollStoreError.bank(e) }
            throw error
        }
        let digest = out.digest
        _ = try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.moveItem(atPath: temporary, toPath: path)
        try await db.writeTransaction { tx in
            var u = tx.sql.update("payrolls").set("status", to: PayrollStatus.sent.rawValue).set("sent_at", to: Timestamp.text(now))
            if !reissue { u = u.set("bank_format", to: format.code).set("bank_file_sha256", to: digest) }
            try await u.where("id", .equal, id).run()
            // Every line blocked (the dead, the held, the unbanked): nothing waits for the bank.
            try await Self.closeIfSettled(id, tx: tx, now: now)
            try await AuditLog(tx).record(actor: actor, action: .writeBankFile, targetKind: "payroll", targetID: id.uuidString.lowercased(),
                                          detail: "生成银行代发文件 \(batch)（\(format.name)）：\(count) 笔，合计 \(Cents(total).yuanText)，SHA-256 \(digest.prefix(16))…",
                                          at: now)
        }
        let phases = spent.withLockedValue { $0 }
        return BankFileWritten(count: count, totalCents: total, sha256: digest, seconds: Date().timeIntervalSince(started), readSeconds: read,
                               encodeSeconds: phases.encode, writeSeconds: phases.write)
    }

    /// Imports the bank's return for a payroll sent to it, all or nothing: every line read (naming the row and field of
    /// one it cannot read), the file's own totals checked, every reference one of the lines waiting for the bank with
    /// its amount, none missing, and the sums equal; then each line paid or failed (into the re-issue queue) in one
    /// transaction. A file imported before changes nothing.
    public func importReturn(_ id: UUID, path: String, format: BankFileFormat, actor: Actor, now: Date = Date()) async throws -> BankReturnResult {
        guard actor.may(.managePayments) else { throw DomainError.forbidden }
        guard let p = try await summary(id, actor: actor) else { throw PayrollStoreError.notFound }
        guard p.status == .sent else { throw PayrollStoreError.workflow(.notSent(p.status)) }
        let name = (path as NSString).lastPathComponent
        let digest = try Self.sha256(path)
        if try await db.sql.select().column("id").from("bank_returns").where("payroll_id", .equal, id).where("file_sha256", .equal, digest).first() != nil {
            throw PayrollStoreError.returnAlreadyImported
        }
        let waiting = [PayrollLineStatus.pending.rawValue, PayrollLineStatus.reissued.rawValue]
        guard let w = try await db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .column(SQLRaw("CAST(SUM(net_cents) AS BIGINT)"), as: "total").from("payroll_lines")
            .where("payroll_id", .equal, id).where("status", .in, waiting).first() else { throw PayrollStoreError.notFound }
        let expectedCount = Int(try w.decode(column: "n", as: Int64.self))
        let expectedTotal = try w.decode(column: "total", as: Int64?.self) ?? 0
        let returnID = UUID()
        let reader = BankReturnReader(format, file: name)
        do {
            return try await db.writeTransaction { tx in
                var result = BankReturnResult(paid: 0, failed: 0, status: .sent)
                var declared: (count: Int?, total: Int64?) = (nil, nil)
                var found = (count: 0, total: Int64(0))
                var seen = Set<String>()
                var staged: [[BulkJSON.Value]] = []
                func flush() async throws {
                    guard !staged.isEmpty else { return }
                    let columns = Self.stagingColumns(returnID)
                    if BulkCopy.isAvailable(tx.sql) { try await BulkCopy.copy(tx.sql, into: "bank_return_lines", columns, rows: staged) }
                    else { try await BulkJSON.insert(tx.sql, into: "bank_return_lines", columns, rows: staged, insideTransaction: true) }
                    staged.removeAll(keepingCapacity: true)
                }
                try await Self.eachLine(path) { bytes, row in
                    switch try reader.record(bytes, row: row) {
                    case .blank: break
                    case .header(let c, let t): declared = (declared.count ?? c, declared.total ?? t)
                    case .trailer(let c, let t): declared = (c ?? declared.count, t ?? declared.total)
                    case .detail(let l):
                        guard seen.insert(l.reference).inserted else { throw BankFileError.duplicateReference(file: name, row: row, reference: l.reference) }
                        // More lines than the bank was sent: refused before memory grows with a hostile file.
                        guard seen.count <= expectedCount else { throw BankFileError.unknownReference(file: name, row: row, reference: l.reference) }
                        found.count += 1
                        found.total += l.amountCents
                        staged.append([.int(Int64(row)), .text(l.reference), .int(l.amountCents), .int(l.paid ? 1 : 0), .text(l.result), .text(l.reason)])
                        if staged.count >= Self.page { try await flush() }
                    }
                }
                try await flush()
                if let c = declared.count, c != found.count { throw BankFileError.totalsDiffer(file: name, what: "笔数", declared: Int64(c), found: Int64(found.count)) }
                if let t = declared.total, t != found.total { throw BankFileError.totalsDiffer(file: name, what: "合计金额", declared: t, found: found.total) }
                try await Self.reconcile(tx.sql, payroll: id, returnID: returnID, file: name, waiting: waiting)
                if found.count != expectedCount { throw BankFileError.missingLines(file: name, count: expectedCount - found.count) }
                if found.total != expectedTotal {
                    throw BankFileError.totalsDiffer(file: name, what: "合计金额（与送银行的）", declared: expectedTotal, found: found.total)
                }
                // The return names every line that waited (checked above): the few it failed, with the bank's reason, then
                // all the others paid, in one pass without a join.
                try await tx.sql.raw("""
                    UPDATE payroll_lines SET status = \(bind: PayrollLineStatus.failed.rawValue), bank_result = s.result, bank_reason = s.reason
                    FROM bank_return_lines s WHERE s.return_id = \(bind: returnID) AND NOT s.paid AND s.reference = payroll_lines.reference
                    AND payroll_lines.payroll_id = \(bind: id)
                    """).run()
                try await tx.sql.update("payroll_lines").set("status", to: PayrollLineStatus.paid.rawValue).where("payroll_id", .equal, id)
                    .where("status", .in, waiting).run()
                let counts: SQLQueryString = "SUM(CASE WHEN paid THEN 1 ELSE 0 END)"
                let c = try await tx.sql.select().column(counts, as: "paid").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                    .from("bank_return_lines").where("return_id", .equal, returnID).first()
                result.paid = Int(try c?.decode(column: "paid", as: Int64?.self) ?? 0)
                result.failed = Int(try c?.decode(column: "n", as: Int64.self) ?? 0) - result.paid
                let statuses = try await tx.sql.select().distinct().column("status").from("payroll_lines").where("payroll_id", .equal, id).all()
                    .compactMap { PayrollLineStatus(rawValue: try $0.decode(column: "status", as: String.self)) }
                result.status = PayrollWorkflow.afterReturn(lines: statuses)
                try await tx.sql.insert(into: "bank_returns").columns("id", "payroll_id", "file_name", "file_sha256", "paid", "failed", "imported_by", "imported_at")
                    .values(SQLBind(returnID), SQLBind(id), SQLBind(name), SQLBind(digest), SQLBind(Int64(result.paid)), SQLBind(Int64(result.failed)),
                            SQLBind(actor.username), SQLBind(Timestamp.text(now))).run()
                var u = tx.sql.update("payrolls").set("status", to: result.status.rawValue)
                if result.status == .closed { u = u.set("closed_at", to: Timestamp.text(now)) }
                try await u.where("id", .equal, id).run()
                try await AuditLog(tx).record(actor: actor, action: .importBankReturn, targetKind: "payroll", targetID: id.uuidString.lowercased(),
                                              detail: "导入银行回盘 \(name)：成功 \(result.paid) 笔，失败 \(result.failed) 笔", at: now)
                return result
            }
        } catch let e as BankFileError {
            throw PayrollStoreError.bank(e)
        }
    }

    static func stagingColumns(_ returnID: UUID) -> [BulkJSON.Column] {
        [BulkJSON.Column(name: "return_id", source: .constant(.of(returnID)), type: "uuid"), BulkJSON.Column(name: "row_number", source: .row(0), type: "bigint"),
         BulkJSON.Column(name: "reference", source: .row(1), type: "text"), BulkJSON.Column(name: "amount_cents", source: .row(2), type: "bigint"),
         BulkJSON.Column(name: "paid", source: .row(3), type: "boolean"), BulkJSON.Column(name: "result", source: .row(4), type: "text"),
         BulkJSON.Column(name: "reason", source: .row(5), type: "text")]
    }

    /// Every staged reference is a line of this payroll waiting for the bank, at its amount: one pass over the staged
    /// lines, the first that is not named with its row.
    static func reconcile(_ sql: any SQLDatabase, payroll: UUID, returnID: UUID, file: String, waiting: [String]) async throws {
        guard let r = try await sql.raw("""
            SELECT s.row_number AS row_number, s.reference AS reference, s.amount_cents AS found, l.net_cents AS expected, l.status AS status
            FROM bank_return_lines s LEFT JOIN payroll_lines l ON l.reference = s.reference AND l.payroll_id = \(bind: payroll)
            WHERE s.return_id = \(bind: returnID) AND (l.id IS NULL OR l.status NOT IN (\(bind: waiting[0]), \(bind: waiting[1])) OR s.amount_cents <> l.net_cents)
            ORDER BY s.row_number LIMIT 1
            """).first() else { return }
        let row = Int(try r.decode(column: "row_number", as: Int64.self)), reference = try r.decode(column: "reference", as: String.self)
        guard let expected = try r.decode(column: "expected", as: Int64?.self), let status = try r.decode(column: "status", as: String?.self),
              waiting.contains(status) else { throw BankFileError.unknownReference(file: file, row: row, reference: reference) }
        throw BankFileError.amountDiffers(file: file, row: row, reference: reference, expected: expected, found: try r.decode(column: "found", as: Int64.self))
    }

    /// Each line of a file (without its line ending), numbered from 1, read in chunks: memory does not grow with the file.
    static func eachLine(_ path: String, _ body: (Data, Int) async throws -> Void) async throws {
        guard let h = FileHandle(forReadingAtPath: path) else { throw PayrollStoreError.account("无法读取文件 \(path)") }
        defer { try? h.close() }
        var buffer = [UInt8]()
        var row = 0
        while true {
            let chunk = try h.read(upToCount: 1 << 20) ?? Data()
            buffer.append(contentsOf: chunk)
            // Lines are taken from a moving start; what is left is moved to the front once per chunk, not once per line.
            var start = 0
            while let nl = buffer[start...].firstIndex(of: 0x0A) {
                var end = nl
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                row += 1
                try await body(Data(buffer[start..<end]), row)
                start = nl + 1
            }
            buffer.removeFirst(start)
            // A single line longer than any bank's record is not a bank file.
            if buffer.count > 1 << 16 { throw BankFileError.malformed(file: (path as NSString).lastPathComponent, row: row + 1, field: "整行", reason: "行过长") }
            if chunk.isEmpty { break }
        }
        if !buffer.isEmpty {
            row += 1
            try await body(Data(buffer.last == 0x0D ? buffer.dropLast() : buffer[...]), row)
        }
    }

    static func sha256(_ path: String) throws -> String {
        guard let h = FileHandle(forReadingAtPath: path) else { throw PayrollStoreError.account("无法读取文件 \(path)") }
        defer { try? h.close() }
        var hash = SHA256()
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(data: chunk) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// What a bank file's line is written from.
struct SendLine: Sendable {
    var reference: String
    var net: Int64
    var arrears: Int64
    var oneOff: Int64
    var cipher: String
    var name: String

    static let shape = RowShape<SendLine>(
        columns: ["reference", "net_cents", "arrears_cents", "one_off_cents", "account_cipher", "account_name"],
        byName: { r in
            SendLine(reference: try r.text("reference"), net: try r.int64("net_cents"), arrears: try r.int64("arrears_cents"),
                     oneOff: try r.int64("one_off_cents"), cipher: try r.text("account_cipher"), name: try r.text("account_name"))
        },
        byPosition: { c in
            SendLine(reference: try c.text(), net: try c.int64(), arrears: try c.int64(), oneOff: try c.int64(), cipher: try c.text(), name: try c.text())
        })
}

/// The lines written so far, numbered from 1 (the chunks come one after another).
final class LineCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    /// The sequence numbers of the next `count` lines: the first of them is returned.
    func reserve(_ count: Int) -> Int { lock.lock(); defer { lock.unlock() }; n += count; return n - count + 1 }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}

/// A file written through a temporary name, hashed as it is written (one chunk at a time, in order).
final class HashingFile: @unchecked Sendable {
    let path: String
    let handle: FileHandle
    var hash = SHA256()
    private(set) var digest = ""

    init?(_ path: String) {
        self.path = path
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { return nil }
        handle = h
    }

    func write(_ d: some DataProtocol) throws {
        hash.update(data: d)
        try handle.write(contentsOf: d)
    }

    func close() throws {
        try handle.close()
        digest = hash.finalize().map { String(format: "%02x", $0) }.joined()
    }

    func discard() {
        try? handle.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
