import FluentKit
import Foundation
import Testing

@testable import Store

/// The Store's layout holds what it promises: migrations one per file in order, one jurisdiction filter, no
/// capability calling up into another's orchestration, and files a reader can take in.
@Suite struct LayoutTests {
    static let store = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Store")

    static func swiftFiles() throws -> [(path: String, text: String)] {
        let e = try #require(FileManager.default.enumerator(atPath: store.path))
        return try e.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted()
            .map { ($0, try String(contentsOf: store.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func migrationsAreOnePerFileInOrderAndUniquelyNamed() throws {
        let names = StoreMigrations.all.map { $0.name }
        #expect(Set(names).count == names.count)
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.store.appendingPathComponent("Schema").path)
            .filter { $0.first?.isNumber == true }.sorted()
        // "07-CreateAuditEntry.swift": the seventh migration, named CreateAuditEntry.
        let numbered = files.map { f -> (Int, String) in
            let parts = f.dropLast(".swift".count).split(separator: "-", maxSplits: 1)
            return (Int(parts[0]) ?? -1, String(parts[1]))
        }
        #expect(numbered.map(\.0) == Array(1...names.count))
        #expect(numbered.map { "Store." + $0.1 } == names)
    }

    @Test func theJurisdictionFilterIsWrittenOnce() throws {
        let writers = try Self.swiftFiles().filter { $0.text.contains("subtreeRange") }.map(\.path)
        #expect(writers == ["Support/Jurisdiction.swift"])
    }

    @Test func storesDoNotCallUpIntoMonitoringOrFallBackToShippedFiles() throws {
        for (path, text) in try Self.swiftFiles() {
            if path.hasPrefix("Intake/") || path.hasPrefix("Registry/") {
                #expect(!text.contains("Monitor("), "\(path) starts a screening: that is AfterCommit's")
            }
            #expect(!text.contains("?? MonitoringSetup.bundled()"), "\(path)")
            #expect(!text.contains("DemoSettings.bundled()"), "\(path)")
        }
    }

    @Test func noFileGrowsPastFourHundredLinesWithoutSayingWhy() throws {
        for (path, text) in try Self.swiftFiles() where text.split(separator: "\n", omittingEmptySubsequences: false).count > 400 {
            #expect(text.contains("// Longer than 400 lines because"), "\(path)")
        }
    }

    /// Every module a target imports is declared in Package.swift for that target: an import that resolves only
    /// because another dependency drags it in breaks the day that dependency drops it.
    @Test func everyImportedModuleIsDeclaredInThePackage() throws {
        let root = Self.store.deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let always: Set<String> = ["Foundation", "FoundationXML", "Dispatch", "Testing", "PackageDescription"]
        // Each target's block runs from its `name:` to the next target.
        let blocks = manifest.split(separator: /\.(?:target|executableTarget|testTarget)\(/).dropFirst()
        var checked = 0
        for block in blocks {
            guard let name = block.firstMatch(of: /name: "([A-Za-z]+)"/)?.1 else { continue }
            let declared = Set(block.matches(of: /"([A-Za-z]+)"/).map { String($0.1) })
            let folder = root.appendingPathComponent(name.hasSuffix("Tests") ? "Tests" : "Sources").appendingPathComponent(String(name))
            guard let e = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let file as String in e where file.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for m in text.matches(of: /(?m)^(?:@testable |@preconcurrency )?import ([A-Za-z]+)/) {
                    let module = String(m.1)
                    #expect(always.contains(module) || declared.contains(module), "\(name)/\(file) imports \(module), which Package.swift does not declare for \(name)")
                }
                checked += 1
            }
        }
        #expect(checked > 100)
    }
}
