import Dispatch
import Foundation

/// Runs independent pieces of work on every core and returns their results in order. Each piece writes
/// only its own slot of a buffer allocated up front, so no slot is shared between threads.
public enum Parallel {
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        // The slots hold the results until they are copied out: they must be deinitialised (released)
        // before the memory goes, or every result leaks. It did, a batch of screened households at a time.
        defer {
            _ = slots.deinitialize()
            slots.deallocate()
        }
        let box = Slots(base: slots)
        DispatchQueue.concurrentPerform(iterations: count) { i in box.base[i] = body(i) }
        return slots.map { $0! }
    }

    /// `body` over every item, the items split into one run per core; the first error is rethrown.
    public static func map<T: Sendable, U: Sendable>(_ items: [T], _ body: @Sendable (T) throws -> U) throws -> [U] {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard items.count > 16, cores > 1 else { return try items.map(body) }
        let size = (items.count + cores - 1) / cores
        let chunks = map((items.count + size - 1) / size) { c -> Result<[U], any Error> in
            Result { try items[(c * size)..<min(items.count, (c + 1) * size)].map(body) }
        }
        return try chunks.flatMap { try $0.get() }
    }

    private struct Slots<T>: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<T?>
    }
}
