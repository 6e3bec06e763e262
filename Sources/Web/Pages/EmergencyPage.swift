import Domain
import Foundation
import Plot
import Store

/// 急难先行救助登记: the township where an emergency struck finds the person by ID number anywhere in the city and
/// opens a help-first application for them, whatever their residence or registration [LS; ZX 48]. The grant itself
/// is made on the case's page, like any other step.
enum EmergencyPage {
    struct Form: Codable, Sendable {
        var idNumber: String?
        /// "open" once the person is found and the form below is sent; otherwise a look-up.
        var step: String?
        var channel: String?
        var applicantName: String?
        var emergencyRegion: String?
        var note: String?
    }

    static func view(chrome: Layout.Chrome, form: Form, person: EmergencyPerson?, names: [String: String], places: [Region], defaultPlace: String?,
                     error: String?) -> HTML {
        Layout.page("急难先行救助", chrome,
            .h1(.text("急难先行救助登记")),
            .p(.class("muted"), .text("遭遇火灾、交通事故、突发重大疾病等急难情况的，由急难发生地乡镇（街道）先行救助，不受户籍地、居住地限制；"
                                      + "免经济状况核对、民主评议和公示，在审批额度内从备用金支出，事后补办审核手续 [LS; ZX 48]。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("panel"), .method(.post), .action(SiteURL.caseEmergency.path),
                Layout.csrfField(chrome),
                .label(.text("受助人身份证号"), .input(.type(.text), .name("idNumber"), .attribute(named: "autocomplete", value: "off"),
                                                 .attribute(named: "inputmode", value: "text"), .value(Layout.attr(form.idNumber ?? "")), .required(true))),
                .p(.class("muted"), .text("按身份证号在全市登记系统中精确查找；查找记入审计日志。")),
                .button(.type(.submit), .text("查找"))),
            .unwrap(person) { openForm(chrome, form, $0, names: names, places: places, defaultPlace: defaultPlace) })
    }

    /// The application for the person found: where it happened, how it came in, and what happened.
    static func openForm(_ chrome: Layout.Chrome, _ form: Form, _ p: EmergencyPerson, names: [String: String], places: [Region],
                         defaultPlace: String?) -> Node<HTML.BodyContext> {
        let place = form.emergencyRegion ?? defaultPlace ?? ""
        let channel = form.channel ?? CaseChannel.window.rawValue
        let placeOptions: [Node<HTML.SelectContext>] = [Layout.option("", "请选择…", selected: place.isEmpty)]
            + places.map { Layout.option($0.code.value, $0.name, selected: place == $0.code.value) }
        let channelOptions: [Node<HTML.SelectContext>] = [CaseChannel.window, .hotline, .proxy].map { Layout.option($0.rawValue, $0.chinese, selected: channel == $0.rawValue) }
        let residence = "居住地：" + (names[p.residenceRegion] ?? "本市") + " · 户籍地：" + (names[p.registeredRegion] ?? "本市")
        return .group(
            .h2(.text("\(p.name)（\(p.maskedID)）")),
            .p(.text(residence)),
            .form(.class("panel"), .method(.post), .action(SiteURL.caseEmergency.path),
                Layout.csrfField(chrome),
                .input(.type(.hidden), .name("idNumber"), .value(Layout.attr(form.idNumber ?? ""))),
                .input(.type(.hidden), .name("step"), .value("open")),
                .label(.text("急难发生地"), .select(.attribute(named: "name", value: "emergencyRegion"), .attribute(named: "required", value: "required"), .group(placeOptions))),
                .label(.text("申请渠道"), .select(.attribute(named: "name", value: "channel"), .group(channelOptions))),
                .label(.text("申请人姓名"), .input(.type(.text), .name("applicantName"), .value(Layout.attr(form.applicantName ?? p.name)), .required(true))),
                .label(.text("急难情况（时间、地点、经过）"), .textarea(.name("note"), .attribute(named: "rows", value: "3"), .attribute(named: "required", value: "required"), .text(form.note ?? ""))),
                .button(.type(.submit), .text("登记先行救助申请"))))
    }
}
