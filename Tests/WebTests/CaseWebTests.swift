import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// Applications through the real pages: a coordinator files on a household's behalf, the township accepts, each
/// step is taken by whoever holds it, a refused step keeps what was typed, a stale page is told, and the API
/// answers the same.
@Suite struct CaseWebTests {
    static func caseID(_ res: TestingHTTPResponse) throws -> UUID {
        let location = try #require(res.headers.first(name: .location))
        let id = try #require(location.split(separator: "/").last?.split(separator: "?").first)
        return try #require(UUID(uuidString: String(id)))
    }

    static func act(_ b: Browser, _ id: UUID, _ fields: [String: String]) async throws -> TestingHTTPResponse {
        let page = try await b.get(SiteURL.caseItem(id).path)
        // The version as the page's form carries it, or (for someone the step is not for, who has no form) as the API says.
        let json = try await b.get(SiteURL.apiCase(id).path).body.string
        let version = try #require(json.range(of: "\"version\":").map { String(json[$0.upperBound...].prefix { $0.isNumber }) })
        return try await b.post(SiteURL.caseActions(id).path, form: fields.merging(["_csrf": try #require(Browser.csrf(in: page)), "version": version]) { a, _ in a })
    }

    @Test func aCoordinatorFilesAndEachStepIsTakenByWhoeverHoldsIt() async throws {
        try await TestSite.with(households: 20) { site in
            let coordinator = site.browser()
            try await coordinator.login(site.account(.coordinator).username)
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            // the household's profile offers to file for it
            let profile = try await coordinator.get(SiteURL.household(site.inside.household.id).path)
            #expect(profile.body.string.contains("登记申请（代为申请）"))
            let form = try await coordinator.get(SiteURL.caseNew(household: site.inside.household.id.rawValue, warning: nil).path)
            #expect(form.status == .ok && form.body.string.contains("登记救助申请"))
            let opened = try await coordinator.post(SiteURL.cases(query: [:]).path, form: [
                "_csrf": try #require(Browser.csrf(in: form)), "household": site.inside.household.id.description, "kind": "dibao", "channel": "proxy",
                "applicantName": "测试申请人", "note": "社区代为申请"])
            #expect(opened.status == .seeOther)
            let id = try Self.caseID(opened)
            // the township's inbox has it; the coordinator's has not (acceptance is the township's)
            #expect(try await township.get(SiteURL.cases(query: [:]).path).body.string.contains("我的待办申请（1件）"))
            #expect(try await coordinator.get(SiteURL.cases(query: [:]).path).body.string.contains("我的待办申请（0件）"))
            // a coordinator cannot accept
            let refused = try await Self.act(coordinator, id, ["action": "accept"])
            #expect(refused.status == .badRequest && refused.body.string.contains("不能办理「受理」环节"))
            #expect(try await Self.act(township, id, ["action": "accept"]).status == .seeOther)
            // every adult of the household signs; one missing is named
            struct Parts: Decodable { var commitmentSigners: [String]; var verificationItems: [EconomicCheckItem] }
            let detail = try JSONDecoder().decode(Parts.self, from: Data(try await township.get(SiteURL.apiCase(id).path).body.string.utf8))
            #expect(!detail.commitmentSigners.isEmpty)
            var signatures = Dictionary(uniqueKeysWithValues: detail.commitmentSigners.map { ("signature[\($0)]", "paper") })
            if detail.commitmentSigners.count > 1 {
                let last = detail.commitmentSigners.last!
                let short = try await Self.act(coordinator, id, signatures.merging(["action": "recordCommitment", "signature[\(last)]": ""]) { _, b in b })
                #expect(short.status == .badRequest && short.body.string.contains("尚未签署") && short.body.string.contains(last))
            }
            signatures["action"] = "recordCommitment"
            #expect(try await Self.act(coordinator, id, signatures).status == .seeOther)
            // the verification report puts what the household declared beside each department item
            var declared = ["action": "recordVerification"]
            for (i, item) in detail.verificationItems.enumerated() {
                declared["declared[\(i)]"] = String(format: "%.2f", Double(item.foundCents ?? 0) / 100)
            }
            #expect(try await Self.act(township, id, declared).status == .seeOther)
            // one investigator is not enough; what was typed stays in the form
            let visitForm = ["action": "recordVisit", "housing": "dangerous", "living": "家中仅一人居住", "assetsSeen": "无",
                             "present[\(detail.commitmentSigners[0])]": "on", "householdSigner": detail.commitmentSigners[0], "investigatorsSigned": "on"]
            let alone = try await Self.act(coordinator, id, visitForm.merging(["investigators": site.account(.coordinator).username]) { _, b in b })
            #expect(alone.status == .badRequest && alone.body.string.contains("两名以上") && alone.body.string.contains("家中仅一人居住"))
            let visit = try await Self.act(coordinator, id, visitForm.merging(
                ["investigators": "\(site.account(.coordinator).username)、\(site.account(.townshipOfficer).username)"]) { _, b in b })
            #expect(visit.status == .seeOther)
            // the visit form and the report are on the case's page
            let recorded = try await township.get(SiteURL.caseItem(id).path).body.string
            #expect(recorded.contains("入户调查表") && recorded.contains(HousingCondition.dangerous.chinese) && recorded.contains("家庭经济状况核对报告"))
            // the first review sees the calculator's view of the household as the case recorded it
            #expect(try await township.get(SiteURL.caseItem(id).path).body.string.contains("政策计算器（按本案登记的家庭情况"))
            #expect(try await Self.act(township, id, ["action": "firstReview", "recommend": "yes", "opinion": "符合条件"]).status == .seeOther)
            #expect(try await Self.act(township, id, ["action": "postNotice"]).status == .seeOther)
            // the notice cannot be closed before its seven days
            let early = try await Self.act(township, id, ["action": "closeNotice"])
            #expect(early.status == .badRequest && early.body.string.contains("公示期未满"))
            // a page read before someone else acted is told, not overwritten
            let stalePage = try await township.get(SiteURL.caseItem(id).path)
            #expect(try await Self.act(coordinator, id, ["action": "recordObjection", "text": "邻居反映有车"]).status == .seeOther)
            let html = stalePage.body.string
            let read = try #require(html.range(of: "name=\"version\" value=\"").map { String(html[$0.upperBound...].prefix { $0 != "\"" }) })
            let stale = try await township.post(SiteURL.caseActions(id).path, form: ["_csrf": try #require(Browser.csrf(in: stalePage)), "action": "recordObjection",
                                                                                    "text": "x", "version": read])
            #expect(stale.status == .conflict && stale.body.string.contains("刚被他人办理过"))
            // the timeline has every step, by name
            let page = try await township.get(SiteURL.caseItem(id).path)
            for step in ["登记申请", "受理", "签署承诺与授权", "出具核对报告", "登记入户调查", "初审意见", "张贴公示", "登记公示异议"] {
                #expect(page.body.string.contains(step), "\(step)")
            }
            #expect(page.body.string.contains("登记民主评议结果"))
            // the community's notice board shows the household masked, and nothing that identifies it
            let board = try await township.get(SiteURL.notices(region: nil).path)
            #expect(board.status == .ok && board.body.string.contains("测***人") && board.body.string.contains("正在公示（1户）"))
            #expect(!board.body.string.contains("测试申请人") && !board.body.string.contains(site.inside.members[0].nationalID.value))
            // the same through the API
            let api = try await township.get(SiteURL.apiCase(id).path)
            #expect(api.status == .ok && api.body.string.contains("\"step\":\"publicNotice\""))
        }
    }

    @Test func theApiOpensAndRefusesByRule() async throws {
        try await TestSite.with(households: 20) { site in
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let csrf = try #require(Browser.csrf(in: try await township.get(SiteURL.cases(query: [:]).path)))
            let created = try await township.sendJSON(.POST, SiteURL.apiCases.path, json: """
                {"householdId": "\(site.inside.household.id.description)", "kind": "dibao", "channel": "window", "applicantName": "户主"}
                """, csrf: csrf)
            #expect(created.status == .created)
            let body = try JSONDecoder().decode(API.Case.self, from: Data(buffer: created.body))
            #expect(body.step == "acceptance" && body.version == 1)
            // tekun is applied for by a person
            let tekun = try await township.sendJSON(.POST, SiteURL.apiCases.path, json: """
                {"householdId": "\(site.inside.household.id.description)", "kind": "tekun", "channel": "window", "applicantName": "户主"}
                """, csrf: csrf)
            #expect(tekun.status == .badRequest && tekun.body.string.contains("按人申请"))
            // skipping a step is refused; the stale version is a conflict
            let skip = try await township.sendJSON(.POST, SiteURL.apiCaseTransitions(UUID(uuidString: body.id)!).path,
                                                   json: #"{"action": "firstReview", "version": 1, "opinion": "x"}"#, csrf: csrf)
            #expect(skip.status == .badRequest && skip.body.string.contains("不可跳过"))
            let accept = try await township.sendJSON(.POST, SiteURL.apiCaseTransitions(UUID(uuidString: body.id)!).path, json: #"{"action": "accept", "version": 1}"#, csrf: csrf)
            #expect(accept.status == .ok)
            let again = try await township.sendJSON(.POST, SiteURL.apiCaseTransitions(UUID(uuidString: body.id)!).path, json: #"{"action": "accept", "version": 1}"#, csrf: csrf)
            #expect(again.status == .conflict)
            // a household outside the township is not found
            let outside = try await township.sendJSON(.POST, SiteURL.apiCases.path, json: """
                {"householdId": "\(site.outside.household.id.description)", "kind": "dibao", "channel": "window", "applicantName": "x"}
                """, csrf: csrf)
            #expect(outside.status == .notFound)
            // …except for help first where the emergency struck, here (by default the caller's own street)
            let struck = try await township.sendJSON(.POST, SiteURL.apiCases.path, json: """
                {"householdId": "\(site.outside.household.id.description)", "kind": "temporaryEmergency", "channel": "window", "applicantName": "x", "note": "车祸"}
                """, csrf: csrf)
            #expect(struck.status == .created)
            let street = try #require(site.account(.townshipOfficer).region.code.ancestor(at: .township)).value
            #expect(try JSONDecoder().decode(API.Case.self, from: Data(buffer: struck.body)).emergencyRegion == street)
            let elsewhere = try await township.sendJSON(.POST, SiteURL.apiCases.path, json: """
                {"householdId": "\(site.outside.household.id.description)", "kind": "temporaryEmergency", "channel": "window", "applicantName": "x", "emergencyRegion": "110101901000"}
                """, csrf: csrf)
            #expect(elsewhere.status == .badRequest)
        }
    }

    /// The demo's cases: one in every step, decided both ways, one overdue, one apply-anywhere; every page of them opens.
    @Test func theDemoHasACaseInEveryStageAndEveryPageOpens() async throws {
        try await TestSite.with(households: 3_000) { site in
            let policy = site.app.storage[PolicyKey.self]!
            try await DemoCases.seed(db: site.app.db, policy: policy, accounts: site.accounts, city: site.city, today: site.city.today)
            let township = site.browser()
            try await township.login(site.account(.townshipOfficer).username)
            let all = try await township.get(SiteURL.apiCases.path + "?all=on&limit=100")
            let list = try JSONDecoder().decode(API.CaseList.self, from: Data(buffer: all.body))
            #expect(Set(list.items.compactMap(\.step)) == Set(CaseStep.allCases.map(\.rawValue)))
            #expect(Set(list.items.map(\.status)).isSuperset(of: ["open", "approved", "refused"]))
            #expect(list.items.contains { $0.overdue })
            #expect(list.items.contains { $0.residenceRegion.prefix(6) != $0.registeredRegion.prefix(6) })
            // one came from a resident's online request, turned into the application
            let online = try #require(list.items.first { $0.channel == "online" })
            #expect(online.step == "publicNotice")
            #expect(try await township.get(SiteURL.helpRequests.path + "?all=on").body.string.contains(SiteURL.caseItem(UUID(uuidString: online.id)!).path))
            for c in list.items {
                let page = try await township.get(SiteURL.caseItem(UUID(uuidString: c.id)!).path)
                #expect(page.status == .ok, "\(c.code)")
            }
            #expect(try await township.get(SiteURL.notices(region: nil).path).body.string.contains("正在公示（2户）"))
            // and an online request waits for the township's call
            #expect(try await township.get(SiteURL.helpRequests.path).body.string.contains("待联系的在线求助（1 条）"))
            // the dashboard counts them: by step, overdue, decided, and how many working days decisions took
            let policyStore = CaseStore(site.app.db, processes: policy.processes, calendar: policy.monitoring.calendar, parameters: policy.calculator.parameters)
            let figures = try await policyStore.figures(actor: Actor(userID: nil, username: "t", role: .townshipOfficer,
                                                                     jurisdiction: site.account(.townshipOfficer).region.code, origin: "t"), today: site.city.today)
            // approved: the dibao household, the help-first grant after a fire, whose paperwork is overdue, and the one for
            // someone from another district hurt while passing through, whose paperwork is not yet due
            #expect(figures.approved == 3 && figures.refused == 1 && figures.overdue >= 1 && figures.medianWorkingDays != nil)
            #expect(figures.paperworkPending == 2 && figures.paperworkOverdue == 1)
            let street = try #require(site.account(.townshipOfficer).region.code.ancestor(at: .township)).value
            let passing = try #require(list.items.first { $0.emergencyRegion == street && !$0.residenceRegion.hasPrefix(String(street.prefix(6))) })
            #expect(passing.status == "approved" && !passing.registeredRegion.hasPrefix(String(street.prefix(6))))
            // a decrease the street proposed (from a warning where one concerns an assisted household) waits for the county
            let county = Actor(userID: nil, username: "c", role: .countyReviewer, jurisdiction: site.account(.countyReviewer).region.code, origin: "t")
            let pending = try await EnrolmentChanges(site.app.db, parameters: policy.calculator.parameters).list(actor: county, pendingOnly: true, offset: 0, limit: 10)
            #expect(pending.items.contains { $0.state.kind == .decrease && ($0.state.source == .warning) == ($0.warningID != nil) })
            #expect(CaseStep.allCases.allSatisfy { (figures.openByStep[$0] ?? 0) > 0 })
            let dashboard = try await township.get(SiteURL.caseDashboard.path)
            #expect(dashboard.status == .ok && dashboard.body.string.contains("受理到决定") && dashboard.body.string.contains("<svg"))
            // the decision notices print: the approval with its amount and start, the refusal with reasons and articles, both with appeal rights
            let refused = try #require(list.items.first { $0.status == "refused" })
            let approved = try #require(list.items.first { $0.status == "approved" && $0.kind == "dibao" })
            let approval = try await township.get(SiteURL.caseDecisionNotice(UUID(uuidString: approved.id)!).path)
            #expect(approval.status == .ok && approval.body.string.contains("决定予以批准") && approval.body.string.contains("¥585.00")
                    && approval.body.string.contains("行政复议"))
            let refusal = try await township.get(SiteURL.caseDecisionNotice(UUID(uuidString: refused.id)!).path)
            #expect(refusal.body.string.contains("不予批准决定书") && refusal.body.string.contains("家庭金融资产超过当地规定的上限") && refusal.body.string.contains("DB 14"))
            // 码上查: the approved case's status page, with no session, shows the stage and dates and nothing personal
            let store = CaseStore(site.app.db, processes: policy.processes, calendar: policy.monitoring.calendar, parameters: policy.calculator.parameters)
            let detail = try #require(try await store.detail(UUID(uuidString: approved.id)!,
                actor: Actor(userID: nil, username: "t", role: .countyReviewer, jurisdiction: site.city.city.code, origin: "test"), today: site.city.today))
            let casePage = try await township.get(SiteURL.caseItem(UUID(uuidString: approved.id)!).path).body.string
            #expect(casePage.contains(SiteURL.caseStatus(token: detail.statusToken).path) && casePage.contains("申请进度查询二维码"))
            let anonymous = site.browser()
            let status = try await anonymous.get(SiteURL.caseStatus(token: detail.statusToken).path)
            #expect(status.status == .ok && status.body.string.contains("已批准") && status.body.string.contains(approved.code))
            #expect(!status.body.string.contains(approved.applicantName) && !status.body.string.contains("¥") && !status.body.string.contains("最低生活保障"))
            #expect(try await anonymous.get(SiteURL.caseStatus(token: String(repeating: "0", count: 32)).path).status == .notFound)
            // walking through tokens is stopped
            var last = HTTPResponseStatus.ok
            for _ in 0..<31 { last = try await anonymous.get(SiteURL.caseStatus(token: String(repeating: "a", count: 32)).path).status }
            #expect(last == .tooManyRequests)
        }
    }
}

/// 码上办: a resident asks for help without an account; the township where they live sees whom to call by when.
@Suite struct HelpRequestWebTests {
    @Test func aResidentAsksForHelpAndTheTownshipCalls() async throws {
        try await TestSite.with(households: 20) { site in
            let resident = site.browser()
            let form = try await resident.get(SiteURL.helpRequests.path)
            #expect(form.status == .ok && form.body.string.contains("在线求助（码上办）"))
            let township = site.account(.townshipOfficer).region.code.value
            // No account, no session: nothing to forge a request against, so no token (as the self-assessment page).
            let token = ""
            let id = site.inside.members[0].nationalID.value
            // a mistyped ID is named, and what was typed stays
            let bad = try await resident.post(SiteURL.helpRequests.path, form: ["_csrf": token, "name": "王某", "nationalID": String(id.dropLast()) + "0",
                "phone": "13800138000", "need": "老人生病，家里没钱看病", "township": township, "consent": "on"])
            #expect(bad.status == .badRequest && bad.body.string.contains("身份证号") && bad.body.string.contains("老人生病，家里没钱看病"), Comment(rawValue: "\(bad.status) \(bad.body.string.prefix(3000))"))
            let noConsent = try await resident.post(SiteURL.helpRequests.path, form: ["_csrf": token, "name": "王某", "nationalID": id, "phone": "13800138000",
                                                                                      "need": "看病难", "township": township])
            #expect(noConsent.status == .badRequest && noConsent.body.string.contains("同意"))
            let ok = try await resident.post(SiteURL.helpRequests.path, form: ["_csrf": token, "name": "王某", "nationalID": id, "phone": "138 0013 8000",
                                                                               "need": "老人生病，家里没钱看病", "township": township, "consent": "on"])
            #expect(ok.status == .ok && ok.body.string.contains("已收到您的求助") && ok.body.string.contains("QZ-"))
            #expect(!ok.body.string.contains(id) && !ok.body.string.contains("王某"))
            // the township (and the coordinator of a community in it) sees it, masked ID, matched to the household
            let officer = site.browser()
            try await officer.login(site.account(.townshipOfficer).username)
            let list = try await officer.get(SiteURL.helpRequests.path)
            #expect(list.body.string.contains("待联系的在线求助（1 条）") && list.body.string.contains("13800138000"))
            #expect(!list.body.string.contains(id) && list.body.string.contains("已在档案中"))
            let coordinator = site.browser()
            try await coordinator.login(site.account(.coordinator).username)
            #expect(try await coordinator.get(SiteURL.helpRequests.path).body.string.contains("待联系的在线求助（1 条）"))
            // closing needs a reason; then it leaves the list
            let html = list.body.string
            // The request's own form (the page also posts to /help-requests/search and /help-requests/calls).
            let action = try #require(html.components(separatedBy: "action=\"/help-requests/").dropFirst().map { "/help-requests/" + $0.prefix { $0 != "\"" } }
                .first { UUID(uuidString: String($0.dropFirst("/help-requests/".count))) != nil })
            let refused = try await officer.post(action, form: ["_csrf": try #require(Browser.csrf(in: list)), "status": "closed", "note": ""])
            #expect(refused.status == .badRequest && refused.body.string.contains("办结说明"))
            #expect(try await officer.post(action, form: ["_csrf": try #require(Browser.csrf(in: list)), "status": "closed", "note": "已电话联系，已有子女赡养"]).status == .seeOther)
            #expect(try await officer.get(SiteURL.helpRequests.path).body.string.contains("待联系的在线求助（0 条）"))
            let audit = try await AuditLog(site.app.db).recent(actor: Actor(userID: nil, username: "a", role: .auditor, jurisdiction: site.city.city.code, origin: "t"))
            #expect(audit.contains { $0.action == AuditAction.helpRequest.rawValue && $0.username == "public" })
            #expect(audit.contains { $0.action == AuditAction.handleHelpRequest.rawValue })
            // a call to the hotline, recorded by the officer, joins the list
            let page = try await officer.get(SiteURL.helpRequests.path)
            let call = try await officer.post(SiteURL.helpRequestCalls.path, form: ["_csrf": try #require(Browser.csrf(in: page)), "name": "来电人",
                "nationalID": site.inside.members[0].nationalID.value, "phone": "022-12345678", "need": "房屋漏雨", "township": township, "consent": "on"])
            #expect(call.status == .seeOther)
            let after = try await officer.get(SiteURL.helpRequests.path)
            #expect(after.body.string.contains("待联系的在线求助（1 条）") && after.body.string.contains("热线来电") && after.body.string.contains("房屋漏雨"))
            // A caller rings again: their requests, closed ones too, by the whole number (as typed) or its last four —
            // found through the blind and tail indexes, the numbers resting sealed.
            let find = { (phone: String) in try await officer.post(SiteURL.helpRequestSearch.path, form: ["_csrf": try #require(Browser.csrf(in: after)), "phone": phone]) }
            for typed in ["138-0013-8000", "8000"] {
                let found = try await find(typed)
                #expect(found.status == .ok && found.body.string.contains("来电号码「\(typed)」的求助（1 条）"),
                        Comment(rawValue: String(found.body.string.prefix(2000))))
                #expect(found.body.string.contains("老人生病") && !found.body.string.contains("房屋漏雨") && found.body.string.contains("已办结"))
            }
            let landline = try await find("02212345678")
            #expect(landline.body.string.contains("（1 条）") && landline.body.string.contains("房屋漏雨"))
            #expect(try await find("13900000000").body.string.contains("没有从这个号码来的求助"))
            let short = try await find("12")
            #expect(short.status == .badRequest && short.body.string.contains("来电号码（完整号码或后四位）") && short.body.string.contains("value=\"12\""))
        }
    }
}
