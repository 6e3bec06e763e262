import Domain
import Foundation
import Store
import Vapor

/// The second factor (等保三级 双因素): the code step of signing in, enrolment, and the security administrator's
/// settings and reset. Codes are counted against the account's lockout like passwords.
struct SecondFactorRoutes: RouteCollection {
    struct CodeForm: Content { var code: String? }
    struct RolesForm: Content { var roles: [String]? }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.loginCode) { req -> Response in
            guard try await Self.pendingUser(req) != nil else { return req.redirect(to: SiteURL.login.path) }
            return Layout.response(SecondFactorPages.code(csrf: CSRFMiddleware.token(for: req)))
        }
        routes.post(.loginCode) { req -> Response in
            guard let user = try await Self.pendingUser(req) else { return req.redirect(to: SiteURL.login.path) }
            let typed = String((try req.content.decode(CodeForm.self).code ?? "").prefix(SecondFactorPolicy.maxTypedLength))
            let users = UserStore(req.db)
            let origin = req.origin
            guard case .check(let state) = try await users.claimSignIn(user.id, throttle: req.config.lockout, now: req.application.now) else {
                req.session.destroy()
                return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: user.username,
                                                      error: "连续输错次数过多，账户已锁定，请稍后再试"), status: .tooManyRequests)
            }
            let outcome = try await req.secondFactors.verify(user, typed: typed, now: req.application.now)
            let actor = user.actor(origin: origin)
            switch outcome {
            case .wrong:
                try await AuditLog(req.db).record(actor: actor, action: .loginFailed, targetKind: "user", targetID: user.username,
                                                  detail: "动态口令错误（连续第\(state.failures)次）")
                if state.lockedUntil != nil {
                    try await AuditLog(req.db).record(actor: actor, action: .accountLocked, targetKind: "user", targetID: user.username,
                                                      detail: "连续\(state.failures)次失败（动态口令）")
                    req.session.destroy()
                    return Layout.response(LoginPage.view(csrf: CSRFMiddleware.token(for: req), username: user.username,
                                                          error: "连续输错次数过多，账户已锁定，请稍后再试"), status: .tooManyRequests)
                }
                return Layout.response(SecondFactorPages.code(csrf: CSRFMiddleware.token(for: req), error: "动态口令不正确或已用过，请输入应用中当前显示的数字"),
                                       status: .unauthorized)
            case .code, .recoveryCode:
                try await users.saveThrottle(user.id, req.config.lockout.afterSuccess(state))
                let how: String
                if case .recoveryCode(let left) = outcome { how = "恢复码（剩余\(left)个）" } else { how = "动态口令" }
                try await AuditLog(req.db).record(actor: actor, action: .login, targetKind: "user", targetID: user.username, detail: "登录成功（\(how)）")
                try await LoginController.signIn(user, req: req)
                return req.redirect(to: SiteURL.home.path, redirectType: .normal)
            }
        }

        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.secondFactor) { req -> Response in
            try await Self.enrolPage(req, secret: try Self.enrolSecret(req))
        }
        staff.post(.secondFactor) { req -> Response in
            guard let user = req.staff else { throw Abort(.unauthorized) }
            guard let sealed = req.session.data[SessionKey.enrolSecret],
                  let secret = Base32.decode(try req.application.storage[PaymentsKey.self]!.cipher.open(sealed)) else {
                return req.redirect(to: SiteURL.secondFactor.path)
            }
            let typed = String((try req.content.decode(CodeForm.self).code ?? "").prefix(SecondFactorPolicy.maxTypedLength))
            guard let codes = try await req.secondFactors.enrol(user, secret: secret, confirmedBy: typed, actor: try req.actor(), now: req.application.now) else {
                return try await Self.enrolPage(req, secret: secret, error: "数字不对：请确认手机时间准确，输入应用中当前显示的6位数字", status: .badRequest)
            }
            req.session.data[SessionKey.enrolSecret] = nil
            let response = Layout.response(SecondFactorPages.recoveryCodes(chrome: try await Layout.chrome(req, .none), codes: codes))
            response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            return response
        }
        staff.get(.securitySettings) { req -> Response in
            try await Self.settingsPage(req, notice: req.query[String.self, at: "saved"] != nil ? "已保存。" : nil)
        }
        staff.post(.securitySettings) { req -> Response in
            let actor = try req.actor()
            let roles = Set((try req.content.decode(RolesForm.self).roles ?? []).compactMap(Role.init(rawValue:)))
            try await req.secondFactors.setConfiguredRoles(roles, actor: actor)
            return req.redirect(to: SiteURL.securitySettings.path + "?saved=1", redirectType: .normal)
        }
    }

    /// The user half-way through signing in, while the wait lasts and the account may still sign in.
    static func pendingUser(_ req: Request) async throws -> StaffUser? {
        guard req.hasSession, let raw = req.session.data[SessionKey.pendingUserID], let id = UUID(uuidString: raw),
              let since = req.session.data[SessionKey.startedAt].flatMap(Double.init) else { return nil }
        let waited = req.application.now.timeIntervalSince1970 - since
        let policy = req.application.storage[SecondFactorPolicyKey.self]!
        guard waited >= 0, waited < Double(policy.pendingSeconds),
              let user = try? await UserStore(req.db).find(id: id), !user.isDisabled, user.isGranted, user.hasSecondFactor else {
            req.session.destroy()
            return nil
        }
        return user
    }

    /// The secret being enrolled: kept in the session, sealed, until a code from it is confirmed, so the QR code
    /// does not change on a reload.
    static func enrolSecret(_ req: Request) throws -> [UInt8] {
        let cipher = req.application.storage[PaymentsKey.self]!.cipher
        if let sealed = req.session.data[SessionKey.enrolSecret], let secret = Base32.decode(try cipher.open(sealed)) { return secret }
        let secret = req.secondFactors.newSecret()
        req.session.data[SessionKey.enrolSecret] = try cipher.seal(text: Base32.encode(secret))
        return secret
    }

    static func enrolPage(_ req: Request, secret: [UInt8], error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        guard let user = req.staff else { throw Abort(.unauthorized) }
        let totp = req.secondFactors.totp(secret)
        let response = Layout.response(SecondFactorPages.enrol(chrome: try await Layout.chrome(req, .none), uri: totp.uri(account: user.username),
                                                               secret: Base32.encode(secret), required: try await req.secondFactors.required(for: user),
                                                               enrolled: user.hasSecondFactor, error: error), status: status)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func settingsPage(_ req: Request, notice: String?) async throws -> Response {
        guard try req.actor().may(.grantRoles) else { throw DomainError.forbidden }
        let store = req.secondFactors
        return Layout.response(SecondFactorPages.settings(chrome: try await Layout.chrome(req, .users), policy: store.policy,
                                                          configured: try await store.configuredRoles(), notice: notice))
    }
}
