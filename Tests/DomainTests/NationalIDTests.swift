import Foundation
import Testing
@testable import Domain

@Suite struct NationalIDTests {
    @Test(arguments: ["11010519491231002X", "440524188001010014"])
    func acceptsTheStandardVectors(_ raw: String) throws {
        // act
        let id = try NationalID(raw)
        // check
        #expect(id.value == raw)
    }

    @Test func exposesBirthDateSexAndAddress() throws {
        // setup
        let id = try NationalID("11010519491231002X")
        // check
        #expect(id.birthDate == (try LocalDate(year: 1949, month: 12, day: 31)))
        #expect(id.sex == .female) // 17th digit 2 is even
        #expect(id.addressCode == "110105")
        #expect(try NationalID("440524188001010014").sex == .male)
    }

    @Test func normalisesWhatPeopleType() throws {
        // full-width digits and x, spaces around and inside, lower-case x
        #expect(try NationalID(" １１０１０５１９４９１２３１００２ｘ ").value == "11010519491231002X")
        #expect(try NationalID("110105 19491231 002x").value == "11010519491231002X")
        #expect(try NationalID("\u{3000}11010519491231002X\n").value == "11010519491231002X")
    }

    @Test func theQuickCheckAgreesWithTheRules() throws {
        // The byte-level check used for canonical IDs must accept exactly what the character-level rules accept.
        var rng = SeededRandom(seed: 11)
        for _ in 0..<5_000 {
            var digits = (0..<17).map { _ in Character(String(rng.int(0...9))) }
            if rng.int(0...3) > 0 { // mostly plausible birth dates, sometimes impossible ones
                let date = "\(rng.int(1790...2030))\(String(format: "%02d", rng.int(1...12)))\(String(format: "%02d", rng.int(1...31)))"
                digits.replaceSubrange(6..<14, with: Array(date))
            }
            let right = NationalID.checkCharacter(for: digits)
            let last = rng.int(0...1) == 0 ? right : NationalID.checkCharacters[rng.int(0...10)]
            let raw = String(digits) + String(last)
            let y = Int(String(digits[6..<10]))!, m = Int(String(digits[10..<12]))!, d = Int(String(digits[12..<14]))!
            let valid = last == right && y >= 1800 && LocalDate.isValid(year: y, month: m, day: d)
            #expect(NationalID.isCanonical(raw) == valid, "\(raw)")
            #expect(((try? NationalID(raw)) != nil) == valid, "\(raw)")
        }
        #expect(!NationalID.isCanonical("11010519491231002x")) // lower case goes the general way, which upper-cases it
    }

    @Test func convertsLegacyFifteenDigitNumbers() throws {
        // 15 digits: 6 address, YYMMDD, 3 sequence; the century is 19 and a check character is added.
        let id = try NationalID("110105491231002")
        #expect(id.value == "11010519491231002X")
    }

    @Test func saysExactlyWhyANumberIsRejected() {
        #expect(throws: NationalIDError.wrongLength(17)) { try NationalID("11010519491231002") }
        #expect(throws: NationalIDError.invalidCharacter(position: 5, character: "A")) { try NationalID("1101A519491231002X") }
        #expect(throws: NationalIDError.invalidCharacter(position: 18, character: "Y")) { try NationalID("11010519491231002Y") }
        #expect(throws: NationalIDError.impossibleDate("2023-02-31")) { try NationalID("110105202302310021") }
        #expect(throws: NationalIDError.wrongCheckCharacter(expected: "X", found: "3")) { try NationalID("110105194912310023") }
        #expect(throws: NationalIDError.empty) { try NationalID("   ") }
    }

    @Test func messagesNameTheExpectedCheckCharacter() {
        let e = NationalIDError.wrongCheckCharacter(expected: "X", found: "3")
        #expect(e.chinese.contains("应为「X」"))
        #expect(e.description.contains("expected 'X'"))
    }

    @Test func masksForLists() throws {
        #expect(try NationalID("11010519491231002X").masked == "110105********002X")
    }

    @Test func buildsValidNumbersFromParts() throws {
        let id = try NationalID(addressCode: "120104", birthDate: LocalDate("1990-02-28"), sequence: 123)
        #expect(id.value.hasPrefix("12010419900228123"))
        #expect(try NationalID(id.value) == id)
        #expect(id.sex == .male)
    }
}

