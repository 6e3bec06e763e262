import Domain
import Foundation
import SQLKit
import Store
import Testing

/// `bench screen --copies` reaches 10M persons by copying a generated registry in SQL. The copies must be a
/// registry like the original: valid, unique ID numbers, and every row's household and member copied with it.
@Suite struct BenchCopyTests {
    static let engines = ["sqlite"] + (ProcessInfo.processInfo.environment["DATABASE_URL"].map { $0.isEmpty ? [] : ["postgres"] } ?? [])

    @Test(arguments: engines) func copiesOfTheRegistryAreValidAndDistinct(engine: String) async throws {
        let binary = try #require(CrashSafetyTests.binary(), "the jiuzhu binary is built next to the tests")
        let path = NSTemporaryDirectory() + "jiuzhu-benchcopy-\(UUID().uuidString).sqlite"
        let database = "jz_benchcopy_\(UUID().uuidString.prefix(8).lowercased())"
        let keep = engine == "sqlite" ? ["--sqlite-file", path] : ["--postgres-database", database]
        let run = try CrashSafetyTests.run(binary, ["bench", "screen", "--only", engine, "--persons", "300", "--copies", "3", "--feed-rows", "20",
                                                    "--skip-rerun"] + keep)
        let scratch = engine == "sqlite" ? try await ScratchDatabase.make(environment: [:], keepSQLiteFile: path)
                                         : try await ScratchDatabase.make(keepPostgresDatabase: database)
        do {
            #expect(run.status == 0)
            try await check(scratch.db as! any SQLDatabase)
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }

    func check(_ sql: any SQLDatabase) async throws {
        func count(_ query: String) async throws -> Int {
            try await sql.raw(SQLQueryString(query)).first()!.decode(column: "n", as: Int.self)
        }
        #expect(try await count("SELECT count(*) AS n FROM households") == 3 * (300 * 2 / 5 / 3))
        let ids = try await sql.raw("SELECT national_id_index, national_id_sealed, national_id_tail FROM members").all()
        #expect(try await count("SELECT count(DISTINCT national_id_index) AS n FROM members") == ids.count)
        // Every number sealed and indexed under the key; two of three persons are copies, moved to the 9k area codes.
        var copies = 0, numbers = Set<String>()
        for row in ids {
            let text = try DataCipher.development.open(try row.decode(column: "national_id_sealed", as: String.self))
            #expect((try? NationalID(text)) != nil, "\(text) is not a valid ID number")
            #expect(try row.decode(column: "national_id_index", as: String.self) == DataCipher.development.blindIndex(text))
            #expect(try row.decode(column: "national_id_tail", as: String.self) == String(text.suffix(4)))
            if text.hasPrefix("9") { copies += 1 }
            numbers.insert(text)
        }
        #expect(copies * 3 == ids.count * 2)
        #expect(numbers.count == ids.count)
        // Every copied fact is its member's, in its member's household; enrolments come in threes.
        #expect(try await count("""
            SELECT count(*) AS n FROM facts f WHERE f.member_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = f.member_id AND m.household_id = f.household_id)
            """) == 0)
        let enrolments = try await count("SELECT count(*) AS n FROM enrolments")
        #expect(enrolments > 0 && enrolments % 3 == 0)
        let leftovers = sql.dialect.name == "sqlite" ? "SELECT count(*) AS n FROM sqlite_master WHERE name LIKE 'jz_bench_%'"
                                                     : "SELECT count(*) AS n FROM pg_tables WHERE tablename LIKE 'jz_bench_%'"
        #expect(try await count(leftovers) == 0)
    }
}
