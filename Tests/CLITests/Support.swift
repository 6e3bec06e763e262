import Domain
import FluentKit
import Store
import Foundation
import Testing

/// Runs the built `jiuzhu` binary to its end and collects what it wrote.
enum CLI {
    static func run(_ args: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let binary = try #require(CrashSafetyTests.binary(), "the jiuzhu binary is built next to the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Standard error is read on another thread, so that neither pipe fills up while the other is read.
        let errData = Collected()
        let reading = DispatchGroup()
        DispatchQueue.global().async(group: reading) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        reading.wait()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.data, as: UTF8.self))
    }

    final class Collected: @unchecked Sendable { var data = Data() }
}

extension CLI {
    /// A staff account for a command's `--as`, in a database the test prepared (its region and the region's
    /// ancestors are added if the registry does not have them yet).
    static func addUser(_ db: any Database, username: String, role: Role, region: RegionCode) async throws {
        let reference = try RegionReference.bundled()
        let chain = (region.ancestors + [region]).compactMap { reference[$0] }
        var missing: [Region] = []
        for r in chain where try await RegistryStore(db).region(r.code) == nil { missing.append(r) }
        try await RegistryWriter(db).insert(regions: missing)
        let system = Actor(userID: nil, username: "test", role: .cityAdmin, jurisdiction: region, origin: "test")
        try await UserStore(db).create(username: username, displayName: username, role: role, region: region, passwordHash: "x", createdBy: system)
    }
}
