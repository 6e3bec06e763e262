import Foundation
import Testing
@testable import Domain

/// Counts live instances, to see that results are released once nobody holds them.
private final class Tracked: Sendable {
    static let live = Counter()
    let n: Int
    init(_ n: Int) { self.n = n; Self.live.add(1) }
    deinit { Self.live.add(-1) }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add(_ d: Int) { lock.withLock { value += d } }
    var current: Int { lock.withLock { value } }
}

@Suite struct ParallelTests {
    @Test func resultsInOrderAndReleasedAfterwards() throws {
        let before = Tracked.live.current
        do {
            let out = try Parallel.map(Array(0..<1_000)) { [Tracked($0)] }
            #expect(out.map { $0[0].n } == Array(0..<1_000))
            #expect(Tracked.live.current - before == 1_000)
        }
        // Nothing kept behind: a screening maps every batch, and kept results grew memory by the registry's size.
        #expect(Tracked.live.current == before)
    }

    @Test func theFirstErrorIsRethrown() {
        struct Boom: Error {}
        #expect(throws: Boom.self) { try Parallel.map(Array(0..<100)) { i -> Int in if i == 57 { throw Boom() }; return i } }
    }
}
