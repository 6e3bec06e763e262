import Domain
import FluentKit
import Foundation
import SQLKit

// The screening records: a run's start, progress and end.
extension Monitor {
    func begin(_ r: ScreeningReport, actor: Actor, at: Date, planned: Int) async throws {
        try await db.serialisingWrites {
            try await sql.insert(into: "screenings")
                .columns("id", "mode", "region", "started_at", "username", "households", "raised", "updated", "suppressed", "cleared", "holds", "planned")
                .values(SQLBind(r.id), SQLBind(r.mode.rawValue), SQLBind(r.region), SQLBind(Timestamp.text(at)), SQLBind(actor.username),
                        SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(0), SQLBind(planned)).run()
        }
    }

    /// The counts so far; with `finished`, the run's end too.
    func record(_ r: ScreeningReport, finished: Bool) async throws {
        var u = sql.update("screenings").set("households", to: r.households)
            .set("raised", to: r.raised).set("updated", to: r.updated).set("suppressed", to: r.suppressed).set("cleared", to: r.cleared)
            .set("holds", to: r.holds)
        if finished { u = u.set("finished_at", to: Timestamp.text(now())) }
        try await db.serialisingWrites { try await u.where("id", .equal, r.id).run() }
    }

    func finish(_ r: ScreeningReport) async throws { try await record(r, finished: true) }

    /// A run that stops part-way (cancelled when the server stops, or a database error) says so in its record,
    /// so the screening records do not show it as still running. What it wrote before stopping stands: each
    /// batch is whole, and running the screening again completes it.
    func recordingFailure(of r: ScreeningReport, _ work: () async throws -> Void) async throws {
        do {
            try await work()
        } catch {
            let reason = error is CancellationError ? "已中断（服务停止或被取消）" : String(String(describing: error).prefix(500))
            try? await db.serialisingWrites { try await sql.update("screenings").set("failure", to: reason).where("id", .equal, r.id).run() }
            throw error
        }
    }

}
