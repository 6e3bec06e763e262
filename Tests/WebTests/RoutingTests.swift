import Domain
import Foundation
import Testing
import Vapor

@testable import Web

/// Routes and links come from one list: every registered route is one of `SiteURL`'s patterns and every pattern is
/// registered, each area registers its own, and no route or link in the Web module is written as a loose string.
@Suite struct RoutingTests {
    static let web = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Web")

    @Test func theRegisteredRoutesAreExactlyThePatterns() async throws {
        let app = try await Application.make(.testing)
        do {
            try routes(app)
            let registered = Set(app.routes.all.map { "/" + $0.path.map(\.description).joined(separator: "/") })
            let patterns = Set(RoutePattern.all.map(\.description))
            #expect(RoutePattern.all.count == patterns.count, "a pattern is listed twice")
            #expect(registered.subtracting(patterns).isEmpty, "registered without a pattern: \(registered.subtracting(patterns).sorted())")
            #expect(patterns.subtracting(registered).isEmpty, "a pattern no area registers: \(patterns.subtracting(registered).sorted())")
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test func linksAreBuiltFromTheSamePatterns() throws {
        let household = Household.ID(UUID())
        #expect(SiteURL.household(household).path == "/households/\(household)")
        #expect(SiteURL.home.path == "/")
        #expect(SiteURL.indicatorTune("a b/c").path == "/monitoring/indicators/a%20b%2Fc")
        #expect(SiteURL.screenings.path(query: ["busy": "120104"]) == "/screenings?busy=120104")
        // Every step a warning page offers is a route: the pattern takes the step as its last segment.
        for step in WarningStep.allCases {
            #expect(SiteURL.warningAction(UUID(), step).path.hasSuffix("/" + step.rawValue))
        }
    }

    @Test func noRouteOrLinkIsALooseString() throws {
        let e = try #require(FileManager.default.enumerator(atPath: Self.web.path))
        var read = 0
        for case let file as String in e where file.hasSuffix(".swift") && !file.hasSuffix("SiteURL.swift") {
            let text = try String(contentsOf: Self.web.appendingPathComponent(file), encoding: .utf8)
            // a route registered by string, a path literal (not an XML attribute's value, as in a workbook's parts), or a path assembled by hand
            for loose in [#"(staff|routes|app)\.(get|post|on|grouped)\(\s*""#, #"\.on\(\.(GET|POST)\s*,\s*""#, #"[^=]"/[a-z]"#, #"PathComponent\(stringLiteral"#] {
                #expect(text.firstMatch(of: try Regex(loose)) == nil || file.hasSuffix("RoutePattern.swift"), "\(file) writes a route or link as a string")
            }
            read += 1
        }
        #expect(read > 20)
    }
}
