import Foundation

/// Staff roles. Each user also has one region: their jurisdiction is that region's subtree.
///
/// Three of them run the system rather than the assistance, and are kept apart (三权分立, GB/T 22239-2019 8.1.4.2
/// and 8.1.10.3): the system administrator opens accounts and sets their jurisdictions, the security administrator
/// grants roles, the audit administrator (`auditor`, its stored name since before the split) reads the audit log.
/// None of them reads a family's data by virtue of the role.
public enum Role: String, ChineseLabelled {
    case cityAdmin, countyReviewer, townshipOfficer, coordinator, dataOfficer, auditor, systemAdmin, securityAdmin
    public var chinese: String {
        switch self {
        case .cityAdmin: return "市级业务管理员"
        case .countyReviewer: return "区县民政审核员"
        case .townshipOfficer: return "乡镇（街道）经办人"
        case .coordinator: return "社区（村）协理员"
        case .dataOfficer: return "部门数据专员"
        case .auditor: return "审计管理员"
        case .systemAdmin: return "系统管理员"
        case .securityAdmin: return "安全管理员"
        }
    }

    /// The region level a user of this role is normally given.
    public var usualLevel: RegionLevel {
        switch self {
        case .cityAdmin, .auditor, .dataOfficer, .systemAdmin, .securityAdmin: return .city
        case .countyReviewer: return .county
        case .townshipOfficer: return .township
        case .coordinator: return .village
        }
    }

    /// The three that administer the system (三权分立): each does one part of it, and none reads families' data.
    public var isAdministrator: Bool { self == .systemAdmin || self == .securityAdmin || self == .auditor }

    /// Roles that work with families' cases: everyone but the administrators and the departments' data officers.
    public var handlesFamilies: Bool { !isAdministrator && self != .dataOfficer }
}

/// What a user may do. Checked in one place so the pages, the API and the tests agree.
public enum Permission: String, Sendable, CaseIterable {
    /// Search and open household profiles.
    case viewHouseholds
    /// See counts for their jurisdiction (home, region browser).
    case viewStatistics
    /// Read the audit log.
    case viewAuditLog
    /// Upload department data (later issues).
    case importData
    /// Run "what if" policy simulations over the registry.
    case runSimulation
    /// Confirm or reject a probable link between a department record and a registered person.
    case reviewLinks
    /// Read the warnings of one's jurisdiction.
    case viewWarnings
    /// Assign, verify, dispose of and close warnings; run a screening.
    case handleWarnings
    /// Record what a home visit found.
    case recordVisits
    /// Change indicator weights in the catalogue.
    case tuneIndicators
    /// Release a payment held after a death record.
    case releasePaymentHolds
    /// Load the next year's holiday arrangement (the working days every statutory deadline counts).
    case manageCalendar
    /// Allocate and replenish the townships' reserve funds for help first (备用金).
    case manageReserveFunds
    /// Read the applications of one's jurisdiction.
    case viewCases
    /// Act on the steps of applications (which step is whose is the process data's).
    case handleCases
    /// Open an application: the township window, or the community coordinator on a household's behalf, and take
    /// a resident's request for help.
    case openCases
    /// Read payrolls, their lines and the payees' accounts (masked).
    case viewPayments
    /// Prepare and approve payrolls (never one's own), write bank files, import the bank's returns.
    case managePayments
    /// Register or change a payee's bank account, or confirm another person's change.
    case manageBankAccounts
    /// Open staff accounts, set their jurisdictions, disable and re-enable them.
    case manageUsers
    /// Grant an account its role (and with it, what it may do).
    case grantRoles
    /// Take a backup of the whole database (`jiuzhu backup`): every family's record leaves the server in one file.
    case backupData
    /// Re-seal every sealed number under a new data key (`jiuzhu keys rotate`).
    case rotateDataKey

