import Domain
import Foundation
import Store
import Testing

/// `jiuzhu keys`: the blind-index key printed to be kept, then the data key changed by the system administrator; the
/// database afterwards starts with the new key and its index key only.
@Suite struct KeysCommandTests {
    @Test func theDataKeyIsChangedAndTheIndexKeyKept() async throws {
        let dir = NSTemporaryDirectory() + "jiuzhu-cli-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (oldKey, newKey) = (Data(repeating: 21, count: 32).base64EncodedString(), Data(repeating: 22, count: 32).base64EncodedString())
        let base = ["JIUZHU_SQLITE_PATH": dir + "/db.sqlite", "DATABASE_URL": "", "JIUZHU_ACCOUNT_KEY": "", "JIUZHU_INDEX_KEY": ""]
        func env(_ extra: [String: String]) -> [String: String] { base.merging(extra) { _, new in new } }
        #expect(try CLI.run(["migrate"], environment: env(["JIUZHU_DATA_KEY": oldKey])).status == 0)
        let store = try StandaloneDatabase(.sqlite(path: dir + "/db.sqlite"))
        try await CLI.addUser(store.db, username: "sysadmin", role: .systemAdmin, region: try RegionCode("120100000000"))
        try await CLI.addUser(store.db, username: "clerk", role: .cityAdmin, region: try RegionCode("120100000000"))
        await store.shutdown()
        let printed = try CLI.run(["keys", "index-key"], environment: env(["JIUZHU_DATA_KEY": oldKey]))
        let indexKey = printed.out.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.status == 0 && Data(base64Encoded: indexKey)?.count == 32, "\(printed.err)")
        let oldFile = dir + "/old.key"
        try Data(oldKey.utf8).write(to: URL(fileURLWithPath: oldFile))
        let rotate = ["keys", "rotate", "--old-key-file", oldFile, "--as"]
        // Without the index key kept, every index would stop matching: refused, and the database keeps the old key.
        let unkept = try CLI.run(rotate + ["sysadmin"], environment: env(["JIUZHU_DATA_KEY": newKey]))
        #expect(unkept.status != 0 && unkept.err.contains("JIUZHU_INDEX_KEY"), "\(unkept.err)")
        let notAdmin = try CLI.run(rotate + ["clerk"], environment: env(["JIUZHU_DATA_KEY": newKey, "JIUZHU_INDEX_KEY": indexKey]))
        #expect(notAdmin.status != 0)
        #expect(try CLI.run(["user", "list"], environment: env(["JIUZHU_DATA_KEY": oldKey])).status == 0)
        let rotated = try CLI.run(rotate + ["sysadmin"], environment: env(["JIUZHU_DATA_KEY": newKey, "JIUZHU_INDEX_KEY": indexKey]))
        #expect(rotated.status == 0, "\(rotated.err)")
        // From now on: the new key with the kept index key; the old key, or the new one without its index key, is refused.
        #expect(try CLI.run(["user", "list"], environment: env(["JIUZHU_DATA_KEY": newKey, "JIUZHU_INDEX_KEY": indexKey])).status == 0)
        let old = try CLI.run(["user", "list"], environment: env(["JIUZHU_DATA_KEY": oldKey, "JIUZHU_INDEX_KEY": indexKey]))
        #expect(old.status != 0 && old.err.contains("JIUZHU_DATA_KEY"), "\(old.err)")
        let noIndex = try CLI.run(["user", "list"], environment: env(["JIUZHU_DATA_KEY": newKey]))
        #expect(noIndex.status != 0 && noIndex.err.contains("盲索引"), "\(noIndex.err)")
    }
}
