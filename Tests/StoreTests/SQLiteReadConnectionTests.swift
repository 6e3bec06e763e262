import Foundation
import SQLiteKit
import SQLKit
@testable import Store
import Testing

/// A screening reads a SQLite file on a connection beside the pooled one that writes.
@Suite struct SQLiteReadConnectionTests {
    @Test func aFileInWriteAheadModeGetsAReadOnlyConnectionThatSeesItsCommits() async throws {
        try await Fixture.with(households: 5) { f in
            let sql = f.scratch.db as! any SQLDatabase
            // act
            let side = try await SQLiteReadConnection.open(1, beside: sql)
            // check: PostgreSQL has its pool of connections and needs none
            guard sql is any SQLiteDatabase else {
                #expect(side.isEmpty)
                return
            }
            let reader = try #require(side.first)
            // A connection left open is a fault that stops the test process: closed whatever happens.
            do {
                func households() async throws -> Int? {
                    try await reader.raw("SELECT count(*) AS n FROM households").first()?.decode(column: "n", as: Int.self)
                }
                let before = try #require(try await households())
                #expect(before >= 5)
                // act: the pooled connection writes
                try await sql.raw("""
                    INSERT INTO households (id, registered_region, residence_region, address, created_at)
                    SELECT 'X' || id, registered_region, residence_region, address, created_at FROM households LIMIT 1
                    """).run()
                #expect(try await households() == before + 1)
                await #expect(throws: (any Error).self) { try await reader.raw("DELETE FROM households").run() }
                #expect(try await households() == before + 1)
            } catch {
                await reader.close()
                throw error
            }
            await reader.close()
        }
    }
}
