import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// 查找家庭: by name, ID number (whole or the last digits) or address. ID numbers are masked in the list.
enum SearchPage {
    static let pageSize = 50

    struct Model {
        var query: String
        var results: [HouseholdSummary]
        var problem: String?
        var total = 0
        var capped = false
        var paging = Paging(page: 1, size: SearchPage.pageSize)
        var program: Program?
        /// A search by a whole ID number (posted): nothing on the page links to it by URL.
        var byWholeID = false

        /// The query string of this search (and its programme), for another page or a download.
        func items(_ extra: [(String, String?)] = []) -> [(String, String?)] { [("q", query), ("program", program?.rawValue)] + extra }

        static func load(db: any Database, actor: Actor, text: String?, program: Program? = nil, paging: Paging) async throws -> Model {
            let q = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !q.isEmpty else { return Model(query: "", results: [], problem: nil, program: program) }
            guard let parsed = HouseholdQuery.parse(q) else {
                return Model(query: q, results: [], problem: HouseholdQuery.rejection(q), program: program)
            }
            let found = try await RegistryStore(db).search(parsed, actor: actor, offset: paging.offset, limit: paging.size, program: program)
            var m = Model(query: q, results: found.items, problem: nil, total: found.total, capped: found.capped, paging: paging, program: program)
            if case .nationalID = parsed { m.byWholeID = true }
            return m
        }
    }

    /// "在保项目" as a filter: any, or households enrolled in one programme.
    static func programSelect(_ selected: Program?) -> Node<HTML.FormContext> {
        .label(.class("program"), .text("在保项目 "), .select(.attribute(named: "name", value: "program"),
            Layout.option("", "不限", selected: selected == nil),
            .group(Program.allCases.map { Layout.option($0.rawValue, $0.chinese, selected: $0 == selected) })))
    }

    static func view(_ m: Model, chrome: Layout.Chrome) -> HTML {
        Layout.page("查找家庭", chrome,
            .h1(.text("查找家庭")),
            // Posted: a whole ID number typed here is searched without ever being in a URL (server logs, the browser's
            // history, a Referer); other searches are sent on to the address that pages them.
            .form(.class("search"), .action(SiteURL.householdSearch(query: nil).path), .method(.post),
                  Layout.csrfField(chrome),
                  .input(.type(.search), .name("q"), .value(Layout.attr(m.query)), .placeholder("姓名、身份证号（或后几位）、地址"),
                         .attribute(named: "aria-label", value: "搜索"), .autofocus(m.query.isEmpty)),
                  programSelect(m.program),
                  .button(.type(.submit), .text("查找"))),
            .unwrap(m.problem) { .div(.class("error"), .text($0)) },
            .if(!m.query.isEmpty && m.problem == nil,
                .div(.class("panel"),
                     .if(m.total == 0, .p(.class("muted"), .text("在您的辖区内没有找到匹配的家庭。"))),
                     .if(m.capped, .p(.class("notice"), .text("匹配的家庭超过 \(RegistryStore.searchCap) 户，以下仅列出前 \(RegistryStore.searchCap) 户，请输入更具体的姓名、地址或身份证号缩小范围。"))),
                     .if(m.total > 0 && !m.byWholeID, m.paging.bar(total: m.total, unit: "户", link: { Paging.url(SiteURL.householdSearch(query: nil).path, m.items(), page: $0) })),
                     .if(!m.results.isEmpty && !m.byWholeID, ListFile.links { Paging.url(SiteURL.householdSearch(query: nil).path, m.items([("format", $0.rawValue)]), page: 1) }),
                     .if(!m.results.isEmpty, resultsTable(m.results)),
                     .if(m.paging.pages(m.total) > 1, m.paging.bar(total: m.total, unit: "户", link: { Paging.url(SiteURL.householdSearch(query: nil).path, m.items(), page: $0) }))))
        )
    }

    static let header = ["户主", "身份证号", "地址", "居住地", "人数", "在保项目"]

    static func rows(_ items: [HouseholdSummary]) -> [[String]] {
        items.map { [$0.headName, $0.headMaskedID, $0.address, $0.residenceRegionName, "\($0.memberCount)", $0.programs.map(\.short).joined(separator: "、")] }
    }

    static func resultsTable(_ rows: [HouseholdSummary]) -> Node<HTML.BodyContext> {
        .table(.class("stack results"),
            .thead(.tr(.th(.text("户主")), .th(.text("身份证号")), .th(.text("地址")), .th(.class("num"), .text("人数")), .th(.text("在保项目")))),
            .tbody(.group(rows.map { r in
                .tr(.td(.attribute(named: "data-label", value: "户主"), .a(.class("household"), .href(SiteURL.household(r.id).path), .text(r.headName))),
                    .td(.attribute(named: "data-label", value: "身份证号"), .text(r.headMaskedID)),
                    .td(.attribute(named: "data-label", value: "地址"), .text(r.address)),
                    .td(.class("num"), .attribute(named: "data-label", value: "人数"), .text("\(r.memberCount)")),
                    .td(.attribute(named: "data-label", value: "在保项目"), .group(r.programs.map { .span(.class("tag p"), .text($0.short)) })))
            })))
    }
}
