import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 区域浏览: city → district → street → community, with counts; at a community, its households.
enum RegionPage {
    static let pageSize = 50

    struct Model {
        var home: HomePage.Model
        var households: [HouseholdSummary]
        var total = 0
        var paging = Paging(page: 1, size: RegionPage.pageSize)
        var program: Program?
        var listsHouseholds = false

        static func load(db: any Database, actor: Actor, region: RegionCode, paging: Paging = Paging(page: 1, size: RegionPage.pageSize),
                         program: Program? = nil) async throws -> Model? {
            guard let home = try await HomePage.Model.load(db: db, actor: actor, region: region) else { return nil }
            var households: [HouseholdSummary] = []
            var total = 0
            let lists = region.level == .village && actor.may(.viewHouseholds)
            if lists {
                (households, total) = try await RegistryStore(db).households(in: region, actor: actor, offset: paging.offset, limit: paging.size, program: program)
            }
            return Model(home: home, households: households, total: total, paging: paging, program: program, listsHouseholds: lists)
        }
    }

    static func view(_ m: Model, chrome: Layout.Chrome) -> HTML {
        let o = m.home.overview
        return Layout.page(chrome.section == .home ? "首页" : o.region.name, chrome,
            .div(.class("crumbs"), .group(o.ancestors.map { .a(.href(SiteURL.region($0.code).path), .text($0.name)) }),
                 .span(.text(o.region.name))),
            .h1(.text(chrome.section == .home ? "\(o.region.name) 概况" : o.region.name), Layout.demoTag(o.region.isDemo),
                .span(.class("tag"), .text(o.region.level.chinese))),
            HomePage.figures(m.home),
            HomePage.programChart(o),
            HomePage.subRegionSection(o),
            .if(m.listsHouseholds, .div(.class("panel"),
                .h2(.text("本\(o.region.level.chinese)家庭")),
                .form(.class("filters"), .method(.get), .action(SiteURL.region(o.region.code).path),
                      SearchPage.programSelect(m.program), .button(.type(.submit), .text("筛选"))),
                m.paging.bar(total: m.total, unit: "户", link: { Paging.url(SiteURL.region(o.region.code).path, [("program", m.program?.rawValue)], page: $0) }),
                .if(m.total > 0, ListFile.links { Paging.url(SiteURL.region(o.region.code).path, [("program", m.program?.rawValue), ("format", $0.rawValue)], page: 1) }),
                SearchPage.resultsTable(m.households),
                .if(m.paging.pages(m.total) > 1, m.paging.bar(total: m.total, unit: "户", link: {
                    Paging.url(SiteURL.region(o.region.code).path, [("program", m.program?.rawValue)], page: $0) }))))
        )
    }

    static func table(_ rows: [RegionCounts]) -> Node<HTML.BodyContext> {
        .table(.class("stack"),
            .thead(.tr(.th(.text("区域")), .th(.class("num"), .text("家庭")), .th(.class("num"), .text("人口")), .th(.class("num"), .text("在保")))),
            .tbody(.group(rows.map { r in
                .tr(.td(.attribute(named: "data-label", value: "区域"), .a(.href(SiteURL.region(r.region.code).path), .text(r.region.name)), Layout.demoTag(r.region.isDemo)),
                    .td(.class("num"), .attribute(named: "data-label", value: "家庭"), .text("\(r.households)")),
                    .td(.class("num"), .attribute(named: "data-label", value: "人口"), .text("\(r.people)")),
                    .td(.class("num"), .attribute(named: "data-label", value: "在保"), .text("\(r.enrolments)")))
            })))
    }
}
