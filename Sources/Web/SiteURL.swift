import Domain
import Foundation

/// Every page and API route, in one place: it both registers the routes and builds the links,
/// so no URL in the code is a loose string.
public enum SiteURL: Sendable, Equatable {
    case home
    case login
    case logout
    case householdSearch(query: String?)
    case household(Household.ID)
    case paymentHoldRelease(Household.ID, UUID)
    case region(RegionCode)
    case auditLog
    case apiHouseholdSearch(query: String?)
    case apiHousehold(Household.ID)
    case apiAssessments
    case apiHouseholdAssessment(Household.ID)
    case selfAssessment
    case simulation
    case imports
    case importJob(UUID)
    case importRejects(UUID)
    case linkReviews(importID: UUID?)
    case exports
    case linkReview(UUID)
    case linkDecision(UUID, confirm: Bool)
    case warnings(query: String?)
    case warning(UUID)
    case warningAction(UUID, String)
    case visits
    case visitComplete(UUID)
    case monitoring
    case ranking
    case screenings
    case indicators
    case indicatorTune(String)
    case apiWarnings
    case apiWarning(UUID)
    case apiWarningActions(UUID)
    case apiScreenings
    case script
    case openAPI
    case stylesheet

    public var path: String {
        switch self {
        case .home: return "/"
        case .login: return "/login"
        case .logout: return "/logout"
        case .householdSearch(let q): return "/households" + Self.query(q)
        case .household(let id): return "/households/\(id)"
        case .paymentHoldRelease(let household, let hold): return "/households/\(household)/holds/\(hold.uuidString.lowercased())/release"
        case .region(let code): return "/regions/\(code.value)"
        case .auditLog: return "/audit"
        case .apiHouseholdSearch(let q): return "/api/v1/households" + Self.query(q)
        case .apiHousehold(let id): return "/api/v1/households/\(id)"
        case .apiAssessments: return "/api/v1/assessments"
        case .apiHouseholdAssessment(let id): return "/api/v1/households/\(id)/assessment"
        case .selfAssessment: return "/self-assessment"
        case .simulation: return "/simulation"
        case .imports: return "/imports"
        case .importJob(let id): return "/imports/jobs/\(id.uuidString.lowercased())"
        case .importRejects(let id): return "/imports/jobs/\(id.uuidString.lowercased())/rejects.csv"
        case .exports: return "/exports"
        case .linkReviews(let id): return "/link-reviews" + (id.map { "?import=\($0.uuidString)" } ?? "")
        case .linkReview(let id): return "/link-reviews/\(id.uuidString)"
        case .linkDecision(let id, let confirm): return "/link-reviews/\(id.uuidString)/\(confirm ? "confirm" : "reject")"
        case .warnings(let q): return "/warnings" + (q.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
        case .warning(let id): return "/warnings/\(id.uuidString)"
        case .warningAction(let id, let action): return "/warnings/\(id.uuidString)/\(action)"
        case .visits: return "/visits"
        case .visitComplete(let id): return "/visits/\(id.uuidString)/complete"
        case .monitoring: return "/monitoring"
        case .ranking: return "/monitoring/ranking"
        case .screenings: return "/screenings"
        case .indicators: return "/monitoring/indicators"
        case .indicatorTune(let code): return "/monitoring/indicators/\(code)"
        case .apiWarnings: return "/api/v1/warnings"
        case .apiWarning(let id): return "/api/v1/warnings/\(id.uuidString)"
        case .apiWarningActions(let id): return "/api/v1/warnings/\(id.uuidString)/actions"
        case .apiScreenings: return "/api/v1/screenings"
        case .script: return "/static/site.js"
        case .openAPI: return "/api/openapi.json"
        case .stylesheet: return "/static/site.css"
        }
    }

    private static func query(_ q: String?) -> String {
        guard let q, !q.isEmpty else { return "" }
        var c = URLComponents()
        c.queryItems = [URLQueryItem(name: "q", value: q)]
        return "?" + (c.percentEncodedQuery ?? "")
    }

    /// Route patterns as Vapor path components.
    enum Pattern {
        static let household = ["households", ":householdID"]
        static let paymentHoldRelease = ["households", ":householdID", "holds", ":holdID", "release"]
        static let region = ["regions", ":regionCode"]
        static let linkReview = ["link-reviews", ":linkID"]
        static let importJob = ["imports", "jobs", ":jobID"]
        static let importRejects = ["imports", "jobs", ":jobID", "rejects.csv"]
        static let apiHouseholds = ["api", "v1", "households"]
        static let apiHousehold = ["api", "v1", "households", ":householdID"]
        static let apiHouseholdAssessment = ["api", "v1", "households", ":householdID", "assessment"]
        static let apiAssessments = ["api", "v1", "assessments"]
        static let warning = ["warnings", ":warningID"]
        static let visitComplete = ["visits", ":visitID", "complete"]
        static let indicatorTune = ["monitoring", "indicators", ":code"]
        static let apiWarnings = ["api", "v1", "warnings"]
        static let apiWarning = ["api", "v1", "warnings", ":warningID"]
        static let apiWarningActions = ["api", "v1", "warnings", ":warningID", "actions"]
        static let apiScreenings = ["api", "v1", "screenings"]
    }
}
