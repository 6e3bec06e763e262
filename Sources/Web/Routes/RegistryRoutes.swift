import Domain
import Foundation
import Store
import Vapor

/// The registry as staff browse it: the home page (their jurisdiction), search, a household's profile with its
/// payment holds, regions, list exports, and the same reads as JSON.
struct RegistryRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())

        staff.get(.home) { req -> Response in
            let actor = try req.actor()
            // The administrators' home is their own work: the log for the audit administrator, the accounts for the others.
            if actor.role.isAdministrator {
                return req.redirect(to: actor.may(.viewAuditLog) ? SiteURL.auditLog(query: nil).path : SiteURL.users(page: 1).path)
            }
            // The home page is the user's own jurisdiction in the region browser: for a community coordinator, their households.
            guard let m = try await RegionPage.Model.load(db: req.db, actor: actor, region: actor.jurisdiction,
                                                          paging: Paging(req, size: RegionPage.pageSize)) else { throw Abort(.notFound) }
            return Layout.response(RegionPage.view(m, chrome: try await Layout.chrome(req, .home)))
        }

        staff.get(.households) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
            let program = req.query[String.self, at: "program"].flatMap(Program.init(rawValue:))
            if let format = ListFile.requested(req), let q = req.query[String.self, at: "q"], let parsed = HouseholdQuery.parse(q) {
                let found = try await RegistryStore(req.db).search(parsed, actor: actor, offset: 0, limit: RegistryStore.searchCap, program: program)
                return try await ListFile.download(req, format, name: "查找结果", asciiName: "households", header: SearchPage.header, rows: SearchPage.rows(found.items))
            }
            if let q = req.query[String.self, at: "q"], case .nationalID? = HouseholdQuery.parse(q) {
                // Not searched: the number is already in this URL, and must not be answered there.
                var m = SearchPage.Model(query: "", results: [], problem: Self.wholeIDByPost, program: program)
                m.paging = Paging(req, size: SearchPage.pageSize)
                return Layout.response(SearchPage.view(m, chrome: try await Layout.chrome(req, .households)), status: .badRequest)
            }
            let m = try await SearchPage.Model.load(db: req.db, actor: actor, text: req.query[String.self, at: "q"], program: program,
                                                    paging: Paging(req, size: SearchPage.pageSize))
            return Layout.response(SearchPage.view(m, chrome: try await Layout.chrome(req, .households)))
        }
        // The search form posts: a whole ID number is answered here, anything else is sent on to the address that pages it.
        staff.post(.households) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
            struct Form: Content { var q: String?; var program: String? }
            let form = try req.content.decode(Form.self)
            let q = (form.q ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let program = form.program.flatMap(Program.init(rawValue:))
            guard case .nationalID? = HouseholdQuery.parse(q) else {
                return req.redirect(to: SiteURL.householdSearch(query: nil).path(query: ["q": q, "program": program?.rawValue ?? ""].filter { !$0.value.isEmpty }),
                                    redirectType: .normal)
            }
            let m = try await SearchPage.Model.load(db: req.db, actor: actor, text: q, program: program, paging: Paging(page: 1, size: SearchPage.pageSize))
            return Layout.response(SearchPage.view(m, chrome: try await Layout.chrome(req, .households)))
        }

        staff.get(.household) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.viewHouseholds) else { throw DomainError.forbidden }
            guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
                  let m = try await HouseholdPage.Model.load(db: req.db, actor: actor, id: id, today: req.today, calculator: req.calculator) else {
                throw Abort(.notFound)
            }
            return Layout.response(HouseholdPage.view(m, chrome: try await Layout.chrome(req, .households)))
        }

        // Releasing a payment held after a death record: the county decides, with a reason; the store checks the
        // permission and the jurisdiction and audits it. A refusal shows the profile again with the reason.
        struct HoldReleaseForm: Content { var reason: String? }
        staff.post(.paymentHoldRelease) { req -> Response in
            let actor = try req.actor()
            guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
                  let hold = req.parameters.get("holdID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let reason = try req.content.decode(HoldReleaseForm.self).reason ?? ""
            let refusal: String
            do {
                guard try await PaymentHoldStore(req.db).release(hold, reason: reason, actor: actor, today: req.today) else { throw Abort(.notFound) }
                return req.redirect(to: SiteURL.household(id).path + "#holds", redirectType: .normal)
            } catch PaymentHoldStore.ReleaseError.reasonRequired {
                refusal = "请填写解除理由。A reason is required."
            } catch PaymentHoldStore.ReleaseError.alreadyReleased {
                refusal = "该暂停已被解除。This hold was already released."
            }
            guard var m = try await HouseholdPage.Model.load(db: req.db, actor: actor, id: id, today: req.today, calculator: req.calculator) else {
                throw Abort(.notFound)
            }
            m.holdError = refusal
            return Layout.response(HouseholdPage.view(m, chrome: try await Layout.chrome(req, .households)), status: .badRequest)
        }

        staff.get(.region) { req -> Response in
            let actor = try req.actor()
            let program = req.query[String.self, at: "program"].flatMap(Program.init(rawValue:))
            if let format = ListFile.requested(req), let code = req.parameters.get("regionCode").flatMap({ try? RegionCode($0) }),
               code.level == .village, actor.may(.viewHouseholds), actor.covers(code) {
                let items = try await ListFile.collect { try await RegistryStore(req.db).households(in: code, actor: actor, offset: $0, limit: $1, program: program).items }
                let name = try await RegistryStore(req.db).region(code)?.name ?? "区域"
                return try await ListFile.download(req, format, name: "\(name)家庭", asciiName: "households-\(code.value)", header: SearchPage.header, rows: SearchPage.rows(items))
            }
            guard let code = req.parameters.get("regionCode").flatMap({ try? RegionCode($0) }),
                  let m = try await RegionPage.Model.load(db: req.db, actor: actor, region: code, paging: Paging(req, size: RegionPage.pageSize),
                                                          program: program) else {
                throw Abort(.notFound)
            }
            return Layout.response(RegionPage.view(m, chrome: try await Layout.chrome(req, .regions)))
        }

        staff.get(.exports) { req -> Response in
            guard Exports.mayExport(try req.actor().role) else { throw DomainError.forbidden }
            return Layout.response(ExportPage.view(chrome: try await Layout.chrome(req, .exports), error: nil))
        }
        staff.post(.exports) { req -> Response in
            let actor = try req.actor()
            guard Exports.mayExport(actor.role) else { throw DomainError.forbidden }
            let form = try req.content.decode(ExportPage.Form.self)
            guard let list = form.list.flatMap(Exports.List.init(rawValue:)), let since = try? LocalDate(form.since ?? "") else {
                return Layout.response(ExportPage.view(chrome: try await Layout.chrome(req, .exports), typed: form, error: "请选择名单并填写有效的起始日期"),
                                       status: .badRequest)
            }
            let purpose: ExportReason
            switch ExportReason.parse(purpose: form.purpose, note: form.note) {
            case .success(let p): purpose = p
            case .failure(let problem):
                return Layout.response(ExportPage.view(chrome: try await Layout.chrome(req, .exports), typed: form, error: problem.description), status: .badRequest)
            }
            let (csv, _) = try await Exports(req.db).csv(list, since: since, actor: actor, purpose: purpose, stamp: try ListFile.stamp(req, purpose))
            return ExportPage.download(csv, list: list, since: since)
        }

        // JSON API, with the same scoping as the pages (the store does it).
        staff.get(.apiHouseholds) { req -> API.HouseholdList in
            try req.require(.viewHouseholds)
            let actor = try req.actor()
            let q = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let parsed = HouseholdQuery.parse(q) else {
                throw Abort(.badRequest, reason: "参数 q：\(HouseholdQuery.rejection(q)) (q must be a name, an address, a valid ID number or its last 4+ characters)")
            }
            if case .nationalID = parsed { throw Abort(.badRequest, reason: Self.wholeIDByPost + " (a whole ID number goes in the body of POST /api/v1/households/search)") }
            let items = try await RegistryStore(req.db).search(parsed, actor: actor)
            return API.HouseholdList(query: q, limit: RegistryStore.searchLimit, items: items.map(API.HouseholdSummary.init))
        }
        staff.post(.apiHouseholdSearchByID) { req -> API.HouseholdList in
            try req.require(.viewHouseholds)
            let actor = try req.actor()
            struct Body: Content { var q: String }
            let q = (try req.content.decode(Body.self).q).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let parsed = HouseholdQuery.parse(q) else {
                throw Abort(.badRequest, reason: "参数 q：\(HouseholdQuery.rejection(q)) (q must be a name, an address, a valid ID number or its last 4+ characters)")
            }
            let items = try await RegistryStore(req.db).search(parsed, actor: actor)
            // The answer does not repeat a whole number either.
            return API.HouseholdList(query: { if case .nationalID = parsed { return parsed.masked } else { return q } }(), limit: RegistryStore.searchLimit,
                                     items: items.map(API.HouseholdSummary.init))
        }
        staff.get(.apiHousehold) { req -> API.HouseholdDetail in
            API.HouseholdDetail(try await Self.profile(req))
        }
    }

    static let wholeIDByPost = "完整身份证号请在查找框中输入查找（号码不会出现在网址中）；网址中只能用姓名、地址或身份证号后几位。"

    /// The request's household profile, read (and audited) through the user's jurisdiction.
    static func profile(_ req: Request) async throws -> HouseholdProfile {
        guard let id = req.parameters.get("householdID").flatMap(Household.ID.init),
              let p = try await RegistryStore(req.db).profile(id, actor: try req.actor()) else {
            throw Abort(.notFound, reason: "家庭不存在或不在您的辖区内 (not found)")
        }
        return p
    }
}

