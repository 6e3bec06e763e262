import Domain
import Fluent
import Foundation
import SQLKit
import Store

/// 一事一议 in the demo: the coordinator's community put a family's sudden illness to the street, the street to the
/// district, and the district granted it once, beyond the ordinary temporary-assistance limit — three meeting
/// records; and a fire in another family's home waits for the street's meeting. Made through the same store.
enum DemoDeliberations {
    static func seed(db: any Database, policy: Policy, accounts: [DemoAccount], today: LocalDate) async throws {
        func actor(_ role: Role) -> Actor { accounts.actor(role) }
        let (coordinator, township, county) = (actor(.coordinator), actor(.townshipOfficer), actor(.countyReviewer))
        let store = Deliberations(db, parameters: policy.calculator.parameters, levels: policy.deliberationLevels)
        let sql = db as! any SQLDatabase
        // One family of the coordinator's community, and one elsewhere in the street, none of them on dibao.
        func family(in region: RegionCode, outside: RegionCode?) async throws -> UUID? {
            var q = sql.select().column("id").from("households").within(region).where { $0.within(region, column: "registered_region") }
                .where(SQLRaw("NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = households.id AND e.status = 'active' AND e.program = 'dibao')"))
            if let outside { q = q.where(SQLColumn("residence_region"), .notEqual, SQLBind(outside.value)) }
            return try await q.orderBy("id").first()?.decode(column: "id", as: UUID.self)
        }
        guard let ill = try await family(in: coordinator.jurisdiction, outside: nil),
              let burnt = try await family(in: township.jurisdiction, outside: coordinator.jurisdiction) else { return }
        func day(_ n: Int) -> LocalDate { today.adding(days: -n) }
        func people(_ names: [(String, String)]) -> [DeliberationParticipant] { names.map { DeliberationParticipant(name: $0.0, role: $0.1) } }
        let reason = ["户主突发脑出血住院，医保报销后自付医疗费约 8 万元，家庭收入略高于低保边缘标准，现有救助项目均不适用"]

        let illness = try await store.open(household: ill, situation: "户主突发脑出血住院，医保报销后自付约8万元，配偶无业，子女在读；家庭人均收入略高于低保边缘标准，临时救助上限不足以缓解",
                                           tags: ["illness", "education"], actor: coordinator, today: day(20))
        try await store.recordMeeting(illness, DeliberationMeeting(
            level: .community, heldOn: day(19), participants: people([("赵芳", "社区协理员"), ("刘建国", "社区党委书记"), ("马秀兰", "居民代表"), ("高志强", "楼栋长")]),
            opinions: ["赵芳：入户核实属实，家中已无积蓄", "刘建国：建议提请街道议定", "马秀兰、高志强：同意"], outcome: .escalate, reasons: reason),
            expectedVersion: 1, actor: coordinator, today: day(19))
        try await store.recordMeeting(illness, DeliberationMeeting(
            level: .township, heldOn: day(14), participants: people([("王磊", "街道社会救助经办人"), ("孙红", "街道办副主任"), ("钱伟", "社区卫生服务中心医生")]),
            opinions: ["王磊：所需金额超过街道可议定的上限", "孙红：同意报区民政局", "钱伟：后续康复治疗仍需较大支出"], outcome: .escalate, reasons: reason),
            expectedVersion: 2, actor: township, today: day(14))
        try await store.recordMeeting(illness, DeliberationMeeting(
            level: .county, heldOn: day(7), participants: people([("李静", "区民政局社会救助科"), ("周晓梅", "区民政局副局长"), ("吴刚", "区医保局"),
                                                                  ("郑丽", "区财政局"), ("陈军", "区人大代表")]),
            opinions: ["李静：情况属实，现有政策无法覆盖", "吴刚：可同时申请医疗救助", "郑丽：资金可从临时救助备用金列支", "周晓梅、陈军：同意"],
            outcome: .oneOff(amountCents: 2_000_000), reasons: reason + ["参照同类先例，给予一次性救助 2 万元，并引导申请医疗救助"]),
            expectedVersion: 3, actor: county, today: day(7))

        _ = try await store.open(household: burnt, situation: "夜间家中电线起火，屋内家具家电全部烧毁，一家四口暂住亲戚家，需添置基本生活用品并修缮住房",
                                 tags: ["disaster", "housing"], actor: township, today: day(2))
    }
}
