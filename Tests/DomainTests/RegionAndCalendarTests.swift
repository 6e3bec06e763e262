import Foundation
import Testing
@testable import Domain

@Suite struct RegionCodeTests {
    @Test func storedCodesCheckedOnTheirBytesAgreeWithTheGeneralPath() {
        var rng = SeededRandom(seed: 20261203)
        var texts = ["120104000000", "000000000000", "001104000000", "010000000000", "120104", "120104001", " 120104000000", "120104000000 ",
                     "12010400000", "1201040000000", "１２０１０４００００００", "12010400000x", "", "١٢٠١٠٤٠٠٠٠٠٠"]
        let alphabet = Array("0123456789 x０")
        for _ in 0..<5_000 {
            texts.append(String((0..<rng.int(10...13)).map { _ in rng.chance(0.95) ? Character(String(rng.int(0...9))) : rng.pick(alphabet) }))
        }
        var fast = 0
        for t in texts {
            let general = try? RegionCode.general(t)
            if RegionCode.isStoredForm(t.utf8) {
                fast += 1
                #expect(general == t, "\(t)")
            }
            #expect((try? RegionCode(t))?.value == general, "\(t)")
        }
        #expect(fast > 1_000)
    }

    @Test func knowsItsLevel() throws {
        #expect(try RegionCode("120000000000").level == .province)
        #expect(try RegionCode("120100000000").level == .city)
        #expect(try RegionCode("120104000000").level == .county)
        #expect(try RegionCode("120104901000").level == .township)
        #expect(try RegionCode("120104901002").level == .village)
    }

    @Test func parentsAndAncestors() throws {
        let village = try RegionCode("120104901002")
        #expect(village.parent == (try RegionCode("120104901000")))
        #expect(village.ancestors.map(\.value) == ["120000000000", "120100000000", "120104000000", "120104901000"])
        #expect(try RegionCode("120000000000").parent == nil)
    }

    @Test func containmentIsWhatJurisdictionIsMadeOf() throws {
        let nankai = try RegionCode("120104000000")
        let street = try RegionCode("120104901000")
        let community = try RegionCode("120104901002")
        let hexi = try RegionCode("120103000000")
        #expect(nankai.contains(community))
        #expect(street.contains(community))
        #expect(community.contains(community))
        #expect(!hexi.contains(community))
        #expect(!community.contains(street))
        #expect(!(try RegionCode("120104901001")).contains(community))
        #expect(nankai.subtreeRange == "120104000000"..."120104999999")
        #expect(nankai.childContaining(community) == street)
    }

    @Test func rejectsBadCodes() {
        #expect(throws: DomainError.self) { try RegionCode("12010") }
        #expect(throws: DomainError.self) { try RegionCode("12010400000A") }
        #expect(throws: DomainError.self) { try RegionCode("000000000000") }
    }

    @Test func loadsTheReferenceData() throws {
        // act
        let ref = try RegionReference.bundled()
        // check
        #expect(ref.regions.count == 3_429)
        #expect(ref[try RegionCode("120104000000")]?.name == "南开区")
        #expect(ref.children(of: try RegionCode("120100000000")).count == 16)
    }

    @Test func reportsTheRowOfABadReferenceLine() {
        let csv = "adcode,name,longitude,latitude\n120000000000,天津市,1,1\n12X,坏,1,1\n"
        #expect(throws: DomainError.invalidData(file: "adcodes.csv", reason: "第3行 adcode：行政区划代码无效：「12X」（应为12位数字）")) {
            try RegionReference(csv: csv)
        }
    }
}

@Suite struct WorkingCalendarTests {
    let calendar: WorkingCalendar
    init() throws { calendar = try WorkingCalendar.bundled() }

    @Test func nationalDayWeek2024() throws {
        // Monday 30 September + 3 working days skips the 1–7 October holiday.
        #expect(try calendar.adding(workingDays: 3, to: LocalDate("2024-09-30")) == LocalDate("2024-10-10"))
        // Sunday 29 September 2024 was an adjusted working day.
        #expect(try calendar.adding(workingDays: 3, to: LocalDate("2024-09-27")) == LocalDate("2024-10-08"))
        #expect(try calendar.isWorkingDay(LocalDate("2024-09-29")))
        #expect(try !calendar.isWorkingDay(LocalDate("2024-10-01")))
        #expect(try !calendar.isWorkingDay(LocalDate("2024-09-28")))
    }

