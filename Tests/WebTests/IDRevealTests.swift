import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// Whole ID numbers are in no page's HTML and no API answer by default; one member's number is given for a stated
/// purpose, within the jurisdiction, never cached, and audited with the purpose.
@Suite struct IDRevealTests {
    @Test func aWholeNumberIsShownOnlyForAPurposeAndTheReadIsAudited() async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login(site.account(.townshipOfficer).username)
            let household = site.inside.household.id
            let member = site.inside.members[0]
            // the profile and the API show every number masked
            let profile = try await b.get(SiteURL.household(household).path)
            #expect(profile.status == .ok)
            for m in site.inside.members {
                #expect(!profile.body.string.contains(m.nationalID.value), "\(m.name)'s whole number in the profile")
                #expect(profile.body.string.contains(m.nationalID.masked))
            }
            let api = try await b.get(SiteURL.apiHousehold(household).path)
            #expect(!api.body.string.contains(member.nationalID.value))
            #expect(try api.content.decode(API.HouseholdDetail.self).members.contains { $0.nationalId == member.nationalID.masked })

            // the reveal page asks for a purpose first
            let ask = try await b.get(SiteURL.memberNationalID(household, member.id).path)
            #expect(ask.status == .ok && !ask.body.string.contains(member.nationalID.value))
            let csrf = try #require(Browser.csrf(in: ask))
            let none = try await b.post(SiteURL.memberNationalID(household, member.id).path, form: ["_csrf": csrf])
            #expect(none.status == .badRequest && !none.body.string.contains(member.nationalID.value))
            let vague = try await b.post(SiteURL.memberNationalID(household, member.id).path, form: ["_csrf": csrf, "purpose": "other", "note": "看看"])
            #expect(vague.status == .badRequest && vague.body.string.contains("须写明理由") && vague.body.string.contains("看看"))
            #expect(try await Self.reveals(site).isEmpty, "a refused request reads nothing")

            // act
            let shown = try await b.post(SiteURL.memberNationalID(household, member.id).path,
                                         form: ["_csrf": csrf, "purpose": IDRevealPurpose.bankAccount.rawValue, "note": "社保卡开户"])
            #expect(shown.status == .ok && shown.body.string.contains(member.nationalID.value))
            #expect(shown.headers.first(name: .cacheControl) == "no-store")
            let apiShown = try await b.sendJSON(.POST, SiteURL.apiMemberNationalID(household, member.id).path,
                                                json: #"{"purpose":"identityCheck"}"#, csrf: csrf)
            #expect(apiShown.status == .ok)
            #expect(try apiShown.content.decode(API.RevealedNationalID.self).nationalId == member.nationalID.value)
            let apiVague = try await b.sendJSON(.POST, SiteURL.apiMemberNationalID(household, member.id).path, json: #"{"purpose":"nosy"}"#, csrf: csrf)
            #expect(apiVague.status == .badRequest && !apiVague.body.string.contains(member.nationalID.value))

            // check: each read is in the log with its purpose, the number masked
            let log = try await Self.reveals(site)
            #expect(log.count == 2)
            #expect(log.contains { $0.detail.contains("办理发放账户：社保卡开户") && $0.username == "township" })
            #expect(log.contains { $0.detail.contains("核对本人身份") })
            #expect(log.allSatisfy { !$0.detail.contains(member.nationalID.value) && $0.detail.contains(member.nationalID.masked) })

            // outside the jurisdiction it is not found; a member of another household is not found either
            let outside = try await b.post(SiteURL.memberNationalID(site.outside.household.id, site.outside.members[0].id).path,
                                           form: ["_csrf": csrf, "purpose": "identityCheck"])
            #expect(outside.status == .notFound && !outside.body.string.contains(site.outside.members[0].nationalID.value))
            let mismatched = try await b.post(SiteURL.memberNationalID(household, site.outside.members[0].id).path,
                                              form: ["_csrf": csrf, "purpose": "identityCheck"])
            #expect(mismatched.status == .notFound)
            #expect(try await Self.reveals(site).count == 2)
        }
    }

    @Test(arguments: [Role.dataOfficer, .auditor, .systemAdmin])
    func rolesThatReadNoProfileGetNoNumber(_ role: Role) async throws {
        try await TestSite.with { site in
            let b = site.browser()
            try await b.login(site.account(role).username)
            let form = try await b.get(SiteURL.changePassword.path)
            let res = try await b.post(SiteURL.memberNationalID(site.inside.household.id, site.inside.members[0].id).path,
                                       form: ["_csrf": Browser.csrf(in: form) ?? "", "purpose": "identityCheck"])
            #expect(res.status == .forbidden && !res.body.string.contains(site.inside.members[0].nationalID.value))
        }
    }

    static func reveals(_ site: TestSite) async throws -> [AuditEntry] {
        let auditor = Actor(userID: nil, username: "auditor", role: .auditor, jurisdiction: site.account(.auditor).region.code, origin: "test")
        return try await AuditLog(site.app.db).recent(actor: auditor, action: .revealNationalID)
    }
}
