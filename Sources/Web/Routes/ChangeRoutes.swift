import Domain
import Foundation
import Store
import Vapor

extension Request {
    var changes: EnrolmentChanges { EnrolmentChanges(db, parameters: calculator.parameters) }
}

/// 增发 / 减发 / 停发: the township proposes a change to an enrolment (from a warning, a review, a household's report
/// or on its own finding) with the calculator's view of the household; the county of registration decides.
struct ChangeRoutes: RouteCollection {
    struct NewForm: Content {
        var household: String?
        var warning: String?
        var enrolment: String?
        var amount: String?
        var month: String?
        var source: String?
        var reasons: String?
        var articles: String?
        /// From a periodic review: the review and the version it was read at.
        var review: String?
        var reviewVersion: Int?
        /// A gradual exit's months (a dibao stop only) [DB 33].
        var exitMonths: String?
    }

    struct DecisionForm: Content {
        var version: Int?
        var decision: String?
        var recover: String?
        var basis: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.changes) { req -> Response in
            let all = req.query[String.self, at: "all"] == "on"
            let paging = Paging(req, size: 30)
            let (items, total) = try await req.changes.list(actor: try req.actor(), pendingOnly: !all, offset: paging.offset, limit: paging.size)
            return Layout.response(ChangePages.list(chrome: try await Layout.chrome(req, .cases), items: items, total: total, all: all, paging: paging))
        }
        staff.get(.changeNew) { req -> Response in
            try await Self.newPage(req, form: (try? req.query.decode(NewForm.self)) ?? NewForm(), error: nil)
        }
        staff.post(.changes) { req -> Response in
            // The same rule as the form's page: the township proposes (the county decides).
            guard try req.actor().role == .townshipOfficer else { throw DomainError.forbidden }
            let form = (try? req.content.decode(NewForm.self)) ?? NewForm()
            do {
                guard let enrolment = form.enrolment.flatMap(UUID.init(uuidString:)) else { throw ChangeStoreError.notFound }
                let text = (form.amount ?? "").trimmingCharacters(in: .whitespaces)
                guard let amount = try? Cents(yuan: text), amount.value >= 0 else { throw FormInvalid(message: "新的每月金额「\(text)」无效（停发填 0）") }
                guard let month = form.month.flatMap({ try? LocalDate($0 + "-01") }) else {
                    throw FormInvalid(message: "请选择生效月份")
                }
                let assessment = try await Self.assessmentJSON(req, household: form.household)
                let id = try await req.changes.propose(enrolment: enrolment, newCents: amount.value, effectiveOn: month,
                                                       reasons: (form.reasons ?? "").split(whereSeparator: \.isNewline).map(String.init),
                                                       articles: CaseDetailPage.ActionForm.names(form.articles),
                                                       source: form.source.flatMap(ChangeSource.init(rawValue:)) ?? .staff,
                                                       origin: .init(warningID: form.warning.flatMap(UUID.init(uuidString:)),
                                                                     review: form.review.flatMap(UUID.init(uuidString:)).map { ($0, form.reviewVersion ?? 0) }),
                                                       exitMonths: try Self.exitMonths(form.exitMonths), assessment: assessment,
                                                       actor: try req.actor(), today: req.today)
                return req.redirect(to: SiteURL.change(id).path, redirectType: .normal)
            } catch let e as ChangeStoreError where e != .notFound {
                return try await Self.newPage(req, form: form, error: e.chinese, status: .badRequest)
            } catch let e as ReviewStoreError where e != .notFound {
                return try await Self.newPage(req, form: form, error: e.chinese, status: e == .workflow(.staleVersion) ? .conflict : .badRequest)
            } catch let e as FormInvalid {
                return try await Self.newPage(req, form: form, error: e.message, status: .badRequest)
            }
        }
        staff.get(.change) { req -> Response in try await Self.detailPage(req, error: nil, typed: nil) }
        // The written notice of a decrease, a stop or a gradual exit, for the household.
        staff.get(.changeNotice) { req -> Response in
            let actor = try req.actor()
            guard let id = req.parameters.get("changeID").flatMap(UUID.init(uuidString:)), let c = try await req.changes.detail(id, actor: actor),
                  c.state.status == .approved, c.state.kind != .increase else { throw Abort(.notFound) }
            let head = try await RegistryStore(req.db).profile(Household.ID(c.householdID), actor: actor)?.head?.name ?? ""
            let county = c.state.registrationRegion.ancestor(at: .county)?.value ?? c.state.registrationRegion.value
            let names = try await RegistryStore(req.db).regionNames([county])
            return Layout.response(ChangePages.notice(chrome: try await Layout.chrome(req, .cases), c: c, headName: head, office: (names[county] ?? "") + "民政局"))
        }
        staff.post(.changeDecision) { req -> Response in
            try req.require(.handleCases)
            guard let id = req.parameters.get("changeID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(DecisionForm.self)) ?? DecisionForm()
            do {
                let recoverText = (form.recover ?? "").trimmingCharacters(in: .whitespaces)
                var recovery: Recovery?
                if !recoverText.isEmpty {
                    guard let c = try? Cents(yuan: recoverText) else { throw FormInvalid(message: "应追回金额「\(recoverText)」无效") }
                    recovery = Recovery(amountCents: c.value, basis: form.basis ?? "")
                }
                try await req.changes.decide(id, approve: form.decision != "reject", recovery: recovery, expectedVersion: form.version ?? 0,
                                             actor: try req.actor(), today: req.today)
                return req.redirect(to: SiteURL.change(id).path + "?done=1", redirectType: .normal)
            } catch let e as ChangeStoreError where e != .notFound {
                return try await Self.detailPage(req, error: e.chinese, typed: form, status: e == .workflow(.staleVersion) ? .conflict : .badRequest)
            } catch let e as FormInvalid {
                return try await Self.detailPage(req, error: e.message, typed: form, status: .badRequest)
            } catch ChangeStoreError.notFound { throw Abort(.notFound) }
        }
    }

