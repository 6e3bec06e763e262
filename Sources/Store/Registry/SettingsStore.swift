import Domain
import FluentKit
import Foundation
import SQLKit

/// The system's small key–value settings.
public struct SettingsStore: Sendable {
    let db: any Database
    public init(_ db: any Database) { self.db = db }

    public func get(_ key: String) async throws -> String? {
        try await db.sql.select().column("value").from("settings").where("key", .equal, key).first()?.decode(column: "value", as: String.self)
    }

    public func set(_ key: String, _ value: String) async throws {
        try await db.writeTransaction { tx in
            try await tx.sql.delete(from: "settings").where("key", .equal, key).run()
            try await tx.sql.insert(into: "settings").columns("key", "value").values(SQLBind(key), SQLBind(value)).run()
        }
    }
}
