import Domain
import Fluent
import Foundation
import Plot
import Store
import Vapor

/// The page shell every staff page shares: header with the user's role and jurisdiction, navigation, and the content.
enum Layout {
    enum Section { case home, households, regions, warnings, cases, payments, visits, monitoring, calendar, simulation, imports, linkReviews, exports, audit, users, none }

    struct Chrome {
        var user: StaffUser?
        var jurisdictionName: String?
        var csrf: String?
        var section: Section
        /// Staff by username, so pages show people by name and role (`Show.user`).
        var staff: [String: StaffUser] = [:]
        /// Who convenes some level of 一事一议 (the levels data): those may open one, so the pages offer it to them.
        var deliberationRoles: Set<Role> = []

        func person(_ username: String?) -> String { Show.user(username, in: staff) }
    }

    static func page(_ title: String, _ chrome: Chrome, _ content: Node<HTML.BodyContext>...) -> HTML {
        HTML(
            .lang(.chinese),
            .head(
                .encoding(.utf8),
                .element(named: "title", text: "\(title) · 智慧救助"),
                .viewport(.accordingToDevice),
                .stylesheet(SiteURL.stylesheet.path),
                .script(.src(SiteURL.script.path), .attribute(named: "defer", value: "defer"))
            ),
            .body(
                .header(
                    .class("top"),
                    .a(.class("brand"), .href(SiteURL.home.path), .text("智慧救助")),
                    .if(chrome.user == nil, .nav(.class("nav"), .a(.href(SiteURL.selfAssessment.path), .text("自助评估")))),
                    .unwrap(chrome.user) { user in
                        .group(
                            // On a phone the header is one line: the brand and a menu button that opens the rest
                            // (a checkbox and its label: no script needed).
                            .input(.type(.checkbox), .id("menu-toggle"), .class("menu-toggle"), .attribute(named: "aria-hidden", value: "true")),
                            .label(.class("menu-button"), .attribute(named: "for", value: "menu-toggle"), .text("菜单")),
                            .div(.class("menu"),
                            .nav(
                                .class("nav"),
                                navLink("首页", SiteURL.home.path, chrome.section == .home),
                                .if(Permission.viewHouseholds.isGranted(to: user.role), navLink("查找家庭", SiteURL.householdSearch(query: nil).path, chrome.section == .households)),
                                .if(Permission.viewStatistics.isGranted(to: user.role), navLink("区域", SiteURL.region(user.region).path, chrome.section == .regions)),
                                .if(Permission.viewWarnings.isGranted(to: user.role), navLink("预警", SiteURL.warnings(query: nil).path, chrome.section == .warnings)),
                                .if(Permission.handleCases.isGranted(to: user.role), navLink("申请办理", SiteURL.cases(query: [:]).path, chrome.section == .cases)),
                                .if(Permission.managePayments.isGranted(to: user.role),
                                    navLink("资金发放", SiteURL.payrolls.path, chrome.section == .payments)),
                                .if(user.role == .townshipOfficer, navLink("发放核验", SiteURL.paymentChecks(done: false).path, chrome.section == .payments)),
                                .if(Permission.recordVisits.isGranted(to: user.role), navLink("入户核实", SiteURL.visits.path, chrome.section == .visits)),
                                .if(Permission.viewWarnings.isGranted(to: user.role), navLink("监测", SiteURL.monitoring.path, chrome.section == .monitoring)),
                                .if(Permission.runSimulation.isGranted(to: user.role), navLink("政策模拟", SiteURL.simulation.path, chrome.section == .simulation)),
                                .if(Permission.importData.isGranted(to: user.role), navLink("数据导入", SiteURL.imports.path, chrome.section == .imports)),
                                .if(Permission.reviewLinks.isGranted(to: user.role), navLink("关联核对", SiteURL.linkReviews(importID: nil).path, chrome.section == .linkReviews)),
                                .if(Exports.mayExport(user.role), navLink("名单导出", SiteURL.exports.path, chrome.section == .exports)),
                                .if(Permission.viewAuditLog.isGranted(to: user.role), navLink("审计日志", SiteURL.auditLog(query: nil).path, chrome.section == .audit)),
                                .if(Permission.manageUsers.isGranted(to: user.role) || Permission.grantRoles.isGranted(to: user.role),
                                    navLink("账户管理", SiteURL.users(page: 1).path, chrome.section == .users)),
                                .if(Permission.grantRoles.isGranted(to: user.role), navLink("安全设置", SiteURL.securitySettings.path, false)),
                                .if(Permission.manageCalendar.isGranted(to: user.role), navLink("节假日", SiteURL.calendar.path, chrome.section == .calendar))
                            ),
                            .div(
                                .class("who"),
                                .span(.text("\(user.displayName) · \(user.role.chinese)"), .unwrap(chrome.jurisdictionName) { .text(" · \($0)") }),
                                .a(.class("account"), .href(SiteURL.changePassword.path), .text("修改密码")),
                                .a(.class("account"), .href(SiteURL.secondFactor.path), .text("动态口令")),
                                .form(
                                    .class("logout"),
                                    .action(SiteURL.logout.path),
                                    .method(.post),
                                    csrfField(chrome),
                                    .button(.type(.submit), .text("退出"))
                                )
                            )
                            )
                        )
                    }
                ),
                .main(.group(content)),
                .footer(.class("foot"), .text("智慧救助 · 演示环境数据均为虚构，不涉及真实人员"))
            )
        )
    }

