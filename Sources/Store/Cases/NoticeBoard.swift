import Domain
import FluentKit
import Foundation
import SQLKit

/// One line of a community's notice board: only what the rules allow to be posted.
public struct NoticeLine: Sendable, Equatable {
    public var caseID: UUID
    public var code: String
    public var maskedName: String
    public var householdSize: Int
    public var kind: CaseKind
    /// The amount proposed (in a notice) or decided (in the approval list); nil where there is none.
    public var amountCents: Int64?
    public var from: LocalDate
    public var until: LocalDate?
    /// The community the household lives in, and the one it is registered in (the notice is posted in both [YC]).
    public var residenceRegion: String
    public var registeredRegion: String
}

extension CaseStore {
    /// The cases being publicly posted in `region` now (公示), and those approved there in the last `approvedDays`
    /// days (公告): the residence or the registration inside the region, the reader's jurisdiction around it.
    public func noticeBoard(region: RegionCode, actor: Actor, today: LocalDate, approvedDays: Int = 31) async throws -> (notices: [NoticeLine], approved: [NoticeLine]) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        guard actor.jurisdiction.contains(region) else { return ([], []) }
        func query() -> SQLSelectBuilder {
            db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("cases")
                .livingOrRegistered(in: region)
        }
        let posted = try await query().where("status", .equal, CaseStatus.open.rawValue).where("step", .equal, CaseStep.publicNotice.rawValue)
            .where("notice_from", .isNot, SQLLiteral.null).orderBy("notice_from").orderBy("code").all()
        let approved = try await query().where("status", .equal, CaseStatus.approved.rawValue).orderBy("updated_at", .descending).limit(500).all()
        let ids = (posted + approved).compactMap { try? $0.decode(column: "household_id", as: UUID.self) }
        var sizes: [UUID: Int] = [:]
        if !ids.isEmpty {
            for r in try await db.sql.select().column("household_id").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("members")
                .where("household_id", .in, Array(Set(ids))).groupBy("household_id").all() {
                sizes[try r.decode(column: "household_id", as: UUID.self)] = try r.decode(column: "n", as: Int.self)
            }
        }
        let decoder = JSONDecoder()
        func line(_ r: any SQLRow, decided: Bool) throws -> NoticeLine? {
            let s = try Self.summary(r)
            guard let process = processes[s.kind] else { return nil }
            let proposed: Int64? = try r.decode(column: "assessment", as: String?.self)
                .flatMap { try? decoder.decode(Assessment.self, from: Data($0.utf8)) }?.decisions
                .first { $0.program == process.program && $0.outcome != .doesNotQualify && (process.program != .tekun || $0.member == s.memberID?.description) }?.amountCents
            let from = decided ? (s.decision?.on ?? s.appliedOn) : (try r.decode(column: "notice_from", as: String?.self).map { try LocalDate($0) } ?? s.appliedOn)
            if decided, today.dayNumber - from.dayNumber > approvedDays { return nil }
            return NoticeLine(caseID: s.id, code: s.code, maskedName: PublicNotice.mask(s.applicantName), householdSize: sizes[s.householdID] ?? 0, kind: s.kind,
                              amountCents: decided ? s.decision?.amountCents : proposed, from: from,
                              until: decided ? nil : from.adding(days: process.rule(.publicNotice)?.noticeDays ?? 0),
                              residenceRegion: s.residenceRegion, registeredRegion: s.registeredRegion)
        }
        return (try posted.compactMap { try line($0, decided: false) }, try approved.compactMap { try line($0, decided: true) })
    }
}