    @Test func countsWorkingDaysBetween() throws {
        #expect(try calendar.workingDays(from: LocalDate("2024-09-27"), to: LocalDate("2024-10-08")) == 3)
        #expect(try calendar.workingDays(from: LocalDate("2024-10-08"), to: LocalDate("2024-09-27")) == -3)
        #expect(try calendar.workingDays(from: LocalDate("2024-09-30"), to: LocalDate("2024-09-30")) == 0)
        // adding and counting agree
        let start = try LocalDate("2025-01-20")
        for n in [1, 5, 10, 30] {
            #expect(try calendar.workingDays(from: start, to: calendar.adding(workingDays: n, to: start)) == n)
        }
    }

    @Test func refusesToGuessOutsideItsYears() throws {
        let date = try LocalDate("2030-01-02")
        #expect(throws: DomainError.dateOutsideCalendar(date, covered: 2004...2026)) { try calendar.isWorkingDay(date) }
        #expect(throws: DomainError.self) { try calendar.adding(workingDays: 30, to: LocalDate("2026-12-20")) }
    }

    @Test func rejectsABrokenFile() {
        #expect(throws: DomainError.self) { try WorkingCalendar(json: Data("{\"holidays\":{\"2024-02-30\":\"x\"},\"adjusted_workdays\":{}}".utf8)) }
        #expect(throws: DomainError.self) { try WorkingCalendar(json: Data("[]".utf8)) }
    }
}

@Suite struct CentsTests {
    @Test func formatsAsYuan() {
        #expect(Cents(123_450).yuanText == "¥1,234.50")
        #expect(Cents(5).yuanText == "¥0.05")
        #expect(Cents(-100_000_000).yuanText == "-¥1,000,000.00")
        #expect(Cents(99_999).yuanText == "¥999.99" && Cents(100_000).yuanText == "¥1,000.00" && Cents(0).yuanText == "¥0.00")
        #expect(Cents(Int64.min).yuanText == "-¥92,233,720,368,547,758.08" && Cents(-7).yuanText == "-¥0.07")
        #expect(Cents(123_450).plainYuan == "1234.50")
    }

    @Test func parsesYuanExactly() throws {
        #expect(try Cents(yuan: "1,234.5") == Cents(123_450))
        #expect(try Cents(yuan: "-0.07") == Cents(-7))
        #expect(try Cents(yuan: "¥12") == Cents(1_200))
        #expect(throws: DomainError.self) { try Cents(yuan: "1.234") }
        #expect(throws: DomainError.self) { try Cents(yuan: "abc") }
        #expect(throws: DomainError.self) { try Cents(yuan: "") }
        #expect(throws: DomainError.self) { try Cents(yuan: "99999999999999999999") }
    }

    /// The byte-level reading of plain amounts agrees with the general one wherever it answers, and leaves
    /// everything else (signs, separators, spaces, three decimals, overflow) to it.
    @Test func plainAmountsReadFromBytesAgreeWithTheGeneralPath() throws {
        var rng = SeededRandom(seed: 20261203)
        var answered = 0
        let alphabet = Array("0123456789.,- ¥x")
        var texts = ["0", "0.0", "00.07", "12.", ".5", "1..2", "1.234", "999999999999999", "9999999999999999", "92233720368547758.07", "1 000", " 12"]
        for _ in 0..<20_000 {
            let digits = rng.int(1...18)
            var t = String((0..<digits).map { _ in rng.chance(0.9) ? Character(String(rng.int(0...9))) : rng.pick(alphabet) })
            if rng.chance(0.5) { t += "." + String((0..<rng.int(0...3)).map { _ in Character(String(rng.int(0...9))) }) }
            texts.append(t)
        }
        for t in texts {
            let general: Int64? = try? Cents.general(t)
            if let fast = Cents.plain(t.utf8) {
                answered += 1
                #expect(fast == general, "\(t)")
            }
            #expect((try? Cents(yuan: t))?.value == general, "\(t)")
        }
        #expect(answered > 5_000)
        #expect(Cents.plain("1,234.5".utf8) == nil && Cents.plain("-3".utf8) == nil && Cents.plain("1.234".utf8) == nil)
    }

