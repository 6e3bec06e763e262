import Crypto
import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// Payments through the pages: a township clerk enters a payee's account and the county confirms it (the clerk
/// cannot); the county prepares a payroll and may not approve it; the city approves; the bank file downloads and the
/// bank's return closes the payroll; the account number never appears in a page.
@Suite struct PaymentWebTests {
    @Test func aPayrollFromAccountToBankReturn() async throws {
        try await TestSite.with(households: 20) { site in
            let sql = site.app.db as! any SQLDatabase
            let household = site.inside.household
            let head = try #require(site.inside.members.first { $0.relation == .head })
            let county = try #require(household.registeredRegion.ancestor(at: .county))
            // the household is in dibao from 2025 (¥800 a month)
            try await sql.insert(into: "enrolments").columns("id", "household_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
                .values(SQLBind(UUID()), SQLBind(household.id.rawValue), SQLBind(household.residenceRegion.value), SQLBind("dibao"), SQLBind("2025-01-01"),
                        SQLBind(Int64(80_000)), SQLBind("active")).run()

            // the township enters the head's account; it cannot confirm its own entry; the county does
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let accounts = try await township.get(SiteURL.householdAccounts(household.id).path)
            #expect(accounts.status == .ok && accounts.body.string.contains("尚未登记收款账户"))
            let csrf = try #require(Browser.csrf(in: accounts))
            let bad = try await township.post(SiteURL.householdAccounts(household.id).path, form: [
                "_csrf": csrf, "member": head.id.description, "bank": "演示农商银行", "account": "6230-12x", "accountName": head.name])
            #expect(bad.status == .badRequest && bad.body.string.contains("账号应为10–32位数字") && bad.body.string.contains("6230-12x"))
            #expect(try await township.post(SiteURL.householdAccounts(household.id).path, form: [
                "_csrf": csrf, "member": head.id.description, "bank": "演示农商银行", "account": "6230 5555 6666 7777", "accountName": head.name,
                "note": "一卡通"]).status == .seeOther)
            let pending = try await township.get(SiteURL.householdAccounts(household.id).path).body.string
            #expect(pending.contains("待复核") && pending.contains("**** **** 7777") && !pending.contains("6230555566667777") && pending.contains("待另一人复核"))
            let account = try #require(try await sql.select().column("id").from("bank_accounts").first()?.decode(column: "id", as: UUID.self))
            let own = try await township.post(SiteURL.bankAccountDecision(household.id, account).path, form: ["_csrf": csrf, "decision": "confirm"])
            #expect(own.status == .conflict && own.body.string.contains("另一人复核"))
            let reviewer = site.browser()
            try await reviewer.login(site.account(.countyReviewer).username)
            let review = try await reviewer.get(SiteURL.householdAccounts(household.id).path)
            #expect(review.body.string.contains("复核确认"))
            #expect(try await reviewer.post(SiteURL.bankAccountDecision(household.id, account).path,
                                            form: ["_csrf": try #require(Browser.csrf(in: review)), "decision": "confirm"]).status == .seeOther)
            #expect(try await reviewer.get(SiteURL.householdAccounts(household.id).path).body.string.contains("使用中"))

            // the county prepares December's payroll; it may not approve its own
            let list = try await reviewer.get(SiteURL.payrolls.path)
            #expect(list.status == .ok && list.body.string.contains("生成发放名册"))
            let rcsrf = try #require(Browser.csrf(in: list))
            let wrong = try await reviewer.post(SiteURL.payrolls.path, form: ["_csrf": rcsrf, "month": "2026-13", "county": county.value, "program": "dibao"])
            #expect(wrong.status == .badRequest && wrong.body.string.contains("2026-13"))
            let made = try await reviewer.post(SiteURL.payrolls.path, form: ["_csrf": rcsrf, "month": "2026-12", "county": county.value, "program": "dibao"])
            let location = try #require(made.headers.first(name: .location))
            let id = try #require(UUID(uuidString: String(location.split(separator: "/").last ?? "")))
            let page = try await reviewer.get(location).body.string
            #expect(page.contains("待审批") && page.contains("您是本名册的生成人") && page.contains("<svg") && page.contains(head.name))
            #expect(try await reviewer.post(SiteURL.payrollApprove(id).path, form: ["_csrf": rcsrf]).status == .conflict)
            // the same through the API
            let listed = try JSONDecoder().decode(API.Page<API.Payroll>.self, from: Data(buffer: try await reviewer.get(SiteURL.apiPayrolls.path).body))
            #expect(listed.total == 1 && listed.items.first?.status == "prepared" && listed.items.first?.preparedBy == site.account(.countyReviewer).username)
            let apiLines = try JSONDecoder().decode(API.Page<API.PayrollLine>.self, from: Data(buffer: try await reviewer.get(SiteURL.apiPayrollLines(id).path).body))
            #expect(apiLines.items.contains { $0.householdId == household.id.description && $0.netCents == 80_000 })
            #expect(try await reviewer.sendJSON(.POST, SiteURL.apiPayrollApprove(id).path, json: "{}", csrf: rcsrf).status == .conflict)
            #expect(try await reviewer.sendJSON(.POST, SiteURL.apiPayrolls.path, json: #"{"month": "2026-12", "county": "\#(county.value)", "program": "dibao"}"#,
                                                csrf: rcsrf).status == .conflict)
            let again = try await reviewer.post(SiteURL.payrolls.path, form: ["_csrf": rcsrf, "month": "2026-12", "county": county.value, "program": "dibao"])
            #expect(again.status == .badRequest && again.body.string.contains("不会重复生成"))

            // the city approves; the bank file carries the account, the page never does
            let city = site.browser()
            try await city.login(site.account(.cityAdmin).username)
            let ccsrf = try #require(Browser.csrf(in: try await city.get(SiteURL.payroll(id).path)))
            #expect(try await city.post(SiteURL.payrollApprove(id).path, form: ["_csrf": ccsrf]).status == .seeOther)
            let file = try await city.post(SiteURL.payrollBankFile(id).path, form: ["_csrf": ccsrf, "format": "fixed-gb18030"])
            #expect(file.status == .ok && file.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            let bytes = Data(buffer: file.body)
            let details: [[UInt8]] = Array(bytes).split(separator: UInt8(0x0A)).filter { $0.first == UInt8(ascii: "D") }.map { Array($0) }
            let ours = try #require(details.first { String(decoding: $0[9..<41], as: UTF8.self).hasPrefix("6230555566667777") })
            #expect(String(decoding: ours[81..<97], as: UTF8.self) == "0000000000080000")
            #expect(!(try await city.get(SiteURL.payroll(id).path).body.string.contains("6230555566667777")))

            // the bank's return: every line paid; the payroll closes
            func text(_ s: String) -> Data { Data(s.utf8) }
            let spaces32 = text(String(repeating: " ", count: 32)), spaces60 = text(String(repeating: " ", count: 60))
            var ret = text("H") + text(String(repeating: " ", count: 24)) + text("20261210")
            ret += text(String(format: "%08d", details.count)) + text(String(repeating: "0", count: 16)) + text("\r\n")
            var total: Int64 = 0
            for d in details {
                let amount: [UInt8] = Array(d[81..<97])
                let reference: [UInt8] = Array(d[97..<117])
                total += Int64(String(decoding: amount, as: UTF8.self)) ?? 0
                var row = text("D")
                row += Data(reference)
                row += spaces32
                row += Data(amount)
                row += text("0000")
                row += spaces60
                row += text("\r\n")
                ret += row
            }
            ret += text("T") + text(String(format: "%08d%016d", details.count, total)) + text("\r\n")
            let (type, body) = ImportWebTests.multipart(["_csrf": ccsrf, "format": "fixed-gb18030"], file: ("回盘.txt", ret))
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: "\(Browser.cookieName)=\(city.cookie!)")
            headers.add(name: .contentType, value: type)
            let imported = try await site.app.testing().sendRequest(.POST, SiteURL.payrollReturn(id).path, headers: headers, body: body)
            #expect(imported.status == .seeOther, "\(imported.body.string.prefix(400))")
            let closed = try await city.get(try #require(imported.headers.first(name: .location))).body.string
            #expect(closed.contains("已结清") && closed.contains("回盘已导入：成功 \(details.count) 笔"))

            // payment verification: the county draws December's sample; the street calls; a failure becomes a warning
            let checks = try await reviewer.get(SiteURL.paymentChecks(done: false).path)
            let drawn = try await reviewer.post(SiteURL.paymentCheckDraw.path, form: ["_csrf": try #require(Browser.csrf(in: checks)), "month": "2026-12",
                                                                                     "county": county.value])
            #expect(drawn.status == .seeOther)
            let checkList = try await township.get(SiteURL.paymentChecks(done: false).path)
            #expect(checkList.body.string.contains("待核验的收款人") && checkList.body.string.contains("登记核验结果"))
            let checkID = try #require(try await sql.select().column("id").from("payment_verifications").first()?.decode(column: "id", as: UUID.self))
            let tcsrf = try #require(Browser.csrf(in: checkList))
            let noNote = try await township.post(SiteURL.paymentCheck(checkID).path, form: ["_csrf": tcsrf, "method": "visit", "arrived": "no", "alive": "yes",
                                                                                           "livesThere": "yes", "note": ""])
            #expect(noNote.status == .badRequest && noNote.body.string.contains("请写明核实的情况") && noNote.body.string.contains("value=\"visit\" selected"))
            let failed = try await township.post(SiteURL.paymentCheck(checkID).path, form: ["_csrf": tcsrf, "method": "phone", "arrived": "no", "alive": "yes",
                                                                                           "livesThere": "yes", "note": "本人称本月未收到"])
            #expect(failed.status == .ok && failed.body.string.contains("已形成预警"))
            #expect(try await sql.select().column("id").from("warnings").where("indicator", .equal, "JZ-P02").first() != nil)
        }
    }
}