@Suite struct LocalDateTests {
    @Test func rejectsImpossibleDates() {
        #expect(throws: DomainError.invalidDate("2024-02-30")) { try LocalDate("2024-02-30") }
        #expect(throws: DomainError.self) { try LocalDate("2023-02-29") }
        #expect(throws: DomainError.self) { try LocalDate(year: 2024, month: 13, day: 1) }
        #expect(throws: DomainError.self) { try LocalDate("24-1-1") }
        #expect(throws: DomainError.self) { try LocalDate("2024-0a-01") }
        #expect(throws: DomainError.self) { try LocalDate("2024/01/01") }
        #expect(throws: DomainError.self) { try LocalDate("0000-01-01") }
    }

    @Test func readsPaddedAndUsualForms() throws {
        #expect(try LocalDate("2024-02-29") == LocalDate(year: 2024, month: 2, day: 29))
        #expect(try LocalDate(" 2024-02-09\n") == LocalDate(year: 2024, month: 2, day: 9))
    }

    @Test func dayNumbersRoundTrip() throws {
        #expect(try LocalDate("1970-01-01").dayNumber == 0)
        #expect(try LocalDate("2000-03-01").dayNumber == 11_017)
        for n in stride(from: -800_000, to: 800_000, by: 997) {
            #expect(LocalDate(dayNumber: n).dayNumber == n)
        }
    }

    @Test func weekdaysAndAges() throws {
        #expect(try LocalDate("2024-09-29").isoWeekday == 7)
        #expect(try LocalDate("2024-09-30").isoWeekday == 1)
        let birth = try LocalDate("1964-11-22")
        #expect(birth.age(on: try LocalDate("2024-11-21")) == 59)
        #expect(birth.age(on: try LocalDate("2024-11-22")) == 60)
    }
}

/// The hand-written UUID text is exactly Foundation's, in both cases, for any bytes.
@Suite struct UUIDTextTests {
    @Test func matchesFoundation() {
        var samples = (0..<2_000).map { _ in UUID() }
        samples.append(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        samples.append(UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255)))
        samples.append(UUID(uuid: (0x09, 0x0a, 0x9f, 0xa0, 0x10, 0x01, 0xf0, 0x0f, 0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x78, 0x9a)))
        for u in samples {
            #expect(u.text(lowercase: false) == u.uuidString)
            #expect(u.text(lowercase: true) == u.uuidString.lowercased())
            #expect(UUID(text: u.uuidString) == u && UUID(text: u.uuidString.lowercased()) == u)
        }
    }

    /// Reading the text back agrees with Foundation on what it refuses, too.
    @Test func readsWhatFoundationReads() {
        let good = "E621E1F8-C36C-495A-93FC-0C247A3E6E5F"
        for bad in ["", "E621E1F8C36C495A93FC0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5G",
                    "E621E1F8-C36C-495A-93FC_0C247A3E6E5F", "E621E1F8-C36C-495A-93FC-0C247A3E6E5F0",
                    "E621E1F8-C36C-495A-93FC-0C247A3E6É5"] {
            #expect(UUID(text: bad) == nil && UUID(uuidString: bad) == nil, "\(bad)")
        }
        #expect(UUID(text: good) == UUID(uuidString: good))
        // Stricter where Foundation's `sscanf` is loose: leading space is not part of a key.
        #expect(UUID(text: " E621E1F8-C36C-495A-93FC-0C247A3E6E5") == nil)
    }
}

@Suite struct TimeOrderedUUIDTests {
    @Test func versionSevenInTimeOrder() throws {
        let t0 = Date(timeIntervalSince1970: 1_764_633_600.123)
        var generator = TimeOrderedUUIDs()
        let ids = (0..<500).map { generator.next(at: t0.addingTimeInterval(Double($0) * 0.002)) }
        #expect(Set(ids).count == ids.count)
        for u in ids {
            let s = u.text(lowercase: true)
            #expect(s[s.index(s.startIndex, offsetBy: 14)] == "7", "version 7: \(s)")
            #expect("89ab".contains(s[s.index(s.startIndex, offsetBy: 19)]), "RFC variant: \(s)")
        }
        // Later milliseconds sort later, as text in either case and as bytes.
        #expect(ids.map { $0.text(lowercase: false) } == ids.map { $0.text(lowercase: false) }.sorted())
        #expect(ids[0].text(lowercase: true).hasPrefix("019adc5b-e07b"))
        #expect(Set((0..<1_000).map { _ in generator.next(at: t0) }).count == 1_000, "random within one millisecond")
        var other = TimeOrderedUUIDs()
        #expect(other.next(at: t0) != generator.next(at: t0), "generators are seeded apart")
    }
}
