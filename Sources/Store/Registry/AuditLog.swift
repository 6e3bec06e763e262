import Domain
import FluentKit
import Foundation
import SQLKit

public enum AuditAction: String, Sendable, CaseIterable {
    case readProfile, revealNationalID, enrolSecondFactor, resetSecondFactor, securitySetting, grantRole, changeJurisdiction, login, loginFailed, accountLocked, loginThrottled, archiveAudit, search, denied, backup, rotateDataKey, disableUser, enableUser, changePassword, publicOutputWithheld, logout, createUser, generateDemo, exportList, simulation, importFeed
    case readLinkReview, confirmLink, rejectLink
    case screening, holdPayment, releasePaymentHold, readWarning, handleWarning, recordVisit, tuneIndicators, loadCalendar,
         openCase, readCase, actOnCase, helpRequest, handleHelpRequest, reserveFund, proposeChange, decideChange,
         openReviews, readReview, reviewEnrolment, gradualExitEnded, openDeliberation, readDeliberation, recordDeliberation,
         drawSpotChecks, readSpotCheck, recordSpotCheck, findEmergencyPerson,
         enterBankAccount, confirmBankAccount, preparePayroll, approvePayroll, writeBankFile, importBankReturn, handlePayrollLine, drawPaymentChecks, recordPaymentCheck
    public var chinese: String {
        switch self {
        case .readProfile: return "查看档案"
        case .revealNationalID: return "查看完整身份证号"
        case .enrolSecondFactor: return "绑定动态口令"
        case .resetSecondFactor: return "重置动态口令"
        case .securitySetting: return "安全设置"
        case .login: return "登录"
        case .loginFailed: return "登录失败"
        case .accountLocked: return "账户锁定"
        case .loginThrottled: return "登录受限（来源地址）"
        case .archiveAudit: return "归档审计日志"
        case .search: return "查询"
        case .denied: return "越权访问被拒"
        case .backup: return "数据备份"
        case .rotateDataKey: return "更换数据密钥"
        case .grantRole: return "授予角色"
        case .changeJurisdiction: return "变更辖区"
        case .disableUser: return "停用账户"
        case .enableUser: return "恢复账户"
        case .changePassword: return "修改密码"
        case .publicOutputWithheld: return "公开页面含个人信息被拦截"
        case .logout: return "退出"
        case .createUser: return "创建用户"
        case .generateDemo: return "生成演示数据"
        case .exportList: return "导出名单"
        case .simulation: return "政策模拟"
        case .importFeed: return "导入部门数据"
        case .readLinkReview: return "查看待核对关联"
        case .confirmLink: return "确认人员关联"
        case .rejectLink: return "否决人员关联"
        case .screening: return "预警筛查"
        case .holdPayment: return "暂停发放"
        case .releasePaymentHold: return "解除暂停发放"
        case .readWarning: return "查看预警"
        case .handleWarning: return "处置预警"
        case .recordVisit: return "登记入户核实"
        case .tuneIndicators: return "调整预警指标"
        case .loadCalendar: return "载入节假日安排"
        case .reserveFund: return "备用金拨付"
        case .proposeChange: return "提出救助变更"
        case .decideChange: return "决定救助变更"
        case .openReviews: return "生成定期核查任务"
        case .readReview: return "查看定期核查"
        case .reviewEnrolment: return "办理定期核查"
        case .gradualExitEnded: return "渐退期满停发"
        case .openDeliberation: return "提请一事一议"
        case .readDeliberation: return "查看一事一议"
        case .recordDeliberation: return "一事一议议事"
        case .drawSpotChecks: return "随机抽查与问题倒查"
        case .readSpotCheck: return "查看抽查"
        case .recordSpotCheck: return "登记抽查结果"
        case .findEmergencyPerson: return "急难救助查找人员"
        case .enterBankAccount: return "登记收款账户"
        case .confirmBankAccount: return "复核收款账户"
        case .preparePayroll: return "生成发放名册"
        case .approvePayroll: return "审批发放名册"
        case .writeBankFile: return "生成银行代发文件"
        case .importBankReturn: return "导入银行回盘"
        case .handlePayrollLine: return "处理发放失败"
        case .drawPaymentChecks: return "抽取资金发放核验"
        case .recordPaymentCheck: return "登记资金发放核验"
        case .openCase: return "登记申请"
        case .readCase: return "查看申请"
        case .actOnCase: return "办理申请"
        case .helpRequest: return "居民在线求助"
        case .handleHelpRequest: return "处理在线求助"
        }
    }
}

public struct AuditEntry: Sendable, Codable, Equatable {
    public var at: Date
    public var username: String
    public var role: String
    public var action: String
    public var targetKind: String
    public var targetID: String
    public var detail: String
    public var origin: String
}

/// Who read or changed what, when, and from where. Append-only: nothing here updates or deletes.
/// What an auditor narrows the log to: who, what, which object, which Beijing days.
public struct AuditFilter: Sendable, Equatable {
    public var username: String?
    public var action: AuditAction?
    public var targetKind: String?
    public var targetID: String?
    public var from: LocalDate?
    public var to: LocalDate?
    public init(username: String? = nil, action: AuditAction? = nil, targetKind: String? = nil, targetID: String? = nil,
                from: LocalDate? = nil, to: LocalDate? = nil) {
        self.username = username; self.action = action; self.targetKind = targetKind; self.targetID = targetID
        self.from = from; self.to = to
    }
}

