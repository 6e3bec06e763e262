import FluentKit
import Foundation
import SQLKit

/// When an enrolment's status last changed, so "ended since" lists can be exported.
struct AddEnrolmentStatusChangedOn: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("enrolments").field("status_changed_on", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("enrolments").deleteField("status_changed_on").update()
    }
}
