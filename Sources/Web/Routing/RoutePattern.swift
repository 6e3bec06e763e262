import Foundation
import Vapor

/// A route's path pattern ("households", ":householdID"). The same value registers the route (`staff.get(.household)`)
/// and builds every link to it (`SiteURL.household(id).path`), so a route and its links cannot drift apart.
struct RoutePattern: Sendable, Hashable, CustomStringConvertible {
    let parts: [String]

    init(_ parts: String...) { self.parts = parts }

    var components: [PathComponent] { parts.map { PathComponent(stringLiteral: $0) } }

    /// The pattern as Vapor prints a registered route's path ("/households/:householdID").
    var description: String { "/" + parts.joined(separator: "/") }

    /// The path with each `:parameter`, in order, replaced by a value (percent-encoded as one path segment).
    func path(_ values: String...) -> String {
        precondition(values.count == parts.filter { $0.hasPrefix(":") }.count, "\(self) takes \(values.count) values")
        var next = values.makeIterator()
        return "/" + parts.map { part in
            guard part.hasPrefix(":"), let value = next.next() else { return part }
            return value.addingPercentEncoding(withAllowedCharacters: Self.segment) ?? value
        }.joined(separator: "/")
    }

    private static let segment: CharacterSet = {
        var s = CharacterSet.urlPathAllowed
        s.remove(charactersIn: "/")
        return s
    }()
}

/// Routes are registered by pattern only: no route anywhere is a loose string.
extension RoutesBuilder {
    @discardableResult
    func get<R: AsyncResponseEncodable>(_ pattern: RoutePattern, use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(.GET, pattern.components, use: closure)
    }

    @discardableResult
    func post<R: AsyncResponseEncodable>(_ pattern: RoutePattern, use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        on(.POST, pattern.components, use: closure)
    }

    /// A POST whose body may be larger than the default limit (an upload).
    @discardableResult
    func post<R: AsyncResponseEncodable>(_ pattern: RoutePattern, maxBody: ByteCount,
                                                   use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        let route = on(.POST, pattern.components, body: .collect(maxSize: maxBody), use: closure)
        route.userInfo[RouteBody.key] = RouteBody.collect(maxBody.value)
        return route
    }
}

/// How a route reads its body, for the CSRF check that may have to read it first (Vapor keeps this inside the route's
/// responder, out of reach). A route registered without it collects up to `routes.defaultMaxBodySize`.
enum RouteBody: Sendable, Hashable {
    case collect(Int)
    /// Read as it arrives: a token can only come in the header.
    case stream

    static let key = AnySendableHashable("jiuzhu.body")

    static func of(_ req: Request) -> RouteBody {
        req.route?.userInfo[key] as? RouteBody ?? .collect(req.application.routes.defaultMaxBodySize.value)
    }
}

extension RoutesBuilder {
    /// A POST whose body is not collected: the handler reads it as it arrives (an upload to write to disk).
    @discardableResult
    func postStreaming<R: AsyncResponseEncodable>(_ pattern: RoutePattern, use closure: @Sendable @escaping (Request) async throws -> R) -> Route {
        let route = on(.POST, pattern.components, body: .stream, use: closure)
        route.userInfo[RouteBody.key] = RouteBody.stream
        return route
    }
}
