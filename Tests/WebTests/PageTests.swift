import Domain
import Foundation
import SQLKit
import Store
import Testing
import Vapor
import VaporTesting
@testable import Web

@Suite struct PageTests {
    @Test func profileReadsThroughTheWebAreAudited() async throws {
        try await TestSite.with() { site in
            let coordinator = site.browser()
            try await coordinator.login("coordinator")
            // act
            #expect(try await coordinator.get(SiteURL.household(site.inside.household.id).path).status == .ok)
            #expect(try await coordinator.get(SiteURL.apiHousehold(site.inside.household.id).path).status == .ok)
            // check: the auditor sees both reads, with who and what
            let auditor = site.browser()
            try await auditor.login("auditor")
            let log = try await auditor.get(SiteURL.auditLog(query: nil).path)
            #expect(log.status == .ok)
            let html = log.body.string
            #expect(html.components(separatedBy: "查看档案").count - 1 >= 2)
            #expect(html.contains(Show.user(name: site.account(.coordinator).displayName, role: .coordinator)))
            #expect(html.contains(site.inside.household.id.description))
            // the object by kind and name, its id in small print
            let head = try #require(site.inside.members.first { $0.relation == .head })
            #expect(html.contains("家庭档案：\(head.name)户<small class=\"code\">"))
        }
    }

    /// The audit log filters by user, action, object and Beijing days, pages with its total, and exports the
    /// same selection as CSV with a byte-order mark.
    @Test func theAuditLogFiltersPagesAndExports() async throws {
        try await TestSite.with() { site in
            let coordinator = site.browser()
            try await coordinator.login("coordinator")
            for _ in 0..<(AuditPage.pageSize + 3) {
                #expect(try await coordinator.get(SiteURL.household(site.inside.household.id).path).status == .ok)
            }
            let auditor = site.browser()
            try await auditor.login("auditor")
            let today = LocalDate(Date(), timeZone: .china)
            let q = "user=coordinator&action=readProfile&kind=household&from=\(today)&to=\(today)"
            let first = try await auditor.get(SiteURL.auditLog(query: q).path)
            #expect(first.status == .ok)
            #expect(first.body.string.contains("共 \(AuditPage.pageSize + 3) 条，第 1 / 2 页"))
            #expect(first.body.string.components(separatedBy: "<td data-label=\"操作\">查看档案</td>").count - 1 == AuditPage.pageSize)
            let second = try await auditor.get(SiteURL.auditLog(query: q + "&page=2").path)
            #expect(second.body.string.components(separatedBy: "<td data-label=\"操作\">查看档案</td>").count - 1 == 3)
            // Another user, or a day before today in Beijing, selects none of them.
            let other = try await auditor.get(SiteURL.auditLog(query: "user=township&action=readProfile").path)
            #expect(other.body.string.contains("共 0 条"))
            let yesterday = try await auditor.get(SiteURL.auditLog(query: "action=readProfile&to=\(today.adding(days: -1))").path)
            #expect(yesterday.body.string.contains("共 0 条"))
            // A date that is not one is said in the form, which keeps what was typed.
            let bad = try await auditor.get(SiteURL.auditLog(query: "from=2026-02-31").path)
            #expect(bad.status == .badRequest)
            #expect(bad.body.string.contains("起始日期“2026-02-31”不是有效日期") && bad.body.string.contains("value=\"2026-02-31\""))
            let csv = try await auditor.get(SiteURL.auditLog(query: q + "&format=csv&purpose=inspection").path)
            #expect(csv.headers.contentType?.subType == "csv")
            let text = csv.body.string
            // who exported it, when and why, then the header
            #expect(text.hasPrefix("\u{FEFF}导出人：周敏（演示）（auditor）") && text.contains("用途：监督检查、审计") && text.contains("\r\n时间（北京时间）"))
            #expect(text.components(separatedBy: "\r\n").filter { $0.contains("查看档案") }.count == AuditPage.pageSize + 3)
        }
    }

