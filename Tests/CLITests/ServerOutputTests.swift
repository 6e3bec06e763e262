import Foundation
import Testing

/// A server's first lines (the demo's accounts, where it listens) reach its log while it runs, also when the
/// output is a pipe or a file, as under a service manager; `print` held them in its buffer until the end.
@Suite struct ServerOutputTests {
    @Test func theDemoSaysWhereItListensWhileServing() async throws {
        let binary = try #require(CrashSafetyTests.binary(), "the jiuzhu binary is built next to the tests")
        let path = NSTemporaryDirectory() + "jiuzhu-demo-output-\(UUID().uuidString).sqlite"
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let port = 20_000 + Int.random(in: 0..<20_000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["demo", "--households", "40", "--database", path, "--port", String(port)]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        let seen = Output()
        pipe.fileHandleForReading.readabilityHandler = { h in seen.append(h.availableData) }
        try p.run()
        let deadline = Date().addingTimeInterval(30)
        while !seen.text.contains("打开 http://127.0.0.1:\(port)/"), p.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        // What had arrived while it still ran: on stopping, a buffer is flushed anyway.
        let serving = p.isRunning, whileServing = seen.text
        p.terminate()
        p.waitUntilExit()
        pipe.fileHandleForReading.readabilityHandler = nil
        #expect(serving, "the demo stopped: \(seen.text)")
        #expect(whileServing.contains("演示账号") && whileServing.contains("打开 http://127.0.0.1:\(port)/"), "\(whileServing)")
    }

    final class Output: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        func append(_ d: Data) { lock.withLock { data.append(d) } }
        var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
    }
}