    public func isGranted(to role: Role) -> Bool {
        switch self {
        // Profiles are read by the offices that help families. A department data officer delivers data, and the
        // administrators run the system: neither has a need to read a family's profile (PIPL art. 6, minimum need).
        case .viewHouseholds:
            return role.handlesFamilies
        // Counts by region are the business's: the administrators' work is accounts, grants and the log.
        case .viewStatistics:
            return !role.isAdministrator
        // The audit administrator checks everyone else; reading the log is their job, and only theirs.
        case .viewAuditLog:
            return role == .auditor
        case .importData:
            return role == .dataOfficer || role == .cityAdmin
        // Simulations inform standard-setting, which is the city's and the county bureau's work.
        case .runSimulation:
            return role == .cityAdmin || role == .countyReviewer
        // Whether two records are one person is a civil-affairs judgement with consequences (a death,
        // a stopped benefit): the officers who handle the household, not the department that sent the data.
        case .reviewLinks:
            return role == .cityAdmin || role == .countyReviewer || role == .townshipOfficer
        // Warnings carry families' circumstances: the people who help them.
        case .viewWarnings:
            return role.handlesFamilies
        // The township (street) handles warnings [JC]; the county and city may step in.
        case .handleWarnings:
            return role == .cityAdmin || role == .countyReviewer || role == .townshipOfficer
        // The community coordinator knocks on the door; the township officer may go too.
        case .recordVisits:
            return role == .coordinator || role == .townshipOfficer
        // Weights are the city's policy choice.
        case .tuneIndicators:
            return role == .cityAdmin
        // Paying again after a death record is the approving authority's decision (the county bureau approves
        // assistance), not the township's that handles the warning.
        case .releasePaymentHolds:
            return role == .cityAdmin || role == .countyReviewer
        // One calendar for the whole city: its business administrator loads it.
        case .manageCalendar:
            return role == .cityAdmin
        // Cases carry families' circumstances: the offices that handle them.
        case .viewCases:
            return role.handlesFamilies
        // Which step each may take is the process data's (`CaseWorkflow`); this is who takes part at all.
        case .handleCases:
            return role == .townshipOfficer || role == .coordinator || role == .countyReviewer
        case .openCases:
            return role == .townshipOfficer || role == .coordinator
        // The county bureau funds its townships' help first; the city may too.
        case .manageReserveFunds:
            return role == .cityAdmin || role == .countyReviewer
        // Money and accounts: the offices that pay.
        case .viewPayments:
            return role.handlesFamilies && role != .coordinator
        // The county bureau pays (the registration side calculates and pays [YC]); the city may too.
        case .managePayments:
            return role == .cityAdmin || role == .countyReviewer
        // The township takes the payee's card details at the window; the county may too. A second person confirms.
        case .manageBankAccounts:
            return role == .cityAdmin || role == .countyReviewer || role == .townshipOfficer
        // Opening, closing and placing accounts is the system administrator's; what they may do is not (grantRoles).
        case .manageUsers:
            return role == .systemAdmin
        // What an account may do is the security administrator's to grant, never the one who opened it.
        case .grantRoles:
            return role == .securityAdmin
        // The whole city's data in one file: the system administrator, named, and audited.
        case .backupData, .rotateDataKey:
            return role == .systemAdmin
        }
    }
}

/// Who may give which role to whom (三权分立). The system administrator opens an account and proposes its role;
/// it signs in to nothing until a security administrator grants one. Pure, so the pages, the CLI and the tests
/// apply one rule.
public enum RoleGrant {
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case notSecurityAdmin, ownAccount
        public var description: String {
            switch self {
            case .notSecurityAdmin: return "只有安全管理员可以授予角色 (only a security administrator grants roles)"
            case .ownAccount: return "不能给自己授予或变更角色 (no one grants their own role)"
            }
        }
    }

    /// Whether `granter` may give `account` a role. Any role may be granted (a security administrator hands over
    /// to a successor), but never to oneself: one person holding two of the three powers is what the split prevents.
    public static func check(granter: Actor, account username: String) -> Refusal? {
        guard granter.may(.grantRoles) else { return .notSecurityAdmin }
        guard granter.username != username else { return .ownAccount }
        return nil
    }
}

/// Who is acting, from where: every store query takes one, and every audit entry names one.
public struct Actor: Sendable, Hashable {
    public let userID: UUID?
    public let username: String
    public let role: Role
    public let jurisdiction: RegionCode
    /// The remote address for web requests, or `cli` for the command line.
    public let origin: String

    public init(userID: UUID?, username: String, role: Role, jurisdiction: RegionCode, origin: String) {
        self.userID = userID
        self.username = username
        self.role = role
        self.jurisdiction = jurisdiction
        self.origin = origin
    }

    public func may(_ permission: Permission) -> Bool { permission.isGranted(to: role) }

    public func covers(_ region: RegionCode) -> Bool { jurisdiction.contains(region) }
}

/// Failed-login lockout: after `maxFailures` consecutive failures the account is locked for `lockSeconds`.
///
/// An attempt is counted *before* its password is checked (`claim`), and the count is given back only when the
/// password was right: guesses sent in parallel each take a place in the count, so no more than `maxFailures` of
/// them are ever checked, however many arrive at once. The store applies `claim` in one statement
/// (`UserStore.claimSignIn`); this is the rule it follows, pure, with the clock passed in.
public struct LoginThrottle: Sendable {
    public let maxFailures: Int
    public let lockSeconds: TimeInterval

    public init(maxFailures: Int, lockSeconds: TimeInterval) {
        self.maxFailures = maxFailures
        self.lockSeconds = lockSeconds
    }

    public struct State: Sendable, Equatable {
        public var failures: Int
        public var lockedUntil: Date?
        public init(failures: Int, lockedUntil: Date?) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    public enum Claim: Sendable, Equatable {
        /// The password may be checked; `state` already counts this attempt as a failure (and holds the lock it
        /// would bring), to be stored at once.
        case check(State)
        /// Locked: the password is not checked at all.
        case refused(until: Date)
    }

    public func isLocked(_ s: State, now: Date) -> Bool {
        if let until = s.lockedUntil, until > now { return true }
        return false
    }

    /// Takes a place in the count for an attempt about to be checked.
    public func claim(_ s: State, now: Date) -> Claim {
        if isLocked(s, now: now), let until = s.lockedUntil { return .refused(until: until) }
        // A lock that has expired starts a fresh count.
        let failures = (s.lockedUntil == nil ? s.failures : 0) + 1
        return .check(State(failures: failures, lockedUntil: failures >= maxFailures ? lockEnd(now) : nil))
    }

    /// When a lock taken at `now` ends.
    public func lockEnd(_ now: Date) -> Date { now.addingTimeInterval(lockSeconds) }

    public func afterSuccess(_ s: State) -> State { State(failures: 0, lockedUntil: nil) }
}
