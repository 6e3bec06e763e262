import Foundation

/// What an office sees of a household that lives outside its area (PIPL art. 6: no more than the purpose needs).
///
/// Under 一城通办 a household registered here may live elsewhere; the registration place is told of its warnings
/// for information, and sees its applications. Where the registration side does a step of the application (it
/// reviews, its county decides [YC]), it reads what that step needs. Otherwise it gets the minimal view: the
/// names, the household's size, its programmes and the warning's kind — not the evidence's amounts (medical bills,
/// income), the home visit's findings, the hardship score, the survey or the handling notes.
public enum RegistrationPlaceView {
    /// The parts of a record that only the offices with a duty to it read.
    public static let withheld = ["预警证据（医疗费用、收入等金额）", "困难评分", "入户核实情况", "家庭经济状况调查与核对", "处理说明"]

    /// A warning: the residence place handles it; any other reader was sent it for information.
    public static func warningIsMinimal(actor: Actor, residence: RegionCode) -> Bool {
        !actor.covers(residence)
    }

    /// An application: minimal unless the actor covers the residence or the office of one of the process's steps.
    public static func caseIsMinimal(actor: Actor, state: CaseState, process: CaseProcess) -> Bool {
        if actor.covers(state.residenceRegion) { return false }
        return !process.steps.contains { rule in CaseWorkflow.regions(for: rule.place, state).contains(where: actor.covers) }
    }
}
