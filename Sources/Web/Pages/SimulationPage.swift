import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 政策模拟: what one parameter change would do across the user's jurisdiction.
enum SimulationPage {
    static let parameters: [(String, String)] = ["dibaoStandard", "nearDibaoMultiple", "tekunCareFully", "disabilityLivingAllowance",
                                                 "disabilityCareAllowance"].map { ($0, ParameterNames.chinese($0)) }

    /// As typed: a field that does not parse comes back in the form with the message, not as an error page.
    struct Form: Content {
        var parameter: String?
        var percent: String?
        var region: String?
        var from: String?
    }

    static func regions(_ req: Request, actor: Actor) async throws -> [Region] {
        guard let o = try await RegistryStore(req.db).overview(actor: actor) else { return [] }
        return [o.region] + o.subRegions.map(\.region)
    }

    static func view(chrome: Layout.Chrome, regions: [Region], form: Form?, result: Simulation?, error: String?) -> HTML {
        Layout.page("政策模拟", chrome,
            .h1(.text("政策模拟")),
            .p(.class("muted"), .text("调整一项政策参数，按辖区内全部登记家庭重新测算：新增符合、失去救助的户数与每月资金变化。测算不改变任何数据，但会记入审计日志。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("panel simulation"), .action(SiteURL.simulation.path), .method(.post),
                  Layout.csrfField(chrome),
                  .label(.text("参数"), .select(.attribute(named: "name", value: "parameter"), .group(parameters.map { v, t in
                      Layout.option(v, t, selected: form?.parameter == v) }))),
                  .label(.text("调整幅度（%，\(ParameterChange.percentRange.lowerBound) 至 +\(ParameterChange.percentRange.upperBound)）"),
                         .input(.type(.number), .name("percent"), .value(Layout.attr(form?.percent ?? "5")),
                                .attribute(named: "min", value: "\(ParameterChange.percentRange.lowerBound)"), .attribute(named: "max", value: "\(ParameterChange.percentRange.upperBound)"))),
                  .label(.text("适用区域"), .select(.attribute(named: "name", value: "region"), .group(regions.map { r in
                      Layout.option(r.code.value, r.name, selected: form?.region == r.code.value) }))),
                  .label(.text("生效日期"), .input(.type(.date), .name("from"), .value(Layout.attr(form?.from ?? LocalDate(Date(), timeZone: .china).description)))),
                  .button(.type(.submit), .text("开始测算"))),
            .unwrap(result) { sim in results(sim, regions: regions) })
    }

    /// What the form asks for, or the message for the field that cannot be read.
    static func change(_ form: Form, actor: Actor) throws -> ParameterChange {
        guard let name = form.parameter, parameters.contains(where: { $0.0 == name }) else { throw PolicyError.invalidInput(field: "参数", reason: "请从列表中选择") }
        guard let percent = form.percent.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw PolicyError.invalidInput(field: "调整幅度", reason: "请填写整数百分比，如 5 或 -10")
        }
        guard let from = form.from.flatMap({ try? LocalDate($0) }) else { throw PolicyError.invalidInput(field: "生效日期", reason: "请填写有效日期") }
        guard let region = form.region.flatMap({ try? RegionCode($0) }), actor.covers(region) else { throw DomainError.forbidden }
        return ParameterChange(name: name, region: region, effective: from, percent: percent)
    }

    static func results(_ sim: Simulation, regions: [Region]) -> Node<HTML.BodyContext> {
        func name(_ code: RegionCode) -> String { regions.first { $0.code == code }?.name ?? code.value }
        let total = sim.total
        return .div(.class("result"),
            .h2(.text("测算结果：\(sim.change.chinese)，适用于\(name(sim.change.region))")),
            .p(.class("actions"), Layout.printButton("打印测算结果")),
            .div(.class("cards"),
                 HomePage.card("\(total.households)", "测算家庭（户）"),
                 HomePage.card("\(total.newlyQualifying)", "新增符合"),
                 HomePage.card("\(total.losing)", "失去救助"),
                 HomePage.card(total.costChange.yuanText, "每月资金变化")),
            .div(.class("panel"),
                 .raw(SVGChart.horizontalBars(title: "各区域每月资金变化", caption: "调整后各区域每月救助资金增加的金额（减少的记为0，见下表）。", bars: sim.rows.map {
                     .init(label: name($0.region), value: Double(max(0, $0.costChange.value)) / 100, display: $0.costChange.yuanText, link: nil)
                 })),
                 .table(.class("stack"),
                    .thead(.tr(.th(.text("区域")), .th(.class("num"), .text("户数")), .th(.class("num"), .text("新增符合")), .th(.class("num"), .text("失去救助")),
                               .th(.class("num"), .text("现每月")), .th(.class("num"), .text("调整后每月")), .th(.class("num"), .text("变化")))),
                    .tbody(.group((sim.rows + [total]).map { t in
                        .tr(.td(.attribute(named: "data-label", value: "区域"), .text(t.region == sim.scope ? "合计" : name(t.region))),
                            .td(.class("num"), .attribute(named: "data-label", value: "户数"), .text("\(t.households)")),
                            .td(.class("num"), .attribute(named: "data-label", value: "新增符合"), .text("\(t.newlyQualifying)")),
                            .td(.class("num"), .attribute(named: "data-label", value: "失去救助"), .text("\(t.losing)")),
                            .td(.class("num"), .attribute(named: "data-label", value: "现每月"), .text(t.baselineMonthly.yuanText)),
                            .td(.class("num"), .attribute(named: "data-label", value: "调整后每月"), .text(t.changedMonthly.yuanText)),
                            .td(.class("num"), .attribute(named: "data-label", value: "变化"), .text(t.costChange.yuanText)))
                    })))),
            .if(sim.failures > 0, .p(.class("muted"), .text("另有 \(sim.failures) 户因数据不全无法测算。"))))
    }
}