    @Test func roundsInOnePlaceWithTheRuleStated() {
        #expect(Cents(1_000).divided(by: 3, rounding: .halfUp) == Cents(333))
        #expect(Cents(1_001).divided(by: 2, rounding: .halfUp) == Cents(501))
        #expect(Cents(1_001).divided(by: 2, rounding: .down) == Cents(500))
        #expect(Cents(1_000).divided(by: 3, rounding: .up) == Cents(334))
        #expect(Cents(-1_001).divided(by: 2, rounding: .halfUp) == Cents(-501))
        #expect(Cents(117_000).multiplied(by: 13, over: 10, rounding: .halfUp) == Cents(152_100))
    }
}

@Suite struct AccessTests {
    @Test func dataOfficersDoNotReadProfilesAndOnlyAuditorsReadTheLog() {
        for role in Role.allCases {
            #expect(Permission.viewHouseholds.isGranted(to: role) == (role != .dataOfficer && !role.isAdministrator))
            #expect(Permission.viewAuditLog.isGranted(to: role) == (role == .auditor))
        }
    }

    /// 三权分立: each of the three administrators holds exactly one of the three powers, and none of them reads or
    /// handles a family's data; no business role holds any of the three.
    @Test func theThreeAdministratorsEachHoldOnePowerAndNoFamilyData() {
        let powers: [Permission] = [.manageUsers, .grantRoles, .viewAuditLog]
        let families: [Permission] = [.viewHouseholds, .viewWarnings, .viewCases, .viewPayments, .viewStatistics, .handleCases, .handleWarnings,
                                      .openCases, .recordVisits, .managePayments, .manageBankAccounts, .reviewLinks, .importData, .runSimulation]
        #expect(Set(Role.allCases.filter(\.isAdministrator)) == [.systemAdmin, .securityAdmin, .auditor])
        for role in Role.allCases {
            let held = powers.filter { $0.isGranted(to: role) }
            if role.isAdministrator {
                #expect(held.count == 1, "\(role) holds \(held)")
                for p in families { #expect(!p.isGranted(to: role), "\(role) may \(p)") }
            } else {
                #expect(held.isEmpty, "\(role) holds \(held)")
            }
        }
        #expect(Permission.manageUsers.isGranted(to: .systemAdmin) && Permission.grantRoles.isGranted(to: .securityAdmin))
        #expect(Permission.backupData.isGranted(to: .systemAdmin) && !Permission.backupData.isGranted(to: .cityAdmin))
    }

    @Test func onlyASecurityAdministratorGrantsAndNeverToThemselves() {
        let city = try! RegionCode("120100000000")
        func actor(_ role: Role, _ name: String) -> Actor { Actor(userID: nil, username: name, role: role, jurisdiction: city, origin: "t") }
        #expect(RoleGrant.check(granter: actor(.securityAdmin, "sec"), account: "newcomer") == nil)
        #expect(RoleGrant.check(granter: actor(.securityAdmin, "sec"), account: "sec") == .ownAccount)
        for role in Role.allCases where role != .securityAdmin {
            #expect(RoleGrant.check(granter: actor(role, "x"), account: "newcomer") == .notSecurityAdmin)
        }
    }

    @Test func lockoutAfterRepeatedFailures() {
        // setup
        let throttle = LoginThrottle(maxFailures: 3, lockSeconds: 600)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        var s = LoginThrottle.State(failures: 0, lockedUntil: nil)
        func claim(at t: Date) -> LoginThrottle.Claim {
            let c = throttle.claim(s, now: t)
            if case .check(let next) = c { s = next }
            return c
        }
        // act: each attempt takes its place before its password is checked
        #expect(claim(at: t0) == .check(.init(failures: 1, lockedUntil: nil)))
        #expect(claim(at: t0) == .check(.init(failures: 2, lockedUntil: nil)))
        #expect(!throttle.isLocked(s, now: t0))
        // the third is still checked (it may be right), but holds the lock if it is not
        #expect(claim(at: t0) == .check(.init(failures: 3, lockedUntil: t0.addingTimeInterval(600))))
        // check: a fourth, sent at the same time, is refused without a check
        #expect(claim(at: t0.addingTimeInterval(1)) == .refused(until: t0.addingTimeInterval(600)))
        #expect(throttle.isLocked(s, now: t0.addingTimeInterval(599)))
        #expect(!throttle.isLocked(s, now: t0.addingTimeInterval(600)))
        // after the lock expires a new attempt starts a fresh count
        #expect(claim(at: t0.addingTimeInterval(700)) == .check(.init(failures: 1, lockedUntil: nil)))
        #expect(throttle.afterSuccess(s) == .init(failures: 0, lockedUntil: nil))
    }

    @Test func aSuccessGivesBackTheAddressesPlace() {
        var limiter = RateLimiter(limit: 2, window: 60)
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        var answers: [Bool] = []
        answers.append(limiter.allow("10.0.0.1", now: t0))
        limiter.forgive("10.0.0.1")
        answers.append(limiter.allow("10.0.0.1", now: t0))
        answers.append(limiter.allow("10.0.0.1", now: t0))
        answers.append(limiter.allow("10.0.0.1", now: t0))
        #expect(answers == [true, true, true, false], "two counted, the forgiven one not")
        limiter.forgive("10.0.0.9")
        let other = limiter.allow("10.0.0.2", now: t0)
        #expect(other, "other addresses have their own count")
    }
}

@Suite struct PasswordPolicyTests {
    let policy = try! PasswordPolicy.bundled()

