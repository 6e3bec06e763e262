import Domain
import Foundation
import Store
import Vapor

/// Department files: the upload page and its history, an upload running after the reply, and its rejected rows.
struct FeedRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())

        staff.get(.imports) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.importData) else { throw DomainError.forbidden }
            let specs = try FeedCatalogue.bundled().values.sorted { $0.name < $1.name }
            let notice = req.query[String.self, at: "busy"].map { "同一数据接口的另一个文件（\($0)）正在导入，本次未开始。请等它完成后再上传。" }
            let paging = Paging(req, size: ImportPage.historyPageSize)
            let history = try await FeedImporter.history(req.db, actor: actor, offset: paging.offset, limit: paging.size)
            return Layout.response(ImportPage.view(chrome: try await Layout.chrome(req, .imports), specs: specs,
                                                   history: history.items, total: history.total, paging: paging,
                                                   jobs: req.application.importJobs.jobs(of: actor.username), notice: notice))
        }

        // A feed's template: its header row, as the file must have it.
        staff.get(.importTemplate) { req -> Response in
            guard try req.actor().may(.importData) else { throw DomainError.forbidden }
            guard let name = req.parameters.get("feed"), let spec = try FeedCatalogue.bundled()[name] else { throw Abort(.notFound) }
            return Layout.csvDownload(CSVFile.text(header: spec.columns.map(\.header) + (spec.kindColumn.map { [$0] } ?? []), rows: []), name: "\(spec.title)-模板.csv", asciiName: "\(spec.name)-template.csv")
        }

        // The import runs after the reply (`ImportJobs`); the officer is sent to the job's page.
        staff.post(.imports, maxBody: ImportPage.maxUpload) { req -> Response in
            let actor = try req.actor()
            guard actor.may(.importData) else { throw DomainError.forbidden }
            let upload = try req.content.decode(ImportPage.Upload.self)
            guard let spec = try FeedCatalogue.bundled()[upload.feed] else { throw Abort(.badRequest, reason: "未知的数据接口") }
            // The upload is written to a private temporary file under its own name, so messages name the file the officer chose.
            let dir = NSTemporaryDirectory() + "jiuzhu-upload-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let removeDir: @Sendable () -> Void = { try? FileManager.default.removeItem(atPath: dir) }
            let safeName = String(upload.file.filename.split(separator: "/").last ?? "upload.csv").replacingOccurrences(of: "..", with: "_")
            let name = safeName.isEmpty ? "upload.csv" : safeName
            let path = dir + "/" + name
            let (db, monitoring, partial) = (req.application.db, req.monitoring, upload.acceptPartial == "on")
            do {
                try Data(buffer: upload.file.data).write(to: URL(fileURLWithPath: path))
                let id = try req.application.importJobs.start(feed: spec.name, file: name, username: actor.username, logger: req.application.logger, { progress in
                    try await AfterCommit(db, monitoring: monitoring).importFile(FeedImporter(db, spec: spec, actor: actor), path: path, acceptPartial: partial,
                                                                                 progress: progress.rows, committed: progress.committed)
                }, cleanUp: removeDir)
                return req.redirect(to: SiteURL.importJob(id).path, redirectType: .normal)
            } catch {
                removeDir()
                guard let busy = error as? ImportJobs.Busy else { throw error }
                return req.redirect(to: SiteURL.imports.path(query: ["busy": busy.file]), redirectType: .normal)
            }
        }

        staff.get(.importJob) { req -> Response in
            let job = try Self.job(req)
            let res = Layout.response(ImportPage.job(chrome: try await Layout.chrome(req, .imports), job: job, now: Date()),
                                      status: { if case .failed = job.state { return .unprocessableEntity } else { return .ok } }())
            if job.isRunning { res.headers.replaceOrAdd(name: "Refresh", value: String(ImportPage.reloadSeconds)) }
            return res
        }
        // A partial import's rejected rows and why, to correct and send again.
        staff.get(.importRejects) { req -> Response in
            let job = try Self.job(req)
            guard case .finished(let report) = job.state, report.rejected > 0 else { throw Abort(.notFound, reason: "这次上传没有被拒绝的行") }
            return Layout.csvDownload(FeedImporter.rejectsCSV(report.issues), name: "\(job.file)-拒绝清单.csv", asciiName: "rejects.csv")
        }
    }

    /// The request's upload job, if it is the user's.
    static func job(_ req: Request) throws -> ImportJobs.Job {
        let actor = try req.actor()
        guard actor.may(.importData) else { throw DomainError.forbidden }
        guard let id = req.parameters.get("jobID").flatMap(UUID.init(uuidString:)),
              let job = req.application.importJobs.job(id, for: actor.username) else {
            throw Abort(.notFound, reason: "没有这次上传的记录（服务重启后，未完成的导入已整体撤销）。请在导入记录中查看文件是否已导入。")
        }
        return job
    }
}
