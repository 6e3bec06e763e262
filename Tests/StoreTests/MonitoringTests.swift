import Domain
import Foundation
import SQLKit
import Store
import Testing

/// From a department file to the warning inbox, for each kind of warning; idempotent screening; warnings
/// handled on unchanged facts are not raised again; payment holds after a death; the inbox's scope.
@Suite struct MonitoringTests {
    static let today = LocalDate(Date(), timeZone: .china)
    static func day(_ offset: Int) -> String { today.adding(days: offset).description }

    struct Person {
        var household: UUID
        var member: Member
        var region: RegionCode
    }

    static func sql(_ f: Fixture) -> any SQLDatabase { f.scratch.db as! any SQLDatabase }

    /// A working-age member of a household with no enrolment at all (or, `enrolled`, one to enrol in dibao ourselves).
    static func person(_ f: Fixture, skip: Int = 0, age: ClosedRange<Int> = 25...55) async throws -> Person {
        let rows = try await sql(f).raw("""
            SELECT m.id AS id, m.household_id AS household_id FROM members m
            WHERE NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = m.household_id)
              AND NOT EXISTS (SELECT 1 FROM warnings w WHERE w.household_id = m.household_id)
            ORDER BY m.id
            """).all()
        var skipped = 0
        for r in rows {
            let hid = try r.decode(column: "household_id", as: UUID.self)
            let p = try #require(try await RegistryStore(f.scratch.db).profile(Household.ID(hid), actor: f.system))
            guard let m = p.members.first(where: { $0.id.rawValue == (try? r.decode(column: "id", as: UUID.self)) }),
                  age.contains(m.birthDate.age(on: today)), m.disability == nil else { continue }
            if skipped < skip { skipped += 1; continue }
            return Person(household: hid, member: m, region: p.household.residenceRegion)
        }
        throw DomainError.notFound
    }

    static func enrol(_ f: Fixture, _ p: Person, _ program: Program, member: Bool = false) async throws {
        try await sql(f).insert(into: "enrolments")
            .columns("id", "household_id", "member_id", "residence_region", "program", "since", "monthly_amount_cents", "status")
            .values(SQLBind(UUID()), SQLBind(p.household), member ? SQLBind(p.member.id.rawValue) : SQLBind(nil as UUID?), SQLBind(p.region.value),
                    SQLBind(program.rawValue), SQLBind(day(-400)), SQLBind(Int64(90_000)), SQLBind(EnrolmentStatus.active.rawValue)).run()
    }

    static func importRows(_ f: Fixture, _ feed: String, header: String, _ lines: [String], at now: Date = Date()) async throws -> FeedImporter.Report {
        let path = try PersonLinkageTests.file("\(feed)-\(UUID().uuidString.prefix(6)).csv", header: header, lines)
        return try await AfterCommit(f.scratch.db, monitoring: try MonitoringSetup.bundled()).importFile(PersonLinkageTests.importer(f, feed), path: path, now: now)
    }

