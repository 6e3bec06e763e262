import Foundation
import Testing
@testable import Domain

/// 一事一议 [LS; JC]: opened at the opener's level, each level meets with enough people and records every opinion; a
/// level decides within its limit or puts it to the level above; the community only gives its opinion; the meeting
/// record is kept in full.
@Suite struct DeliberationTests {
    typealias W = CaseWorkflowTests
    static let levels = try! DeliberationLevels.bundled()
    static let coordinator = W.actor("coord", .coordinator, "120104001001")
    static let township = W.window
    static let county = W.actor("county-nk", .countyReviewer, "120104000000")
    static let city = W.actor("city", .cityAdmin, "120100000000")

    static func people(_ n: Int) -> [DeliberationParticipant] { (1...n).map { DeliberationParticipant(name: "成员\($0)", role: "议事代表") } }
    static func meeting(_ level: DeliberationLevel, _ outcome: DeliberationOutcome, people n: Int = 5, on day: String = "2026-11-20",
                        opinions: [String] = ["同意"], reasons: [String] = ["突发重病，现有救助不足以解决"]) -> DeliberationMeeting {
        DeliberationMeeting(level: level, heldOn: W.day(day), participants: people(n), opinions: opinions, outcome: outcome, reasons: reasons)
    }
    static func opened(by actor: Actor = Self.coordinator) throws(DeliberationError) -> DeliberationState {
        try DeliberationWorkflow.open(situation: "户主突发脑出血，自付医疗费12万元，低保边缘但不符合任何救助条件", tags: ["illness"], source: .staff,
                                      residence: W.residence, registration: W.residence, levels: levels, by: actor, on: W.day("2026-11-18"))
    }

