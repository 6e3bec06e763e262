import Domain
import FluentKit
import Foundation
import SQLKit

/// Lists other departments need from civil affairs, as CSV: who was newly enrolled (medical insurance
/// subsidises their premiums) and whose enrolment ended. Whole ID numbers are in them, because the
/// receiving department matches on them; so every export is written to the audit log.
public struct Exports: Sendable {
    public enum List: String, Sendable, CaseIterable {
        case newlyEnrolled, ended
        public var chinese: String { self == .newlyEnrolled ? "新纳入救助对象名单" : "停止救助人员名单" }
    }

    let db: any Database
    public init(_ db: any Database) { self.db = db }

    /// Lists leave civil affairs for another department: the city's and the county bureaus' decision.
    public static func mayExport(_ role: Role) -> Bool { role == .cityAdmin || role == .countyReviewer }

    public static let header = ["身份证号", "姓名", "救助项目", "状态", "纳入日期", "状态变更日期", "居住地区划"]

    /// The list as CSV text (UTF-8 with a BOM, so Excel opens it in Chinese), within the actor's jurisdiction.
    /// The file's first line is `stamp` (who, when, why: `ExportStamp`), and the audit entry records `purpose`.
    public func csv(_ list: List, since: LocalDate, actor: Actor, purpose: ExportReason, stamp: String) async throws -> (csv: String, rows: Int) {
        guard Self.mayExport(actor.role) else { throw DomainError.forbidden }
        var q = db.sql.select()
            .column(SQLColumn("national_id_sealed", table: "m")).column(SQLColumn("name", table: "m")).column(SQLColumn("program", table: "e"))
            .column(SQLColumn("status", table: "e")).column(SQLColumn("since", table: "e")).column(SQLColumn("status_changed_on", table: "e"))
            .column(SQLColumn("residence_region", table: "e"))
            .from(SQLAlias(SQLIdentifier("enrolments"), as: SQLIdentifier("e")))
            // Personal enrolments name their member; household ones (dibao) list every member, as each is covered.
            .join(SQLAlias(SQLIdentifier("members"), as: SQLIdentifier("m")), method: SQLJoinMethod.inner,
                  on: SQLRaw("m.household_id = e.household_id AND (e.member_id IS NULL OR m.id = e.member_id)"))
            .within(actor.jurisdiction, table: "e")
        switch list {
        case .newlyEnrolled:
            q = q.where(SQLColumn("status", table: "e"), .equal, SQLBind(EnrolmentStatus.active.rawValue))
                .where(SQLColumn("since", table: "e"), .greaterThanOrEqual, SQLBind(since.description))
        case .ended:
            q = q.where(SQLColumn("status", table: "e"), .equal, SQLBind(EnrolmentStatus.ended.rawValue))
                .where(SQLColumn("status_changed_on", table: "e"), .greaterThanOrEqual, SQLBind(since.description))
        }
        let rows = try await q.orderBy(SQLColumn("since", table: "e")).all()
        var out = "\u{FEFF}" + CSVWriter.line([stamp]) + CSVWriter.line(Self.header)
        let cipher = try DataCipher.inUse()
        for r in rows {
            let program = Program(rawValue: try r.decode(column: "program", as: String.self))
            let status = EnrolmentStatus(rawValue: try r.decode(column: "status", as: String.self))
            out += CSVWriter.line([try cipher.open(try r.decode(column: "national_id_sealed", as: String.self)), try r.decode(column: "name", as: String.self),
                                   program?.chinese ?? "", status?.chinese ?? "", try r.decode(column: "since", as: String.self),
                                   try r.decode(column: "status_changed_on", as: String?.self) ?? "", try r.decode(column: "residence_region", as: String.self)])
        }
        try await AuditLog(db).record(actor: actor, action: .exportList, targetKind: "list", targetID: list.rawValue,
                                      detail: "导出\(list.chinese)（\(since) 起，\(rows.count) 人），用途：\(purpose.logged)")
        return (out, rows.count)
    }
}
