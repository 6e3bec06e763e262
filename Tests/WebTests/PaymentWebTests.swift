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