/// A whole ID number for a stated purpose, one member at a time: the page (a form, then the number, never cached)
/// and the API. The store checks the jurisdiction and audits the read with its purpose.
struct IDRevealRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.memberNationalID) { req -> Response in
            let (household, member) = try Self.ids(req)
            guard try await RegistryStore(req.db).memberIsVisible(member, of: household, actor: try req.actor()) else { throw Abort(.notFound) }
            return Layout.response(IDRevealPage.view(chrome: try await Layout.chrome(req, .households), household: household, member: member))
        }
        staff.post(.memberNationalID) { req -> Response in
            try req.require(.viewHouseholds)
            let (household, member) = try Self.ids(req)
            let form = try req.content.decode(IDRevealPage.Form.self)
            switch IDRevealReason.parse(purpose: form.purpose, note: form.note) {
            case .failure(let problem):
                return Layout.response(IDRevealPage.view(chrome: try await Layout.chrome(req, .households), household: household, member: member,
                                                         typed: form, error: problem.description), status: .badRequest)
            case .success(let reason):
                let revealed = try await Self.reveal(req, household, member, reason)
                return Self.uncached(Layout.response(IDRevealPage.view(chrome: try await Layout.chrome(req, .households), household: household,
                                                                       member: member, revealed: revealed)))
            }
        }
        staff.post(.apiMemberNationalID) { req -> Response in
            try req.require(.viewHouseholds)
            let (household, member) = try Self.ids(req)
            let typed = try req.content.decode(IDRevealPage.Form.self)
            switch IDRevealReason.parse(purpose: typed.purpose, note: typed.note) {
            case .failure(let problem): throw Abort(.badRequest, reason: problem.description)
            case .success(let reason):
                let revealed = try await Self.reveal(req, household, member, reason)
                return Self.uncached(try await API.RevealedNationalID(memberId: member.description, name: revealed.name,
                                                                      nationalId: revealed.nationalID.value).encodeResponse(for: req))
            }
        }
    }

    /// The store's read (jurisdiction checked, audited with the purpose); not found outside the jurisdiction.
    static func reveal(_ req: Request, _ household: Household.ID, _ member: Member.ID, _ reason: IDRevealReason) async throws -> RegistryStore.RevealedID {
        guard let revealed = try await RegistryStore(req.db).revealNationalID(member: member, of: household, reason: reason, actor: try req.actor())
        else { throw Abort(.notFound) }
        return revealed
    }

    /// A whole number is never kept by a cache or shown again by the back button.
    static func uncached(_ response: Response) -> Response {
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    static func ids(_ req: Request) throws -> (Household.ID, Member.ID) {
        guard let h = req.parameters.get("householdID").flatMap(Household.ID.init),
              let m = req.parameters.get("memberID").flatMap(Member.ID.init) else { throw Abort(.notFound) }
        return (h, m)
    }
}
