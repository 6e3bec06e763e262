import Domain
import FluentKit
import Foundation
import SQLKit

/// A person an emergency struck, as the township where it happened finds them: by exact ID number anywhere in the
/// city's registry, for help first only. What comes back is what the grant needs (who, which household, where they
/// live and are registered), never the household's profile, which stays with the townships it belongs to.
public struct EmergencyPerson: Sendable, Equatable {
    public var householdID: UUID
    public var memberID: UUID
    public var name: String
    public var maskedID: String
    public var residenceRegion: String
    public var registeredRegion: String
}

extension CaseStore {
    /// Finds the person by their ID number (exact), audited: a township reaching outside its own households must leave
    /// a trace of whom it looked for and why.
    public func emergencyPerson(_ id: NationalID, actor: Actor, now: Date = Date()) async throws -> EmergencyPerson {
        guard actor.may(.openCases) else { throw DomainError.forbidden }
        guard let row = try await db.sql.select()
            .column(SQLColumn("id", table: "members"), as: "member_id").column(SQLColumn("name", table: "members"))
            .column(SQLColumn("household_id", table: "members"))
            .column(SQLColumn("residence_region", table: "households")).column(SQLColumn("registered_region", table: "households"))
            .from("members").join("households", on: SQLColumn("household_id", table: "members"), .equal, SQLColumn("id", table: "households"))
            .where(SQLColumn("national_id_index", table: "members"), .equal, SQLBind(try SealedColumns.index(id.value))).first()
        else { throw CaseStoreError.personNotFound }
        let person = EmergencyPerson(householdID: try row.decode(column: "household_id", as: UUID.self), memberID: try row.decode(column: "member_id", as: UUID.self),
                                     name: try row.decode(column: "name", as: String.self), maskedID: id.masked,
                                     residenceRegion: try row.decode(column: "residence_region", as: String.self),
                                     registeredRegion: try row.decode(column: "registered_region", as: String.self))
        try await AuditLog(db).record(actor: actor, action: .findEmergencyPerson, targetKind: "household", targetID: person.householdID.uuidString.lowercased(),
                                      detail: "急难救助按身份证号查找 \(id.masked)", at: now)
        return person
    }

    /// Where the emergency struck, for a process accepted there: the region named (a township or community inside the
    /// opener's jurisdiction) or else the opener's own township or community. Nil for every other process.
    func emergencyPlace(_ new: NewCase, _ process: CaseProcess, actor: Actor) async throws -> RegionCode? {
        guard process.rule(.acceptance)?.place == .emergency else { return nil }
        let place = new.emergencyRegion ?? actor.jurisdiction
        guard place.level >= .township, actor.jurisdiction.contains(place),
              try await db.sql.select().column("code").from("regions").where("code", .equal, place.value).first() != nil
        else { throw CaseStoreError.emergencyPlaceRequired }
        return place
    }
}
