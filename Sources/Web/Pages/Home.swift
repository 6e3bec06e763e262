import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// The figures that matter in a region of the user's jurisdiction: the home page and the region browser show them.
enum HomePage {
    struct Model {
        var overview: Overview
        var activeEnrolments: Int { overview.byProgram.reduce(0) { $0 + $1.enrolments } }
        var monthlyTotal: Cents { overview.byProgram.reduce(Cents.zero) { $0 + $1.monthlyAmount } }

        static func load(db: any Database, actor: Actor, region: RegionCode? = nil) async throws -> Model? {
            try await RegistryStore(db).overview(actor: actor, region: region).map(Model.init)
        }
    }

    static func figures(_ m: Model) -> Node<HTML.BodyContext> {
        .div(.class("cards"),
             card("\(m.overview.households)", "家庭（户）"),
             card("\(m.overview.people)", "人口"),
             card("\(m.activeEnrolments)", "在保人次/户次"),
             card(m.monthlyTotal.yuanText, "每月救助金额"))
    }

    static func card(_ n: String, _ label: String) -> Node<HTML.BodyContext> {
        .div(.class("card"), .div(.class("n"), .text(n)), .div(.class("l"), .text(label)))
    }

    static func programChart(_ o: Overview) -> Node<HTML.BodyContext> {
        .div(.class("panel"),
             .h2(.text("各救助项目在保情况")),
             .if(o.byProgram.isEmpty, .p(.class("muted"), .text("辖区内暂无在保记录。")),
                 else: .raw(SVGChart.horizontalBars(title: "各救助项目在保数", caption: "每个救助项目当前在保的户数（或人数）及每月金额合计，仅本辖区。", bars: o.byProgram.map {
                     .init(label: $0.program.short, value: Double($0.enrolments), display: "\($0.enrolments) · \($0.monthlyAmount.yuanText)/月", link: nil)
                 }, colour: "#2e8b57"))))
    }

    static func subRegionSection(_ o: Overview) -> Node<HTML.BodyContext> {
        guard !o.subRegions.isEmpty, let childLevel = o.region.level.child else { return .empty }
        return .div(.class("panel"),
            .h2(.text("下辖\(childLevel.chinese)家庭数")),
            .raw(SVGChart.horizontalBars(title: "下辖区域家庭数", caption: "下辖各区域登记居住的家庭户数；点击区域查看详情。", bars: o.subRegions.map {
                .init(label: $0.region.name, value: Double($0.households), display: "\($0.households) 户", link: SiteURL.region($0.region.code).path)
            })),
            RegionPage.table(o.subRegions))
    }
}
