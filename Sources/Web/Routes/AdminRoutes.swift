import Domain
import Foundation
import Store
import Vapor

/// Signing in and out, and the audit log.
struct AdminRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.login) { req -> Response in
            if req.staff != nil { return req.redirect(to: SiteURL.home.path) }
            return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req)))
        }
        routes.post(.login) { req -> Response in
            // A field left empty comes back as the form, with what was typed, not as an error page.
            struct Typed: Content { var username: String?; var password: String? }
            let typed = try req.content.decode(Typed.self)
            // Nothing typed is echoed longer than a field may be (a 1 MB "username" comes back as 40 characters).
            let echo = String((typed.username ?? "").prefix(UserStore.maxUsernameLength))
            let problem: String? = {
                guard let username = typed.username, !username.trimmingCharacters(in: .whitespaces).isEmpty else { return "请填写用户名" }
                guard username.count <= UserStore.maxUsernameLength else { return "用户名不超过\(UserStore.maxUsernameLength)个字符" }
                guard let password = typed.password, !password.isEmpty else { return "请填写密码" }
                guard password.count <= LoginPage.maxPasswordLength else { return "密码不超过\(LoginPage.maxPasswordLength)个字符" }
                return nil
            }()
            guard problem == nil, let username = typed.username, let password = typed.password else {
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: echo, error: problem ?? ""), status: .badRequest)
            }
            let form = LoginController.Form(username: username, password: password)
            switch try await LoginController.attempt(form, req: req) {
            case .success(let user):
                if user.hasSecondFactor {
                    try await LoginController.awaitSecondFactor(user, req: req)
                    return req.redirect(to: SiteURL.loginCode.path, redirectType: .normal)
                }
                try await LoginController.signIn(user, req: req)
                return req.redirect(to: SiteURL.home.path, redirectType: .normal)
            case .wrongCredentials:
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username, error: "用户名或密码错误"),
                                       status: .unauthorized)
            case .locked(let until):
                let minutes = max(1, Int((until.timeIntervalSinceNow / 60).rounded(.up)))
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username,
                                                      error: "连续输错密码次数过多，账户已锁定，请约\(minutes)分钟后再试"),
                                       status: .tooManyRequests)
            case .disabled:
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username,
                                                      error: "该账户已停用，请联系系统管理员"),
                                       status: .forbidden)
            case .awaitingGrant:
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username,
                                                      error: "该账户的角色尚待安全管理员授权，授权后即可登录"),
                                       status: .forbidden)
            case .addressThrottled:
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: form.username,
                                                      error: "本机所在网络登录失败次数过多，请稍后再试"),
                                       status: .tooManyRequests)
            }
        }

        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.changePassword) { req -> Response in
            Layout.response(AccountPage.view(chrome: try await Layout.chrome(req, .none), policy: req.application.passwordPolicy))
        }
        staff.post(.changePassword) { req -> Response in
            guard let user = req.staff else { throw Abort(.unauthorized) }
            let form = try req.content.decode(AccountPage.Form.self)
            let policy = req.application.passwordPolicy
            func refuse(_ why: String) async throws -> Response {
                Layout.response(AccountPage.view(chrome: try await Layout.chrome(req, .none), policy: policy, error: why), status: .badRequest)
            }
            guard let current = form.current, !current.isEmpty, current.count <= LoginPage.maxPasswordLength else { return try await refuse("请填写当前密码") }
            guard let new = form.new, new == form.confirm else { return try await refuse("两次输入的新密码不一致") }
            guard new.count <= LoginPage.maxPasswordLength else { return try await refuse("密码不超过\(LoginPage.maxPasswordLength)个字符") }
            if let problem = policy.problem(new, username: user.username) { return try await refuse(problem) }
            guard new != current else { return try await refuse("新密码不能与当前密码相同") }
            // The current password is checked as a sign-in is, counted against the account's lockout: a session left
            // open is not a way to guess it.
            let users = UserStore(req.db)
            guard case .check(let state) = try await users.claimSignIn(user.id, throttle: req.config.lockout, now: Date()) else {
                req.session.destroy()
                return req.redirect(to: SiteURL.login.path)
            }
            let (hash, cost) = (user.passwordHash, req.config.bcryptCost)
            guard try await req.application.threadPool.runIfActive({ try Bcrypt.verify(current, created: hash) }) else {
                try await AuditLog(req.db).record(actor: try req.actor(), action: .loginFailed, targetKind: "user", targetID: user.username,
                                                  detail: "修改密码时当前密码错误（连续第\(state.failures)次）")
                return try await refuse("当前密码不正确")
            }
            try await users.saveThrottle(user.id, req.config.lockout.afterSuccess(state))
            let newHash = try await req.application.threadPool.runIfActive { try Bcrypt.hash(new, cost: cost) }
            try await users.changePassword(user.id, hash: newHash, actor: try req.actor())
            try await StaffSession.endSessions(of: user.id, except: req.session.id, req.db)
            return Layout.response(AccountPage.view(chrome: try await Layout.chrome(req, .none), policy: policy, done: true))
        }
        staff.post(.logout) { req -> Response in
            let actor = try req.actor()
            try await AuditLog(req.db).record(actor: actor, action: .logout, targetKind: "user", targetID: actor.username, detail: "退出登录")
            req.session.destroy()
            return req.redirect(to: SiteURL.login.path)
        }
        staff.get(.audit) { req -> Response in
            let actor = try req.actor()
            let form = (try? req.query.decode(AuditPage.Form.self)) ?? AuditPage.Form()
            let (filter, problem) = form.filter()
            let chrome = try await Layout.chrome(req, .audit)
            if let format = ListFile.requested(req) {
                let (entries, _) = try await AuditLog(req.db).search(actor: actor, filter: filter, offset: 0, limit: ListFile.rowLimit)
                return try await ListFile.download(req, format, name: "审计日志", asciiName: "audit-log", header: AuditPage.header, rows: AuditPage.rows(entries, chrome: chrome))
            }
            let paging = Paging(req, size: AuditPage.pageSize)
            let (entries, total) = try await AuditLog(req.db).search(actor: actor, filter: filter, offset: paging.offset, limit: paging.size)
            let names = try await RegistryStore(req.db).regionNames(entries.flatMap { Show.regionCodes(in: $0.detail) })
            let objects = try await AuditLog(req.db).objectNames(entries, actor: actor)
            return Layout.response(AuditPage.view(chrome: chrome, form: form, entries: entries, total: total, paging: paging, problem: problem,
                                                  regionNames: names, objectNames: objects),
                                   status: problem == nil ? .ok : .badRequest)
        }
    }
}

/// The stylesheet, the one script, the API description and the health check: public and stateless.
struct AssetRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(.stylesheet) { _ -> Response in
            Self.asset(Layout.stylesheet, type: HTTPMediaType(type: "text", subType: "css", parameters: ["charset": "utf-8"]))
        }
        routes.get(.script) { _ -> Response in
            Self.asset(SiteScript.text, type: HTTPMediaType(type: "text", subType: "javascript", parameters: ["charset": "utf-8"]))
        }
        routes.get(.openAPI) { _ -> Response in
            var h = HTTPHeaders()
            h.contentType = .json
            return Response(status: .ok, headers: h, body: .init(string: try OpenAPIDocument.text()))
        }
        routes.get(.health) { _ in "ok" }
    }

    static func asset(_ text: String, type: HTTPMediaType) -> Response {
        var h = HTTPHeaders()
        h.contentType = type
        h.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: h, body: .init(string: text))
    }
}
