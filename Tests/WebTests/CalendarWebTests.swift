import Domain
import Foundation
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

/// The city administrator loads next year's holidays on a page; a bad file is named and changes nothing; no one
/// else may load one.
@Suite struct CalendarWebTests {
    static let year2027 = Data(#"{"holidays": {"2027-01-01": "元旦", "2027-02-08": "春节"}, "adjusted_workdays": {"2027-02-14": "春节"}}"#.utf8)

    static func upload(_ b: Browser, _ site: TestSite, _ content: Data, name: String = "2027.json") async throws -> TestingHTTPResponse {
        let token = try #require(Browser.csrf(in: try await b.get(SiteURL.calendar.path)))
        let (type, body) = ImportWebTests.multipart(["_csrf": token], file: (name, content))
        var headers = HTTPHeaders()
        headers.add(name: .cookie, value: "\(Browser.cookieName)=\(b.cookie!)")
        headers.add(name: .contentType, value: type)
        return try await site.app.testing().sendRequest(.POST, SiteURL.calendar.path, headers: headers, body: body)
    }

    @Test func theCityAdministratorLoadsNextYear() async throws {
        try await TestSite.with(households: 5) { site in
            let b = site.browser()
            try await b.login(site.account(.cityAdmin).username)
            let before = try await b.get(SiteURL.calendar.path)
            #expect(before.status == .ok && before.body.string.contains("尚缺") && before.body.string.contains("2027 年"))
            // a bad file: named, refused, nothing changes
            let bad = try await Self.upload(b, site, Data(#"{"holidays": {"2027-02-08": "春节"}, "adjusted_workdays": {}}"#.utf8), name: "坏文件.json")
            #expect(bad.status == .badRequest && bad.body.string.contains("坏文件.json") && bad.body.string.contains("缺少元旦"))
            #expect(!site.app.storage[PolicyKey.self]!.monitoring.calendar.years.contains(2027))
            // the real one
            let good = try await Self.upload(b, site, Self.year2027)
            let location = try #require(good.headers.first(name: .location))
            let after = try await b.get(location)
            #expect(after.body.string.contains("已载入 2027 年的节假日安排"))
            #expect(!after.body.string.contains("尚缺 2027"))
            #expect(site.app.storage[PolicyKey.self]!.monitoring.calendar.years.contains(2027))
        }
    }

    @Test func noOneElseLoadsTheCalendar() async throws {
        try await TestSite.with(households: 5) { site in
            let b = site.browser()
            try await b.login(site.account(.townshipOfficer).username)
            let page = try await b.get(SiteURL.calendar.path)
            #expect(page.status == .ok && !page.body.string.contains("载入新一年的安排"))
            let refused = try await Self.upload(b, site, Self.year2027)
            #expect(refused.status == .forbidden)
            #expect(!site.app.storage[PolicyKey.self]!.monitoring.calendar.years.contains(2027))
        }
    }
}
