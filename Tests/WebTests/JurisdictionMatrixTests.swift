import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// Each role × a household inside and one outside its region × each page and API route.
@Suite struct JurisdictionMatrixTests {
    enum Expect: Equatable { case ok, notFound, forbidden }

    /// What each role may see of a household: data officers never read profiles.
    static func household(_ role: Role, inside: Bool) -> Expect {
        guard Permission.viewHouseholds.isGranted(to: role) else { return .forbidden }
        return inside ? .ok : .notFound
    }

    @Test(arguments: Role.allCases)
    func matrix(_ role: Role) async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            let login = try await b.login(site.account(role).username)
            #expect(login.status == .seeOther)
            let cases: [(HouseholdBundle, Bool)] = [(site.inside, true), (site.outside, false)]
            for (target, inside) in cases {
                let head = target.members[0]
                let expected = Self.household(role, inside: inside)
                let label = "\(role.rawValue) \(inside ? "inside" : "outside")"

                // profile page
                let page = try await b.get(SiteURL.household(target.household.id).path)
                #expect(status(page) == expected, "\(label) profile page")
                if expected == .ok { #expect(page.body.string.contains(head.name)) }
                if expected == .notFound { #expect(page.body.string.contains("未找到")) }
                if expected == .forbidden { #expect(page.body.string.contains("无权访问")) }

                // search page, by the whole ID number (posted: it is never in a URL)
                let form = try await b.get(SiteURL.householdSearch(query: nil).path)
                let search = try await b.post(SiteURL.householdSearch(query: nil).path,
                                              form: ["_csrf": Browser.csrf(in: form) ?? "", "q": head.nationalID.value])
                if Permission.viewHouseholds.isGranted(to: role) {
                    #expect(search.status == .ok, "\(label) search page")
                    #expect(search.body.string.contains(SiteURL.household(target.household.id).path) == inside, "\(label) search result")
                } else {
                    #expect(search.status == .forbidden, "\(label) search page")
                }

                // API detail
                let apiDetail = try await b.get(SiteURL.apiHousehold(target.household.id).path)
                #expect(status(apiDetail) == expected, "\(label) API detail")
                if expected == .ok {
                    let detail = try apiDetail.content.decode(API.HouseholdDetail.self)
                    #expect(detail.members.contains { $0.nationalId == head.nationalID.masked })
                }

                // API search
                let apiSearch = try await b.sendJSON(.POST, SiteURL.apiHouseholdSearchByID.path, json: #"{"q":"\#(head.nationalID.value)"}"#,
                                                     csrf: Browser.csrf(in: form))
                if Permission.viewHouseholds.isGranted(to: role) {
                    let list = try apiSearch.content.decode(API.HouseholdList.self)
                    #expect(list.items.map(\.id) == (inside ? [target.household.id.description] : []), "\(label) API search")
                } else {
                    #expect(apiSearch.status == .forbidden, "\(label) API search")
                }

                // region browser
                let region = try await b.get(SiteURL.region(target.household.residenceRegion).path)
                let regionExpected: Expect = !Permission.viewStatistics.isGranted(to: role) ? .forbidden : inside ? .ok : .notFound
                #expect(status(region) == regionExpected, "\(label) region page")
            }
            // home and audit log
            // an administrator's home is their own work (the log, or the accounts), not a region's figures
            #expect(try await b.get("/").status == (role.isAdministrator ? .seeOther : .ok))
            let audit = try await b.get(SiteURL.auditLog(query: nil).path)
            #expect(status(audit) == (role == .auditor ? .ok : .forbidden), "\(role.rawValue) audit log")
        }
    }

    func status(_ res: TestingHTTPResponse) -> Expect? {
        switch res.status {
        case .ok: return .ok
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        default: return nil
        }
    }

    @Test func strangersAreSentToLoginAndTheAPIAnswers401() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            for path in ["/", SiteURL.household(site.inside.household.id).path, SiteURL.householdSearch(query: "王").path, SiteURL.auditLog(query: nil).path] {
                let res = try await b.get(path)
                #expect(res.status == .seeOther)
                #expect(res.headers.first(name: .location) == "/login")
            }
            let api = try await b.get(SiteURL.apiHousehold(site.inside.household.id).path)
            #expect(api.status == .unauthorized)
            let body = try api.content.decode(API.ErrorBody.self)
            #expect(body.error.status == 401)
        }
    }
}
