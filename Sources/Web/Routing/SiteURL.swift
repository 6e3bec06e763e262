import Domain
import Foundation

/// Every page and API route, in one place. Each case's path is built from its `RoutePattern`, the same value that
/// registers the route, so no URL in the code is a loose string.
public enum SiteURL: Sendable, Equatable {
    case home
    case login
    case logout
    case changePassword
    case users(page: Int)
    case loginCode
    case secondFactor
    case securitySettings
    case userAction(String, UserAction)
    case householdSearch(query: String?)
    case household(Household.ID)
    case memberNationalID(Household.ID, Member.ID)
    case apiMemberNationalID(Household.ID, Member.ID)
    case paymentHoldRelease(Household.ID, UUID)
    case region(RegionCode)
    case auditLog(query: String?)
    case apiHouseholdSearch(query: String?)
    /// A search by a whole ID number: the number goes in the body, never in a URL (logs, history, Referer).
    case apiHouseholdSearchByID
    case apiHousehold(Household.ID)
    case apiAssessments
    case apiHouseholdAssessment(Household.ID)
    case selfAssessment
    case simulation
    case imports
    case importJob(UUID)
    case importRejects(UUID)
    /// The header row of a feed's file, to fill in (CSV for Excel).
    case importTemplate(feed: String)
    case linkReviews(importID: UUID?)
    case exports
    case linkReview(UUID)
    case linkDecision(UUID, confirm: Bool)
    case warnings(query: String?)
    case warning(UUID)
    case warningAction(UUID, WarningStep)
    case visits
    case visitComplete(UUID)
    case monitoring
    case ranking
    case screenings
    case calendar
    case cases(query: [String: String])
    case caseNew(household: UUID, warning: UUID?, helpRequest: UUID? = nil, channel: CaseChannel? = nil, applicantName: String? = nil)
    case caseItem(UUID)
    case caseEmergency
    case payrolls
    case paymentChecks(done: Bool)
    case paymentReports
    case paymentCheckDraw
    case paymentCheck(UUID)
    case payroll(UUID, status: String? = nil)
    case payrollApprove(UUID)
    case payrollBankFile(UUID)
    case payrollReturn(UUID)
    case payrollLine(UUID, UUID)
    case householdAccounts(Household.ID)
    case bankAccountDecision(Household.ID, UUID)
    case caseActions(UUID)
    case notices(region: String?)
    case reserveFunds(township: String?)
    case changes(all: Bool)
    case changeNew(household: UUID, warning: UUID?, review: UUID? = nil)
    case change(UUID)
    case changeDecision(UUID)
    case changeNotice(UUID)
    case reviews(filter: String?)
    case review(UUID)
    case reviewContinue(UUID)
    case apiReviews
    case apiReviewContinue(UUID)
    case deliberations(filter: String?)
    case deliberationNew(household: UUID, caseID: UUID? = nil, warning: UUID? = nil)
    case deliberation(UUID)
    case deliberationMeetings(UUID)
    case apiDeliberations
    case apiDeliberationMeetings(UUID)
    case spotChecks(filter: String?)
    case spotCheckDraw
    case spotCheck(UUID)
    case spotCheckResult(UUID)
    case dishonesty
    case dishonestyExport
    case apiSpotChecks
    case apiPayrolls
    case apiPayroll(UUID)
    case apiPayrollLines(UUID)
    case apiPayrollApprove(UUID)
    case apiPayrollBankFile(UUID)
    case apiPayrollReturn(UUID)
    case apiPayrollLine(UUID, UUID)
    case apiPaymentChecks
    case apiPaymentCheckDraw
    case apiPaymentCheck(UUID)
    case apiPaymentReports
    case apiSpotCheckResult(UUID)
    case caseStatus(token: String)
    case caseDashboard
    case caseDecisionNotice(UUID)
    case caseMaterialsNotice(UUID)
    case helpRequests
    case helpRequest(UUID)
    case helpRequestCalls
    case helpRequestSearch
    case apiCases
    case apiCase(UUID)
    case apiCaseTransitions(UUID)
    case indicators
    case indicatorTune(String)
    case apiWarnings
    case apiWarning(UUID)
    case apiWarningActions(UUID)
    case apiScreenings
    case script
    case openAPI
    case stylesheet
    case health

