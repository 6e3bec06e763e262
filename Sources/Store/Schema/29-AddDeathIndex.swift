import FluentKit
import Foundation
import SQLKit

/// The review schedule asks of every enrolment in force when a member of its household last died: a partial index
/// holds only the deaths (a few rows among millions of facts), so it costs imports nothing and the question one
/// index probe.
struct AddDeathIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("CREATE INDEX idx_facts_deaths ON facts (household_id, valid_from) WHERE kind = 'death'").run()
    }
    func revert(on db: any Database) async throws {
        try await (db as! any SQLDatabase).drop(index: "idx_facts_deaths").run()
    }
}
