import Domain
import Foundation
import Logging
import NIOConcurrencyHelpers
import Plot
@testable import Store
import Testing
@testable import Web

/// The upload page's background imports, without a database: the work is a closure the test holds open.
@Suite struct ImportJobsTests {
    static let logger = Logger(label: "test.import-jobs")

    /// A job shows its rows while it runs and only to whoever started it; a second file of the same feed is
    /// refused until it ends (another feed is not); its temporary files are cleaned up when it ends.
    @Test func oneFilePerFeedAtATimeWithItsProgress() async throws {
        let jobs = ImportJobs()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let (started, begun) = AsyncStream<Void>.makeStream()
        let cleaned = NIOLockedValueBox(false)
        let id = try jobs.start(feed: "claims", file: "a.csv", username: "officer", logger: Self.logger, { progress in
            progress.rows(1_000)
            begun.yield()
            for await _ in gate {}
            return FeedImporter.Report(feed: "claims", file: "a.csv", fileHash: "h", rowsRead: 1_500)
        }, cleanUp: { cleaned.withLockedValue { $0 = true } })
        for await _ in started { break }
        // while it runs
        let running = try #require(jobs.job(id, for: "officer"))
        guard case .running(rows: 1_000) = running.state else { Issue.record("not running with its rows: \(running.state)"); return }
        #expect(running.isRunning && !cleaned.withLockedValue { $0 })
        #expect(jobs.job(id, for: "someone-else") == nil)
        #expect(throws: ImportJobs.Busy.self) {
            try jobs.start(feed: "claims", file: "b.csv", username: "officer", logger: Self.logger) { _ in Issue.record("a second file ran"); throw CancellationError() }
        }
        let other = try jobs.start(feed: "deaths", file: "c.csv", username: "officer", logger: Self.logger) { _ in
            FeedImporter.Report(feed: "deaths", file: "c.csv", fileHash: "k")
        }
        // act
        open.finish()
        await jobs.waitForAll()
        // check
        let done = try #require(jobs.job(id, for: "officer"))
        guard case .finished(let report) = done.state else { Issue.record("not finished: \(done.state)"); return }
        #expect(report.rowsRead == 1_500 && done.ended != nil && cleaned.withLockedValue { $0 })
        #expect(jobs.jobs(of: "officer").map(\.id) == [other, id])
        // the feed is free again
        _ = try jobs.start(feed: "claims", file: "b.csv", username: "officer", logger: Self.logger) { _ in
            throw FeedError.unreadable(file: "b.csv", reason: "文件为空")
        }
        await jobs.waitForAll()
        guard case .failed(let message) = jobs.jobs(of: "officer")[0].state else { Issue.record("a bad file did not fail"); return }
        #expect(message.contains("b.csv") && message.contains("文件为空"))
    }

    /// Once the file is committed the job says so while the screening it sets off runs.
    @Test func theJobSaysWhenTheFileIsIn() async throws {
        let jobs = ImportJobs()
        let (gate, open) = AsyncStream<Void>.makeStream()
        let (started, begun) = AsyncStream<Void>.makeStream()
        let id = try jobs.start(feed: "claims", file: "a.csv", username: "officer", logger: Self.logger) { progress in
            progress.rows(500)
            progress.committed()
            begun.yield()
            for await _ in gate {}
            return FeedImporter.Report(feed: "claims", file: "a.csv", fileHash: "h")
        }
        for await _ in started { break }
        // check
        let job = try #require(jobs.job(id, for: "officer"))
        guard case .screening(rows: 500) = job.state else { Issue.record("not screening: \(job.state)"); return }
        #expect(job.isRunning)
        open.finish()
        await jobs.waitForAll()
    }

    /// A server that stops cancels the imports, which roll back; their pages say the file was not imported.
    @Test func stoppingTheServerCancelsAndSaysSo() async throws {
        let jobs = ImportJobs()
        let (started, begun) = AsyncStream<Void>.makeStream()
        let id = try jobs.start(feed: "claims", file: "a.csv", username: "officer", logger: Self.logger) { _ in
            begun.yield()
            // Runs for an hour unless cancelled; an import checks between batches.
            try await Task.sleep(for: .seconds(3_600))
            Issue.record("ran on after being cancelled")
            return FeedImporter.Report(feed: "claims", file: "a.csv", fileHash: "h")
        }
        for await _ in started { break }
        // act
        await jobs.cancelAll()
        // check
        guard case .failed(let message) = try #require(jobs.job(id, for: "officer")).state else { Issue.record("not failed"); return }
        #expect(message.contains("撤销") && message.contains("未导入"))
    }

    /// When the screening an import set off failed, the report says the data is in and will be screened later,
    /// without the internal error (that goes to the log).
    @Test func theReportSaysWhenTheScreeningAfterItFailed() {
        var r = FeedImporter.Report(feed: "claims", file: "a.csv", fileHash: "h", rowsRead: 3)
        r.screeningError = "connection reset by peer"
        let html = ImportPage.report(r).render()
        #expect(html.contains("数据已入库，但随后的筛查未能完成") && !html.contains("connection reset"))
    }

    /// Finished jobs are kept up to a bound, the oldest forgotten first.
    @Test func onlyTheNewestFinishedJobsAreKept() async throws {
        let jobs = ImportJobs(keptFinished: 2)
        var ids: [UUID] = []
        for i in 0..<3 {
            ids.append(try jobs.start(feed: "claims", file: "\(i).csv", username: "officer", logger: Self.logger) { _ in
                FeedImporter.Report(feed: "claims", file: "\(i).csv", fileHash: "\(i)")
            })
            await jobs.waitForAll()
        }
        #expect(jobs.jobs(of: "officer").map(\.id) == [ids[2], ids[1]])
    }
}

/// A failed import is explained in plain words: nothing changed, and how to fix it (template, partial import,
/// Excel's formats, the command line for big files).
@Suite struct ImportFailurePageTests {
    @Test func aFailedImportSaysWhatToDo() {
        let job = ImportJobs.Job(id: UUID(), feed: "medical-insurance-claims", file: "结算.csv", username: "dataofficer", started: Date(), ended: Date(),
                                 state: .failed("文件 结算.csv 缺少列：结算单号"))
        let html = ImportPage.job(chrome: Layout.Chrome(user: nil, jurisdictionName: nil, csrf: nil, section: .imports), job: job, now: Date()).render()
        #expect(html.contains("原有的数据没有任何改动") && html.contains("缺少列：结算单号") && html.contains("怎么办"))
        #expect(html.contains(SiteURL.importTemplate(feed: "medical-insurance-claims").path))
        #expect(html.contains("部分导入") && html.contains("jiuzhu import --feed medical-insurance-claims"))
    }
}