    /// Blank: no gradual exit.
    static func exitMonths(_ text: String?) throws -> Int? {
        let t = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty else { return nil }
        guard let n = Int(t) else { throw FormInvalid(message: "渐退月数「\(t)」无效") }
        return n
    }

    /// The calculator's view of the household today, kept with the change (the county sees what it rests on).
    static func assessmentJSON(_ req: Request, household: String?) async throws -> String? {
        guard let hid = household.flatMap(UUID.init(uuidString:)),
              let p = try await RegistryStore(req.db).profile(Household.ID(hid), actor: try req.actor()),
              let a = try? req.calculator.assess(AssessmentRequest(profile: p, date: req.today)) else { return nil }
        return try StoredJSON.text(a)
    }

    static func newPage(_ req: Request, form: NewForm, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard actor.role == .townshipOfficer else { throw DomainError.forbidden }
        guard let hid = form.household.flatMap(UUID.init(uuidString:)),
              let p = try await RegistryStore(req.db).profile(Household.ID(hid), actor: actor) else { throw Abort(.notFound) }
        let assessment = try? req.calculator.assess(AssessmentRequest(profile: p, date: req.today))
        var form = form
        // From a review: the enrolment it reviews, and the version the change will end it at (read now, checked on submit).
        if form.reviewVersion == nil, let rid = form.review.flatMap(UUID.init(uuidString:)), let r = try await req.reviews.detail(rid, actor: actor) {
            form.reviewVersion = r.state.version
            form.enrolment = form.enrolment ?? Enrolment.ID(r.enrolmentID).description
            form.source = form.source ?? ChangeSource.review.rawValue
            // The calculator's amount on today's facts (after a death: for those who remain), for the officer to check.
            let e = p.enrolments.first { $0.id.rawValue == r.enrolmentID }
            if form.amount == nil, let d = assessment?.decisions.first(where: { $0.program == r.state.program && (e?.memberID == nil || $0.member == e?.memberID?.description) }) {
                form.amount = d.outcome == .doesNotQualify ? "0" : d.amount.plainYuan
            }
        }
        let maxExit = try? req.calculator.parameters.resolve("gradualExitMonths", region: p.household.residenceRegion, date: req.today)
        let exitMonths: Int
        if case .integer(let n)? = maxExit?.value { exitMonths = n } else { exitMonths = 0 }
        return Layout.response(ChangePages.newChange(chrome: try await Layout.chrome(req, .cases), profile: p, assessment: assessment, form: form,
                                                     maxExitMonths: exitMonths, today: req.today, error: error), status: status)
    }

    static func detailPage(_ req: Request, error: String?, typed: DecisionForm?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard let id = req.parameters.get("changeID").flatMap(UUID.init(uuidString:)), let c = try await req.changes.detail(id, actor: actor) else {
            throw Abort(.notFound)
        }
        let names = try await RegistryStore(req.db).regionNames([c.state.residenceRegion.value, c.state.registrationRegion.value])
        var typed = typed
        // A stop proposed after a false declaration: the decision starts from the amount the check found to recover.
        if typed == nil, c.state.status == .proposed, c.state.source == .honesty, let r = try await req.spotChecks.recovery(forChange: c.id, actor: actor) {
            typed = DecisionForm(version: nil, decision: nil, recover: Cents(r.amountCents).plainYuan, basis: r.basis)
        }
        return Layout.response(ChangePages.detail(chrome: try await Layout.chrome(req, .cases), c: c, names: names,
                                                  mayDecide: ChangeWorkflow.mayDecide(c.state, by: actor),
                                                  mayOpenHousehold: actor.may(.viewHouseholds) && actor.jurisdiction.contains(c.state.residenceRegion),
                                                  notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: error, typed: typed), status: status)
    }
}
