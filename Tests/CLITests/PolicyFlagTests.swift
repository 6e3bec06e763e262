import Foundation
import Testing

/// The commands use the policy parameters the installation names (`JIUZHU_POLICY_FILES`) or the command is given
/// (`--policy FILE`, repeatable), as the server does; before, `assess` and `simulate` always used the shipped files.
@Suite struct PolicyFlagTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func output(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String) {
        let r = try CLI.run(args, environment: environment)
        return (r.status, r.out)
    }

    @Test func assessUsesTheNamedParameterFiles() throws {
        // setup: the demo city's parameters with its 2024 dibao standard doubled
        let policy = Self.root.appendingPathComponent("Sources/Domain/Resources/policy")
        let national = policy.appendingPathComponent("national.json").path
        let demo = try String(contentsOf: policy.appendingPathComponent("tianjin-demo.json"), encoding: .utf8)
        #expect(demo.contains("\"dibaoStandard\": { \"yuan\": \"1170.00\" }"))
        let dir = NSTemporaryDirectory() + "jiuzhu-policy-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let changed = dir + "/city.json"
        try demo.replacingOccurrences(of: "\"dibaoStandard\": { \"yuan\": \"1170.00\" }", with: "\"dibaoStandard\": { \"yuan\": \"2340.00\" }")
            .write(toFile: changed, atomically: true, encoding: .utf8)
        let household = Self.root.appendingPathComponent("docs/examples/elderly-alone.json").path
        // act
        let shipped = try Self.output(["assess", household, "--no-explain"], environment: ["JIUZHU_POLICY_FILES": ""])
        let flagged = try Self.output(["assess", household, "--no-explain", "--policy", national, "--policy", changed])
        let configured = try Self.output(["assess", household, "--no-explain"], environment: ["JIUZHU_POLICY_FILES": "\(national),\(changed)"])
        // check
        #expect(shipped.status == 0 && shipped.out.contains("低保标准 ¥1,170.00"), "\(shipped.out)")
        #expect(flagged.status == 0 && flagged.out.contains("低保标准 ¥2,340.00"), "\(flagged.out)")
        #expect(configured.status == 0 && configured.out.contains("低保标准 ¥2,340.00"), "\(configured.out)")
    }
}