    @Test func itOpensAtTheOpenersLevel() throws {
        #expect(try Self.opened().level == .community)
        #expect(try Self.opened(by: Self.township).level == .township)
        #expect(try Self.opened(by: Self.county).level == .county)
        #expect(throws: DeliberationError.roleNotAllowed(.dataOfficer)) { try Self.opened(by: W.actor("d", .dataOfficer, "120100000000")) }
        #expect(throws: DeliberationError.outsideJurisdiction) { try Self.opened(by: W.actor("far", .townshipOfficer, "120101001000")) }
        #expect(throws: DeliberationError.situationRequired) {
            try DeliberationWorkflow.open(situation: " ", tags: [], source: .staff, residence: W.residence, registration: W.residence, levels: Self.levels,
                                          by: Self.township, on: W.day("2026-11-18"))
        }
        #expect(throws: DeliberationError.unknownSituation("lottery")) {
            try DeliberationWorkflow.open(situation: "x", tags: ["lottery"], source: .staff, residence: W.residence, registration: W.residence,
                                          levels: Self.levels, by: Self.township, on: W.day("2026-11-18"))
        }
    }

    @Test func itClimbsUntilALevelMayDecideTheAmount() throws {
        let today = W.day("2026-11-25")
        var s = try Self.opened()
        // the community gives its opinion only
        #expect(throws: DeliberationError.levelCannotDecide(.community)) {
            try DeliberationWorkflow.record(Self.meeting(.community, .oneOff(amountCents: 100_000)), on: s, expectedVersion: 1, levels: Self.levels,
                                            limitCents: nil, by: Self.coordinator, today: today)
        }
        #expect(throws: DeliberationError.tooFewParticipants(min: 3)) {
            try DeliberationWorkflow.record(Self.meeting(.community, .escalate, people: 2), on: s, expectedVersion: 1, levels: Self.levels, limitCents: nil,
                                            by: Self.coordinator, today: today)
        }
        #expect(throws: DeliberationError.opinionsRequired) {
            try DeliberationWorkflow.record(Self.meeting(.community, .escalate, opinions: [" "]), on: s, expectedVersion: 1, levels: Self.levels, limitCents: nil,
                                            by: Self.coordinator, today: today)
        }
        #expect(throws: DeliberationError.meetingInFuture) {
            try DeliberationWorkflow.record(Self.meeting(.community, .escalate, on: "2026-11-26"), on: s, expectedVersion: 1, levels: Self.levels,
                                            limitCents: nil, by: Self.coordinator, today: today)
        }
        // the township cannot meet on what is still the community's
        #expect(throws: DeliberationError.roleNotAllowed(.townshipOfficer)) {
            try DeliberationWorkflow.record(Self.meeting(.community, .escalate), on: s, expectedVersion: 1, levels: Self.levels, limitCents: nil,
                                            by: Self.township, today: today)
        }
        s = try DeliberationWorkflow.record(Self.meeting(.community, .escalate), on: s, expectedVersion: 1, levels: Self.levels, limitCents: nil,
                                            by: Self.coordinator, today: today)
        #expect(s.level == .township && s.status == .open && s.version == 2 && s.meetings.count == 1 && s.meetings[0].recordedBy == "coord")
        #expect(DeliberationWorkflow.mayMeet(s, by: Self.township, levels: Self.levels) && !DeliberationWorkflow.mayMeet(s, by: Self.coordinator, levels: Self.levels))
        // over the township's limit: up to the county
        #expect(throws: DeliberationError.overLimit(limitCents: 1_000_000, level: .township)) {
            try DeliberationWorkflow.record(Self.meeting(.township, .oneOff(amountCents: 3_000_000)), on: s, expectedVersion: 2, levels: Self.levels,
                                            limitCents: 1_000_000, by: Self.township, today: today)
        }
        s = try DeliberationWorkflow.record(Self.meeting(.township, .escalate), on: s, expectedVersion: 2, levels: Self.levels, limitCents: 1_000_000,
                                            by: Self.township, today: today)
        #expect(throws: DeliberationError.reasonsRequired) {
            try DeliberationWorkflow.record(Self.meeting(.county, .oneOff(amountCents: 3_000_000), reasons: []), on: s, expectedVersion: 3, levels: Self.levels,
                                            limitCents: 5_000_000, by: Self.county, today: today)
        }
        #expect(throws: DeliberationError.notMonthlyProgram(.temporary)) {
            try DeliberationWorkflow.record(Self.meeting(.county, .monthly(program: .temporary, amountCents: 50_000)), on: s, expectedVersion: 3,
                                            levels: Self.levels, limitCents: 5_000_000, by: Self.county, today: today)
        }
        let decided = try DeliberationWorkflow.record(Self.meeting(.county, .oneOff(amountCents: 3_000_000)), on: s, expectedVersion: 3, levels: Self.levels,
                                                      limitCents: 5_000_000, by: Self.county, today: today)
        #expect(decided.status == .approved && decided.decision?.outcome == .oneOff(amountCents: 3_000_000) && decided.meetings.count == 3)
        #expect(throws: DeliberationError.notOpen(.approved)) {
            try DeliberationWorkflow.record(Self.meeting(.county, .refuse), on: decided, expectedVersion: 4, levels: Self.levels, limitCents: nil,
                                            by: Self.county, today: today)
        }
        #expect(throws: DeliberationError.staleVersion) {
            try DeliberationWorkflow.record(Self.meeting(.county, .refuse), on: s, expectedVersion: 2, levels: Self.levels, limitCents: nil, by: Self.county,
                                            today: today)
        }
    }

    @Test func theTopLevelDecidesAndCannotPassItOn() throws {
        let s = try Self.opened(by: Self.city)
        #expect(s.level == .city)
        #expect(throws: DeliberationError.noLevelAbove) {
            try DeliberationWorkflow.record(Self.meeting(.city, .escalate), on: s, expectedVersion: 1, levels: Self.levels, limitCents: nil, by: Self.city,
                                            today: W.day("2026-11-25"))
        }
        let monthly = try DeliberationWorkflow.record(Self.meeting(.city, .monthly(program: .dibao, amountCents: 120_000)), on: s, expectedVersion: 1,
                                                      levels: Self.levels, limitCents: nil, by: Self.city, today: W.day("2026-11-25"))
        #expect(monthly.status == .approved)
        #expect(try DeliberationWorkflow.record(Self.meeting(.city, .refuse), on: s, expectedVersion: 1, levels: Self.levels, limitCents: nil, by: Self.city,
                                                today: W.day("2026-11-25")).status == .refused)
    }

    @Test func levelsThatCannotBeFollowedAreRefusedWhenLoaded() {
        func load(_ levels: String) -> Bool {
            (try? DeliberationLevels(json: Data(#"{"ruleChangeAfter": 3, "levels": \#(levels), "situations": [{"id": "a", "name": "x"}]}"#.utf8))) != nil
        }
        #expect(load(#"[{"level": "township", "role": "townshipOfficer", "decides": true, "minParticipants": 3}]"#))
        #expect(!load(#"[{"level": "township", "role": "townshipOfficer", "decides": false, "minParticipants": 3}]"#))   // nobody decides
        #expect(!load(#"[{"level": "county", "role": "countyReviewer", "decides": true, "minParticipants": 3}, {"level": "township", "role": "townshipOfficer", "decides": true, "minParticipants": 3}]"#))
        #expect(!load(#"[{"level": "township", "role": "townshipOfficer", "decides": true, "minParticipants": 0}]"#))
        #expect(!load("[]"))
    }
}
