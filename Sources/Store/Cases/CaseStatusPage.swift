import Domain
import FluentKit
import Foundation
import SQLKit

/// What the public status page (码上查) may show of a case: where it stands and the dates. No name, no ID number,
/// no amount, not even the programme.
public struct PublicCaseStatus: Sendable, Equatable {
    public var code: String
    public var status: CaseStatus
    public var step: CaseStep?
    public var appliedOn: LocalDate
    public var acceptedOn: LocalDate?
    public var processDueOn: LocalDate?
    public var decidedOn: LocalDate?
}

extension CaseStore {
    /// The case behind an unguessable token (128 random bits), for its applicant; nil for any other string.
    public func publicStatus(token: String) async throws -> PublicCaseStatus? {
        guard token.count == 32, token.allSatisfy(\.isHexDigit) else { return nil }
        guard let r = try await db.sql.select().columns(Self.columns.map { SQLColumn($0) }).from("cases").where("status_token", .equal, token).first()
        else { return nil }
        let s = try Self.summary(r)
        return PublicCaseStatus(code: s.code, status: s.status, step: s.step, appliedOn: s.appliedOn, acceptedOn: s.acceptedOn,
                                processDueOn: s.status == .open ? s.processDueOn : nil, decidedOn: s.decision?.on)
    }
}
