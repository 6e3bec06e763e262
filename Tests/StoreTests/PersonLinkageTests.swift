import Domain
import Foundation
import SQLKit
import Store
import Testing

/// Probabilistic linkage inside an import, the review queue, and the safety rule: a death (or anything
/// that could stop or reduce a benefit) only follows an exact ID or a link a human confirmed.
@Suite struct PersonLinkageTests {
    static func file(_ name: String, header: String, _ lines: [String]) throws -> String {
        let dir = NSTemporaryDirectory() + "jiuzhu-link-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try Data(([header] + lines).joined(separator: "\n").appending("\n").utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func importer(_ f: Fixture, _ feed: String) throws -> FeedImporter {
        FeedImporter(f.scratch.db, spec: try #require(try FeedCatalogue.bundled()[feed]), actor: f.actor(.dataOfficer, f.city.city.code))
    }

    /// The ID with one of its serial digits mistyped: the check character no longer fits.
    static func typo(_ id: NationalID) -> String {
        var c = Array(id.value)
        c[15] = c[15] == "0" ? "1" : "0"
        return String(c)
    }

    static func count(_ f: Fixture, _ sql: String) async throws -> Int {
        try await (f.scratch.db as! any SQLDatabase).raw("SELECT count(*) AS n FROM \(unsafeRaw: sql)").first()!.decode(column: "n", as: Int.self)
    }

    static func deaths(_ f: Fixture, _ member: Member) async throws -> Int {
        try await (f.scratch.db as! any SQLDatabase).select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("facts").where("kind", .equal, "death").where("feed", .isNot, SQLLiteral.null).where("member_id", .equal, member.id.rawValue)
            .first()!.decode(column: "n", as: Int.self)
    }

    static func deathEvents(_ f: Fixture) async throws -> Int { try await count(f, "events WHERE kind = 'death'") }

    static let cremationHeader = "逝者身份证号,逝者姓名,火化日期,火化证编号"

    @Test func aProbableDeathWaitsForAHumanAndAnExactOneDoesNot() async throws {
        try await Fixture.with(households: 60) { f in
            let people = Array(f.city.households(count: 60)).flatMap(\.members)
            let (fuzzy, exact) = (people[0], people[7])
            let path = try Self.file("cremations.csv", header: Self.cremationHeader, [
                "\(Self.typo(fuzzy.nationalID)),\(fuzzy.name),2026-11-01,HH-1",
                "\(exact.nationalID.value),\(exact.name),2026-11-02,HH-2",
            ])
            // act
            let report = try await Self.importer(f, "funeral-cremation").run(path: path)
            // check: the exact ID is applied at once; the one-digit-off ID, though a near-certain match, waits
            #expect(report.linked == 1 && report.unmatched == 1 && report.review == 1 && report.probablyLinked == 0)
            #expect(report.idIssues.first?.row == 2 && report.idIssues.first?.column == "逝者身份证号")
            #expect(try await Self.deaths(f, exact) == 1)
            #expect(try await Self.deaths(f, fuzzy) == 0)
            #expect(try await Self.deathEvents(f) == 1)

            let reviewer = f.actor(.cityAdmin, f.city.city.code)
            let queue = try await LinkReviewStore(f.scratch.db).queue(actor: reviewer)
            #expect(queue.count == 1 && queue[0].memberName == fuzzy.name && queue[0].rows == 1)
            #expect(queue[0].maskedID.contains("********"))
            let review = try #require(try await LinkReviewStore(f.scratch.db).review(queue[0].id, actor: reviewer))
            #expect(review.evidence.probability > 0.99) // strong evidence, still not enough for a death
            #expect(review.evidence.fields.first { $0.field == "nationalId" }?.level == "oneSubstitution")
            #expect(review.reason.contains("人工确认"))
            #expect(review.rows.map(\.kind) == [.death])

            // act: a human confirms
            let written = try await LinkReviewStore(f.scratch.db).decide(queue[0].id, confirm: true, actor: reviewer)
            // check: now the death is recorded, with its event, exactly once
            #expect(written == 1)
            #expect(try await Self.deaths(f, fuzzy) == 1)
            #expect(try await Self.deathEvents(f) == 2)
            #expect(try await LinkReviewStore(f.scratch.db).queue(actor: reviewer).isEmpty)
            await #expect(throws: LinkDecisionError.self) { _ = try await LinkReviewStore(f.scratch.db).decide(queue[0].id, confirm: false, actor: reviewer) }
            #expect(try await Self.count(f, "audit_entries WHERE action = 'confirmLink'") == 1)

            // an overlapping file with the same person follows the confirmed link, and adds nothing twice
            let again = try Self.file("cremations-2.csv", header: Self.cremationHeader, ["\(Self.typo(fuzzy.nationalID)),\(fuzzy.name),2026-11-01,HH-1"])
            let second = try await Self.importer(f, "funeral-cremation").run(path: again)
            #expect(second.linked == 1 && second.review == 0 && second.newFacts == 0 && second.unchanged == 1)
            #expect(try await Self.deathEvents(f) == 2)
        }
    }

    @Test func aProbableMatchThatCannotHarmIsLinkedAtOnceWithItsEvidence() async throws {
        try await Fixture.with(households: 60) { f in
            let m = Array(f.city.households(count: 60)).flatMap(\.members)[3]
            let path = try Self.file("certs.csv", header: "身份证号,姓名,残疾类别,残疾等级,发证日期,残疾人证号",
                                     ["\(Self.typo(m.nationalID)),\(m.name),肢体残疾,二级,2026-10-15,CERT-1"])
            let report = try await Self.importer(f, "disabled-federation-certificates").run(path: path)
            #expect(report.probablyLinked == 1 && report.linked == 1 && report.review == 0 && report.newFacts == 1 && report.events == 1)
            let evidence = try await (f.scratch.db as! any SQLDatabase).raw("SELECT status, evidence FROM person_links").first()
            #expect(try evidence?.decode(column: "status", as: String.self) == "auto")
            // Sealed at rest: both sides' values, ID numbers among them.
            let json = try DataCipher.development.open(try #require(try evidence?.decode(column: "evidence", as: String.self)))
            let e = try JSONDecoder().decode(LinkEvidence.self, from: Data(json.utf8))
            #expect(e.fields.map(\.field) == ["nationalId", "name", "birthDate", "region", "address"])
            #expect(e.fields[0].level == "oneSubstitution" && e.fields[1].level == "exact")
            // the certificate's grade reached the member, as it does on an exact ID
            #expect(try await Self.disability(f, m) == Disability(category: .physical, grade: 2))
        }
    }

    static func disability(_ f: Fixture, _ m: Member) async throws -> Disability? {
        try await RegistryStore(f.scratch.db).profile(m.householdID, actor: f.system)?.members.first { $0.id == m.id }?.disability
    }

    /// Another valid ID with the person's birth date, differing in one serial digit (and so in the check character):
    /// a twin, say.
    static func twin(_ id: NationalID) throws -> NationalID {
        let serial = Int(id.value.dropFirst(14).prefix(3))!
        return try NationalID(addressCode: String(id.value.prefix(6)), birthDate: try LocalDate(year: Int(id.value.dropFirst(6).prefix(4))!,
                              month: Int(id.value.dropFirst(10).prefix(2))!, day: Int(id.value.dropFirst(12).prefix(2))!), sequence: serial % 10 == 9 ? serial - 1 : serial + 1)
    }

    /// Two valid ID numbers that differ are two people, however alike the name, birth date and place: such a row
    /// is never linked by itself (it raised a warning on the wrong person), only put to a reviewer with the reason.
    /// A reviewer who confirms it links it with every field the department sent (the certificate's grade).
    @Test func aDifferentValidIDIsNeverLinkedAutomatically() async throws {
        try await Fixture.with(households: 60) { f in
            let m = Array(f.city.households(count: 60)).flatMap(\.members).first { $0.disability == nil }!
            let twin = try Self.twin(m.nationalID)
            #expect(twin != m.nationalID && Linkage.distinctValidIDs(twin.value, m.nationalID.value))
            // a flood record (it would raise a warning) and a disability certificate, both naming the twin
            let flood = try Self.file("flood.csv", header: "身份证号,姓名,受灾日期,灾害类型,直接经济损失,核灾编号",
                                      ["\(twin.value),\(m.name),2026-11-01,内涝,9000.00,ZH-T1"])
            let floodReport = try await Self.importer(f, "emergency-disaster").run(path: flood)
            #expect(floodReport.probablyLinked == 0 && floodReport.linked == 0 && floodReport.review == 1)
            #expect(try await Self.count(f, "facts WHERE feed = 'emergency-disaster'") == 0)
            let inbox = try await WarningStore(f.scratch.db, setup: try MonitoringSetup.bundled()).inbox(WarningFilter(limit: 500), actor: f.system, today: MonitoringTests.today)
            #expect(!inbox.items.contains { $0.householdID == m.householdID.rawValue && $0.kind == .hardship })
            let certs = try Self.file("twin-certs.csv", header: "身份证号,姓名,残疾类别,残疾等级,发证日期,残疾人证号",
                                      ["\(twin.value),\(m.name),视力残疾,一级,2026-10-15,CERT-T1"])
            let certReport = try await Self.importer(f, "disabled-federation-certificates").run(path: certs)
            #expect(certReport.probablyLinked == 0 && certReport.review == 1)
            #expect(try await Self.disability(f, m) == nil)
            // the reviewer sees why
            let reviewer = f.actor(.cityAdmin, f.city.city.code)
            let queue = try await LinkReviewStore(f.scratch.db).queue(actor: reviewer)
            let item = try #require(queue.first { $0.feed == "disabled-federation-certificates" })
            #expect(item.reason == Linkage.distinctValidIDsReason)
            // act: the reviewer confirms (they know the register's ID is the wrong one)
            #expect(try await LinkReviewStore(f.scratch.db).decide(item.id, confirm: true, actor: reviewer) == 1)
            // check: the certificate's grade is the member's now
            #expect(try await Self.disability(f, m) == Disability(category: .visual, grade: 1))
        }
    }

    @Test func aRejectedPairIsNotProposedAgainAndTheQueueIsScoped() async throws {
        try await Fixture.with(households: 60) { f in
            let bundles = Array(f.city.households(count: 60))
            let m = bundles[5].members[0]
            // a homophone name and a one-digit-off ID: probable, and a pension could reduce a benefit
            let path = try Self.file("pensions.csv", header: "身份证号,姓名,月养老金,发放起始", ["\(Self.typo(m.nationalID)),\(m.name),2100.00,2026-10-01"])
            let report = try await Self.importer(f, "hr-pension").run(path: path)
            #expect(report.review == 1)
            // a coordinator elsewhere sees nothing and cannot decide; a data officer may not review at all
            let elsewhere = try #require(bundles.first { $0.household.residenceRegion != bundles[5].household.residenceRegion })
            let stranger = f.actor(.townshipOfficer, try RegionCode(String(elsewhere.household.residenceRegion.value.prefix(9)) + "000"))
            if !bundles[5].household.residenceRegion.value.hasPrefix(String(stranger.jurisdiction.value.prefix(9))) {
                #expect(try await LinkReviewStore(f.scratch.db).queue(actor: stranger).isEmpty)
            }
            await #expect(throws: DomainError.self) { _ = try await LinkReviewStore(f.scratch.db).queue(actor: f.actor(.dataOfficer, f.city.city.code)) }
            let mine = f.actor(.townshipOfficer, try RegionCode(String(bundles[5].household.residenceRegion.value.prefix(9)) + "000"))
            let queue = try await LinkReviewStore(f.scratch.db).queue(actor: mine)
            #expect(queue.count == 1)
            // act: not the same person
            #expect(try await LinkReviewStore(f.scratch.db).decide(queue[0].id, confirm: false, actor: mine) == 0)
            #expect(try await Self.count(f, "facts WHERE feed = 'hr-pension'") == 0)
            // the same record in a later file is not put to a human again
            let again = try Self.file("pensions-2.csv", header: "身份证号,姓名,月养老金,发放起始", ["\(Self.typo(m.nationalID)),\(m.name),2100.00,2026-11-01"])
            let second = try await Self.importer(f, "hr-pension").run(path: again)
            #expect(second.review == 0 && second.newPersons == 1)
            #expect(try await LinkReviewStore(f.scratch.db).queue(actor: mine).isEmpty)
        }
    }
}
