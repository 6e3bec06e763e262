import Domain
import Foundation
import Store
import Vapor

/// 账户管理 (三权分立): the system administrator opens, places, disables and re-enables accounts; the security
/// administrator grants roles. The rules are the store's and `RoleGrant`'s; this only reads forms and answers.
struct UserRoutes: RouteCollection {
    struct Choice: Content {
        var role: String?
        var region: String?
        var community: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.users) { req -> Response in
            try await Self.page(req, notice: req.query[String.self, at: "done"])
        }
        staff.post(.users) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.manageUsers) else { throw DomainError.forbidden }
            let typed = try req.content.decode(UserPages.NewAccount.self)
            let choice = try req.content.decode(Choice.self)
            guard let role = typed.role.flatMap(Role.init(rawValue:)) else {
                return try await Self.page(req, typed: typed, error: "请选择角色", status: .badRequest)
            }
            guard let region = Self.region(choice) else {
                return try await Self.page(req, typed: typed, error: "辖区代码应为12位数字", status: .badRequest)
            }
            let password = PasswordPolicy.generated()
            let cost = req.config.bcryptCost
            let hash = try await req.application.threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
            do {
                try await UserStore(req.db).create(username: (typed.username ?? "").trimmingCharacters(in: .whitespaces), displayName: typed.name ?? "",
                                                   role: role, region: region, passwordHash: hash, createdBy: actor, proposed: true,
                                                   passwordGiven: true)
            } catch let e as UserStoreError {
                return try await Self.page(req, typed: typed, error: e.description, status: .badRequest)
            }
            return try await Self.page(req, firstPassword: ((typed.username ?? "").trimmingCharacters(in: .whitespaces), password))
        }
        staff.post(.userAction) { req -> Response in
            let actor = try req.actor()
            guard let username = req.parameters.get("username"),
                  let action = req.parameters.get("action").flatMap(UserAction.init(rawValue:)) else { throw Abort(.notFound) }
            let users = UserStore(req.db)
            let choice = try req.content.decode(Choice.self)
            let done: String
            do {
                switch action {
                case .disable, .enable:
                    try await users.setDisabled(username, action == .disable, actor: actor)
                    done = action == .disable ? "已停用 \(username)，其登录即时失效。" : "已恢复 \(username)。"
                case .region:
                    guard let region = Self.region(choice) else { return try await Self.page(req, error: "辖区代码应为12位数字", status: .badRequest) }
                    try await users.setRegion(username, region: region, actor: actor)
                    done = "已变更 \(username) 的辖区。"
                case .resetSecondFactor:
                    try await req.secondFactors.reset(username, actor: actor)
                    done = "已重置 \(username) 的动态口令，其下次登录时须重新绑定。"
                case .grant:
                    guard let role = choice.role.flatMap(Role.init(rawValue:)) else { return try await Self.page(req, error: "请选择角色", status: .badRequest) }
                    try await users.grant(username, role: role, actor: actor)
                    done = "已授予 \(username) 角色：\(role.chinese)。"
                }
            } catch let e as UserStoreError {
                if case .grant(.notSecurityAdmin) = e { throw DomainError.forbidden }
                return try await Self.page(req, error: e.description, status: e == .unknownUser(username) ? .notFound : .badRequest)
            }
            return req.redirect(to: SiteURL.users(page: 1).path + "?done=" + (done.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
                                redirectType: .normal)
        }
    }

    /// A community's code typed in wins over the chosen district or street.
    static func region(_ c: Choice) -> RegionCode? {
        let typed = (c.community ?? "").trimmingCharacters(in: .whitespaces)
        return try? RegionCode(typed.isEmpty ? (c.region ?? "") : typed)
    }

    static func page(_ req: Request, typed: UserPages.NewAccount = .init(), notice: String? = nil, error: String? = nil,
                     firstPassword: (String, String)? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        let users = UserStore(req.db)
        let paging = Paging(req, size: UserPages.pageSize)
        let found = try await users.page(actor: actor, offset: paging.offset, limit: paging.size)
        let places = try await users.places(actor: actor)
        let names = try await RegistryStore(req.db).regionNames(found.users.map(\.region.value))
        var m = UserPages.Model(users: found.users, total: found.total, paging: paging, names: names, places: places,
                                mayManage: actor.may(.manageUsers), mayGrant: actor.may(.grantRoles))
        m.typed = typed
        m.notice = notice
        m.error = error
        m.firstPassword = firstPassword.map { (username: $0.0, password: $0.1) }
        let response = Layout.response(UserPages.view(m, chrome: try await Layout.chrome(req, .users)), status: status)
        // A first password is on this page: never kept by a cache or shown again by the back button.
        if firstPassword != nil { response.headers.replaceOrAdd(name: .cacheControl, value: "no-store") }
        return response
    }
}