    /// A button that prints the page (with the print layout below: no navigation, forms or buttons).
    static func printButton(_ label: String = "打印") -> Node<HTML.BodyContext> {
        .button(.type(.button), .class("print"), .attribute(named: "data-action", value: "print"), .text(label))
    }

    /// A block that a phone shows folded under a button ("筛选", "目录") and a desk screen shows open:
    /// a checkbox and its label, so it works without script.
    static func foldable(_ id: String, label: String, _ content: Node<HTML.BodyContext>) -> Node<HTML.BodyContext> {
        .div(.class("fold"),
             .input(.type(.checkbox), .id(id), .class("fold-toggle"), .attribute(named: "aria-hidden", value: "true")),
             .label(.class("fold-button"), .attribute(named: "for", value: id), .text(label)),
             .div(.class("fold-body"), content))
    }

    /// A contents bar for a long page: links to its sections, folded on a phone.
    static func contents(_ sections: [(id: String, title: String)]) -> Node<HTML.BodyContext> {
        foldable("contents-toggle", label: "目录", .nav(.class("contents"), .attribute(named: "aria-label", value: "本页目录"),
            .group(sections.map { .a(.href("#\($0.id)"), .text($0.title)) })))
    }

    static func navLink(_ label: String, _ href: String, _ active: Bool) -> Node<HTML.BodyContext> {
        .a(.href(href), .class(active ? "active" : ""), .text(label))
    }

    /// CSV as a download named in Chinese (RFC 6266 `filename*`), with an ASCII name for older clients. UTF-8 with
    /// a byte-order mark, so that Excel opens it as UTF-8.
    static func csvDownload(_ csv: String, name: String, asciiName: String) -> Response {
        let csv = csv.hasPrefix("\u{FEFF}") ? csv : "\u{FEFF}" + csv
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        headers.replaceOrAdd(name: .contentDisposition, value: attachment(name: name, asciiName: asciiName))
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }

    /// `Content-Disposition` for a download named in Chinese (RFC 6266), with an ASCII fallback.
    static func attachment(name: String, asciiName: String) -> String {
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-."))) ?? asciiName
        return "attachment; filename=\"\(asciiName)\"; filename*=UTF-8''\(encoded)"
    }

