import Foundation
import Testing
@testable import Domain

/// The status-page QR code, read back by a standard reader (zbarimg, from Debian's zbar-tools, installed by CI).
@Suite struct QRCodeTests {
    static let reader = "/usr/bin/zbarimg"

    static func decode(_ code: QRCode) throws -> String? {
        let dir = NSTemporaryDirectory() + "jiuzhu-qr-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/code.pbm"
        try Data(code.pbm().utf8).write(to: URL(fileURLWithPath: path))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: reader)
        p.arguments = ["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines) : nil
    }

    /// CI installs the reader (.ci/run); a machine without it says so rather than passing silently.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: reader) || ProcessInfo.processInfo.environment["CI_REQUIRES_QR_READER"] != nil), arguments: [
        "A",
        "http://127.0.0.1:8080/status/0123456789abcdef0123456789abcdef",
        "https://jiuzhu.example.gov.cn/status/fedcba9876543210fedcba9876543210",
        "申请进度查询 DB-2612-7K3QX2M8",
        String(repeating: "x", count: 150),
    ])
    func aStandardReaderReadsWhatItDraws(text: String) throws {
        let code = try QRCode(text)
        #expect(try Self.decode(code) == text)
    }

    @Test func theVersionGrowsWithTheTextAndALongTextIsRefused() throws {
        #expect(try QRCode("A").size == 21)
        #expect(try QRCode(String(repeating: "x", count: 100)).size > 21)
        #expect(throws: QRCode.Failure.self) { try QRCode(String(repeating: "x", count: 400)) }
        let svg = try QRCode("hello").svg()
        #expect(svg.hasPrefix("<svg") && svg.contains("viewBox"))
    }
}