    public var path: String {
        switch self {
        case .home: return RoutePattern.home.path()
        case .login: return RoutePattern.login.path()
        case .logout: return RoutePattern.logout.path()
        case .changePassword: return RoutePattern.changePassword.path()
        case .loginCode: return RoutePattern.loginCode.path()
        case .secondFactor: return RoutePattern.secondFactor.path()
        case .securitySettings: return RoutePattern.securitySettings.path()
        case .users(let page): return RoutePattern.users.path() + (page > 1 ? "?page=\(page)" : "")
        case .userAction(let username, let action): return RoutePattern.userAction.path(username, action.rawValue)
        case .householdSearch(let q): return RoutePattern.households.path() + Self.query(q)
        case .household(let id): return RoutePattern.household.path(id.description)
        case .memberNationalID(let h, let m): return RoutePattern.memberNationalID.path(h.description, m.description)
        case .apiMemberNationalID(let h, let m): return RoutePattern.apiMemberNationalID.path(h.description, m.description)
        case .paymentHoldRelease(let household, let hold): return RoutePattern.paymentHoldRelease.path(household.description, hold.uuidString.lowercased())
        case .region(let code): return RoutePattern.region.path(code.value)
        case .auditLog(let q): return RoutePattern.audit.path() + (q.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
        case .apiHouseholdSearch(let q): return RoutePattern.apiHouseholds.path() + Self.query(q)
        case .apiHouseholdSearchByID: return RoutePattern.apiHouseholdSearchByID.path()
        case .apiHousehold(let id): return RoutePattern.apiHousehold.path(id.description)
        case .apiAssessments: return RoutePattern.apiAssessments.path()
        case .apiHouseholdAssessment(let id): return RoutePattern.apiHouseholdAssessment.path(id.description)
        case .selfAssessment: return RoutePattern.selfAssessment.path()
        case .simulation: return RoutePattern.simulation.path()
        case .imports: return RoutePattern.imports.path()
        case .importJob(let id): return RoutePattern.importJob.path(id.uuidString.lowercased())
        case .importRejects(let id): return RoutePattern.importRejects.path(id.uuidString.lowercased())
        case .importTemplate(let feed): return RoutePattern.importTemplate.path(feed)
        case .exports: return RoutePattern.exports.path()
        case .linkReviews(let id): return RoutePattern.linkReviews.path() + (id.map { "?import=\($0.uuidString)" } ?? "")
        case .linkReview(let id): return RoutePattern.linkReview.path(id.uuidString)
        case .linkDecision(let id, let confirm): return RoutePattern.linkDecision.path(id.uuidString, (confirm ? LinkDecision.confirm : .reject).rawValue)
        case .warnings(let q): return RoutePattern.warnings.path() + (q.map { $0.isEmpty ? "" : "?" + $0 } ?? "")
        case .warning(let id): return RoutePattern.warning.path(id.uuidString)
        case .warningAction(let id, let step): return RoutePattern.warningAction.path(id.uuidString, step.rawValue)
        case .visits: return RoutePattern.visits.path()
        case .visitComplete(let id): return RoutePattern.visitComplete.path(id.uuidString)
        case .monitoring: return RoutePattern.monitoring.path()
        case .ranking: return RoutePattern.ranking.path()
        case .screenings: return RoutePattern.screenings.path()
        case .indicators: return RoutePattern.indicators.path()
        case .calendar: return RoutePattern.calendar.path()
        case .cases(let q):
            guard !q.isEmpty else { return RoutePattern.cases.path() }
            return SiteURL.cases(query: [:]).path(query: q)
        case .caseNew(let h, let w, let r, let channel, let name):
            var q = ["household": h.uuidString.lowercased()]
            if let w { q["warning"] = w.uuidString.lowercased() }
            if let r { q["helpRequest"] = r.uuidString.lowercased() }
            if let channel { q["channel"] = channel.rawValue }
            if let name { q["applicantName"] = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
            return RoutePattern.caseNew.path() + "?" + q.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
        case .caseItem(let id): return RoutePattern.caseItem.path(id.uuidString.lowercased())
        case .caseEmergency: return RoutePattern.caseEmergency.path()
        case .payrolls: return RoutePattern.payrolls.path()
        case .paymentChecks(let done): return RoutePattern.paymentChecks.path() + (done ? "?done=on" : "")
        case .paymentReports: return RoutePattern.paymentReports.path()
        case .paymentCheckDraw: return RoutePattern.paymentCheckDraw.path()
        case .paymentCheck(let id): return RoutePattern.paymentCheck.path(id.uuidString.lowercased())
        case .payroll(let id, let status): return RoutePattern.payroll.path(id.uuidString.lowercased()) + (status.map { "?status=\($0)" } ?? "")
        case .payrollApprove(let id): return RoutePattern.payrollApprove.path(id.uuidString.lowercased())
        case .payrollBankFile(let id): return RoutePattern.payrollBankFile.path(id.uuidString.lowercased())
        case .payrollReturn(let id): return RoutePattern.payrollReturn.path(id.uuidString.lowercased())
        case .payrollLine(let p, let l): return RoutePattern.payrollLine.path(p.uuidString.lowercased(), l.uuidString.lowercased())
        case .householdAccounts(let h): return RoutePattern.householdAccounts.path(h.description)
        case .bankAccountDecision(let h, let a): return RoutePattern.bankAccountDecision.path(h.description, a.uuidString.lowercased())
        case .caseActions(let id): return RoutePattern.caseActions.path(id.uuidString.lowercased())
        case .notices(let r): return RoutePattern.notices.path() + (r.map { "?region=\($0)" } ?? "")
        case .reserveFunds(let t): return RoutePattern.reserveFunds.path() + (t.map { "?township=\($0)" } ?? "")
        case .changes(let all): return RoutePattern.changes.path() + (all ? "?all=on" : "")
        case .changeNew(let h, let w, let r):
            return RoutePattern.changeNew.path() + "?household=\(h.uuidString.lowercased())" + (w.map { "&warning=\($0.uuidString.lowercased())" } ?? "")
                + (r.map { "&review=\($0.uuidString.lowercased())" } ?? "")
        case .change(let id): return RoutePattern.change.path(id.uuidString.lowercased())
        case .changeDecision(let id): return RoutePattern.changeDecision.path(id.uuidString.lowercased())
        case .changeNotice(let id): return RoutePattern.changeNotice.path(id.uuidString.lowercased())
        case .reviews(let f): return RoutePattern.reviews.path() + (f.map { "?filter=\($0)" } ?? "")
        case .review(let id): return RoutePattern.review.path(id.uuidString.lowercased())
        case .reviewContinue(let id): return RoutePattern.reviewContinue.path(id.uuidString.lowercased())
        case .apiReviews: return RoutePattern.apiReviews.path()
        case .apiReviewContinue(let id): return RoutePattern.apiReviewContinue.path(id.uuidString.lowercased())
        case .deliberations(let f): return RoutePattern.deliberations.path() + (f.map { "?filter=\($0)" } ?? "")
        case .deliberationNew(let h, let c, let w):
            return RoutePattern.deliberationNew.path() + "?household=\(h.uuidString.lowercased())" + (c.map { "&case=\($0.uuidString.lowercased())" } ?? "")
                + (w.map { "&warning=\($0.uuidString.lowercased())" } ?? "")
        case .deliberation(let id): return RoutePattern.deliberation.path(id.uuidString.lowercased())
        case .deliberationMeetings(let id): return RoutePattern.deliberationMeetings.path(id.uuidString.lowercased())
        case .apiDeliberations: return RoutePattern.apiDeliberations.path()
        case .apiDeliberationMeetings(let id): return RoutePattern.apiDeliberationMeetings.path(id.uuidString.lowercased())
        case .spotChecks(let f): return RoutePattern.spotChecks.path() + (f.map { "?filter=\($0)" } ?? "")
        case .spotCheckDraw: return RoutePattern.spotCheckDraw.path()
        case .spotCheck(let id): return RoutePattern.spotCheck.path(id.uuidString.lowercased())
        case .spotCheckResult(let id): return RoutePattern.spotCheckResult.path(id.uuidString.lowercased())
        case .dishonesty: return RoutePattern.dishonesty.path()
        case .dishonestyExport: return RoutePattern.dishonestyExport.path()
        case .apiSpotChecks: return RoutePattern.apiSpotChecks.path()
        case .apiPayrolls: return RoutePattern.apiPayrolls.path()
        case .apiPayroll(let id): return RoutePattern.apiPayroll.path(id.uuidString.lowercased())
        case .apiPayrollLines(let id): return RoutePattern.apiPayrollLines.path(id.uuidString.lowercased())
        case .apiPayrollApprove(let id): return RoutePattern.apiPayrollApprove.path(id.uuidString.lowercased())
        case .apiPayrollBankFile(let id): return RoutePattern.apiPayrollBankFile.path(id.uuidString.lowercased())
        case .apiPayrollReturn(let id): return RoutePattern.apiPayrollReturn.path(id.uuidString.lowercased())
        case .apiPayrollLine(let p, let l): return RoutePattern.apiPayrollLine.path(p.uuidString.lowercased(), l.uuidString.lowercased())
        case .apiPaymentChecks: return RoutePattern.apiPaymentChecks.path()
        case .apiPaymentCheckDraw: return RoutePattern.apiPaymentCheckDraw.path()
        case .apiPaymentCheck(let id): return RoutePattern.apiPaymentCheck.path(id.uuidString.lowercased())
        case .apiPaymentReports: return RoutePattern.apiPaymentReports.path()
        case .apiSpotCheckResult(let id): return RoutePattern.apiSpotCheckResult.path(id.uuidString.lowercased())
        case .caseStatus(let t): return RoutePattern.caseStatus.path(t)
        case .caseDashboard: return RoutePattern.caseDashboard.path()
        case .caseDecisionNotice(let id): return RoutePattern.caseDecisionNotice.path(id.uuidString.lowercased())
        case .caseMaterialsNotice(let id): return RoutePattern.caseMaterialsNotice.path(id.uuidString.lowercased())
        case .helpRequests: return RoutePattern.helpRequests.path()
        case .helpRequest(let id): return RoutePattern.helpRequest.path(id.uuidString.lowercased())
        case .helpRequestCalls: return RoutePattern.helpRequestCalls.path()
        case .helpRequestSearch: return RoutePattern.helpRequestSearch.path()
        case .apiCases: return RoutePattern.apiCases.path()
        case .apiCase(let id): return RoutePattern.apiCase.path(id.uuidString.lowercased())
        case .apiCaseTransitions(let id): return RoutePattern.apiCaseTransitions.path(id.uuidString.lowercased())
        case .indicatorTune(let code): return RoutePattern.indicatorTune.path(code)
        case .apiWarnings: return RoutePattern.apiWarnings.path()
        case .apiWarning(let id): return RoutePattern.apiWarning.path(id.uuidString)
        case .apiWarningActions(let id): return RoutePattern.apiWarningActions.path(id.uuidString)
        case .apiScreenings: return RoutePattern.apiScreenings.path()
        case .script: return RoutePattern.script.path()
        case .openAPI: return RoutePattern.openAPI.path()
        case .stylesheet: return RoutePattern.stylesheet.path()
        case .health: return RoutePattern.health.path()
        }
    }

    /// The path with query parameters (a notice after a redirect, a filter), encoded.
    func path(query items: [String: String]) -> String {
        var c = URLComponents()
        c.queryItems = items.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        return path + "?" + (c.percentEncodedQuery ?? "")
    }

    private static func query(_ q: String?) -> String {
        guard let q, !q.isEmpty else { return "" }
        var c = URLComponents()
        c.queryItems = [URLQueryItem(name: "q", value: q)]
        return "?" + (c.percentEncodedQuery ?? "")
    }

    /// Where the JSON API and the static files live: error pages and sign-in treat them apart.
    static let apiRoot = "/" + RoutePattern.apiHouseholds.parts[0] + "/"
    static let staticRoot = "/" + RoutePattern.stylesheet.parts[0] + "/"
}

/// The steps a warning's handler takes from its page (and the API's `action`).
public enum WarningStep: String, CaseIterable, Sendable {
    case assign, verify, dispose, close
}

/// What an administrator does to one account (三权分立: the first three are the system administrator's, `grant`
/// the security administrator's).
public enum UserAction: String, CaseIterable, Sendable {
    case disable, enable, region, grant
    /// Clear an account's second factor (a lost phone): the security administrator's.
    case resetSecondFactor = "reset-second-factor"
}

/// A reviewer's answer to a proposed link.
enum LinkDecision: String, CaseIterable {
    case confirm, reject
}

/// The patterns, one per route. `SiteURL` builds links from them; the route collections register them.
extension RoutePattern {
    static let home = RoutePattern()
    static let login = RoutePattern("login")
    static let logout = RoutePattern("logout")
    static let changePassword = RoutePattern("account", "password")
    static let households = RoutePattern("households")
    static let household = RoutePattern("households", ":householdID")
    static let memberNationalID = RoutePattern("households", ":householdID", "members", ":memberID", "national-id")
    static let paymentHoldRelease = RoutePattern("households", ":householdID", "holds", ":holdID", "release")
    static let region = RoutePattern("regions", ":regionCode")
    static let audit = RoutePattern("audit")
    static let users = RoutePattern("users")
    static let loginCode = RoutePattern("login", "code")
    static let secondFactor = RoutePattern("account", "second-factor")
    static let securitySettings = RoutePattern("security")
    static let userAction = RoutePattern("users", ":username", ":action")
    static let exports = RoutePattern("exports")
    static let selfAssessment = RoutePattern("self-assessment")
    static let simulation = RoutePattern("simulation")
    static let imports = RoutePattern("imports")
    static let importJob = RoutePattern("imports", "jobs", ":jobID")
    static let importRejects = RoutePattern("imports", "jobs", ":jobID", "rejects.csv")
    static let importTemplate = RoutePattern("imports", "templates", ":feed")
    static let linkReviews = RoutePattern("link-reviews")
    static let linkReview = RoutePattern("link-reviews", ":linkID")
    static let linkDecision = RoutePattern("link-reviews", ":linkID", ":decision")
    static let warnings = RoutePattern("warnings")
    static let warning = RoutePattern("warnings", ":warningID")
    static let warningAction = RoutePattern("warnings", ":warningID", ":step")
    static let visits = RoutePattern("visits")
    static let visitComplete = RoutePattern("visits", ":visitID", "complete")
    static let monitoring = RoutePattern("monitoring")
    static let ranking = RoutePattern("monitoring", "ranking")
    static let indicators = RoutePattern("monitoring", "indicators")
    static let indicatorTune = RoutePattern("monitoring", "indicators", ":code")
    static let screenings = RoutePattern("screenings")
    static let calendar = RoutePattern("calendar")
    static let cases = RoutePattern("cases")
    static let caseNew = RoutePattern("cases", "new")
    static let caseEmergency = RoutePattern("cases", "emergency")
    static let payrolls = RoutePattern("payrolls")
    static let paymentChecks = RoutePattern("payment-checks")
    static let paymentCheckDraw = RoutePattern("payment-checks", "draw")
    static let paymentReports = RoutePattern("payment-reports")
    static let paymentCheck = RoutePattern("payment-checks", ":checkID")
    static let payroll = RoutePattern("payrolls", ":payrollID")
    static let payrollApprove = RoutePattern("payrolls", ":payrollID", "approve")
    static let payrollBankFile = RoutePattern("payrolls", ":payrollID", "bank-file")
    static let payrollReturn = RoutePattern("payrolls", ":payrollID", "return")
    static let payrollLine = RoutePattern("payrolls", ":payrollID", "lines", ":lineID")
    static let householdAccounts = RoutePattern("households", ":householdID", "accounts")
    static let bankAccountDecision = RoutePattern("households", ":householdID", "accounts", ":accountID")
    static let caseItem = RoutePattern("cases", ":caseID")
    static let caseActions = RoutePattern("cases", ":caseID", "actions")
    static let notices = RoutePattern("notices")
    static let reserveFunds = RoutePattern("reserve-funds")
    static let changes = RoutePattern("changes")
    static let changeNew = RoutePattern("changes", "new")
    static let change = RoutePattern("changes", ":changeID")
    static let changeDecision = RoutePattern("changes", ":changeID", "decision")
    static let changeNotice = RoutePattern("changes", ":changeID", "notice")
    static let reviews = RoutePattern("reviews")
    static let review = RoutePattern("reviews", ":reviewID")
    static let reviewContinue = RoutePattern("reviews", ":reviewID", "continue")
    static let apiReviews = RoutePattern("api", "v1", "reviews")
    static let apiReviewContinue = RoutePattern("api", "v1", "reviews", ":reviewID", "continue")
    static let deliberations = RoutePattern("deliberations")
    static let deliberationNew = RoutePattern("deliberations", "new")
    static let deliberation = RoutePattern("deliberations", ":deliberationID")
    static let deliberationMeetings = RoutePattern("deliberations", ":deliberationID", "meetings")
    static let apiDeliberations = RoutePattern("api", "v1", "deliberations")
    static let apiDeliberationMeetings = RoutePattern("api", "v1", "deliberations", ":deliberationID", "meetings")
    static let spotChecks = RoutePattern("spot-checks")
    static let spotCheckDraw = RoutePattern("spot-checks", "draw")
    static let spotCheck = RoutePattern("spot-checks", ":checkID")
    static let spotCheckResult = RoutePattern("spot-checks", ":checkID", "result")
    static let dishonesty = RoutePattern("dishonesty")
    static let dishonestyExport = RoutePattern("dishonesty", "export.csv")
    static let apiSpotChecks = RoutePattern("api", "v1", "spot-checks")
    static let apiPayrolls = RoutePattern("api", "v1", "payrolls")
    static let apiPayroll = RoutePattern("api", "v1", "payrolls", ":payrollID")
    static let apiPayrollLines = RoutePattern("api", "v1", "payrolls", ":payrollID", "lines")
    static let apiPayrollApprove = RoutePattern("api", "v1", "payrolls", ":payrollID", "approve")
    static let apiPayrollBankFile = RoutePattern("api", "v1", "payrolls", ":payrollID", "bank-file")
    static let apiPayrollReturn = RoutePattern("api", "v1", "payrolls", ":payrollID", "return")
    static let apiPayrollLine = RoutePattern("api", "v1", "payrolls", ":payrollID", "lines", ":lineID")
    static let apiPaymentChecks = RoutePattern("api", "v1", "payment-checks")
    static let apiPaymentCheckDraw = RoutePattern("api", "v1", "payment-checks", "draw")
    static let apiPaymentCheck = RoutePattern("api", "v1", "payment-checks", ":checkID")
    static let apiPaymentReports = RoutePattern("api", "v1", "payment-reports")
    static let apiSpotCheckResult = RoutePattern("api", "v1", "spot-checks", ":checkID", "result")
    static let caseStatus = RoutePattern("status", ":token")
    static let caseDashboard = RoutePattern("cases", "dashboard")
    static let caseDecisionNotice = RoutePattern("cases", ":caseID", "decision")
    static let caseMaterialsNotice = RoutePattern("cases", ":caseID", "materials")
    static let helpRequests = RoutePattern("help-requests")
    static let helpRequest = RoutePattern("help-requests", ":requestID")
    static let helpRequestCalls = RoutePattern("help-requests", "calls")
    static let helpRequestSearch = RoutePattern("help-requests", "search")
    static let apiCases = RoutePattern("api", "v1", "cases")
    static let apiChanges = RoutePattern("api", "v1", "changes")
    static let apiChangeDecision = RoutePattern("api", "v1", "changes", ":changeID", "decision")
    static let apiCase = RoutePattern("api", "v1", "cases", ":caseID")
    static let apiCaseTransitions = RoutePattern("api", "v1", "cases", ":caseID", "transitions")
    static let apiHouseholds = RoutePattern("api", "v1", "households")
    static let apiHouseholdSearchByID = RoutePattern("api", "v1", "households", "search")
    static let apiHousehold = RoutePattern("api", "v1", "households", ":householdID")
    static let apiMemberNationalID = RoutePattern("api", "v1", "households", ":householdID", "members", ":memberID", "national-id")
    static let apiHouseholdAssessment = RoutePattern("api", "v1", "households", ":householdID", "assessment")
    static let apiAssessments = RoutePattern("api", "v1", "assessments")
    static let apiWarnings = RoutePattern("api", "v1", "warnings")
    static let apiWarning = RoutePattern("api", "v1", "warnings", ":warningID")
    static let apiWarningActions = RoutePattern("api", "v1", "warnings", ":warningID", "actions")
    static let apiScreenings = RoutePattern("api", "v1", "screenings")
    static let stylesheet = RoutePattern("static", "site.css")
    static let script = RoutePattern("static", "site.js")
    static let openAPI = RoutePattern("api", "openapi.json")
    static let health = RoutePattern("healthz")

    /// Every pattern above; a test checks that exactly these are registered.
    static let all: [RoutePattern] = [
        home, login, logout, changePassword, users, userAction, loginCode, secondFactor, securitySettings, households, household, memberNationalID, apiMemberNationalID, paymentHoldRelease, region, audit, exports, selfAssessment, simulation,
        imports, importJob, importRejects, importTemplate, linkReviews, linkReview, linkDecision, warnings, warning, warningAction, visits,
        visitComplete, monitoring, ranking, indicators, indicatorTune, screenings, calendar, cases, caseNew, caseEmergency, payrolls, paymentChecks, paymentCheckDraw, paymentCheck, paymentReports, payroll, payrollApprove, payrollBankFile, payrollReturn, payrollLine, householdAccounts, bankAccountDecision, caseItem, caseActions, notices, caseStatus, caseDashboard, caseDecisionNotice, caseMaterialsNotice, reserveFunds, changes, changeNew, change, changeDecision, changeNotice,
        reviews, review, reviewContinue, apiReviews, apiReviewContinue,
        deliberations, deliberationNew, deliberation, deliberationMeetings, apiDeliberations, apiDeliberationMeetings,
        spotChecks, spotCheckDraw, spotCheck, spotCheckResult, dishonesty, dishonestyExport, apiSpotChecks, apiSpotCheckResult, apiPayrolls, apiPayroll, apiPayrollLines, apiPayrollApprove,
        apiPayrollBankFile, apiPayrollReturn, apiPayrollLine, apiPaymentChecks, apiPaymentCheckDraw, apiPaymentCheck, apiPaymentReports, helpRequests, helpRequest, helpRequestCalls, helpRequestSearch, apiCases, apiCase, apiCaseTransitions, apiChanges, apiChangeDecision, apiHouseholds, apiHouseholdSearchByID, apiHousehold,
        apiHouseholdAssessment, apiAssessments, apiWarnings, apiWarning, apiWarningActions, apiScreenings, stylesheet, script,
        openAPI, health,
    ]
}
