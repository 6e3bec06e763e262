import Domain
import Foundation
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
            if req.isAPI {
                let body = API.ErrorBody(error: .init(status: Int(status.code), message: message))
                let res = Response(status: status)
                try res.content.encode(body, as: .json)
                return res
            }
            return ErrorView.response(status: status, message: message, req: req)
        }
    }

    static func classify(_ error: any Error) -> (HTTPResponseStatus, String) {
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
        case let e as AbortError:
            switch e.status {
            case .notFound: return (.notFound, "页面不存在，或不在您的辖区内")
            case .forbidden: return (.forbidden, e.reason.isEmpty || e.reason == "Forbidden" ? "您的角色无权访问此页面" : e.reason)
            case .unauthorized: return (.unauthorized, "请先登录")
            default:
                return (e.status, e.status.code < 500 ? e.reason : "服务器内部错误，请稍后重试")
            }
        default:
            return (.internalServerError, "服务器内部错误，请稍后重试")
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
                                 value: "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
        if !req.url.path.hasPrefix(SiteURL.staticRoot) {
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        }
        return res
    }
}
