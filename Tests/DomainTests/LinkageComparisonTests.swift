import Testing
@testable import Domain

@Suite struct LinkageComparisonTests {
    let id = "11010519491231002X"

    @Test func idLevels() {
        #expect(Linkage.compareIDs(id, " 11010519491231002x ") == .exact)
        #expect(Linkage.compareIDs(id, "110105491231002") == .exact) // legacy 15 digits
        #expect(Linkage.compareIDs(id, "11010519491231003X") == .oneSubstitution) // typo; its check character is now wrong
        #expect(Linkage.compareIDs(id, "11010519492131002X") == .adjacentTransposition)
        #expect(Linkage.compareIDs(id, "440524188001010014") == .different)
        #expect(Linkage.compareIDs(id, nil) == .missing)
        #expect(Linkage.compareIDs(id, "abc") == .missing)
    }

    @Test func dateLevels() throws {
        #expect(Linkage.compareDates(try LocalDate("1980-03-05"), try LocalDate("1980-03-05")) == .exact)
        #expect(Linkage.compareDates(try LocalDate("1980-03-05"), try LocalDate("1980-05-03")) == .dayMonthSwapped)
        #expect(Linkage.compareDates(try LocalDate("1980-03-05"), try LocalDate("1980-07-05")) == .sameYear)
        #expect(Linkage.compareDates(try LocalDate("1980-03-05"), try LocalDate("1981-03-05")) == .different)
        #expect(Linkage.compareDates(nil, try LocalDate("1981-03-05")) == .missing)
    }

    @Test func addressLevels() {
        #expect(Linkage.compareAddresses("南开区锦绣街道海棠一里社区10号楼", "南开区锦绣街道海棠一里社区10号楼") == .exact)
        #expect(Linkage.compareAddresses("南开区锦绣街道海棠一里社区10号楼4单元", "南开区锦绣街道海棠一里社区10号楼5单元") == .similar)
        #expect(Linkage.compareAddresses("南开区锦绣街道海棠一里社区", "和平区春晖街道安康二里社区") == .different)
        #expect(Linkage.compareAddresses("", "x") == .missing)
    }
}