/// The rest of payments through the API: the bank file with its count, total and hash in headers, the bank's return
/// sent as the body, the re-issue queue, payment verification; and the report as a page (with its chart, CSV and
/// Excel) and as JSON.
@Suite struct PaymentAPIWebTests {
    @Test func bankFileReturnQueueVerificationAndReport() async throws {
        try await TestSite.with(households: 40) { site in
            let sql = site.app.db as! any SQLDatabase
            let county = try #require(site.inside.household.registeredRegion.ancestor(at: .county))
            // two households of the street in dibao (¥800 a month), each head banked by the street and confirmed by the county; the
            // only paid lines, so the street's payee is the one verified
            let streetCode = site.account(.townshipOfficer).region.code
            let households = try await sql.raw("""
                SELECT h.id AS id, h.residence_region AS residence, m.id AS head, m.name AS name FROM households h
                JOIN members m ON m.household_id = h.id AND m.relation = 'head'
                WHERE h.registered_region >= \(bind: streetCode.subtreeRange.lowerBound) AND h.registered_region <= \(bind: streetCode.subtreeRange.upperBound)
                AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = h.id) ORDER BY h.id LIMIT 2
                """).all()
            try #require(households.count == 2)
            let street = Actor(userID: nil, username: site.account(.townshipOfficer).username, role: .townshipOfficer, jurisdiction: county, origin: "test")
            let bureau = Actor(userID: nil, username: site.account(.countyReviewer).username, role: .countyReviewer, jurisdiction: county, origin: "test")
            let accounts = BankAccounts(site.app.db, cipher: .development)
            for (i, h) in households.enumerated() {
                try await sql.insert(into: "enrolments").columns("id", "household_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
                    .values(SQLBind(UUID()), SQLBind(try h.decode(column: "id", as: UUID.self)), SQLBind(try h.decode(column: "residence", as: String.self)),
                            SQLBind("dibao"), SQLBind("2025-01-01"), SQLBind(Int64(80_000)), SQLBind("active")).run()
                let id = try await accounts.enter(member: try h.decode(column: "head", as: UUID.self), bank: "演示农商银行", account: "6230 7777 0000 000\(i)",
                                                  accountName: try h.decode(column: "name", as: String.self), note: "", actor: street)
                try await accounts.confirm(id, actor: bureau)
            }

            let reviewer = site.browser()
            try await reviewer.login(site.account(.countyReviewer).username)
            let rcsrf = try #require(Browser.csrf(in: try await reviewer.get(SiteURL.payrolls.path)))
            let made = try await reviewer.sendJSON(.POST, SiteURL.apiPayrolls.path, json: #"{"month": "2026-12", "county": "\#(county.value)", "program": "dibao"}"#,
                                                   csrf: rcsrf)
            #expect(made.status == .created)
            let payroll = try JSONDecoder().decode(API.Payroll.self, from: Data(buffer: made.body))
            let id = try #require(UUID(uuidString: payroll.id))
            #expect(payroll.lineCount >= 2)
            // the bank file before approval: refused
            #expect(try await reviewer.sendJSON(.POST, SiteURL.apiPayrollBankFile(id).path, json: #"{"format": "csv-utf8"}"#, csrf: rcsrf).status == .conflict)
            let city = site.browser()
            try await city.login(site.account(.cityAdmin).username)
            let ccsrf = try #require(Browser.csrf(in: try await city.get(SiteURL.payrolls.path)))
            #expect(try await city.sendJSON(.POST, SiteURL.apiPayrollApprove(id).path, json: "{}", csrf: ccsrf).status == .ok)

            // the bank file: streamed, with its count, total and hash; an unknown format is refused
            #expect(try await reviewer.sendJSON(.POST, SiteURL.apiPayrollBankFile(id).path, json: #"{"format": "swift-mt"}"#, csrf: rcsrf).status == .badRequest)
            let file = try await reviewer.sendJSON(.POST, SiteURL.apiPayrollBankFile(id).path, json: #"{"format": "csv-utf8"}"#, csrf: rcsrf)
            #expect(file.status == .ok && file.headers.first(name: .cacheControl) == "no-store")
            let bytes = Data(buffer: file.body)
            #expect(file.headers.first(name: "X-Jiuzhu-SHA256") == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            let count = try #require(file.headers.first(name: "X-Jiuzhu-Line-Count").flatMap { Int($0) })
            // (ours are the county's only banked payees: the rest of the demo's are blocked, unbanked)
            #expect(count == 2)
            #expect(count == Int(payroll.lineCount - payroll.blockedCount) && file.headers.first(name: "X-Jiuzhu-Total-Cents") == "\(payroll.totalCents)")
            #expect(String(decoding: bytes, as: UTF8.self).contains("623077770000000"))

            // the bank's return as the body: the first line failed (a closed account); a return whose total differs is refused first
            let format = try #require(try BankFileFormats.bundled()["csv-utf8"])
            let dir = NSTemporaryDirectory() + "api-return-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            try bytes.write(to: URL(fileURLWithPath: dir + "/bank.csv"))
            let answer = try Data(contentsOf: URL(fileURLWithPath: try BankSimulator.answer(dir + "/bank.csv", format: format, failing: 1,
                                                                                             on: try LocalDate("2026-12-10"))))
            func sendReturn(_ body: Data, format: String = "csv-utf8") async throws -> TestingHTTPResponse {
                var headers = HTTPHeaders()
                headers.add(name: .cookie, value: "\(Browser.cookieName)=\(reviewer.cookie!)")
                headers.add(name: CSRFMiddleware.header, value: rcsrf)
                headers.add(name: .contentType, value: "text/csv")
                return try await site.app.testing().sendRequest(.POST, SiteURL.apiPayrollReturn(id).path + "?format=\(format)&name=回盘.csv",
                                                               headers: headers, body: ByteBuffer(data: body))
            }
            var lines = String(decoding: answer, as: UTF8.self).components(separatedBy: "\r\n")
            let trailer = try #require(lines.lastIndex { $0.hasPrefix("合计") })
            let honest = lines[trailer]
            lines[trailer] = honest.replacingOccurrences(of: ",\(Cents(payroll.totalCents).plainYuan)", with: ",\(Cents(payroll.totalCents + 100).plainYuan)")
            let wrong = try await sendReturn(Data(lines.joined(separator: "\r\n").utf8))
            #expect(wrong.status == .badRequest && wrong.body.string.contains("回盘.csv"), "\(wrong.body.string)")
            #expect(try await sendReturn(answer, format: "nope").status == .badRequest)
            let imported = try await sendReturn(answer)
            #expect(imported.status == .ok, "\(imported.body.string)")
            let result = try JSONDecoder().decode(API.BankReturnResult.self, from: Data(buffer: imported.body))
            #expect(result.failed == 1 && result.paid == count - 1 && result.status == "sent")
            #expect(try await sendReturn(answer).status == .conflict)

            // the re-issue queue: the failed line is carried over to next month; then the payroll closes
            let queue = try JSONDecoder().decode(API.Page<API.PayrollLine>.self,
                                                 from: Data(buffer: try await reviewer.get(SiteURL.apiPayrollLines(id).path + "?status=failed").body))
            let failed = try #require(queue.items.first)
            let failedID = try #require(UUID(uuidString: failed.id))
            #expect(queue.total == 1 && failed.bankReason == "账户已销户")
            #expect(try await reviewer.sendJSON(.POST, SiteURL.apiPayrollLine(id, failedID).path, json: #"{"action": "carryOver"}"#, csrf: rcsrf).status
                    == .badRequest)
            #expect(try await reviewer.sendJSON(.POST, SiteURL.apiPayrollLine(id, UUID()).path, json: #"{"action": "carryOver", "reason": "x"}"#, csrf: rcsrf).status
                    == .notFound)
            let carried = try await reviewer.sendJSON(.POST, SiteURL.apiPayrollLine(id, failedID).path,
                                                      json: #"{"action": "carryOver", "reason": "账户已销户，待办新卡"}"#, csrf: rcsrf)
            #expect(try carried.status == .ok && (JSONDecoder().decode(API.PayrollLine.self, from: Data(buffer: carried.body))).status == "carriedOver")
            let closed = try JSONDecoder().decode(API.Payroll.self, from: Data(buffer: try await reviewer.get(SiteURL.apiPayroll(id).path).body))
            #expect(closed.status == "closed")

            // payment verification through the API: the county draws; the street records a failure, raised as a warning
            let drawn = try await reviewer.sendJSON(.POST, SiteURL.apiPaymentCheckDraw.path, json: #"{"county": "\#(county.value)", "month": "2026-12"}"#, csrf: rcsrf)
            #expect(try drawn.status == .created && (JSONDecoder().decode(API.PaymentCheckDrawn.self, from: Data(buffer: drawn.body))).drawn >= 1)
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let tcsrf = try #require(Browser.csrf(in: try await township.get(SiteURL.paymentChecks(done: false).path)))
            let open = try JSONDecoder().decode(API.Page<API.PaymentCheck>.self, from: Data(buffer: try await township.get(SiteURL.apiPaymentChecks.path).body))
            let check = try #require(open.items.first)
            #expect(check.status == "open" && check.month == "2026-12")
            let checkID = try #require(UUID(uuidString: check.id))
            #expect(try await township.sendJSON(.POST, SiteURL.apiPaymentCheck(checkID).path, json: #"{"method": "fax", "arrived": true, "alive": true, "livesThere": true}"#,
                                                csrf: tcsrf).status == .badRequest)
            let recorded = try await township.sendJSON(.POST, SiteURL.apiPaymentCheck(checkID).path,
                                                       json: #"{"method": "phone", "arrived": false, "alive": true, "livesThere": true, "note": "本人称未收到"}"#, csrf: tcsrf)
            #expect(try recorded.status == .ok && (JSONDecoder().decode(API.PaymentCheckRecorded.self, from: Data(buffer: recorded.body))).passed == false)
            #expect(try await township.sendJSON(.POST, SiteURL.apiPaymentCheck(checkID).path,
                                                json: #"{"method": "phone", "arrived": true, "alive": true, "livesThere": true}"#, csrf: tcsrf).status == .conflict)
            #expect(try await sql.select().column("id").from("warnings").where("indicator", .equal, "JZ-P02").first() != nil)

            // the report: what was paid (the carried-over line is not), by street, as a page with its chart, CSV, Excel and JSON
            let paidCents = payroll.totalCents - failed.netCents
            let report = try await reviewer.get(SiteURL.paymentReports.path + "?from=2026-12&to=2026-12&program=dibao")
            #expect(report.status == .ok && report.body.string.contains("<svg") && report.body.string.contains(Cents(paidCents).yuanText))
            let json = try JSONDecoder().decode(API.PaymentReport.self, from: Data(buffer: try await reviewer.get(SiteURL.apiPaymentReports.path + "?from=2026-12&to=2026-12").body))
            #expect(json.rows.reduce(Int64(0)) { $0 + $1.amountCents } == paidCents && json.rows.reduce(Int64(0)) { $0 + $1.confirmedCents } == paidCents)
            #expect(json.rows.allSatisfy { $0.region.name != $0.region.code && $0.persons >= $0.households })
            let csv = try await reviewer.get(SiteURL.paymentReports.path + "?from=2026-12&to=2026-12&format=csv&purpose=statistics")
            #expect(csv.status == .ok && csv.body.string.hasPrefix("\u{FEFF}导出人：") && csv.body.string.contains("\r\n月份,项目,地区代码") && csv.body.string.contains(Cents(json.rows[0].amountCents).plainYuan))
            let xlsx = try await reviewer.get(SiteURL.paymentReports.path + "?from=2026-12&to=2026-12&format=xlsx&purpose=statistics")
            #expect(xlsx.status == .ok && xlsx.headers.contentType?.subType.contains("spreadsheetml") == true && Data(buffer: xlsx.body).prefix(2) == Data("PK".utf8))
            // a range backwards keeps what was typed and says why; another district is not the reviewer's
            let backwards = try await reviewer.get(SiteURL.paymentReports.path + "?from=2026-12&to=2026-01")
            #expect(backwards.status == .badRequest && backwards.body.string.contains("起始月份不能晚于截止月份") && backwards.body.string.contains("value=\"2026-01\""))
            #expect(try await reviewer.get(SiteURL.apiPaymentReports.path + "?region=120101000000").status == .forbidden)
            let coordinator = site.browser()
            try await coordinator.login(site.account(.coordinator).username)
            #expect(try await coordinator.get(SiteURL.paymentReports.path).status == .forbidden)
        }
    }
}