    /// A search states exactly how many households it found and pages through them: "共 N 户" is not "at least N".
    @Test func searchAndRegionListsPageAndStateTheirTotal() async throws {
        try await TestSite.with(households: 160) { site in
            let admin = site.browser()
            try await admin.login("admin")
            let expected = try await (site.app.db as! any SQLDatabase).select()
                .column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("households")
                .where("residence_region", .greaterThanOrEqual, "120000000000").where("residence_region", .lessThanOrEqual, "129999999999")
                .where(SQLBinaryExpression(SQLColumn("address"), .like, SQLBind("%号%"))).first()!.decode(column: "n", as: Int.self)
            #expect(expected > SearchPage.pageSize)
            let pages = (expected + SearchPage.pageSize - 1) / SearchPage.pageSize
            let first = try await admin.get(SiteURL.householdSearch(query: "号").path)
            #expect(first.body.string.contains("共 \(expected) 户，第 1 / \(pages) 页"), Comment(rawValue: String(first.body.string.suffix(3000))))
            #expect(first.body.string.components(separatedBy: "class=\"household\"").count - 1 == SearchPage.pageSize)
            let last = try await admin.get(SiteURL.householdSearch(query: "号").path + "&page=\(pages)")
            #expect(last.body.string.components(separatedBy: "class=\"household\"").count - 1 == expected - SearchPage.pageSize * (pages - 1))
            // The same in a community's list of households, for its coordinator.
            let c = site.browser()
            try await c.login("coordinator")
            let community = site.account(.coordinator).region.code
            let inCommunity = try await (site.app.db as! any SQLDatabase).select()
                .column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("households")
                .where("residence_region", .equal, community.value).first()!.decode(column: "n", as: Int.self)
            #expect(try await c.get(SiteURL.region(community).path).body.string.contains("共 \(inCommunity) 户"))
            // Narrowed to one programme: only households with an active enrolment in it, in the list and its download.
            let sql = site.app.db as! any SQLDatabase
            let onDibao = try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("households")
                .where("residence_region", .equal, community.value)
                .where(SQLColumn("id"), .in, SQLSubquery.select { $0.column("household_id").from("enrolments").where("program", .equal, "dibao").where("status", .equal, "active") })
                .first()!.decode(column: "n", as: Int.self)
            #expect(onDibao < inCommunity)
            #expect(try await c.get(SiteURL.region(community).path + "?program=dibao").body.string.contains("共 \(onDibao) 户"))
            let csv = try await c.get(SiteURL.region(community).path + "?program=dibao&format=csv&purpose=caseWork").body.string
            #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == onDibao + 2)
            let expectedInCity = try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("households")
                .where("residence_region", .greaterThanOrEqual, "120000000000").where("residence_region", .lessThanOrEqual, "129999999999")
                .where(SQLBinaryExpression(SQLColumn("address"), .like, SQLBind("%号%")))
                .where(SQLColumn("id"), .in, SQLSubquery.select { $0.column("household_id").from("enrolments").where("program", .equal, "dibao").where("status", .equal, "active") })
                .first()!.decode(column: "n", as: Int.self)
            let cityOnDibao = try await admin.get(SiteURL.householdSearch(query: "号").path + "&program=dibao").body.string
            #expect(expectedInCity > 0 && cityOnDibao.contains("共 \(expectedInCity) 户"))
        }
    }

    /// Each feed has a template to download (its header row, for Excel) and its columns explained on the page.
    @Test func eachFeedHasATemplateAndItsColumnsExplained() async throws {
        try await TestSite.with(households: 20) { site in
            let officer = site.browser()
            try await officer.login("dataofficer")
            let spec = try #require(try FeedCatalogue.bundled()["medical-insurance-claims"])
            let page = try await officer.get(SiteURL.imports.path)
            #expect(page.body.string.contains(SiteURL.importTemplate(feed: spec.name).path))
            #expect(page.body.string.contains(ColumnType.money.chinese))
            #expect(page.body.string.contains("共 0 次"))
            let template = try await officer.get(SiteURL.importTemplate(feed: spec.name).path)
            #expect(template.status == .ok && template.headers.contentType?.subType == "csv")
            #expect(template.body.string == "\u{FEFF}" + spec.columns.map(\.header).joined(separator: ",") + "\r\n")
            #expect(try await officer.get(SiteURL.importTemplate(feed: "no-such-feed").path).status == .notFound)
            let c = site.browser()
            try await c.login("coordinator")
            #expect(try await c.get(SiteURL.importTemplate(feed: spec.name).path).status == .forbidden)
        }
    }

