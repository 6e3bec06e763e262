import Domain
import Foundation
import Store
import Vapor

/// 急难先行救助登记: find the person an emergency struck, anywhere in the city, and open help first where it happened.
struct EmergencyRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.caseEmergency) { req -> Response in
            try await Self.page(req, form: EmergencyPage.Form(), person: nil, error: nil)
        }
        staff.post(.caseEmergency) { req -> Response in
            let form = (try? req.content.decode(EmergencyPage.Form.self)) ?? EmergencyPage.Form()
            let actor = try req.actor()
            let id: NationalID
            do { id = try NationalID(form.idNumber ?? "") } catch let error as NationalIDError {
                return try await Self.page(req, form: form, person: nil, error: "身份证号：\(error.chinese)", status: .badRequest)
            }
            let person: EmergencyPerson
            do { person = try await req.cases.emergencyPerson(id, actor: actor) } catch let e as CaseStoreError {
                return try await Self.page(req, form: form, person: nil, error: e.chinese, status: .badRequest)
            }
            guard form.step == "open" else { return try await Self.page(req, form: form, person: person, error: nil) }
            do {
                let note = (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !note.isEmpty else { throw FormInvalid(message: "请写明急难情况（时间、地点、经过）") }
                let place = try (form.emergencyRegion ?? "").isEmpty ? nil : RegionCode(form.emergencyRegion ?? "")
                guard let place else { throw CaseStoreError.emergencyPlaceRequired }
                let c = try await req.cases.open(NewCase(kind: .temporaryEmergency, channel: form.channel.flatMap(CaseChannel.init(rawValue:)) ?? .window,
                                                         householdID: person.householdID, memberID: person.memberID, applicantName: form.applicantName ?? person.name,
                                                         emergencyRegion: place, note: note), actor: actor, today: req.today)
                return req.redirect(to: SiteURL.caseItem(c.id).path + "?done=open", redirectType: .normal)
            } catch let e as CaseStoreError {
                return try await Self.page(req, form: form, person: person, error: e.chinese, status: .badRequest)
            } catch let e as FormInvalid {
                return try await Self.page(req, form: form, person: person, error: e.message, status: .badRequest)
            } catch is DomainError {
                return try await Self.page(req, form: form, person: person, error: CaseStoreError.emergencyPlaceRequired.chinese, status: .badRequest)
            }
        }
    }

    /// The places an emergency may be recorded at: the opener's own township (or community) and the ones below it; a
    /// county or city picks one of its townships.
    static func places(_ req: Request, _ actor: Actor) async throws -> [Region] {
        let registry = RegistryStore(req.db)
        if actor.jurisdiction.level >= .township {
            let own = try await registry.region(actor.jurisdiction).map { [$0] } ?? []
            return own + (try await registry.children(of: actor.jurisdiction, actor: actor))
        }
        return try await registry.townships(in: actor.jurisdiction)
    }

    static func page(_ req: Request, form: EmergencyPage.Form, person: EmergencyPerson?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard actor.may(.openCases) else { throw DomainError.forbidden }
        let places = try await Self.places(req, actor)
        let names = try await RegistryStore(req.db).regionNames(person.map { [$0.residenceRegion, $0.registeredRegion] } ?? [])
        let own = actor.jurisdiction.level >= .township ? actor.jurisdiction.value : nil
        return Layout.response(EmergencyPage.view(chrome: try await Layout.chrome(req, .cases), form: form, person: person, names: names, places: places,
                                                  defaultPlace: own, error: error), status: status)
    }
}