    static func warnings(_ f: Fixture, _ p: Person, actor: Actor? = nil) async throws -> [WarningSummary] {
        let a = actor ?? f.actor(.townshipOfficer, p.region.ancestor(at: .township)!)
        return try await WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled()).inbox(WarningFilter(limit: 500), actor: a, today: today).items
            .filter { $0.householdID == p.household }
    }

    static func monitor(_ f: Fixture) throws -> Monitor { Monitor(f.scratch.db, setup: try MonitoringSetup.bundled()) }

    // MARK: each kind, from the department file to the inbox


    /// A screening run inside a caller's transaction reads what that transaction wrote (a SQLite screening
    /// otherwise reads on connections of its own, which see only commits).
    @Test func aScreeningInsideATransactionSeesItsWrites() async throws {
        try await Fixture.with(households: 30) { f in
            let admin = f.actor(.cityAdmin, f.city.city.code)
            _ = try await Self.monitor(f).screen(region: f.city.city.code, actor: admin)
            // act: inside one transaction, the stored scores are spoiled and the households screened again
            try await f.scratch.db.transaction { tx in
                try await (tx as! any SQLDatabase).raw("UPDATE household_scores SET score = -1").run()
                _ = try await Monitor(tx, setup: try MonitoringSetup.bundled()).screen(region: f.city.city.code, actor: admin)
            }
            // check: the screening saw the spoiled scores and wrote them again
            let spoiled = try await (f.scratch.db as! any SQLDatabase).raw("SELECT count(*) AS n FROM household_scores WHERE score = -1").first()?
                .decode(column: "n", as: Int.self)
            #expect(spoiled == 0)
        }
    }
    @Test func hardshipFromAnUnemploymentRegistration() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            let report = try await Self.importRows(f, "hr-unemployment", header: "身份证号,姓名,登记日期,登记编号",
                                                   ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-3)),SY-T-1"])
            #expect(report.linked == 1)
            let screening = try #require(report.screening, "\(report.screeningError ?? "")")
            #expect(screening.households == 1 && screening.raised >= 1)
            let w = try await Self.warnings(f, p)
            let j01 = try #require(w.first { $0.indicator == "JZ-J01" })
            #expect(j01.kind == .hardship && j01.status == .new && j01.headMaskedID.contains("********"))
            #expect(j01.dueOn > Self.today)
        }
    }

    @Test func missedCoverageFromASevereDisabilityCertificate() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            _ = try await Self.importRows(f, "disabled-federation-certificates", header: "身份证号,姓名,残疾类别,残疾等级,发证日期,残疾人证号",
                                          ["\(p.member.nationalID.value),\(p.member.name),肢体残疾,一级,\(Self.day(-10)),CJ-T-1"])
            let w = try await Self.warnings(f, p)
            // The certificate updates the register's disability, so the calculator finds the care subsidy unclaimed.
            #expect(w.contains { $0.indicator == "JZ-D02" && $0.kind == .missedCoverage }, "\(w.map(\.indicator))")
            #expect(w.contains { $0.indicator == "JZ-D01" && $0.kind == .hardship })
        }
    }

    @Test func wrongCoverageFromAVehicleBoughtWhileEnrolled() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            try await Self.enrol(f, p, .dibao)
            _ = try await Self.importRows(f, "vehicles", header: "车主身份证号,车主,登记日期,车辆价值,号牌号码,车辆类型",
                                          ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-5)),98000.00,津A·T0001,小型轿车"])
            let w = try await Self.warnings(f, p)
            #expect(w.contains { $0.indicator == "JZ-A01" && $0.kind == .wrongCoverage && $0.severity == .high }, "\(w.map(\.indicator))")
        }
    }

    @Test func paidAfterDeathHoldsThePaymentAtOnce() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            try await Self.enrol(f, p, .disabilityLiving, member: true)
            let report = try await Self.importRows(f, "funeral-cremation", header: PersonLinkageTests.cremationHeader,
                                                   ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-2)),HH-T-1"])
            #expect(report.screening?.holds == 1)
            #expect(try await PersonLinkageTests.count(f, "payment_holds") == 1)
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'suspended'") == 1)
            let w = try await Self.warnings(f, p)
            let p01 = try #require(w.first { $0.indicator == "JZ-P01" })
            #expect(p01.kind == .paidAfterDeath && p01.severity == .critical)
            #expect(try await PersonLinkageTests.count(f, "audit_entries WHERE action = 'holdPayment'") == 1)
        }
    }

    /// A held payment is seen on the profile and released by the county with a reason (audited), which resumes
    /// the enrolment; a township officer may not, another county cannot see it, and it cannot be released twice.
    @Test func aHeldPaymentIsReleasedByTheCountyWithAReason() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            try await Self.enrol(f, p, .disabilityLiving, member: true)
            _ = try await Self.importRows(f, "funeral-cremation", header: PersonLinkageTests.cremationHeader,
                                          ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-2)),HH-T-2"])
            let county = f.actor(.countyReviewer, p.region.ancestor(at: .county)!)
            let store = PaymentHoldStore(f.scratch.db)
            let hold = try #require(try await store.holds(household: p.household, actor: county).first)
            #expect(!hold.isReleased && hold.program == .disabilityLiving && hold.memberID == p.member.id.rawValue)

            let elsewhere = try RegionCode(String(p.region.value.prefix(4)) + "99000000")
            #expect(try await store.holds(household: p.household, actor: f.actor(.countyReviewer, elsewhere)).isEmpty)
            #expect(try await store.release(hold.id, reason: "火化记录有误", actor: f.actor(.countyReviewer, elsewhere), today: Self.today) == false)
            await #expect(throws: DomainError.forbidden) {
                try await store.release(hold.id, reason: "火化记录有误", actor: f.actor(.townshipOfficer, p.region.ancestor(at: .township)!), today: Self.today)
            }
            await #expect(throws: PaymentHoldStore.ReleaseError.reasonRequired) {
                try await store.release(hold.id, reason: "  ", actor: county, today: Self.today)
            }
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'suspended'") == 1)

            #expect(try await store.release(hold.id, reason: "公安更正：火化记录身份证号录入错误", actor: county, today: Self.today))
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'suspended'") == 0)
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'active' AND status_changed_on = '\(Self.today)'") == 1)
            let released = try #require(try await store.holds(household: p.household, actor: county).first)
            #expect(released.isReleased && released.releasedBy == county.username && released.releaseReason == "公安更正：火化记录身份证号录入错误")
            let audit = try #require(try await Self.sql(f).select().column("detail").from("audit_entries").where("action", .equal, "releasePaymentHold").first())
            #expect(try audit.decode(column: "detail", as: String.self).contains("恢复发放"))
            await #expect(throws: PaymentHoldStore.ReleaseError.alreadyReleased) {
                try await store.release(hold.id, reason: "再次", actor: county, today: Self.today)
            }
            // The death record stays: releasing the payment is not deciding the person is alive.
            #expect(try await PersonLinkageTests.count(f, "facts WHERE kind = 'death'") >= 1)
            // The same death reacted to again (two reactions overlapping) does not put the released hold back.
            try await Self.sql(f).raw("UPDATE event_batches SET reacted_at = NULL").run()
            let again = try await Self.monitor(f).reactToEvents(actor: Monitor.systemActor(triggeredBy: county))
            #expect(again.households >= 1 && again.holds == 0)
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'suspended'") == 0)
            #expect(try await PersonLinkageTests.count(f, "audit_entries WHERE action = 'holdPayment'") == 1)
        }
    }

    @Test func duplicateAssistanceFromAnotherPlacesList() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            try await Self.enrol(f, p, .dibao)
            _ = try await Self.importRows(f, "civil-affairs-elsewhere", header: "身份证号,姓名,救助项目及发放地,起始日期,终止日期,名单编号",
                                          ["\(p.member.nationalID.value),\(p.member.name),最低生活保障（河北省廊坊市）,\(Self.day(-90)),,SJ-T-1"])
            let w = try await Self.warnings(f, p)
            #expect(w.contains { $0.indicator == "JZ-R02" && $0.kind == .duplicateAssistance }, "\(w.map(\.indicator))")
        }
    }

    // MARK: safety

    @Test func aFuzzyDeathHoldsNothingUntilConfirmed() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            try await Self.enrol(f, p, .disabilityLiving, member: true)
            let report = try await Self.importRows(f, "funeral-cremation", header: PersonLinkageTests.cremationHeader,
                                                   ["\(PersonLinkageTests.typo(p.member.nationalID)),\(p.member.name),\(Self.day(-2)),HH-T-2"])
            #expect(report.review == 1)
            #expect(try await PersonLinkageTests.count(f, "payment_holds") == 0)
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'suspended'") == 0)
            #expect(!(try await Self.warnings(f, p)).contains { $0.kind == .paidAfterDeath })

            let officer = f.actor(.townshipOfficer, p.region.ancestor(at: .township)!)
            let link = try #require(try await LinkReviewStore(f.scratch.db).queue(actor: officer).first)
            _ = try await AfterCommit(f.scratch.db, monitoring: try MonitoringSetup.bundled()).decideLink(link.id, confirm: true, actor: officer)
            #expect(try await PersonLinkageTests.count(f, "payment_holds") == 1)
            #expect(try await PersonLinkageTests.count(f, "enrolments WHERE status = 'suspended'") == 1)
            #expect((try await Self.warnings(f, p)).contains { $0.kind == .paidAfterDeath })
        }
    }

    // MARK: idempotency and re-raising

    @Test func screeningTwiceChangesNothingAndHandledFindingsStayQuiet() async throws {
        try await Fixture.with(households: 150) { f in
            let admin = f.actor(.cityAdmin, f.city.city.code)
            let first = try await Self.monitor(f).screen(region: f.city.city.code, actor: admin)
            #expect(first.households == 150 && first.raised > 0)
            let count = try await PersonLinkageTests.count(f, "warnings")
            // Scores are written when they change: a rerun on the same facts leaves every row as it was.
            try await Self.sql(f).raw("UPDATE household_scores SET screened_on = '2000-01-01'").run()
            let second = try await Self.monitor(f).screen(region: f.city.city.code, actor: admin)
            #expect(second.raised == 0 && second.updated == 0 && second.cleared == 0)
            #expect(try await PersonLinkageTests.count(f, "warnings") == count)
            #expect(try await PersonLinkageTests.count(f, "household_scores") == 150)
            #expect(try await PersonLinkageTests.count(f, "household_scores WHERE screened_on = '2000-01-01'") == 150)

            // Handle one with "no action": the next screening does not raise it again on the same facts.
            let p = try await Self.person(f, skip: 0)
            _ = try await Self.importRows(f, "hr-unemployment", header: "身份证号,姓名,登记日期,登记编号",
                                          ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-3)),SY-T-2"])
            let store = WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled())
            let officer = f.actor(.townshipOfficer, p.region.ancestor(at: .township)!)
            let w = try #require(try await Self.warnings(f, p).first { $0.indicator == "JZ-J01" })
            // The registration changed that household's score (and only that one's).
            #expect(try await PersonLinkageTests.count(f, "household_scores WHERE screened_on = '2000-01-01'") == 149)
            let rescored = try await Self.sql(f).select().column("screened_on").from("household_scores").where("household_id", .equal, p.household).first()
            #expect(try rescored?.decode(column: "screened_on", as: String.self) == Self.today.description)
            #expect(try await store.act(w.id, .dispose(.noAction, reason: "已再就业"), actor: officer, today: Self.today) == .disposed)
            #expect(try await store.act(w.id, .close, actor: officer, today: Self.today) == .closed)
            let third = try await Self.monitor(f).screen(region: f.city.city.code, actor: admin)
            #expect(third.raised == 0 && third.suppressed >= 1)
            #expect(try await Self.warnings(f, p).filter { $0.indicator == "JZ-J01" }.count == 1)

            // The facts change (a second registration): raised again, as a new warning.
            _ = try await Self.importRows(f, "hr-unemployment", header: "身份证号,姓名,登记日期,登记编号",
                                          ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-1)),SY-T-3"])
            let again = try await Self.warnings(f, p).filter { $0.indicator == "JZ-J01" }
            #expect(again.count == 2 && again.contains { $0.status == .new })
            // The same file again is recognised and raises nothing more.
            let repeated = try await Self.importRows(f, "hr-unemployment", header: "身份证号,姓名,登记日期,登记编号",
                                                     ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-1)),SY-T-3"])
            #expect(repeated.alreadyImported && repeated.screening?.raised ?? 0 == 0)
            #expect(try await Self.warnings(f, p).filter { $0.indicator == "JZ-J01" }.count == 2)
        }
    }

    /// Two officers import at once: the import that began first (its events stamped earlier) commits after the
    /// other has committed and been reacted to. Its households are still re-screened — a watermark on the
    /// stamps, moved on by the later-stamped import's reaction, skipped them — and a reaction after that finds
    /// nothing left to do.
    @Test func anImportCommittedAfterALaterStampedOneIsStillReactedTo() async throws {
        try await Fixture.with(households: 120) { f in
            let first = try await Self.person(f, skip: 0)
            var skip = 1, second = try await Self.person(f, skip: skip)
            while second.household == first.household { skip += 1; second = try await Self.person(f, skip: skip) }
            let header = "身份证号,姓名,登记日期,登记编号"
            let later = try await Self.importRows(f, "hr-unemployment", header: header,
                                                  ["\(second.member.nationalID.value),\(second.member.name),\(Self.day(-3)),SY-R-2"])
            #expect(later.screening?.households == 1)
            let earlier = try await Self.importRows(f, "hr-unemployment", header: header,
                                                    ["\(first.member.nationalID.value),\(first.member.name),\(Self.day(-3)),SY-R-1"],
                                                    at: Date().addingTimeInterval(-60))
            #expect(earlier.screening?.households == 1, "\(earlier.screeningError ?? "")")
            #expect(try await Self.warnings(f, first).contains { $0.indicator == "JZ-J01" })
            #expect(try await Self.warnings(f, second).contains { $0.indicator == "JZ-J01" })
            let again = try await Self.monitor(f).reactToEvents(actor: Monitor.systemActor(triggeredBy: f.system))
            #expect(again.households == 0)
            #expect(try await PersonLinkageTests.count(f, "event_batches WHERE reacted_at IS NULL") == 0)
        }
    }

    /// PostgreSQL's JIT compiled each batch's read anew (its 2,000-key lookups are costed above the threshold)
    /// for no gain: the store's connections turn it off.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DATABASE_URL"] != nil))
    func storeConnectionsDoNotJITCompileQueries() async throws {
        let scratch = try await ScratchDatabase.make(label: "jit")
        let setting: String?
        do {
            setting = try await (scratch.db as! any SQLDatabase).raw("SHOW jit").first()?.decode(column: "jit", as: String.self)
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
        #expect(setting == "off")
    }

    /// Many small batches (several read ahead, writes overlapping on PostgreSQL) give exactly what one batch gives.
    @Test func manyBatchesScreenEveryHouseholdOnce() async throws {
        try await Fixture.with(households: 150) { f in
            let admin = f.actor(.cityAdmin, f.city.city.code)
            let small = try await Monitor(f.scratch.db, setup: try MonitoringSetup.bundled(), batchSize: 7).screen(region: f.city.city.code, actor: admin)
            #expect(small.households == 150 && small.raised > 0)
            #expect(try await PersonLinkageTests.count(f, "household_scores") == 150)
            #expect(try await PersonLinkageTests.count(f, "warnings") == small.raised)
            let whole = try await Self.monitor(f).screen(region: f.city.city.code, actor: admin)
            #expect(whole.households == 150)
            #expect(whole.raised == 0 && whole.updated == 0 && whole.cleared == 0, "one batch finds nothing the small batches missed or got wrong")
        }
    }

    /// A run keeps its counts in its record as it goes (a page shows how far it has got); one stopped part-way
    /// (the server stopping cancels it) says so and keeps what its finished batches wrote; running again completes it.
    @Test func aRunRecordsItsProgressAndAStoppedRunSaysSo() async throws {
        try await Fixture.with(households: 150) { f in
            let admin = f.actor(.cityAdmin, f.city.city.code)
            let setup = try MonitoringSetup.bundled()
            let store = WarningStore(f.scratch.db, setup: setup)
            let id = UUID()
            // Batches of 7; the run is cancelled once 12 batches (84 households) are done.
            let stopped = await Task {
                try await Monitor(f.scratch.db, setup: setup, batchSize: 7).screen(region: f.city.city.code, actor: admin, id: id) { done, _ in
                    if done >= 84 { withUnsafeCurrentTask { $0?.cancel() } }
                }
            }.result
            #expect(throws: CancellationError.self) { try stopped.get() }
            let record = try #require(try await store.screenings(actor: admin).first { $0.id == id })
            #expect(record.finishedAt == nil && record.failure?.contains("已中断") == true && !record.isUnfinished)
            // Counts are recorded every ten batches: 70 households when it stopped after the twelfth.
            #expect(record.planned == 150 && record.households == 7 * Monitor.progressRecordEvery)
            #expect(try await PersonLinkageTests.count(f, "household_scores") == 84, "the finished batches' work stands")

            let again = try await Monitor(f.scratch.db, setup: setup, batchSize: 7).screen(region: f.city.city.code, actor: admin)
            let done = try #require(try await store.screenings(actor: admin).first { $0.id == again.id })
            #expect(done.finishedAt != nil && done.failure == nil && done.planned == 150 && done.households == 150 && !done.isUnfinished)
            #expect(try await PersonLinkageTests.count(f, "household_scores") == 150)
        }
    }

    @Test func anOpenWarningIsUpdatedNotDuplicated() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            try await Self.enrol(f, p, .dibao)
            let header = "车主身份证号,车主,登记日期,车辆价值,号牌号码,车辆类型"
            _ = try await Self.importRows(f, "vehicles", header: header, ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-5)),98000.00,津A·T0002,小型轿车"])
            _ = try await Self.importRows(f, "vehicles", header: header, ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-5)),99000.00,津A·T0002,小型轿车"])
            let w = try await Self.warnings(f, p).filter { $0.indicator == "JZ-A01" }
            #expect(w.count == 1)
            let detail = try #require(try await WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled())
                .detail(w[0].id, actor: f.actor(.townshipOfficer, p.region.ancestor(at: .township)!), today: Self.today, catalogue: try IndicatorCatalogue.bundled()))
            #expect(detail.evidence.contains { $0.text.contains("¥99,000.00") && $0.department == .vehicles })
            #expect(detail.indicator?.basis.contains("DB 14") == true)
        }
    }

    // MARK: scope and workflow

    @Test func aCoordinatorSeesOnlyTheirCommunity() async throws {
        try await Fixture.with(households: 200) { f in
            let admin = f.actor(.cityAdmin, f.city.city.code)
            _ = try await Self.monitor(f).screen(region: f.city.city.code, actor: admin)
            let store = WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled())
            let all = try await store.inbox(WarningFilter(limit: 1_000), actor: admin, today: Self.today).items
            let community = try #require(all.first.flatMap { try? RegionCode($0.residenceRegion) })
            let coordinator = f.actor(.coordinator, community)
            let mine = try await store.inbox(WarningFilter(limit: 1_000), actor: coordinator, today: Self.today)
            #expect(mine.total == all.filter { $0.residenceRegion == community.value }.count && mine.total > 0)
            #expect(mine.items.allSatisfy { $0.residenceRegion == community.value })
            let elsewhere = try #require(all.first { $0.residenceRegion != community.value })
            #expect(try await store.detail(elsewhere.id, actor: coordinator, today: Self.today, catalogue: try IndicatorCatalogue.bundled()) == nil)
            // A coordinator verifies at home but does not dispose of warnings.
            await #expect(throws: DomainError.forbidden) { _ = try await store.act(mine.items[0].id, .close, actor: coordinator, today: Self.today) }
            // A data officer sees no warnings at all.
            await #expect(throws: DomainError.forbidden) { _ = try await store.inbox(WarningFilter(), actor: f.actor(.dataOfficer, f.city.city.code), today: Self.today) }
        }
    }

    @Test func verificationCreatesAHomeVisitForTheCommunity() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            _ = try await Self.importRows(f, "hr-unemployment", header: "身份证号,姓名,登记日期,登记编号",
                                          ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-3)),SY-T-4"])
            let store = WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled())
            let officer = f.actor(.townshipOfficer, p.region.ancestor(at: .township)!)
            let w = try #require(try await Self.warnings(f, p).first { $0.indicator == "JZ-J01" })
            #expect(try await store.act(w.id, .assign(to: "王社工"), actor: officer, today: Self.today) == .assigned)
            #expect(try await store.act(w.id, .startVerification, actor: officer, today: Self.today) == .verifying)
            let coordinator = f.actor(.coordinator, p.region)
            let visits = try await store.openVisits(actor: coordinator)
            #expect(visits.count == 1 && visits[0].warningID == w.id)
            // The visit's deadline is the catalogue's, on the working calendar.
            #expect(visits[0].dueOn == WarningWorkflow.dueDate(raised: Self.today, workingDays: try IndicatorCatalogue.bundled().verificationWorkingDays,
                                                                calendar: try WorkingCalendar.bundled()))
            #expect(try await store.openVisits(actor: f.actor(.coordinator, try RegionCode(String(p.region.value.prefix(9)) + "999"))).isEmpty)
            #expect(try await store.completeVisit(visits[0].id, findings: "已入户，失业属实，家庭无其他收入", actor: coordinator))
            #expect(!(try await store.completeVisit(visits[0].id, findings: "again", actor: coordinator)))
            await #expect(throws: WarningActionError.workflow(.reasonRequired)) {
                _ = try await store.act(w.id, .dispose(.enrol, reason: ""), actor: officer, today: Self.today)
            }
            #expect(try await store.act(w.id, .dispose(.enrol, reason: "符合低保条件，启动申请"), actor: officer, today: Self.today) == .disposed)
            let detail = try #require(try await store.detail(w.id, actor: officer, today: Self.today, catalogue: try IndicatorCatalogue.bundled()))
            #expect(detail.actions.map(\.action) == ["assign", "verify", "visit", "dispose"])
            #expect(detail.outcome == .enrol && detail.visits.first?.findings?.contains("失业属实") == true)
            #expect(try await PersonLinkageTests.count(f, "audit_entries WHERE action IN ('handleWarning','recordVisit','readWarning')") == 5)
        }
    }

    @Test func tuningIsAuditedAndTakesEffectOnTheNextScreening() async throws {
        try await Fixture.with(households: 120) { f in
            let p = try await Self.person(f)
            _ = try await Self.importRows(f, "disabled-federation-certificates", header: "身份证号,姓名,残疾类别,残疾等级,发证日期,残疾人证号",
                                          ["\(p.member.nationalID.value),\(p.member.name),肢体残疾,二级,\(Self.day(-10)),CJ-T-9"])
            func contributions() async throws -> String {
                try await Self.sql(f).select().column("contributions").from("household_scores").where("household_id", .equal, p.household).first()!
                    .decode(column: "contributions", as: String.self)
            }
            #expect(try await contributions().contains("JZ-D01"))
            let catalogue = try IndicatorCatalogue.bundled()
            let officer = f.actor(.townshipOfficer, p.region.ancestor(at: .township)!)
            await #expect(throws: DomainError.forbidden) {
                try await IndicatorTuningStore(f.scratch.db).tune("JZ-D01", to: .init(points: 1), catalogue: catalogue, actor: officer)
            }
            await #expect(throws: DomainError.self) {
                try await IndicatorTuningStore(f.scratch.db).tune("JZ-NOPE", to: .init(points: 1), catalogue: catalogue, actor: f.system)
            }
            // The city stops scoring a new severe-disability certificate (the federation already counts in its own indicator).
            let d01 = try #require(catalogue[code: "JZ-D01"])
            try await IndicatorTuningStore(f.scratch.db).tune("JZ-D01", to: .init(points: 0, severity: .high, deadlineWorkingDays: 3),
                                                              catalogue: catalogue, actor: f.system)
            #expect(try await PersonLinkageTests.count(f, "audit_entries WHERE action = 'tuneIndicators'") == 1)
            let detail = try await Self.sql(f).select().column("detail").from("audit_entries").where("action", .equal, "tuneIndicators").first()!
                .decode(column: "detail", as: String.self)
            #expect(detail.contains("分值 \(d01.points)→0") && detail.contains("处置时限 \(d01.deadlineWorkingDays)→3"))
            _ = try await Self.monitor(f).screen(region: f.city.city.code, actor: f.system)
            #expect(!(try await contributions().contains("JZ-D01")), "the next screening uses the tuned weight")
        }
    }

    @Test func theRegistrationPlaceIsInformedButDoesNotHandle() async throws {
        try await Fixture.with(households: 120) { f in
            // A household registered in one street that lives in another (apply-anywhere).
            let p = try await Self.person(f)
            let all = try await Self.sql(f).select().distinct().column("residence_region").from("households").all()
                .map { try RegionCode(try $0.decode(column: "residence_region", as: String.self)) }
            let home = try #require(p.region.ancestor(at: .township))
            let elsewhere = try #require(all.first { !home.contains($0) })
            try await Self.sql(f).update("households").set("residence_region", to: elsewhere.value).set("registered_region", to: p.region.value)
                .where("id", .equal, p.household).run()
            try await Self.sql(f).update("members").set("residence_region", to: elsewhere.value).where("household_id", .equal, p.household).run()
            _ = try await Self.importRows(f, "hr-unemployment", header: "身份证号,姓名,登记日期,登记编号",
                                          ["\(p.member.nationalID.value),\(p.member.name),\(Self.day(-3)),SY-T-7"])
            let store = WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled())
            let registrationOfficer = f.actor(.townshipOfficer, home)
            let residenceOfficer = f.actor(.townshipOfficer, try #require(elsewhere.ancestor(at: .township)))
            // Routed to where the household lives …
            let here = try await store.inbox(WarningFilter(limit: 500), actor: residenceOfficer, today: Self.today).items.filter { $0.householdID == p.household }
            #expect(here.contains { $0.indicator == "JZ-J01" && !$0.forInformation })
            // … and shown, for information, where it is registered, only when asked for.
            let plain = try await store.inbox(WarningFilter(limit: 500), actor: registrationOfficer, today: Self.today).items
            #expect(!plain.contains { $0.householdID == p.household })
            let informed = try await store.inbox(WarningFilter(includeRegistered: true, limit: 500), actor: registrationOfficer, today: Self.today).items
            let w = try #require(informed.first { $0.householdID == p.household && $0.indicator == "JZ-J01" })
            #expect(w.forInformation)
            let detail = try #require(try await store.detail(w.id, actor: registrationOfficer, today: Self.today, catalogue: try IndicatorCatalogue.bundled()))
            #expect(!detail.mayAct)
            #expect(try await store.act(w.id, .assign(to: "户籍地经办人"), actor: registrationOfficer, today: Self.today) == nil)
            #expect(try await store.act(w.id, .assign(to: "居住地经办人"), actor: residenceOfficer, today: Self.today) == .assigned)
        }
    }
}
