import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// 三权分立 through the pages: the system administrator opens an account, which signs in to nothing until the
/// security administrator grants its role; neither can do the other's part, nobody grants their own role, and none
/// of the three administrators (the audit administrator included) reads a family's profile.
@Suite struct SeparationOfDutiesTests {
    @Test func anAccountOpenedByTheSystemAdministratorWaitsForTheSecurityAdministratorsGrant() async throws {
        try await TestSite.with { site in
            let street = site.account(.townshipOfficer).region.code
            // the system administrator's home is the accounts page
            let sys = site.browser()
            try await sys.login(site.account(.systemAdmin).username)
            let home = try await sys.get("/")
            #expect(home.status == .seeOther && home.headers.first(name: .location) == SiteURL.users(page: 1).path)
            let page = try await sys.get(SiteURL.users(page: 1).path)
            #expect(page.status == .ok && page.body.string.contains(#"name="username""#) && !page.body.string.contains(">授权<"))
            let csrf = try #require(Browser.csrf(in: page))

            // a refused account keeps what was typed (a username already taken)
            let taken = try await sys.post(SiteURL.users(page: 1).path,
                                           form: ["_csrf": csrf, "username": "township", "name": "重名的人", "role": Role.townshipOfficer.rawValue, "region": street.value])
            #expect(taken.status == .badRequest && taken.body.string.contains("已存在") && taken.body.string.contains("重名的人"))

            // act: open an account
            let opened = try await sys.post(SiteURL.users(page: 1).path,
                                            form: ["_csrf": csrf, "username": "new.clerk", "name": "新经办人", "role": Role.townshipOfficer.rawValue, "region": street.value])
            #expect(opened.status == .ok && opened.headers.first(name: .cacheControl) == "no-store")
            let body = opened.body.string
            let password = try #require(body.range(of: #"<code>([A-Za-z0-9]{16})</code>"#, options: .regularExpression).map {
                String(body[$0].dropFirst(6).dropLast(7))
            })

            // check: the right password signs in to nothing until the role is granted
            let early = try await site.browser().login("new.clerk", password: password)
            #expect(early.status == .forbidden && early.body.string.contains("待安全管理员授权"))
            // the system administrator cannot grant it
            let selfGrant = try await sys.post(SiteURL.userAction("new.clerk", .grant).path,
                                               form: ["_csrf": csrf, "role": Role.townshipOfficer.rawValue])
            #expect(selfGrant.status == .forbidden)

            // the security administrator grants it, but cannot open accounts nor grant their own role
            let sec = site.browser()
            try await sec.login(site.account(.securityAdmin).username)
            let secPage = try await sec.get(SiteURL.users(page: 1).path)
            #expect(secPage.status == .ok && !secPage.body.string.contains(#"name="username""#) && secPage.body.string.contains("待授权"))
            let secCSRF = try #require(Browser.csrf(in: secPage))
            let open = try await sec.post(SiteURL.users(page: 1).path,
                                          form: ["_csrf": secCSRF, "username": "crony", "name": "x", "role": Role.cityAdmin.rawValue, "region": street.value])
            #expect(open.status == .forbidden)
            #expect(try await UserStore(site.app.db).find(username: "crony") == nil)
            let own = try await sec.post(SiteURL.userAction(site.account(.securityAdmin).username, .grant).path,
                                         form: ["_csrf": secCSRF, "role": Role.cityAdmin.rawValue])
            #expect(own.status == .badRequest && own.body.string.contains("不能给自己"))
            #expect(try await UserStore(site.app.db).find(username: site.account(.securityAdmin).username)?.role == .securityAdmin)
            let granted = try await sec.post(SiteURL.userAction("new.clerk", .grant).path,
                                             form: ["_csrf": secCSRF, "role": Role.townshipOfficer.rawValue])
            #expect(granted.status == .seeOther)

            // now it signs in and works in its street
            let clerk = site.browser()
            #expect(try await clerk.login("new.clerk", password: password).status == .seeOther)
            // the first password was the administrator's to see: nothing else until the clerk chooses their own
            let first = try await clerk.get(SiteURL.household(site.inside.household.id).path)
            #expect(first.status == .seeOther && first.headers.first(name: .location) == SiteURL.changePassword.path)
            #expect(try await clerk.get(SiteURL.apiHousehold(site.inside.household.id).path).status == .forbidden)
            let form = try await clerk.get(SiteURL.changePassword.path)
            #expect(form.body.string.contains("初始密码由管理员设定"))
            let changed = try await clerk.post(SiteURL.changePassword.path, form: ["_csrf": Browser.csrf(in: form) ?? "", "current": password,
                                                                                   "new": "Qingshui-river-88", "confirm": "Qingshui-river-88"])
            #expect(changed.status == .ok)
            #expect(try await clerk.get(SiteURL.household(site.inside.household.id).path).status == .ok)

            // the system administrator moves it and disables it; its session ends at its next request
            let moved = try await sys.post(SiteURL.userAction("new.clerk", .region).path,
                                           form: ["_csrf": csrf, "region": site.account(.countyReviewer).region.code.value])
            #expect(moved.status == .seeOther)
            #expect(try await UserStore(site.app.db).find(username: "new.clerk")?.region == site.account(.countyReviewer).region.code)
            #expect(try await sys.post(SiteURL.userAction("new.clerk", .disable).path, form: ["_csrf": csrf]).status == .seeOther)
            #expect(try await clerk.get("/").status == .seeOther)

            // every step is in the log, which only the audit administrator reads
            let auditor = site.browser()
            try await auditor.login(site.account(.auditor).username)
            let log = try await auditor.get(SiteURL.auditLog(query: "target=new.clerk").path)
            for step in ["创建用户", "授予角色", "变更辖区", "停用账户"] {
                #expect(log.body.string.contains(step), "\(step) in the log")
            }
        }
    }

    @Test(arguments: [Role.systemAdmin, .securityAdmin, .auditor])
    func noAdministratorReadsAFamily(_ role: Role) async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login(site.account(role).username)
            let id = site.inside.household.id
            for path in [SiteURL.household(id).path, SiteURL.apiHousehold(id).path, SiteURL.householdSearch(query: "王").path,
                         SiteURL.region(site.account(.coordinator).region.code).path, SiteURL.warnings(query: nil).path,
                         SiteURL.cases(query: [:]).path, SiteURL.payrolls.path, SiteURL.monitoring.path] {
                let res = try await b.get(path)
                #expect(res.status == .forbidden, "\(role) \(path): \(res.status)")
                #expect(!res.body.string.contains(site.inside.members[0].name), "\(role) \(path)")
            }
            // and the pages they can reach name no family either
            let own = try await b.get(role == .auditor ? SiteURL.auditLog(query: nil).path : SiteURL.users(page: 1).path)
            #expect(own.status == .ok)
            #expect(!own.body.string.contains("查找家庭"))
        }
    }
}
