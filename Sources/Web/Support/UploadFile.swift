import Foundation
import Vapor

/// A request body written to a file as it arrives, never held whole in memory, and refused once it passes `max`
/// (413, with what was written removed). Writes run on the thread pool, off the event loop.
enum UploadFile {
    static func save(_ req: Request, to path: String, max: Int) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw Abort(.internalServerError, reason: "无法写入临时文件")
        }
        defer { try? handle.close() }
        var written = 0
        do {
            for try await chunk in req.body {
                written += chunk.readableBytes
                guard written <= max else {
                    throw Abort(.payloadTooLarge, reason: "上传的文件超过 \(max / 1_048_576) MB")
                }
                let bytes = Data(chunk.readableBytesView)
                try await req.application.threadPool.runIfActive { try handle.write(contentsOf: bytes) }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}