    /// Every list leaves as CSV (UTF-8 with BOM) or Excel with the same rows as its filter; Excel keeps an ID
    /// number's text as written; each download is audited.
    @Test func listsExportAsCSVAndExcel() async throws {
        try await TestSite.with(households: 120) { site in
            let admin = try await site.cityAdminAfterScreening()
            let inbox = try await admin.get(SiteURL.warnings(query: "status=new").path)
            let total = try #require(Int(PageConventionTests.matches("共 (\\d+) 条", in: inbox.body.string).first?.dropFirst(2).prefix { $0.isNumber } ?? ""))
            #expect(total > 0)
            #expect(inbox.body.string.contains(#"name="format" value="xlsx""#))
            let xlsx = try await admin.get(SiteURL.warnings(query: "status=new&format=xlsx&purpose=caseWork").path)
            #expect(xlsx.headers.first(name: .contentType)?.contains("spreadsheetml") == true)
            let path = NSTemporaryDirectory() + "jiuzhu-export-\(UUID().uuidString).xlsx"
            try Data(buffer: xlsx.body).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let rows = try XLSXReader.rows(path: path)
            #expect(rows.first?.fields.first?.hasPrefix("导出人：陈明（演示）（admin）") == true)
            #expect(rows.dropFirst().first?.fields == WarningPages.inboxHeader)
            #expect(rows.count == total + 2)
            #expect(rows.dropFirst(2).allSatisfy { $0.fields[5].contains("********") && $0.fields[7] == WarningStatus.new.chinese })
            let csv = try await admin.get(SiteURL.warnings(query: "status=new&format=csv&purpose=caseWork").path).body.string
            #expect(csv.hasPrefix("\u{FEFF}导出人：") && csv.contains("\r\n" + WarningPages.inboxHeader.joined(separator: ",") + "\r\n"))
            #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == total + 2)
            let ranking = try await admin.get(SiteURL.ranking.path + "?format=csv&purpose=caseWork").body.string
            #expect(ranking.hasPrefix("\u{FEFF}导出人：") && ranking.contains("\r\n" + WarningPages.rankingHeader.joined(separator: ",") + "\r\n"))
            // without a purpose there is no file
            #expect(try await admin.get(SiteURL.ranking.path + "?format=csv").status == .badRequest)
            #expect(try await admin.get(SiteURL.ranking.path + "?format=csv&purpose=other&note=%E7%9C%8B").status == .badRequest)
            let auditor = Actor(userID: nil, username: "auditor", role: .auditor, jurisdiction: site.account(.auditor).region.code, origin: "test")
            #expect(try await AuditLog(site.app.db).recent(actor: auditor, action: .exportList).count == 3)
        }
    }

    /// A city or county officer narrows the warnings to a district or street and to the days they were raised.
    @Test func warningsFilterByRegionAndDate() async throws {
        try await TestSite.with(households: 120) { site in
            let admin = try await site.cityAdminAfterScreening()
            func total(_ query: String) async throws -> Int {
                let html = try await admin.get(SiteURL.warnings(query: query).path).body.string
                return Int(PageConventionTests.matches("共 \\d+ 条", in: html).first?.filter(\.isNumber) ?? "") ?? -1
            }
            let sql = site.app.db as! any SQLDatabase
            func count(_ lo: String, _ hi: String) async throws -> Int {
                try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n"))).from("warnings")
                    .where("residence_region", .greaterThanOrEqual, lo).where("residence_region", .lessThanOrEqual, hi).first()!.decode(column: "n", as: Int.self)
            }
            let all = try await total("")
            let nankai = try await total("region=120104000000")
            #expect(nankai == (try await count("120104000000", "120104999999")) && nankai < all && nankai > 0)
            let page = try await admin.get(SiteURL.warnings(query: "region=120104000000").path).body.string
            #expect(page.contains("<option value=\"120104000000\" selected=\"selected\">南开区</option>"))
            #expect(try await total("region=110101000000") == 0)                       // outside the city: nothing, not everything
            let today = LocalDate(Date(), timeZone: .china)
            #expect(try await total("from=\(today.adding(days: 1))") == 0)
            #expect(try await total("to=\(today.adding(days: 1))") == all)
        }
    }