    @Test func refusesTheShortTheCommonTheNumericAndTheUsername() {
        #expect(policy.minLength == 10)
        #expect(policy.problem("short-1", username: "li.na")?.contains("至少10个字符") == true)
        #expect(policy.problem("13912345678", username: "li.na")?.contains("全是数字") == true)
        // common ones, also with a year or punctuation added, in any case
        for weak in ["woaini1314520", "Password123!", "QWERTYUIOP", "1qaz2wsx3edc", "jiuzhu2026!!", "iloveyou2026"] {
            #expect(policy.problem(weak, username: "li.na")?.contains("常见密码") == true, "\(weak)")
        }
        #expect(policy.problem("li.na-likes-tea", username: "li.na")?.contains("用户名") == true)
        // accepted: long, not on the list, not the username
        for fine in ["jiuzhu-demo-2026", "河西区民政局窗口2号", "correct horse battery"] {
            #expect(policy.problem(fine, username: "li.na") == nil, "\(fine)")
        }
    }
}

@Suite struct PublicOutputScannerTests {
    @Test func findsWholeIDsMobilesAndCardsButNotMaskedOrShortNumbers() throws {
        let id = try NationalID(addressCode: "120104", birthDate: LocalDate("1961-05-04"), sequence: 777)
        #expect(PublicOutputScanner.findings(in: "申请人 王某 \(id.value) 公示") == [.nationalID])
        #expect(PublicOutputScanner.findings(in: "申请人 王某 \(id.masked) 公示").isEmpty, "masked")
        #expect(PublicOutputScanner.findings(in: "联系 13912345678。") == [.mobile])
        #expect(PublicOutputScanner.findings(in: "监督电话 022-23456789，12345 热线").isEmpty, "a landline and a hotline")
        #expect(PublicOutputScanner.findings(in: "卡号6222020200112233445") == [], "19 digits failing the check digit")
        #expect(PublicOutputScanner.findings(in: "卡号4111111111111111") == [.bankCard], "a card with a valid check digit")
        #expect(PublicOutputScanner.findings(in: "编号 2026120700001398765432").isEmpty, "a longer run is not a number of its own")
        #expect(PublicOutputScanner.findings(in: "金额 1,234.50 元，日期 2026-12-07，10 户").isEmpty)
        #expect(PublicOutputScanner.findings(in: "\(id.value)与13912345678") == [.nationalID, .mobile])
    }
}
