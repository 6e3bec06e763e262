import Domain
import Foundation
import Logging
import Vapor

/// Screenings started from a page run here, after the page has answered. A district's full screening takes
/// half a minute and a city's several minutes: longer than a browser or a proxy waits for a reply, and the
/// request held database connections of its event loop all that time. The page answers at once and the
/// screening records show how far the run has got (`Monitor` keeps the counts in the run's record).
///
/// One run at a time per area: a second run over the same households (a double click, a colleague in the
/// county while the city runs) would only repeat the work, so it is refused while the first runs.
actor ScreeningJobs {
    struct Overlap: Error {
        let running: RegionCode
    }

    private var running: [UUID: (region: RegionCode, task: Task<Void, Never>)] = [:]

    /// Starts `work` for `region` and returns at once; throws `Overlap` if a run covering any of the same
    /// households is still going. The run's errors are logged (and the run's record says it stopped).
    func start(_ id: UUID, region: RegionCode, logger: Logger, _ work: @escaping @Sendable () async throws -> Void) throws {
        try checkFree(region)
        let task = Task {
            do {
                try await work()
            } catch is CancellationError {
                logger.notice("screening \(id) of \(region.value) interrupted: the server is stopping")
            } catch {
                logger.error("screening \(id) of \(region.value) stopped: \(String(describing: error))")
            }
            self.finished(id)
        }
        running[id] = (region, task)
    }

    /// Runs `work` for `region` and waits for it (the API, whose client waits for the report), under the same rule:
    /// throws `Overlap` while another run covers any of the same households, and holds the area while it runs.
    func run<T: Sendable>(_ id: UUID, region: RegionCode, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try checkFree(region)
        let task = Task { try await work() }
        running[id] = (region, Task { _ = try? await task.value })
        defer { finished(id) }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    private func checkFree(_ region: RegionCode) throws {
        if let other = running.values.first(where: { $0.region.contains(region) || region.contains($0.region) }) {
            throw Overlap(running: other.region)
        }
    }

    private func finished(_ id: UUID) { running[id] = nil }

    var isIdle: Bool { running.isEmpty }

    /// Waits for every run started so far to end.
    func waitForAll() async {
        for (_, job) in running { await job.task.value }
    }

    /// The server is stopping: each run stops between batches and records that it was interrupted.
    func cancelAll() async {
        for (_, job) in running { job.task.cancel() }
        await waitForAll()
    }
}

/// Work that goes on after a page has answered (screenings, imports): stopped before the databases close under it.
protocol BackgroundWork: Sendable {
    func cancelAll() async
}

extension ScreeningJobs: BackgroundWork {}

struct ScreeningJobsKey: StorageKey {
    typealias Value = ScreeningJobs
}

/// Stops the runs of `Key`'s work when the server stops.
struct BackgroundWorkLifecycle<Key: StorageKey>: LifecycleHandler where Key.Value: BackgroundWork {
    func shutdownAsync(_ application: Application) async {
        await application.storage[Key.self]?.cancelAll()
    }
}

extension Application {
    /// Set up by `configure`.
    var screeningJobs: ScreeningJobs { storage[ScreeningJobsKey.self]! }
    var importJobs: ImportJobs { storage[ImportJobsKey.self]! }
}