    @Test func anExcelSheetKeepsEveryValueAsText() throws {
        #expect([0, 25, 26, 51, 52, 701, 702].map(XLSXFile.column) == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"])
        let path = NSTemporaryDirectory() + "jiuzhu-xlsx-\(UUID().uuidString).xlsx"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let wide = (0..<30).map { "列\($0)" }
        try XLSXFile.data(sheet: "名单[1]", header: wide, rows: [wide.map { _ in "120104198503120014" }, ["a<b & \"c\"\u{1}", "=1+1", "  空格  "]])
            .write(to: URL(fileURLWithPath: path))
        let rows = try XLSXReader.rows(path: path)
        #expect(rows.count == 3 && rows[0].fields == wide && rows[1].fields.allSatisfy { $0 == "120104198503120014" })
        #expect(rows[2].fields == ["a<b & \"c\"", "=1+1", "  空格  "])
    }

    /// A member whose federation certificate is in the profile shows the disability even before the member record
    /// has it; a fact's internal reference is not its note; the calculator says "符合…条件", not "享受".
    @Test func theProfileShowsACertifiedDisabilityAndNoInternalReferences() async throws {
        try await TestSite.with(households: 20) { site in
            var b = site.inside
            let hid = Household.ID(UUID())
            b.household.id = hid
            let member = Member(id: Member.ID(UUID()), householdID: hid, relation: .head,
                                nationalID: try NationalID(addressCode: "120104", birthDate: LocalDate("1970-05-06"), sequence: 321), name: "证明测试",
                                sex: .female, birthDate: try LocalDate("1970-05-06"), disability: nil, illnesses: [], workCapacity: .partial,
                                employment: .unemployed, schooling: .notApplicable)
            let cert = Fact(id: Fact.ID(UUID()), householdID: hid, memberID: member.id, kind: .disabilityCertificate, amount: nil, basis: nil,
                            validFrom: try LocalDate("2026-10-01"), validTo: nil,
                            provenance: Provenance(department: .disabledFederation, receivedAt: try LocalDate("2026-10-02"), reference: "disability-certificates#7"),
                            note: "肢体二级")
            b.members = [member]
            b.facts = [cert]
            b.enrolments = []
            try await RegistryWriter(site.app.db).insert([b])
            let c = site.browser()
            try await c.login("coordinator")
            let html = try await c.get(SiteURL.household(hid).path).body.string
            #expect(html.contains("肢体二级（残联证明 2026-10-01）"))
            #expect(PageConventionTests.violations(html, status: 200).isEmpty, Comment(rawValue: PageConventionTests.violations(html, status: 200).joined(separator: "; ")))
            #expect(html.contains("title=\"来源编号：disability-certificates#7\""))
        }
    }

