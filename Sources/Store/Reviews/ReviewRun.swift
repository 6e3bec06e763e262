import Domain
import FluentKit
import Foundation
import SQLKit

// The daily run of the review schedule: a page of enrolments in force with what the cycles need to know of each
// household, read in bulk; the schedule decides (pure Domain code); the reviews due are written while the next
// page is read.
extension Reviews {
    /// Enrolments read per page of a run.
    static let page = 20_000

    /// Opens the reviews due (within the parameter's lead days) of the enrolments in force in `actor`'s
    /// jurisdiction, and first stops the enrolments whose gradual exit has ended. Running it twice opens nothing new.
    public func openDue(actor: Actor, today: LocalDate, now: Date = Date(), progress: @Sendable (Int, Int) -> Void = { _, _ in }) async throws -> ReviewRun {
        guard actor.may(.handleWarnings) else { throw DomainError.forbidden }
        var run = ReviewRun()
        run.exitsEnded = try await endGradualExits(actor: actor, today: today, now: now)
        let sql = db.sql
        let counted = candidates(actor: actor, select: "count(*) AS n", after: nil)
        let total = Int(try await BulkRead.rows(sql, Self.count, query: counted.text, counted.binds).first ?? 0)
        // PostgreSQL writes a page on one connection while the next is read on another; SQLite has one writer.
        let overlap = BulkJSON.isPostgres(sql)
        var leadByCounty: [RegionCode: Int] = [:]
        var cursor: UUID?
        var writing: Task<Int, any Error>?
        do {
            while true {
                var t = ContinuousClock.now
                let rows = try await candidatePage(sql, actor: actor, after: cursor)
                run.readSeconds += (ContinuousClock.now - t).seconds
                t = ContinuousClock.now
                guard let last = rows.last else { break }
                cursor = last.enrolment
                var inserts: [[BulkJSON.Value]] = []
                for r in rows {
                    let registered = try RegionCode(r.registered)
                    let subject = ReviewSubject(program: Program(rawValue: r.program) ?? .dibao, since: try LocalDate(r.since),
                                                lastReviewedOn: try r.lastReviewed.map { try LocalDate($0) }, ableToWorkOrIrregularIncome: r.able != 0,
                                                memberDiedOn: try r.died.map { try LocalDate($0) })
                    let lead = try leadDays(registered, today: today, cache: &leadByCounty)
                    guard let due = ReviewSchedule.opening(subject, cycles: cycles, on: today, leadDays: lead) else { continue }
                    inserts.append([.of(UUID()), .of(r.enrolment), .of(r.household), .text(r.program), .text(due.cycle.id), .text(due.dueOn.description),
                                    .text(r.residence), .text(registered.value)])
                }
                run.examined += rows.count
                run.decideSeconds += (ContinuousClock.now - t).seconds
                t = ContinuousClock.now
                // One write at a time, in order.
                if let w = writing { run.opened += try await w.value }
                writing = nil
                if !inserts.isEmpty {
                    let (page, db) = (inserts, self.db)
                    let task = Task { try await Self.write(page, db: db, actor: actor, today: today, now: now) }
                    if overlap { writing = task } else { run.opened += try await task.value }
                }
                run.writeSeconds += (ContinuousClock.now - t).seconds
                progress(run.examined, total)
                if rows.count < Self.page { break }
            }
            let t = ContinuousClock.now
            if let w = writing { run.opened += try await w.value }
            run.writeSeconds += (ContinuousClock.now - t).seconds
        } catch {
            // What was started is finished before the error goes up: the database holds whole pages only.
            _ = try? await writing?.value
            throw error
        }
        return run
    }

    /// The lead days of the region's county, resolved once per county.
    func leadDays(_ region: RegionCode, today: LocalDate, cache: inout [RegionCode: Int]) throws -> Int {
        let county = region.ancestor(at: .county) ?? region
        if let d = cache[county] { return d }
        guard case .integer(let d) = try parameters.resolve("periodicReviewLeadDays", region: county, date: today).value else {
            throw PolicyError.wrongType(name: "periodicReviewLeadDays", expected: "整数")
        }
        cache[county] = d
        return d
    }

    /// What the schedule needs of one enrolment in force.
    struct Candidate: Sendable {
        var enrolment: UUID
        var household: UUID
        var program: String
        var since: String
        var lastReviewed: String?
        var residence: String
        var registered: String
        /// 1 when a member is able to work and in the labour force, or has income that is not fixed [DB 31; DD].
        var able: Int64
        /// The latest death of a member on file.
        var died: String?

        static let shape = RowShape<Candidate>(
            columns: ["id", "household_id", "program", "since", "last_reviewed_on", "residence_region", "registered_region", "able", "died"],
            byName: { r in
                Candidate(enrolment: try r.uuid("id"), household: try r.uuid("household_id"), program: try r.text("program"), since: try r.text("since"),
                          lastReviewed: try r.optionalText("last_reviewed_on"), residence: try r.text("residence_region"),
                          registered: try r.text("registered_region"), able: try r.int64("able"), died: try r.optionalText("died"))
            },
            byPosition: { c in
                Candidate(enrolment: try c.uuid(), household: try c.uuid(), program: try c.text(), since: try c.text(), lastReviewed: try c.optionalText(),
                          residence: try c.text(), registered: try c.text(), able: try c.int64(), died: try c.optionalText())
            })
    }

