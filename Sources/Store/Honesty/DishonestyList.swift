import Domain
import FluentKit
import Foundation
import SQLKit

/// One entry of the dishonesty list (失信名单).
public struct DishonestyEntry: Sendable, Equatable {
    public var id: UUID
    public var householdID: UUID
    public var name: String
    public var nationalID: String
    public var basis: String
    public var listedOn: LocalDate
    public var spotCheckID: UUID
    public var residenceRegion: String
}

/// 失信惩戒: who was found to have declared falsely, with the basis, for the jurisdiction to see and for the county
/// or city to send to the credit platform (the export is audited; lists mask ID numbers, the export does not).
public struct DishonestyList: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    public func list(actor: Actor, offset: Int, limit: Int) async throws -> (items: [DishonestyEntry], total: Int) {
        guard actor.may(.viewCases) else { throw DomainError.forbidden }
        async let count = db.sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("dishonesty_list")
            .livingOrRegistered(in: actor.jurisdiction).first()
        let rows = try await db.sql.select().columns("id", "household_id", "name", "national_id_sealed", "basis", "listed_on", "spot_check_id", "residence_region")
            .from("dishonesty_list").livingOrRegistered(in: actor.jurisdiction).orderBy("listed_on", .descending).orderBy("id").offset(offset).limit(limit).all()
        return (try rows.map(Self.entry), try await count?.decode(column: "n", as: Int.self) ?? 0)
    }

    /// Every entry of the jurisdiction, for the credit platform: county and city only, audited.
    public func export(actor: Actor, purpose: ExportReason, now: Date = Date()) async throws -> [DishonestyEntry] {
        guard actor.role == .countyReviewer || actor.role == .cityAdmin else { throw DomainError.forbidden }
        let rows = try await db.sql.select().columns("id", "household_id", "name", "national_id_sealed", "basis", "listed_on", "spot_check_id", "residence_region")
            .from("dishonesty_list").livingOrRegistered(in: actor.jurisdiction).orderBy("listed_on").orderBy("id").all()
        try await AuditLog(db).record(actor: actor, action: .exportList, targetKind: "dishonestyList", targetID: actor.jurisdiction.value,
                                      detail: "导出失信名单 \(rows.count) 人，用途：\(purpose.logged)", at: now)
        return try rows.map(Self.entry)
    }

    static func entry(_ r: any SQLRow) throws -> DishonestyEntry {
        DishonestyEntry(id: try r.decode(column: "id", as: UUID.self), householdID: try r.decode(column: "household_id", as: UUID.self),
                        name: try r.decode(column: "name", as: String.self), nationalID: try SealedColumns.open(try r.decode(column: "national_id_sealed", as: String.self)),
                        basis: try r.decode(column: "basis", as: String.self), listedOn: try LocalDate(try r.decode(column: "listed_on", as: String.self)),
                        spotCheckID: try r.decode(column: "spot_check_id", as: UUID.self), residenceRegion: try r.decode(column: "residence_region", as: String.self))
    }
}
