import Foundation
import Testing

/// `jiuzhu user` under 三权分立: a system administrator opens an account whose role waits for the security
/// administrator's grant; neither does the other's part, and nobody grants their own role.
@Suite struct UserCommandTests {
    @Test func anAccountOpenedByNameWaitsForItsGrant() throws {
        guard ProcessInfo.processInfo.environment["DATABASE_URL"]?.isEmpty ?? true else { return }
        let dir = NSTemporaryDirectory() + "jiuzhu-users-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let db = dir + "/live.sqlite"
        #expect(try CLI.run(["demo", "--households", "20", "--database", db, "--no-serve"]).status == 0)
        let env = ["JIUZHU_SQLITE_PATH": db]
        // the city's business administrator may not open accounts; the system administrator may
        let refused = try CLI.run(["user", "add", "--username", "li.na", "--name", "李娜", "--role", "coordinator", "--region", "120100000000", "--as", "admin"],
                                  environment: env)
        #expect(refused.status != 0 && refused.err.contains("无权"), "\(refused.err)")
        let opened = try CLI.run(["user", "add", "--username", "li.na", "--name", "李娜", "--role", "coordinator", "--region", "120100000000", "--as", "sysadmin"],
                                 environment: env)
        #expect(opened.status == 0 && opened.out.contains("待安全管理员授权"), "\(opened.err)")
        #expect(try CLI.run(["user", "list"], environment: env).out.contains("li.na\t社区（村）协理员（待授权）"))
        // only the security administrator grants, never to themselves
        let bySys = try CLI.run(["user", "grant", "li.na", "--role", "coordinator", "--as", "sysadmin"], environment: env)
        #expect(bySys.status != 0 && bySys.err.contains("无权"), "\(bySys.err)")
        let own = try CLI.run(["user", "grant", "secadmin", "--role", "cityAdmin", "--as", "secadmin"], environment: env)
        #expect(own.status != 0 && own.err.contains("不能给自己"), "\(own.err)")
        let granted = try CLI.run(["user", "grant", "li.na", "--role", "coordinator", "--as", "secadmin"], environment: env)
        #expect(granted.status == 0, "\(granted.err)")
        #expect(try CLI.run(["user", "list"], environment: env).out.contains("li.na\t社区（村）协理员\t"))
    }
}
