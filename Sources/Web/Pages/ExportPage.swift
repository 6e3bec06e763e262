import Domain
import Foundation
import Plot
import Store
import Vapor

/// 名单导出: the lists other departments need, as CSV for Excel. A POST with the form's token, since
/// every download of whole ID numbers is written to the audit log.
enum ExportPage {
    struct Form: Content {
        var list: String?
        var since: String?
        var purpose: String?
        var note: String?
    }

    static func view(chrome: Layout.Chrome, typed: Form = .init(), error: String?) -> HTML {
        Layout.page("名单导出", chrome,
            .h1(.text("向其他部门导出名单")),
            .p(.class("muted"), .text("名单含完整身份证号（接收部门据此比对），仅限本辖区。每次导出须说明用途，文件第一行写明导出人、时间和用途，并记入审计日志。文件为 UTF-8 编码的 CSV，可直接用 Excel 打开。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("panel"), .action(SiteURL.exports.path), .method(.post),
                  Layout.csrfField(chrome),
                  .label(.text("名单"), .select(.attribute(named: "name", value: "list"), .group(Exports.List.allCases.map { l in
                      Layout.option(l.rawValue, l == .newlyEnrolled ? "\(l.chinese)（供医保资助参保）" : l.chinese, selected: l.rawValue == typed.list)
                  }))),
                  .label(.text("起始日期"), .input(.type(.date), .name("since"), .value(Layout.attr(typed.since ?? "")), .required(true))),
                  ListFile.purposeFields(purpose: typed.purpose, note: typed.note),
                  .button(.type(.submit), .text("下载 CSV"))))
    }

    static func download(_ csv: String, list: Exports.List, since: LocalDate) -> Response {
        Layout.csvDownload(csv, name: "\(list.chinese)-\(since).csv", asciiName: "\(list.rawValue)-\(since).csv")
    }
}
