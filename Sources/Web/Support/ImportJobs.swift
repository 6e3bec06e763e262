import Domain
import Foundation
import Logging
import NIOConcurrencyHelpers
import Store
import Vapor

/// Uploaded files are imported here, after the page has answered. A file near the upload limit holds about a
/// million rows: half a minute's work and more with the screening it sets off, longer than a browser or a
/// proxy waits for a reply. The officer is sent to the job's page, which shows how many rows are done and
/// reloads itself until the report is there.
///
/// Jobs live in this process. If it stops, the import's transaction rolls back whole, the job is gone, and the
/// import history shows that the file was not imported: the officer uploads it again.
///
/// One import at a time per feed: two files of one feed touch the same natural keys, and the second would
/// only fail on them once the first commits.
final class ImportJobs: Sendable {
    enum State: Sendable {
        case running(rows: Int)
        /// The file is in the store; the screening it sets off runs before the report is ready.
        case screening(rows: Int)
        case finished(FeedImporter.Report)
        /// Why nothing was imported, for the officer.
        case failed(String)
    }

    struct Job: Sendable, Identifiable {
        let id: UUID
        let feed: String
        let file: String
        let username: String
        let started: Date
        var ended: Date?
        var state: State

        var isRunning: Bool { ended == nil }
    }

    struct Busy: Error {
        let file: String
    }

    /// What a running import tells its job.
    struct Progress: Sendable {
        /// Rows done so far.
        let rows: @Sendable (Int) -> Void
        /// The file is in the store; the screening starts.
        let committed: @Sendable () -> Void
    }

    /// Finished jobs kept for their pages; the oldest go first. The import history keeps every import.
    let keptFinished: Int
    private let jobs = NIOLockedValueBox<[UUID: Job]>([:])
    private let tasks = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])

    init(keptFinished: Int = 200) { self.keptFinished = keptFinished }

    /// Starts `work` and returns the job's id at once; throws `Busy` while another file of the same feed is
    /// being imported. `work` tells the job how far it has got. `cleanUp` runs when it ends, whatever happened.
    func start(feed: String, file: String, username: String, logger: Logger,
               _ work: @escaping @Sendable (_ progress: Progress) async throws -> FeedImporter.Report,
               cleanUp: @escaping @Sendable () -> Void = {}) throws -> UUID {
        let id = UUID()
        try jobs.withLockedValue { jobs in
            if let other = jobs.values.first(where: { $0.feed == feed && $0.isRunning }) { throw Busy(file: other.file) }
            jobs[id] = Job(id: id, feed: feed, file: file, username: username, started: Date(), state: .running(rows: 0))
        }
        // The task is registered under the same lock it is looked up with, so one that ends at once is still forgotten.
        tasks.withLockedValue { tasks in
            tasks[id] = Task {
                let state: State
                do {
                    let progress = Progress(rows: { rows in self.update(id) { $0.state = .running(rows: rows) } },
                                            committed: { self.update(id) { if case .running(let rows) = $0.state { $0.state = .screening(rows: rows) } } })
                    let report = try await work(progress)
                    if let e = report.screeningError { logger.error("import \(id) of \(file): the screening after it failed: \(e)") }
                    state = .finished(report)
                } catch let e as FeedError {
                    state = .failed(e.chinese)
                } catch is CancellationError {
                    logger.notice("import \(id) of \(file) interrupted: the server is stopping")
                    state = .failed("服务停止，本次导入已整体撤销，文件未导入。请重新上传。")
                } catch {
                    logger.error("import \(id) of \(file) failed: \(String(reflecting: error))")
                    state = .failed("导入失败（服务器内部错误，已记入日志），文件未导入，已存数据未受影响。")
                }
                cleanUp()
                self.update(id) { $0.state = state; $0.ended = Date() }
                self.forgetOldJobs()
                _ = self.tasks.withLockedValue { $0.removeValue(forKey: id) }
            }
        }
        return id
    }

    private func update(_ id: UUID, _ change: (inout Job) -> Void) {
        jobs.withLockedValue { jobs in
            guard var job = jobs[id] else { return }
            change(&job)
            jobs[id] = job
        }
    }

    private func forgetOldJobs() {
        jobs.withLockedValue { jobs in
            let finished = jobs.values.filter { !$0.isRunning }.sorted { $0.ended! > $1.ended! }
            for job in finished.dropFirst(keptFinished) { jobs[job.id] = nil }
        }
    }

    /// The job, only for the user who started it: what a file held is theirs to see.
    func job(_ id: UUID, for username: String) -> Job? {
        jobs.withLockedValue { $0[id] }.flatMap { $0.username == username ? $0 : nil }
    }

    /// The user's jobs, newest first.
    func jobs(of username: String) -> [Job] {
        jobs.withLockedValue { Array($0.values) }.filter { $0.username == username }.sorted { $0.started > $1.started }
    }

    /// Waits for every job started so far to end.
    func waitForAll() async {
        for task in tasks.withLockedValue({ Array($0.values) }) { await task.value }
    }

    /// The server is stopping: each import stops between batches and its transaction rolls back.
    func cancelAll() async {
        for task in tasks.withLockedValue({ Array($0.values) }) { task.cancel() }
        await waitForAll()
    }
}

extension ImportJobs: BackgroundWork {}

struct ImportJobsKey: StorageKey {
    typealias Value = ImportJobs
}