    static func response(_ html: HTML, status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: html.render()))
    }

    /// The chrome for a signed-in request.
    static func chrome(_ req: Request, _ section: Section) async throws -> Chrome {
        let user = req.staff
        var name: String?
        if let user { name = try await RegistryStore(req.db).region(user.region)?.name }
        let staff = user == nil ? [:] : try await UserStore(req.db).directory()
        return Chrome(user: user, jurisdictionName: name, csrf: CSRFMiddleware.token(for: req), section: section, staff: staff,
                      deliberationRoles: Set(req.application.storage[PolicyKey.self]?.deliberationLevels.rules.map(\.role) ?? []))
    }

    /// The views of one list, "待核查 · 已逾期 · 已办结": each a link, the one shown (no URL) in bold.
    static func tabs(_ items: [(title: String, url: String?)]) -> Node<HTML.BodyContext> {
        .p(.class("actions"), .group(items.enumerated().map { i, item in
            .group(.if(i > 0, .text(" · ")), item.url.map { .a(.href($0), .text(item.title)) } ?? .strong(.text(item.title)))
        }))
    }

    /// Plot writes attribute values as they are, so anything a user typed is escaped here before it goes
    /// into `value="…"` (a search term like `"><b>` must stay text).
    static func attr(_ s: String) -> String { SVGChart.escape(s) }

    /// The synchroniser token every form posts back (`CSRFMiddleware`).
    static func csrfField(_ chrome: Chrome) -> Node<HTML.FormContext> {
        .input(.type(.hidden), .name(CSRFMiddleware.field), .value(chrome.csrf ?? ""))
    }

    /// An `<option>` with its text as content (Plot's own `option` is self-closing).
    static func option<C>(_ value: String, _ text: String, selected: Bool) -> Node<C> {
        // An empty value is written out: it is what makes "请选择…" a placeholder that `required` refuses.
        .element(named: "option", nodes: [.attribute(named: "value", value: value, ignoreIfValueIsEmpty: false), .text(text),
                                          selected ? .attribute(named: "selected", value: "selected") : .empty])
    }

    /// A tag that marks invented demo regions.
    static func demoTag(_ isDemo: Bool) -> Node<HTML.BodyContext> {
        .if(isDemo, .span(.class("tag demo"), .text("演示")))
    }

    static let stylesheet = """
    *{box-sizing:border-box}
    body{margin:0;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1d2733;background:#f4f6f9;font-size:16px;line-height:1.5}
    a{color:#1f5fa8}
    .top{background:#17406d;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center}
    .top a{color:#fff;text-decoration:none}
    .brand{font-weight:700;font-size:1.15rem}
    .nav{display:flex;gap:1rem;flex-wrap:wrap}
    .nav a.active{border-bottom:2px solid #ffd34d}
    .who{margin-left:auto;display:flex;gap:.75rem;align-items:center;font-size:.9rem}
    .who .account{color:#fff;margin:0 .5rem;font-size:.9em}
    .logout{margin:0}.logout button{background:transparent;color:#fff;border:1px solid #fff;border-radius:4px;padding:.2rem .6rem}
    main{max-width:1100px;margin:0 auto;padding:1rem}
    h1{font-size:1.4rem;margin:.5rem 0 1rem}
    h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:.75rem;margin-bottom:1rem}
    .card{background:#fff;border-radius:8px;padding:.75rem 1rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}
    .card .n{font-size:1.6rem;font-weight:700}
    .card .l{color:#5b6b7c;font-size:.9rem}
    .panel{background:#fff;border-radius:8px;padding:1rem;box-shadow:0 1px 2px rgba(0,0,0,.08);margin-bottom:1rem;overflow-x:auto}
    table{border-collapse:collapse;width:100%}
    th,td{text-align:left;padding:.45rem .5rem;border-bottom:1px solid #e3e8ee;vertical-align:top}
    th{color:#5b6b7c;font-weight:600;font-size:.9rem}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    .chart{width:100%;max-width:760px;height:auto;display:block}
    figure.chart-figure{margin:0}figure.chart-figure figcaption{color:#5b6b7c;font-size:.9rem;margin-top:.4rem}
    .chart.phone{display:none}
    form.search{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}
    form.search select{font-size:1rem;padding:.5rem;border:1px solid #b8c2cc;border-radius:6px;background:#fff}
    form.search input{flex:1 1 14rem;min-width:0}form.search label.program{display:flex;align-items:center;gap:.3rem}
    input[type=text],input[type=password],input[type=search],input[type=tel]{font-size:1rem;padding:.6rem;border:1px solid #b8c2cc;border-radius:6px;width:100%}
    button,.button{font-size:1rem;padding:.55rem 1.1rem;border-radius:6px;border:0;background:#1f5fa8;color:#fff;cursor:pointer}
    .login{max-width:380px;margin:3rem auto}
    .login label{display:block;margin:.75rem 0 .25rem}
    .login button{width:100%;margin-top:1rem}
    .error{background:#fdecea;color:#8a1c12;padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}
    .notice{background:#eef5fd;padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}
    .tag{display:inline-block;font-size:.75rem;padding:0 .4rem;border-radius:3px;background:#e3e8ee;color:#34495e;margin-left:.3rem;vertical-align:middle}
    .tag.demo{background:#fff3cd;color:#7a5b00}
    .tag.p{background:#e2f0e6;color:#1e5e31}
    .muted{color:#6b7a89;font-size:.9rem}
    .crumbs{font-size:.9rem;margin-bottom:.5rem}
    .crumbs a:after{content:" › ";color:#999}
    dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
    dl.kv dt{color:#5b6b7c}
    dl.kv dd{margin:0}
    ol.timeline{list-style:none;padding:0;margin:0}
    ol.timeline li{border-left:3px solid #1f5fa8;padding:.25rem 0 .5rem .75rem;margin-left:.3rem}
    .menu{display:contents}.menu-toggle,.menu-button,.fold-toggle,.fold-button{display:none}
    nav.contents{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0 0 1rem;font-size:.95rem}
    details.exports{margin:.5rem 0}details.exports form{display:flex;flex-direction:column;gap:.5rem;max-width:32rem;margin-top:.5rem}details.exports .buttons{display:flex;gap:.75rem;flex-wrap:wrap}details.exports select{display:block;width:100%;font-size:1rem;padding:.45rem;margin-top:.25rem}
    .pager{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.5rem 0;color:#5b6b7c;font-size:.95rem}
    .full-id{font-size:1.5rem;font-variant-numeric:tabular-nums;letter-spacing:.05em;word-break:break-all}a.reveal{font-size:.85rem;white-space:nowrap}
    .region[title]{text-decoration:underline dotted #b8c2cc}
    .foot{text-align:center;color:#7b8a99;font-size:.8rem;padding:2rem 1rem}
    h3{font-size:1.05rem;margin:.2rem 0 .4rem}
    .decision.qualifies{border-left:4px solid #2e8b57}
    .decision.needsDecision{border-left:4px solid #d99a00}
    .decision.doesNotQualify{border-left:4px solid #b8c2cc;opacity:.9}
    .tag.outcome-qualifies{background:#e2f0e6;color:#1e5e31}
    .tag.outcome-needsDecision{background:#fff3cd;color:#7a5b00}
    .tag.outcome-doesNotQualify{background:#eceff3;color:#4a5866}
    ol.steps{padding-left:1.3rem}ol.steps li{margin:.35rem 0}ol.steps ul{padding-left:1rem;font-size:.92rem}
    ul.changes li{color:#8a4b00}
    form.self-assessment label,form.simulation label,form.upload label{display:block;margin:.5rem 0 .2rem}
    form.simulation select,form.simulation input{font-size:1rem;padding:.5rem;border:1px solid #b8c2cc;border-radius:6px;width:100%;background:#fff}
    form.simulation button{margin-top:.75rem}
    form.self-assessment label.check{display:flex;gap:.4rem;align-items:center}
    form.self-assessment select,form.self-assessment input[type=date]{font-size:1rem;padding:.5rem;border:1px solid #b8c2cc;border-radius:6px;width:100%;background:#fff}
    fieldset.panel{border:0}fieldset legend{font-weight:600;padding:0}
    td.plus{color:#1e5e31}td.minus{color:#8a1c12}
    .decide{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}.decide form{margin:0}
    .decide label{display:block;margin:.3rem 0}.decide textarea,.visit textarea,.decide input[type=text]{width:100%;font-size:1rem;padding:.5rem;border:1px solid #b8c2cc;border-radius:6px}
    .tag.sev-critical{background:#8a1c12;color:#fff}.tag.sev-high{background:#fdecea;color:#8a1c12}.tag.sev-medium{background:#fff3cd;color:#7a5b00}
    tr.overdue td{background:#fff5f4}.late{color:#b3261e}
    .filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end}.filters label{display:flex;flex-direction:column;font-size:.9rem}
    .filters select{font-size:1rem;padding:.35rem;border:1px solid #b8c2cc;border-radius:6px;max-width:16rem}
    form.tune{display:flex;flex-wrap:wrap;gap:.3rem;align-items:center}form.tune input{width:4.5rem;padding:.3rem}
    .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(9.5rem,1fr));gap:.75rem;margin-bottom:1rem}
    .tile{background:#fff;border-radius:8px;padding:.75rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}.tile strong{font-size:1.35rem}
    .decide button.reject{background:#fff;color:#8a1c12;border:1px solid #8a1c12}
    .conflict{margin-bottom:1rem}
    form.panel label{display:block;margin:.5rem 0 .2rem}
    form.panel select,form.panel input[type=date],form.panel input[type=month]{font-size:1rem;padding:.5rem;border:1px solid #b8c2cc;border-radius:6px;width:100%;background:#fff;margin-bottom:.5rem}
    form.panel textarea{display:block;width:100%;font-size:1rem;padding:.5rem;border:1px solid #b8c2cc;border-radius:6px;margin:.2rem 0 .5rem}
    form.panel label.check{display:flex;gap:.4rem;align-items:flex-start}
    .receipt svg.qr{display:block;margin:.5rem 0}.status-link{word-break:break-all;font-size:.9rem}
    .decision-notice h1{text-align:center}.decision-notice .signature{text-align:right;margin-top:2rem}
    ol.steps li{margin:.35rem 0}ol.steps li.current{font-weight:600}ol.steps li.current .muted{font-weight:400}
    @media print{form.self-assessment,.actions,.share-note,.notice{display:none}details{display:block}details>*{display:block}}
    @media (max-width:640px){
      .top{flex-wrap:nowrap;justify-content:space-between}
      .menu-button{display:block;border:1px solid #fff;border-radius:4px;padding:.15rem .7rem;cursor:pointer}
      .menu{display:none}
      .menu-toggle:checked ~ .menu{display:flex;flex-direction:column;gap:.5rem;position:absolute;top:2.6rem;left:0;right:0;background:#17406d;padding:.75rem 1rem;z-index:10}
      .top{position:relative}
      .menu .nav{flex-direction:column;gap:.5rem}
      .who{margin-left:0;width:100%;justify-content:space-between}
      .fold-button{display:inline-block;border:1px solid #b8c2cc;border-radius:6px;padding:.35rem .9rem;margin-bottom:.5rem;background:#fff;cursor:pointer}
      .fold-body{display:none}
      .chart.desk{display:none}.chart.phone{display:block}
      .fold-toggle:checked ~ .fold-body{display:block}
      table.stack thead{display:none}
      table.stack tr{display:block;border-bottom:1px solid #d5dde5;padding:.4rem 0}
      table.stack td{display:block;border:0;padding:.1rem .25rem}
      table.stack td[data-label]:before{content:attr(data-label) "：";color:#6b7a89}
      td.num{text-align:left}
    }
    @media print{
      .top,.foot,form.search,.logout,form.filters,.filters,.pager a,button,.decide,form.panel,details.nav-only{display:none}
      a{color:inherit;text-decoration:none}
      table.stack thead{display:table-header-group}
      tr{break-inside:avoid}
      body{background:#fff}
      .panel,.card{box-shadow:none;border:1px solid #ccc}
    }
    """
}

/// The Chinese error pages (404, 403, …).
enum ErrorView {
    static func response(status: HTTPResponseStatus, message: String, req: Request) async -> Response {
        let title: String
        switch status.code {
        case 404: title = "未找到"
        case 403: title = "无权访问"
        case 401: title = "请先登录"
        case 400..<500: title = "请求有误"
        default: title = "出错了"
        }
        // The jurisdiction by name, as on every page; if the database is what failed, the page goes without it.
        var name: String?
        if let user = req.staff { name = try? await RegistryStore(req.db).region(user.region)?.name }
        let chrome = Layout.Chrome(user: req.staff, jurisdictionName: name, csrf: req.hasSession ? req.session.data[SessionKey.csrf] : nil, section: .none)
        let html = Layout.page(title, chrome,
            .div(.class("panel"),
                 .h1(.text("\(status.code) \(title)")),
                 .p(.text(message)),
                 .p(.a(.href(SiteURL.home.path), .text("返回首页")))))
        return Layout.response(html, status: status)
    }
}
