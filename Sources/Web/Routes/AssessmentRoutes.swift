import Domain
import Foundation
import Store
import Vapor

/// The policy calculator: residents' self-assessment, the public assessment API, a household's assessment, and
/// the simulation of a parameter change.
struct AssessmentRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        // 自助评估: public, and stores nothing. The page is answered from memory; nothing is logged but the path.
        routes.get(.selfAssessment) { req -> Response in
            Layout.response(SelfAssessmentPage.view(districts: try await SelfAssessmentPage.districts(req), form: nil, result: nil, request: nil, error: nil))
        }
        routes.post(.selfAssessment) { req -> Response in
            let districts = try await SelfAssessmentPage.districts(req)
            let form = SelfAssessmentPage.Form(fields: (try? req.content.decode([String: String].self)) ?? [:])
            do {
                let request = try form.request(date: req.today, districts: districts)
                let result = try req.calculator.assess(request)
                return Layout.response(SelfAssessmentPage.view(districts: districts, form: form, result: result, request: request, error: nil))
            } catch let e as SelfAssessmentPage.SelfAssessmentError {
                return Layout.response(SelfAssessmentPage.view(districts: districts, form: form, result: nil, request: nil, error: e.message), status: .badRequest)
            } catch let e as PolicyError {
                return Layout.response(SelfAssessmentPage.view(districts: districts, form: form, result: nil, request: nil, error: e.chinese), status: .badRequest)
            }
        }

        // The calculator is public: it stores nothing and needs no session, so anyone (and the self-assessment page) may use it.
        routes.post(.apiAssessments) { req -> Response in
            let request = try AssessmentRequest.decode(Data(buffer: req.body.data ?? ByteBuffer()), file: "body")
            let assessment = try req.calculator.assess(request, explain: req.query[String.self, at: "explain"] != "false")
            return try API.json(assessment)
        }

        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiHouseholdAssessment) { req -> Response in
            let profile = try await RegistryRoutes.profile(req)
            let date = try req.query[String.self, at: "date"].map { try LocalDate($0) } ?? req.today
            return try API.json(try req.calculator.assess(AssessmentRequest(profile: profile, date: date)))
        }

        staff.get(.simulation) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.runSimulation) else { throw DomainError.forbidden }
            return Layout.response(SimulationPage.view(chrome: try await Layout.chrome(req, .simulation), regions: try await SimulationPage.regions(req, actor: actor),
                                                       form: nil, result: nil, error: nil))
        }
        staff.post(.simulation) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.runSimulation) else { throw DomainError.forbidden }
            let regions = try await SimulationPage.regions(req, actor: actor)
            let form = try req.content.decode(SimulationPage.Form.self)
            let chrome = try await Layout.chrome(req, .simulation)
            do {
                // The change must apply inside the user's jurisdiction; the run covers the whole jurisdiction.
                let change = try SimulationPage.change(form, actor: actor)
                let simulation = try Simulation(parameters: req.calculator.parameters, change: change, scope: actor.jurisdiction, today: req.today)
                let result = try await RegistryStore(req.db).simulate(simulation, region: actor.jurisdiction, actor: actor)
                return Layout.response(SimulationPage.view(chrome: chrome, regions: regions, form: form, result: result, error: nil))
            } catch let e as PolicyError {
                return Layout.response(SimulationPage.view(chrome: chrome, regions: regions, form: form, result: nil, error: e.chinese), status: .badRequest)
            } catch let e as DomainError where e != .forbidden {
                return Layout.response(SimulationPage.view(chrome: chrome, regions: regions, form: form, result: nil, error: e.chinese), status: .badRequest)
            }
        }
    }
}
