import Domain
import Foundation
import Testing

/// What an office sees of a household living outside its area: the full record where it has a step to do, the
/// minimal view where it is only told.
@Suite struct RegistrationPlaceViewTests {
    // A household registered in one street of 南开区 and living in a street of 和平区.
    let registeredStreet = try! RegionCode("120104001000"), registeredCommunity = try! RegionCode("120104001001")
    let livingStreet = try! RegionCode("120101002000"), livingCommunity = try! RegionCode("120101002003")

    func actor(_ role: Role, _ region: RegionCode) -> Actor { Actor(userID: nil, username: "x", role: role, jurisdiction: region, origin: "t") }

    @Test func aWarningIsMinimalForAnyoneButTheResidencePlace() {
        #expect(!RegistrationPlaceView.warningIsMinimal(actor: actor(.townshipOfficer, livingStreet), residence: livingCommunity))
        #expect(RegistrationPlaceView.warningIsMinimal(actor: actor(.townshipOfficer, registeredStreet), residence: livingCommunity))
        #expect(!RegistrationPlaceView.warningIsMinimal(actor: actor(.cityAdmin, try! RegionCode("120100000000")), residence: livingCommunity))
    }

    @Test func anApplicationIsMinimalOnlyWhereTheOfficeHasNoStep() throws {
        let processes = try CaseProcesses.bundled()
        let dibao = try #require(processes[.dibao]), emergency = try #require(processes[.temporaryEmergency])
        let state = CaseState(kind: .dibao, residenceRegion: livingCommunity, registrationRegion: registeredCommunity, appliedOn: try LocalDate("2026-11-02"))
        // 一城通办: the registration township reviews and its county decides, so both read the whole case
        #expect(!RegistrationPlaceView.caseIsMinimal(actor: actor(.townshipOfficer, registeredStreet), state: state, process: dibao))
        #expect(!RegistrationPlaceView.caseIsMinimal(actor: actor(.countyReviewer, try RegionCode("120104000000")), state: state, process: dibao))
        // help first where an emergency struck: the township of registration has no step, and is only told
        let help = CaseState(kind: .temporaryEmergency, residenceRegion: livingCommunity, registrationRegion: registeredCommunity,
                             emergencyRegion: try RegionCode("120102003001"), appliedOn: try LocalDate("2026-11-02"))
        #expect(RegistrationPlaceView.caseIsMinimal(actor: actor(.townshipOfficer, registeredStreet), state: help, process: emergency))
        #expect(!RegistrationPlaceView.caseIsMinimal(actor: actor(.townshipOfficer, try RegionCode("120102003000")), state: help, process: emergency))
        #expect(!RegistrationPlaceView.caseIsMinimal(actor: actor(.townshipOfficer, livingStreet), state: help, process: emergency))
    }
}
