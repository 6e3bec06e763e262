import Foundation
import Plot
import Vapor

/// Every list pages and says how many there are in all (`找到 1,234 户，第 2 / 25 页`), never "at least".
struct Paging: Sendable, Equatable {
    let page: Int
    let size: Int
    var offset: Int { (page - 1) * size }

    /// Page numbers start at 1; anything else in the query (a word, a negative) is page 1 rather than an error.
    init(page: Int?, size: Int) {
        self.page = max(1, min(page ?? 1, 1_000_000))
        self.size = size
    }

    init(_ req: Request, size: Int) {
        self.init(page: req.query[String.self, at: "page"].flatMap { Int($0) }, size: size)
    }

    func pages(_ total: Int) -> Int { max(1, (total + size - 1) / size) }

    /// "共 N 条，第 p / P 页" with links to the pages either side; `link` builds the URL of a page with the same filters.
    func bar(total: Int, unit: String, link: (Int) -> String) -> Node<HTML.BodyContext> {
        let last = pages(total)
        return .nav(.class("pager"), .attribute(named: "aria-label", value: "分页"),
            .span(.text("共 \(total) \(unit)" + (last > 1 ? "，第 \(min(page, last)) / \(last) 页" : ""))),
            .if(page > 1, .a(.href(link(min(page, last) - 1)), .attribute(named: "rel", value: "prev"), .text("上一页"))),
            .if(page < last, .a(.href(link(page + 1)), .attribute(named: "rel", value: "next"), .text("下一页"))))
    }

    /// `path` with the query of `items` and `page` (no "?" when there is nothing to ask).
    static func url(_ path: String, _ items: [(String, String?)], page: Int) -> String {
        let q = query(items, page: page)
        return q.isEmpty ? path : path + "?" + q
    }

    /// A query string (without "?") with `page` set and empty values dropped.
    static func query(_ items: [(String, String?)], page: Int) -> String {
        var c = URLComponents()
        c.queryItems = (items + [("page", page > 1 ? String(page) : nil)]).compactMap { k, v in
            guard let v, !v.isEmpty else { return nil }
            return URLQueryItem(name: k, value: v)
        }
        return c.percentEncodedQuery ?? ""
    }
}