    @Test func listsMaskIDNumbers() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            try await b.login("coordinator")
            let head = site.inside.members.first { $0.relation == .head }!
            // act
            let byName = try await b.get(SiteURL.householdSearch(query: head.name).path)
            let region = try await b.get(SiteURL.region(site.inside.household.residenceRegion).path)
            let api = try await b.get(SiteURL.apiHouseholdSearch(query: head.name).path)
            // check
            for res in [byName, region] {
                #expect(res.status == .ok)
                #expect(res.body.string.contains(head.nationalID.masked))
                #expect(!res.body.string.contains(head.nationalID.value))
            }
            #expect(api.body.string.contains(head.nationalID.masked))
            #expect(!api.body.string.contains(head.nationalID.value))
        }
    }

    @Test func searchByLastDigitsAndAddress() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            try await b.login("coordinator")
            let head = site.inside.members[0]
            // last 6 characters of the ID
            let tail = try await b.get(SiteURL.householdSearch(query: String(head.nationalID.value.suffix(6))).path)
            #expect(tail.body.string.contains(SiteURL.household(site.inside.household.id).path))
            // part of the address
            let address = try await b.get(SiteURL.householdSearch(query: String(site.inside.household.address.suffix(8))).path)
            #expect(address.body.string.contains(SiteURL.household(site.inside.household.id).path))
            // too few digits is explained, not searched
            let short = try await b.get(SiteURL.householdSearch(query: "12").path)
            #expect(short.body.string.contains("至少输入4位"))
            let api = try await b.get(SiteURL.apiHouseholdSearch(query: "12").path)
            #expect(api.status == .badRequest)
        }
    }

    @Test func profileShowsMembersFactsWithSourcesEnrolmentsAndTimeline() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            try await b.login("township")
            let target = site.inside
            // act
            let res = try await b.get(SiteURL.household(target.household.id).path)
            // check
            let html = res.body.string
            for m in target.members { #expect(html.contains(m.name)) }
            for f in target.facts {
                #expect(html.contains(f.kind.chinese))
                #expect(html.contains(f.provenance.department.chinese))
                #expect(html.contains(f.provenance.receivedAt.description))
            }
            for e in target.enrolments { #expect(html.contains(e.monthlyAmount.yuanText)) }
            #expect(html.contains("时间线"))
        }
    }

    @Test func homeHasAServerDrawnChartAndRegionsDrillDown() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            try await b.login("admin")
            // act
            let home = try await b.get("/")
            // check: the city's districts as an SVG chart with links to drill down
            let html = home.body.string
            #expect(html.contains("<svg"))
            #expect(html.contains("南开区"))
            let district = site.account(.countyReviewer).region.code
            #expect(html.contains(SiteURL.region(district).path))
            let street = site.account(.townshipOfficer).region
            let districtPage = try await b.get(SiteURL.region(district).path)
            #expect(districtPage.body.string.contains(street.name))
            #expect(districtPage.body.string.contains("演示"))
            let community = site.account(.coordinator).region
            let streetPage = try await b.get(SiteURL.region(street.code).path)
            #expect(streetPage.body.string.contains(community.name))
        }
    }

    @Test func unknownPagesGetAChinese404() async throws {
        try await TestSite.with() { site in
            let b = site.browser()
            try await b.login("admin")
            let res = try await b.get("/no/such/page")
            #expect(res.status == .notFound)
            #expect(res.body.string.contains("404 未找到"))
            let bad = try await b.get("/households/not-a-uuid")
            #expect(bad.status == .notFound)
        }
    }

    @Test func theOpenAPIDocumentDescribesTheAPIRoutes() async throws {
        try await TestSite.with(households: 10) { site in
            // act
            let res = try await site.browser().get(SiteURL.openAPI.path)
            // check
            #expect(res.status == .ok)
            let doc = try JSONSerialization.jsonObject(with: Data(res.body.readableBytesView)) as! [String: Any]
            #expect(doc["openapi"] as? String == "3.1.0")
            let documented = Set((doc["paths"] as! [String: Any]).keys)
            let routed = Set(site.app.routes.all.filter { $0.path.first?.description == "api" && $0.path.count > 2 }.map { route in
                "/" + route.path.map { c -> String in
                    if case .parameter(let name) = c { return "{\(name)}" }
                    return c.description
                }.joined(separator: "/")
            })
            #expect(documented == routed)
            #expect(!routed.isEmpty)
        }
    }
}

@Suite struct ChartTests {
    static func rectWidths(_ svg: String) -> [Double] {
        PageConventionTests.matches("<rect x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"[0-9.]+\"", in: svg).compactMap { m in
            m.components(separatedBy: "width=\"").last.flatMap { Double($0.dropLast()) }
        }
    }

