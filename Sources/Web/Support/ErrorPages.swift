import Domain
import Foundation
import Store
import Vapor

/// Maps every error to a status and a page: Chinese HTML for people, JSON for the API.
/// Internal details never reach the client; they go to the log.
struct ErrorPageMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: req)
        } catch {
            let (status, message) = Self.classify(error)
            if status == .internalServerError {
                req.logger.report(error: error)
            }
            // A signed-in user refused (another jurisdiction's household answers 404, as one that does not exist):
            // the auditor sees who tried what. The path only: a query string may hold what they searched for.
            if status == .forbidden || status == .notFound, let staff = req.staff {
                do {
                    try await AuditLog(req.db).record(actor: staff.actor(origin: req.origin), action: .denied, targetKind: "path",
                                                      targetID: String(req.url.path.prefix(200)), detail: "\(req.method.rawValue) 被拒（\(status.code)）：\(message)")
                } catch {
                    req.logger.error("auditing a refusal failed: \(String(describing: error))")
                }
            }
            if req.isAPI {
                // The API keeps an English code beside the Chinese message, for the programs that read it.
                let body = API.ErrorBody(error: .init(status: Int(status.code), message: message, code: Self.code(error, status)))
                let res = Response(status: status)
                try res.content.encode(body, as: .json)
                return res
            }
            return await ErrorView.response(status: status, message: message, req: req)
        }
    }

    static func classify(_ error: any Error) -> (HTTPResponseStatus, String) {
        if let e = error as? any NotFoundError, e.isNotFound { return (.notFound, "页面不存在，或不在您的辖区内") }
        switch error {
        case let e as DomainError:
            switch e {
            case .notFound: return (.notFound, e.chinese)
            case .forbidden: return (.forbidden, "您的角色无权访问此页面")
            default: return (.badRequest, e.chinese)
            }
        case let e as PolicyError:
            switch e {
            case .invalidInput: return (.badRequest, e.chinese)
            default: return (.unprocessableEntity, e.chinese)
            }
        case let e as DecodingError:
            return (.badRequest, chinese(e))
        case let e as AbortError:
            switch e.status {
            case .notFound: return (.notFound, "页面不存在，或不在您的辖区内")
            case .forbidden: return (.forbidden, isChinese(e.reason) ? e.reason : "您的角色无权访问此页面")
            case .unauthorized: return (.unauthorized, "请先登录")
            case .payloadTooLarge:
                return (e.status, "提交的内容过大：网页上传的文件不能超过 \(ImportPage.maxUploadText)。更大的文件请由数据专员在服务器上用命令行 jiuzhu import 导入。")
            default:
                guard e.status.code < 500 else { return (e.status, "服务器内部错误，请稍后重试") }
                // Our own refusals are written in Chinese; the framework's ("Value was not of type 'Int' at path
                // 'page'") are not, and go to the log, not to the person.
                return (e.status, isChinese(e.reason) ? e.reason : generic(e.status))
            }
        default:
            return (.internalServerError, "服务器内部错误，请稍后重试")
        }
    }

    static func isChinese(_ s: String) -> Bool { s.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) } }

    static func generic(_ status: HTTPResponseStatus) -> String {
        switch status.code {
        case 405: return "不支持这种访问方式，请从页面上的链接或按钮进入"
        case 408: return "请求超时，请重试"
        case 415: return "提交的内容格式不受支持"
        case 429: return "操作过于频繁，请稍后再试"
        default: return "请求有误，请检查填写的内容后重试"
        }
    }

    /// A form or query that could not be read, with the field named in Chinese where we know it.
    static func chinese(_ e: DecodingError) -> String {
        let path: [any CodingKey]
        switch e {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): path = c.codingPath
        case .keyNotFound(let k, let c): path = c.codingPath + [k]
        @unknown default: path = []
        }
        let field = path.map { $0.intValue.map { "第\($0 + 1)项" } ?? (fieldNames[$0.stringValue] ?? $0.stringValue) }.joined(separator: "的")
        switch e {
        case .keyNotFound: return field.isEmpty ? "有必填项没有填写" : "请填写“\(field)”"
        case .valueNotFound: return field.isEmpty ? "有必填项没有填写" : "请填写“\(field)”"
        default: return field.isEmpty ? "填写的内容格式不对，请检查后重试" : "“\(field)”的格式不对，请检查后重试"
        }
    }

    /// The Chinese names of the fields our forms and queries carry.
    static let fieldNames: [String: String] = [
        "page": "页码", "username": "用户名", "password": "密码", "q": "查找内容", "reason": "理由", "outcome": "处置结果",
        "assignee": "分派对象", "findings": "核实情况", "since": "起始日期", "from": "起始日期", "to": "截止日期", "list": "名单",
        "parameter": "参数", "percent": "调整幅度", "region": "区域", "feed": "数据接口", "file": "文件", "members": "家庭成员",
        "birthDate": "出生日期", "income": "收入", "severity": "程度", "points": "分值", "deadline": "处置时限",
    ]

    /// The English code the API gives beside the message.
    static func code(_ error: any Error, _ status: HTTPResponseStatus) -> String {
        switch error {
        case let e as DomainError: return "\(e)"
        case let e as PolicyError: return e.description
        case let e as AbortError: return e.reason
        case is DecodingError: return "invalid request: \(error)"
        default: return status.reasonPhrase
        }
    }
}

/// Headers that keep pages with personal data out of caches and frames.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to req: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let res = try await next.respond(to: req)
        res.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        res.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        res.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        res.headers.replaceOrAdd(name: "Content-Security-Policy",
                                 value: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
        // Production is served over HTTPS only (`__Host-` cookies need it): the browser is told to use nothing else
        // for two years. Not in development, where localhost is plain HTTP.
        if req.config.mode == .production {
            res.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains")
        }
        if !req.url.path.hasPrefix(SiteURL.staticRoot) {
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return res
    }
}
