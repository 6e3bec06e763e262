import Domain
import FluentKit
import Foundation
import SQLKit

// The one way to a whole ID number on a page or in an API answer: a stated purpose, within the jurisdiction, audited.
extension RegistryStore {
    public struct RevealedID: Sendable, Equatable {
        public let name: String
        public let nationalID: NationalID
    }

    /// Whether the member is of that household and the household inside the actor's jurisdiction: the reveal
    /// page's form is offered only then (a read of nothing, not audited).
    public func memberIsVisible(_ member: Member.ID, of household: Household.ID, actor: Actor) async throws -> Bool {
        try requireViewer(actor)
        return try await memberRow(member, of: household, actor: actor) != nil
    }

    /// A member's whole ID number, for `reason`; nil when the member is not in that household or the household is
    /// outside the actor's jurisdiction (told apart from nothing, as a profile is). The read is audited with its reason.
    public func revealNationalID(member: Member.ID, of household: Household.ID, reason: IDRevealReason, actor: Actor) async throws -> RevealedID? {
        try requireViewer(actor)
        guard let row = try await memberRow(member, of: household, actor: actor) else { return nil }
        let revealed = RevealedID(name: try row.decode(column: "name", as: String.self),
                                  nationalID: try SealedColumns.nationalID(try row.decode(column: "national_id_sealed", as: String.self)))
        try await AuditLog(db).record(actor: actor, action: .revealNationalID, targetKind: "member", targetID: member.description,
                                      detail: "查看\(revealed.name)的完整身份证号（\(revealed.nationalID.masked)），用途：\(reason.logged)")
        return revealed
    }

    /// The member's name and number, if the member is of that household and it lives in the jurisdiction.
    private func memberRow(_ member: Member.ID, of household: Household.ID, actor: Actor) async throws -> (any SQLRow)? {
        try await sql.select().columns("name", "national_id_sealed").from("members")
            .where("id", .equal, member.rawValue).where("household_id", .equal, household.rawValue)
            .within(actor.jurisdiction).first()
    }
}
