import Domain
import Foundation
import Store
import Testing

/// A command's data error is one clear message naming the file, row and field, without the usage text (which
/// is printed for mistakes in the command line only).
@Suite struct CLIErrorTests {
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, stderr: String) {
        let r = try CLI.run(args, environment: environment)
        return (r.status, r.err)
    }

    @Test func dataErrorsAreNotFollowedByTheUsage() async throws {
        let dir = NSTemporaryDirectory() + "jiuzhu-cli-errors-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // setup: a claims file with 31 February, and a household file that is not there
        let claims = dir + "/claims.csv"
        try Data("身份证号,姓名,结算日期,个人自付金额,结算单号,参保地区划\n11010519491231002X,王芳,2026-02-31,12.50,JS-1,120103000000\n".utf8).write(to: URL(fileURLWithPath: claims))
        let database = dir + "/db.sqlite"
        // act
        let unmigrated = try Self.run(["import", "--feed", "medical-insurance-claims", claims, "--database", database, "--as", "officer"])
        _ = try Self.run(["migrate"], environment: ["JIUZHU_SQLITE_PATH": database, "DATABASE_URL": ""])
        let store = try StandaloneDatabase(.sqlite(path: database))
        try await CLI.addUser(store.db, username: "officer", role: .dataOfficer, region: try RegionCode("120100000000"))
        await store.shutdown()
        let nobody = try Self.run(["import", "--feed", "medical-insurance-claims", claims, "--database", database, "--as", "nobody"])
        let badImport = try Self.run(["import", "--feed", "medical-insurance-claims", claims, "--database", database, "--as", "officer"],
                                     environment: ["JIUZHU_CITY": "120100000000"])
        let missing = try Self.run(["assess", dir + "/nobody.json"])
        let usage = try Self.run(["import", "--feed", "no-such-feed", claims, "--database", database, "--as", "officer"])
        let anonymous = try Self.run(["import", "--feed", "medical-insurance-claims", claims, "--database", database])
        // check: the message names the file, row and field, and no usage follows it
        #expect(unmigrated.status != 0 && unmigrated.stderr.contains("jiuzhu migrate") && !unmigrated.stderr.contains("Usage:"), "\(unmigrated.stderr)")
        #expect(badImport.status != 0)
        #expect(badImport.stderr.contains("claims.csv") && badImport.stderr.contains("第2行") && badImport.stderr.contains("结算日期"), "\(badImport.stderr)")
        #expect(!badImport.stderr.contains("Usage:"), "\(badImport.stderr)")
        #expect(missing.status != 0 && missing.stderr.contains("nobody.json") && !missing.stderr.contains("Usage:"), "\(missing.stderr)")
        // a mistake in the command line itself still shows how to use it
        #expect(usage.status != 0 && usage.stderr.contains("Usage:"), "\(usage.stderr)")
        // the command acts as a named staff member, never anonymously
        #expect(anonymous.status != 0 && anonymous.stderr.contains("--as"), "\(anonymous.stderr)")
        #expect(nobody.status != 0 && nobody.stderr.contains("没有用户「nobody」"), "\(nobody.stderr)")
    }

    /// A command started with another data key than the one the database was sealed with stops before doing anything,
    /// saying which key; with the database's own key it runs.
    @Test func anotherDataKeyIsRefusedAtStart() throws {
        let dir = NSTemporaryDirectory() + "jiuzhu-cli-key-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sqlite = ["JIUZHU_SQLITE_PATH": dir + "/db.sqlite", "DATABASE_URL": "", "JIUZHU_ACCOUNT_KEY": ""]
        let other = sqlite.merging(["JIUZHU_DATA_KEY": Data(repeating: 9, count: 32).base64EncodedString()]) { _, new in new }
        #expect(try Self.run(["migrate"], environment: sqlite.merging(["JIUZHU_DATA_KEY": ""]) { _, new in new }).status == 0)
        let refused = try Self.run(["user", "list"], environment: other)
        #expect(refused.status != 0 && refused.stderr.contains("JIUZHU_DATA_KEY") && !refused.stderr.contains("Usage:"), "\(refused.stderr)")
        let migrateRefused = try Self.run(["migrate"], environment: other)
        #expect(migrateRefused.status != 0 && migrateRefused.stderr.contains("JIUZHU_DATA_KEY"), "\(migrateRefused.stderr)")
        #expect(try Self.run(["user", "list"], environment: sqlite.merging(["JIUZHU_DATA_KEY": ""]) { _, new in new }).status == 0)
    }
}
