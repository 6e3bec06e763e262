import Domain
import Foundation
import Plot
import Store
import Vapor

/// 名单导出: the lists other departments need, as CSV for Excel. A POST with the form's token, since
/// every download of whole ID numbers is written to the audit log.
enum ExportPage {
    struct Form: Content {
        var list: String
        var since: String
    }

    static func view(chrome: Layout.Chrome, error: String?) -> HTML {
        Layout.page("名单导出", chrome,
            .h1(.text("向其他部门导出名单")),
            .p(.class("muted"), .text("名单含完整身份证号（接收部门据此比对），仅限本辖区，每次导出都记入审计日志。文件为 UTF-8 编码的 CSV，可直接用 Excel 打开。")),
            .unwrap(error) { .div(.class("error"), .attribute(named: "role", value: "alert"), .text($0)) },
            .form(.class("panel"), .action(SiteURL.exports.path), .method(.post),
                  Layout.csrfField(chrome),
                  .label(.text("名单"), .select(.attribute(named: "name", value: "list"), .group(Exports.List.allCases.map { l in
                      Layout.option(l.rawValue, l == .newlyEnrolled ? "\(l.chinese)（供医保资助参保）" : l.chinese, selected: false)
                  }))),
                  .label(.text("起始日期"), .input(.type(.date), .name("since"), .required(true))),
                  .button(.type(.submit), .text("下载 CSV"))))
    }

    /// The CSV as a download named in Chinese (RFC 6266 `filename*`), with an ASCII fallback.
    static func download(_ csv: String, list: Exports.List, since: LocalDate) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
        let name = "\(list.chinese)-\(since).csv"
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-."))) ?? "export.csv"
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(list.rawValue)-\(since).csv\"; filename*=UTF-8''\(encoded)")
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }
}