    @Test func barsAreProportionalCaptionedAndTextIsEscaped() {
        let figure = SVGChart.horizontalBars(title: "A<B", caption: "每个区域的户数", bars: [
            .init(label: "甲", value: 10, display: "10", link: nil),
            .init(label: "乙&丙", value: 5, display: "5", link: "/regions/120104000000"),
        ])
        #expect(figure.hasPrefix("<figure") && figure.contains("<figcaption>每个区域的户数</figcaption>"))
        #expect(figure.contains("class=\"chart desk\"") && figure.contains("class=\"chart phone\""))
        #expect(figure.contains("A&lt;B") && figure.contains("乙&amp;丙") && figure.contains("<a href=\"/regions/120104000000\">"))
        let desk = Self.rectWidths(SVGChart.deskBars(title: "t", bars: [.init(label: "甲", value: 10, display: "10"), .init(label: "乙", value: 5, display: "5")], colour: "#000"))
        #expect(desk.count == 2 && abs(desk[0] - 2 * desk[1]) < 0.2)
    }

    /// However long a label, nothing runs past the drawing: it is shortened with "…" and kept whole in the tooltip.
    @Test func labelsAreNeverClipped() {
        let long = "天津市南开区锦绣街道海棠一里社区居民委员会第三网格"
        let bars: [SVGChart.Bar] = [.init(label: long, value: 3, display: "3 户"), .init(label: "短", value: 1, display: "¥12,345,678.00/月")]
        for (svg, width) in [(SVGChart.deskBars(title: "t", bars: bars, colour: "#000"), 640.0), (SVGChart.phoneBars(title: "t", bars: bars, colour: "#000"), 360.0)] {
            #expect(svg.contains("…") && svg.contains("<title>\(long)：3 户</title>"))
            // every text's start plus its drawn width stays inside the viewBox
            for m in PageConventionTests.matches("<text x=\"[0-9.]+\"[^>]*>[^<]*</text>", in: svg) {
                let x = Double(m.components(separatedBy: "x=\"")[1].prefix { $0 != "\"" }) ?? 0
                let text = String(m.split(separator: ">")[1].prefix { $0 != "<" })
                let size = Double(m.components(separatedBy: "font-size=\"")[1].prefix { $0 != "\"" }) ?? 0
                let anchoredEnd = m.contains("text-anchor=\"end\"")
                let (from, to) = anchoredEnd ? (x - SVGChart.textWidth(text, size), x) : (x, x + SVGChart.textWidth(text, size))
                #expect(from >= -0.5 && to <= width + 0.5, Comment(rawValue: "\(text) \(from)…\(to) of \(width)"))
            }
        }
        // A mark at the right edge writes its label to the left of its line.
        let line = SVGChart.lineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "s", colour: "#000", dashed: false, points: [(0, 0), (100, 50)])],
                                      marks: [(x: 100, label: "本户现在")], width: 360, font: 13, variant: "phone")
        #expect(line.contains("text-anchor=\"end\" font-size=\"13.0\" fill=\"#c0392b\">本户现在"))
    }
}

@Suite struct EscapingTests {
    @Test func whatUsersTypeStaysText() async throws {
        try await TestSite.with(households: 10) { site in
            let b = site.browser()
            try await b.login("coordinator")
            let attack = "\"><b id=x>injected</b><\""
            // act: the search box and the login form both echo what was typed
            let search = try await b.get(SiteURL.householdSearch(query: attack).path)
            let login = try await site.browser().login(attack, password: "whatever-123")
            let resident = try await site.browser().post(SiteURL.selfAssessment.path, form: ["district": "120104000000", "m0_birth": attack])
            // check
            for res in [search, login, resident] {
                #expect(!res.body.string.contains("<b id=x>"))
                #expect(res.body.string.contains("&quot;&gt;&lt;b id=x&gt;") || res.body.string.contains("&gt;&lt;b id=x&gt;"))
            }
        }
    }
}
