import Domain
import Foundation
import Store
import Vapor

extension Request {
    var deliberations: Deliberations {
        let policy = application.storage[PolicyKey.self]!
        return Deliberations(db, parameters: policy.calculator.parameters, levels: policy.deliberationLevels)
    }
}

/// 一事一议: the matters waiting and the precedent list, opening one for a household (from its profile, a warning
/// or an application), and recording each level's meeting.
struct DeliberationRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.deliberations) { req -> Response in
            let actor = try req.actor()
            let filter = req.query[String.self, at: "filter"].flatMap(Deliberations.Filter.init(rawValue:)) ?? .open
            let text = req.query[String.self, at: "q"].map { String($0.prefix(100)) }
            let tag = req.query[String.self, at: "tag"].flatMap { $0.isEmpty ? nil : $0 }
            let paging = Paging(req, size: 30)
            let store = req.deliberations
            async let page = store.list(actor: actor, filter: filter, text: text, tag: tag, offset: paging.offset, limit: paging.size)
            async let counts = filter == .decided ? store.decidedBySituation(actor: actor) : [:]
            let ((items, total), bySituation) = try await (page, counts)
            return Layout.response(DeliberationPages.list(chrome: try await Layout.chrome(req, .cases), items: items, total: total, filter: filter, text: text,
                                                          tag: tag, levels: store.levels, bySituation: bySituation, paging: paging))
        }
        staff.get(.deliberationNew) { req -> Response in
            try await Self.newPage(req, form: (try? req.query.decode(DeliberationPages.NewForm.self)) ?? DeliberationPages.NewForm(), error: nil)
        }
        staff.post(.deliberations) { req -> Response in
            let form = (try? req.content.decode(DeliberationPages.NewForm.self)) ?? DeliberationPages.NewForm()
            guard let household = form.household.flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            do {
                let id = try await req.deliberations.open(household: household, situation: form.situation ?? "",
                                                          tags: (form.tags ?? [:]).filter { $0.value == "on" }.map(\.key).sorted(),
                                                          origin: .init(caseID: form.caseID.flatMap(UUID.init(uuidString:)),
                                                                        warningID: form.warning.flatMap(UUID.init(uuidString:))),
                                                          actor: try req.actor(), today: req.today)
                return req.redirect(to: SiteURL.deliberation(id).path, redirectType: .normal)
            } catch let e as DeliberationStoreError where e != .notFound {
                return try await Self.newPage(req, form: form, error: e.chinese, status: .badRequest)
            } catch DeliberationStoreError.notFound { throw Abort(.notFound) }
        }
        staff.get(.deliberation) { req -> Response in try await Self.detailPage(req, error: nil, typed: nil) }
        staff.post(.deliberationMeetings) { req -> Response in
            guard let id = req.parameters.get("deliberationID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(DeliberationPages.MeetingForm.self)) ?? DeliberationPages.MeetingForm()
            do {
                let actor = try req.actor()
                guard let d = try await req.deliberations.detail(id, actor: actor) else { throw Abort(.notFound) }
                try await req.deliberations.recordMeeting(id, try Self.meeting(form, level: d.state.level), expectedVersion: form.version ?? 0, actor: actor,
                                                          today: req.today)
                return req.redirect(to: SiteURL.deliberation(id).path + "?done=1", redirectType: .normal)
            } catch let e as DeliberationStoreError where e != .notFound {
                return try await Self.detailPage(req, error: e.chinese, typed: form, status: e == .workflow(.staleVersion) ? .conflict : .badRequest)
            } catch let e as FormInvalid {
                return try await Self.detailPage(req, error: e.message, typed: form, status: .badRequest)
            } catch DeliberationStoreError.notFound { throw Abort(.notFound) }
        }
    }

    /// The meeting as typed: one participant per line ("姓名 职务"), one opinion or reason per line.
    static func meeting(_ f: DeliberationPages.MeetingForm, level: DeliberationLevel) throws -> DeliberationMeeting {
        func lines(_ t: String?) -> [String] { (t ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        guard let heldOn = f.heldOn.flatMap({ try? LocalDate($0) }) else { throw FormInvalid(message: "会议日期「\(f.heldOn ?? "")」无效") }
        let participants = lines(f.participants).map { line -> DeliberationParticipant in
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\u{3000}" || $0 == "，" || $0 == "," })
            return DeliberationParticipant(name: String(parts[0]), role: parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
        }
        let amountText = (f.amount ?? "").trimmingCharacters(in: .whitespaces)
        func amount() throws -> Int64 {
            guard let c = try? Cents(yuan: amountText), c.value > 0 else { throw FormInvalid(message: "金额「\(amountText)」无效") }
            return c.value
        }
        let outcome: DeliberationOutcome
        switch f.outcome ?? "escalate" {
        case "oneOff": outcome = .oneOff(amountCents: try amount())
        case "monthly":
            guard let p = f.program.flatMap(Program.init(rawValue:)) else { throw FormInvalid(message: "请选择按月救助的项目") }
            outcome = .monthly(program: p, amountCents: try amount())
        case "refuse": outcome = .refuse
        default: outcome = .escalate
        }
        return DeliberationMeeting(level: level, heldOn: heldOn, participants: participants, opinions: lines(f.opinions), outcome: outcome, reasons: lines(f.reasons))
    }

    static func newPage(_ req: Request, form: DeliberationPages.NewForm, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard let hid = form.household.flatMap(UUID.init(uuidString:)),
              let p = try await RegistryStore(req.db).profile(Household.ID(hid), actor: actor) else { throw Abort(.notFound) }
        let proposal = (try? req.calculator.assess(AssessmentRequest(profile: p, date: req.today)))?.deliberation
        let levels = req.deliberations.levels
        return Layout.response(DeliberationPages.newForm(chrome: try await Layout.chrome(req, .cases), profile: p, proposal: proposal, form: form, levels: levels,
                                                         opensAt: levels.openingLevel(for: actor), error: error), status: status)
    }

    static func detailPage(_ req: Request, error: String?, typed: DeliberationPages.MeetingForm?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard let id = req.parameters.get("deliberationID").flatMap(UUID.init(uuidString:)), let d = try await req.deliberations.detail(id, actor: actor) else {
            throw Abort(.notFound)
        }
        let levels = req.deliberations.levels
        let limit = try levels.rule(d.state.level)?.limitParameter.flatMap { name in
            try req.calculator.parameters.resolve(name, region: d.state.residenceRegion, date: req.today).amount
        }
        return Layout.response(DeliberationPages.detail(chrome: try await Layout.chrome(req, .cases), d: d, levels: levels, limit: limit,
                                                        mayMeet: DeliberationWorkflow.mayMeet(d.state, by: actor, levels: levels),
                                                        mayOpenHousehold: actor.may(.viewHouseholds)
                                                            && (actor.jurisdiction.contains(d.state.residenceRegion) || actor.jurisdiction.contains(d.state.registrationRegion)),
                                                        today: req.today, notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: error, typed: typed),
                               status: status)
    }
}
