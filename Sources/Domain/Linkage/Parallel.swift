import Dispatch

/// Runs independent pieces of work on every core and returns their results in order. Each piece writes
/// only its own slot of a buffer allocated up front, so no slot is shared between threads.
enum Parallel {
    static func map<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
        let slots = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        slots.initialize(repeating: nil)
        defer { slots.deallocate() }
        let box = Slots(base: slots)
        DispatchQueue.concurrentPerform(iterations: count) { i in box.base[i] = body(i) }
        return slots.map { $0! }
    }

    private struct Slots<T>: @unchecked Sendable {
        let base: UnsafeMutableBufferPointer<T?>
    }
}