public struct AuditLog: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    /// Appends one entry to the chain (`AuditChain`), in the caller's transaction if there is one.
    public func record(actor: Actor, action: AuditAction, targetKind: String, targetID: String, detail: String, at: Date = Date()) async throws {
        try await AuditChain.append([AuditDraft(actor: actor, action: action, targetKind: targetKind, targetID: targetID, detail: detail, at: at)], on: db)
    }

    /// Appends many entries at once, in order (a batch of cases opened together).
    public func record(_ drafts: [AuditDraft]) async throws {
        try await AuditChain.append(drafts, on: db)
    }

    /// The newest entries made by users inside the auditor's jurisdiction.
    /// A change made by someone who is not signed in (a resident's request for help), by the address it came from,
    /// filed under the region it concerns so that the auditors over that region see it.
    public func recordPublic(action: AuditAction, region: RegionCode, targetKind: String, targetID: String, detail: String, origin: String,
                             at: Date = Date()) async throws {
        try await AuditChain.append([AuditDraft(at: at, userID: nil, username: "public", role: "public", actorRegion: region.value, action: action.rawValue,
                                                targetKind: targetKind, targetID: targetID, detail: detail, origin: origin)], on: db)
    }

    public func recent(actor: Actor, limit: Int = 200, action: AuditAction? = nil) async throws -> [AuditEntry] {
        try await search(actor: actor, filter: AuditFilter(action: action), offset: 0, limit: limit).entries
    }

    /// What the entries' objects are called, so the log reads "王某户" and "遭受自然灾害（李某户）" rather than an id:
    /// households by their head's name, warnings by title and household. Only objects inside the reader's jurisdiction.
    public func objectNames(_ entries: [AuditEntry], actor: Actor) async throws -> [String: String] {
        guard actor.may(.viewAuditLog) else { throw DomainError.forbidden }
        var out: [String: String] = [:]
        let households = Set(entries.filter { $0.targetKind == "household" }.compactMap { UUID(uuidString: $0.targetID) })
        let warnings = Set(entries.filter { $0.targetKind == "warning" }.compactMap { UUID(uuidString: $0.targetID) })
        var heads: [UUID: String] = [:]
        let warningRows = warnings.isEmpty ? [] : try await db.sql.select().columns("id", "household_id", "title").from("warnings")
            .where("id", .in, Array(warnings)).within(actor.jurisdiction).all()
        let allHouseholds = households.union(try warningRows.map { try $0.decode(column: "household_id", as: UUID.self) })
        if !allHouseholds.isEmpty {
            for r in try await db.sql.select().columns("household_id", "name").from("members").where("household_id", .in, Array(allHouseholds))
                .where("relation", .equal, Relation.head.rawValue).within(actor.jurisdiction).all() {
                heads[try r.decode(column: "household_id", as: UUID.self)] = try r.decode(column: "name", as: String.self)
            }
        }
        for h in households { if let n = heads[h] { out[h.uuidString.lowercased()] = "\(n)户" } }
        for r in warningRows {
            let id = try r.decode(column: "id", as: UUID.self), hid = try r.decode(column: "household_id", as: UUID.self)
            out[id.uuidString.lowercased()] = try r.decode(column: "title", as: String.self) + (heads[hid].map { "（\($0)户）" } ?? "")
        }
        return out
    }

    /// One page of the entries that match `filter`, newest first, and how many match in all.
    public func search(actor: Actor, filter: AuditFilter, offset: Int, limit: Int) async throws -> (entries: [AuditEntry], total: Int) {
        guard actor.may(.viewAuditLog) else { throw DomainError.forbidden }
        func filtered(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            var q = q.from("audit_entries").within(actor.jurisdiction, column: "actor_region")
            if let a = filter.action { q = q.where("action", .equal, a.rawValue) }
            if let u = filter.username, !u.isEmpty { q = q.where("username", .equal, u) }
            if let k = filter.targetKind, !k.isEmpty { q = q.where("target_kind", .equal, k) }
            if let t = filter.targetID, !t.isEmpty { q = q.where("target_id", .equal, t) }
            // Days are Beijing days; the log keeps UTC, so a day starts at 16:00 UTC the day before.
            if let from = filter.from { q = q.where("at", .greaterThanOrEqual, Timestamp.text(from.startInstant(in: .china))) }
            if let to = filter.to { q = q.where("at", .lessThan, Timestamp.text(to.adding(days: 1).startInstant(in: .china))) }
            return q
        }
        let total = try await filtered(db.sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))).first()?
            .decode(column: "n", as: Int.self) ?? 0
        let rows = try await filtered(db.sql.select().column("*")).orderBy("at", .descending).offset(max(0, offset)).limit(limit).all()
        return (try rows.map { r in
            AuditEntry(at: Timestamp.date(try r.decode(column: "at", as: String.self)) ?? .distantPast,
                       username: try r.decode(column: "username", as: String.self),
                       role: try r.decode(column: "role", as: String.self),
                       action: try r.decode(column: "action", as: String.self),
                       targetKind: try r.decode(column: "target_kind", as: String.self),
                       targetID: try r.decode(column: "target_id", as: String.self),
                       detail: try r.decode(column: "detail", as: String.self),
                       origin: try r.decode(column: "origin", as: String.self))
        }, total)
    }
}