    static let count = RowShape<Int64>(columns: ["n"], byName: { try $0.int64("n") }, byPosition: { try $0.int64() })

    /// A page of candidates after `cursor`, in the order of their IDs, read in bulk.
    func candidatePage(_ sql: any SQLDatabase, actor: Actor, after cursor: UUID?) async throws -> [Candidate] {
        func list(_ e: [Employment]) -> String { e.map { "'\($0.rawValue)'" }.joined(separator: ", ") }
        let able = "CAST(CASE WHEN EXISTS (SELECT 1 FROM members m WHERE m.household_id = e.household_id AND ((m.work_capacity = '\(WorkCapacity.full.rawValue)'"
            + " AND m.employment IN (\(list(ReviewTrigger.labourForce)))) OR m.employment IN (\(list(ReviewTrigger.irregularIncome))))) THEN 1 ELSE 0 END AS BIGINT)"
        let died = "(SELECT MAX(f.valid_from) FROM facts f WHERE f.household_id = e.household_id AND f.kind = '\(FactKind.death.rawValue)')"
        let q = candidates(actor: actor, select: "e.id, e.household_id, e.program, e.since, e.last_reviewed_on, h.residence_region, h.registered_region, "
                                                 + "\(able) AS able, \(died) AS died", after: cursor)
        return try await BulkRead.rows(sql, Candidate.shape, query: q.text + " ORDER BY e.id LIMIT \(Self.page)", q.binds)
    }

    /// The one definition of a candidate, for the count and the pages: an enrolment in force of a programme a cycle
    /// reviews, in the actor's jurisdiction (where the household lives or is registered), not in gradual exit, without
    /// an open review.
    func candidates(actor: Actor, select: String, after cursor: UUID?) -> (text: String, binds: [BulkRead.Bind]) {
        let living = Jurisdiction.condition(actor.jurisdiction, column: "h.residence_region", firstPlaceholder: 1)
        let registered = Jurisdiction.condition(actor.jurisdiction, column: "h.registered_region", firstPlaceholder: 3)
        var text = "SELECT \(select) FROM enrolments e JOIN households h ON h.id = e.household_id "
            + "WHERE e.status = '\(EnrolmentStatus.active.rawValue)' AND e.program IN (\(cycles.programs.map { "'\($0.rawValue)'" }.joined(separator: ", "))) "
            + "AND e.exit_ends_on IS NULL AND NOT EXISTS (SELECT 1 FROM reviews r WHERE r.enrolment_id = e.id AND r.status = '\(ReviewStatus.open.rawValue)') "
            + "AND ((\(living.text)) OR (\(registered.text)))"
        var binds = living.binds + registered.binds
        if let cursor {
            text += " AND e.id > $5"
            binds.append(.uuid(cursor))
        }
        return (text, binds)
    }

    /// One page's reviews, with one audit entry for them. On PostgreSQL by COPY; if a run at the same time opened
    /// some of them first (the one-open-review index refuses the COPY), again skipping those.
    static func write(_ rows: [[BulkJSON.Value]], db: any Database, actor: Actor, today: LocalDate, now: Date) async throws -> Int {
        typealias C = BulkJSON.Column
        let columns = [
            C(name: "id", source: .row(0), type: "uuid"), C(name: "enrolment_id", source: .row(1), type: "uuid"),
            C(name: "household_id", source: .row(2), type: "uuid"), C(name: "program", source: .row(3), type: "text"),
            C(name: "cycle", source: .row(4), type: "text"), C(name: "due_on", source: .row(5), type: "text"),
            C(name: "opened_on", source: .constant(.text(today.description)), type: "text"),
            C(name: "status", source: .constant(.text(ReviewStatus.open.rawValue)), type: "text"),
            C(name: "version", source: .constant(.int(1)), type: "integer"),
            C(name: "residence_region", source: .row(6), type: "text"), C(name: "registered_region", source: .row(7), type: "text"),
        ]
        func audited(_ insert: @escaping @Sendable (any SQLDatabase) async throws -> Void) async throws {
            try await db.writeTransaction { tx in
                try await insert(tx.sql)
                try await AuditLog(tx).record(actor: actor, action: .openReviews, targetKind: "region", targetID: actor.jurisdiction.value,
                                              detail: "生成定期核查任务 \(rows.count) 项", at: now)
            }
        }
        let skipping: @Sendable (any SQLDatabase) async throws -> Void = { sql in
            try await BulkJSON.insert(sql, into: "reviews", columns, rows: rows, skippingConflictsOn: [], insideTransaction: true)
        }
        guard BulkCopy.isAvailable(db.sql) else {
            try await audited(skipping)
            return rows.count
        }
        do {
            try await audited { sql in try await BulkCopy.copy(sql, into: "reviews", columns, rows: rows) }
        } catch {
            try await audited(skipping)
        }
        return rows.count
    }
}
