import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor

@testable import Web

/// One configuration for the server and every command: the city comes from it (or from the registry), never
/// from the demo's settings file.
@Suite struct ConfigurationTests {
    @Test func theCityIsConfiguredOrTheRegistrysOwn() async throws {
        // JIUZHU_CITY is read and checked
        #expect(try AppConfig.from(environment: ["JIUZHU_CITY": "110100000000"]).city == RegionCode("110100000000"))
        #expect(throws: AppConfig.ConfigError.self) { try AppConfig.from(environment: ["JIUZHU_CITY": "110105001000"]) }
        #expect(try AppConfig.from(environment: [:]).city == nil)
        try await TestSite.with(households: 10) { site in
            let db = site.app.db
            // configured: that city, whatever the registry holds
            #expect(try await AppConfig(mode: .testing, database: site.scratch.config, city: RegionCode("110100000000")).city(in: db) == RegionCode("110100000000"))
            // not configured: the city the registry was loaded for
            let unconfigured = AppConfig(mode: .testing, database: site.scratch.config)
            #expect(try await unconfigured.city(in: db) == site.city.city.code)
            // neither: a clear refusal, not the demo's city (this registry also holds a household from another city)
            try await (db as! any SQLDatabase).delete(from: "settings").where("key", .equal, RegistryStore.citySettingKey).run()
            await #expect(throws: AppConfig.ConfigError.self) { _ = try await unconfigured.city(in: db) }
        }
    }

    @Test func theSelfAssessmentOffersTheConfiguredCitysDistricts() async throws {
        try await TestSite.with(households: 10, city: try RegionCode("110100000000")) { site in
            let page = try await site.app.testing().sendRequest(.GET, SiteURL.selfAssessment.path)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("朝阳区") && !page.body.string.contains("南开区"))
        }
    }
}
