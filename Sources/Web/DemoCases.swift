import Domain
import Fluent
import Foundation
import SQLKit
import Store

/// Applications in the demo street, one in every stage of the process (some overdue), one from a warning, one
/// apply-anywhere case registered in another district, one with an objection during its notice: the inboxes,
/// the clock and the notice board are alive from the start. Made through the same store and workflow as real
/// cases, with the steps dated in the past.
enum DemoCases {
    static func seed(db: any Database, policy: Policy, accounts: [DemoAccount], city: DemoCity, today: LocalDate) async throws {
        func actor(_ role: Role) -> Actor { accounts.actor(role) }
        let (window, coordinator, reviewer) = (actor(.townshipOfficer), actor(.coordinator), actor(.countyReviewer))
        let system = Actor(userID: nil, username: "system", role: .cityAdmin, jurisdiction: city.city.code, origin: "demo")
        let store = CaseStore(db, processes: policy.processes, calendar: policy.monitoring.calendar, parameters: policy.calculator.parameters)
        let sql = db as! any SQLDatabase
        // Households of the coordinator's community with no enrolment yet.
        // Registered in the same street, so that its own officers take every step (the apply-anywhere case is made below).
        let rows = try await sql.select().column("id").from("households").within(coordinator.jurisdiction)
            .where { $0.within(window.jurisdiction, column: "registered_region") }
            .where(SQLRaw("NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.household_id = households.id)")).orderBy("id").limit(12).all()
        let households = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        // A small demo city has fewer households in one community: the first stages are made, as many as there are.
        func day(_ n: Int) -> LocalDate { today.adding(days: -n) }
        var next = households.makeIterator()

        func recorded(_ h: AssessmentRequest) throws -> String { try StoredJSON.text(h) }
        let helpRequests = HelpRequests(db, calendar: policy.monitoring.calendar, parameters: policy.calculator.parameters)
        /// Opens a case `daysAgo` and takes the given steps (made for the household as recorded), each on its own day.
        /// `need`: the case answers the head's online request for help (码上办), made the day before and called back.
        func make(_ kind: CaseKind = .dibao, channel: CaseChannel = .window, warning: UUID? = nil, need: String? = nil, daysAgo: Int,
                  _ steps: @escaping (AssessmentRequest) -> [(CaseAction, Actor, Int)]) async throws {
            guard let hid = next.next(), let p = try await RegistryStore(db).profile(Household.ID(hid), actor: system) else { return }
            let request = AssessmentRequest(profile: p, date: day(daysAgo))
            let assessment = (try? policy.calculator.assess(request)).flatMap { try? StoredJSON.text($0) }
            var helpRequest: UUID?
            if let need, let head = p.head {
                let (code, _) = try await helpRequests.submit(HelpRequestForm(name: head.name, nationalID: head.nationalID.value, phone: "13800000000", need: need,
                                                                              township: window.jurisdiction.value, consent: true),
                                                              townships: [window.jurisdiction], today: day(daysAgo + 1), origin: "demo")
                helpRequest = try await sql.select().column("id").from("help_requests").where("code", .equal, code).first()?.decode(column: "id", as: UUID.self)
                try await helpRequests.handle(helpRequest!, to: .contacted, note: "已电话联系，约定到窗口办理", actor: window)
            }
            var c = try await store.open(NewCase(kind: kind, channel: channel, householdID: hid, applicantName: p.head?.name ?? "申请人", warningID: warning,
                                                 helpRequestID: helpRequest, note: need == nil ? "" : "在线求助后电话联系，转为申请",
                                                 snapshot: try recorded(request), assessment: assessment),
                                         actor: channel == .proxy ? coordinator : window, today: day(daysAgo))
            for (action, who, ago) in steps(request) {
                c = try await store.act(c.id, action, expectedVersion: c.version, actor: who, today: day(ago))
            }
        }
        // The approved household's top-up: half the local standard (a household whose income covers the other half),
        // from the parameters, not a number of the demo's own.
        let standard = try policy.calculator.standards(region: coordinator.jurisdiction, date: today).dibaoStandard.amount ?? Cents(0)
        let topUp = standard.divided(by: 2, rounding: .halfUp).value
        guard case .integer(let adultAge) = try policy.calculator.parameters.resolve("adultAge", region: window.jurisdiction, date: today).value else { return }
        // The front steps as a township and its coordinator record them: every adult signs, the household declares what
        // the departments know, and two people visit.
        func front(_ h: AssessmentRequest) -> [(Int) -> [(CaseAction, Actor, Int)]] {
            let present = h.members.filter(\.isPresent).map(\.label)
            let signers = CommitmentRecord.signers(h, fromAge: adultAge, on: today)
            let items = EconomicCheckReport.departmentItems(h)
            let declared = Dictionary(uniqueKeysWithValues: items.enumerated().compactMap { i, item in item.foundCents.map { (i, $0) } })
            let visit = HomeVisitForm(investigators: [coordinator.username, window.username], present: present, housing: .adequate,
                                      living: "家中陈设简单，家电老旧，饮食正常", assetsSeen: "无", householdSigner: present.first ?? "申请人",
                                      investigatorsSigned: true)
            return [
                { d in [(.accept, window, d)] },
                { d in [(.recordCommitment(CommitmentRecord(signatures: signers.map { CommitmentSignature(name: $0, form: .paper) })), coordinator, d)] },
                { d in [(.recordVerification(EconomicCheckReport.report(h, declared: declared)), window, d)] },
                { d in [(.recordVisit(visit), coordinator, d)] },
            ]
        }
        func upTo(_ n: Int, from start: Int) -> (AssessmentRequest) -> [(CaseAction, Actor, Int)] {
            { h in (0..<n).flatMap { i in front(h)[i](max(0, start - i)) } }
        }
        func then(_ a: @escaping (AssessmentRequest) -> [(CaseAction, Actor, Int)], _ b: [(CaseAction, Actor, Int)]) -> (AssessmentRequest) -> [(CaseAction, Actor, Int)] {
            { h in a(h) + b }
        }
        try await make(daysAgo: 0) { _ in [] }                                                   // waiting for acceptance
        try await make(channel: .proxy, daysAgo: 1, upTo(1, from: 1))                             // filed by the coordinator, accepted
        try await make(daysAgo: 2, upTo(2, from: 2))                                              // commitment signed
        try await make(daysAgo: 14, upTo(3, from: 14))                                            // visit overdue since days
        try await make(daysAgo: 6, upTo(4, from: 6))                                              // awaiting first review
        // From a resident's online request; its seven days of notice have run: the township closes it and the county
        // decides (the browser walkthrough does).
        try await make(channel: .online, need: "下岗后没有收入，孩子还在上学，想问问能不能申请低保", daysAgo: 11,
                       then(upTo(4, from: 11), [(.firstReview(recommend: true, opinion: "经核实符合低保条件"), window, 9), (.postNotice, window, 9)]))
        try await make(daysAgo: 12, then(upTo(4, from: 12), [(.firstReview(recommend: true, opinion: "符合低保条件"), window, 8),
                                                            (.postNotice, window, 6), (.recordObjection(text: "有居民反映其子女有固定收入"), coordinator, 3)]))
        try await make(daysAgo: 20, then(upTo(4, from: 20), [(.firstReview(recommend: true, opinion: "符合低保条件"), window, 15),
                                                            (.postNotice, window, 14), (.closeNotice, window, 7)]))  // for the county to decide
        try await make(daysAgo: 30, then(upTo(4, from: 30), [(.firstReview(recommend: true, opinion: "符合低保条件"), window, 25),
                                                            (.postNotice, window, 24), (.closeNotice, window, 17), (.approve(amountCents: topUp), reviewer, 12)]))
        try await make(daysAgo: 25, then(upTo(4, from: 25), [(.firstReview(recommend: false, opinion: "家庭存款超过规定"), window, 20),
                                                            (.refuse(reasons: ["家庭金融资产超过当地规定的上限"], articles: ["DB 14"]), reviewer, 16)]))
        // From a warning of the street: the warning's "转为申请".
        if let w = try await sql.select().columns("id", "household_id").from("warnings").within(window.jurisdiction)
            .where("status", .in, [WarningStatus.new.rawValue, WarningStatus.assigned.rawValue]).orderBy("id").first(),
           let hid = try? w.decode(column: "household_id", as: UUID.self), let p = try await RegistryStore(db).profile(Household.ID(hid), actor: system) {
            let c = try await store.open(NewCase(kind: .dibao, channel: .warning, householdID: hid, applicantName: p.head?.name ?? "申请人",
                                                 warningID: try w.decode(column: "id", as: UUID.self), note: "预警核实后转为申请",
                                                 snapshot: try recorded(AssessmentRequest(profile: p, date: day(1)))), actor: window, today: day(1))
            _ = try await store.act(c.id, .accept, expectedVersion: c.version, actor: window, today: day(1))
        }
        // Help first (先行救助): the county funds the street's reserve; after a fire the street granted at once, and the
        // paperwork is now past its deadline (the dashboard shows it).
        let fundedBy = actor(.countyReviewer)
        if let township = window.jurisdiction.ancestor(at: .township), fundedBy.jurisdiction.contains(township) {
            _ = try await ReserveFunds(db).credit(.allocation, township: township, amount: Cents(5_000_000), note: "演示：年初拨付先行救助备用金", actor: fundedBy,
                                                  now: Date().addingTimeInterval(-40 * 86_400))
            if let h = try await sql.select().column("id").from("households").within(township).orderBy("id").offset(3).first(),
               let hid = try? h.decode(column: "id", as: UUID.self), let p = try await RegistryStore(db).profile(Household.ID(hid), actor: system) {
                let limit = try policy.calculator.parameters.resolve("townshipTemporaryApprovalLimit", region: window.jurisdiction, date: today).amount ?? Cents(0)
                var c = try await store.open(NewCase(kind: .temporaryEmergency, channel: .window, householdID: hid, applicantName: p.head?.name ?? "申请人",
                                                     note: "夜间家中失火，衣物被褥烧毁，先行救助"), actor: window, today: day(20))
                c = try await store.act(c.id, .accept, expectedVersion: c.version, actor: window, today: day(20))
                _ = try await store.act(c.id, .approve(amountCents: limit.divided(by: 2, rounding: .halfUp).value, payee: p.head?.name), expectedVersion: c.version,
                                        actor: window, today: day(20))
            }
            // Help first where the emergency struck: someone living and registered in another district, hurt in a road
            // accident while passing through the street, granted by the street from its own fund [LS; ZX 48].
            if let county = township.ancestor(at: .county),
               let m = try await sql.select().columns(SQLColumn("id", table: "members"), SQLColumn("name", table: "members"), SQLColumn("household_id", table: "members"))
                .from("members").join("households", on: SQLColumn("household_id", table: "members"), .equal, SQLColumn("id", table: "households"))
                .where(SQLColumn("relation", table: "members"), .equal, SQLBind(Relation.head.rawValue))
                .where(SQLColumn("residence_region", table: "households"), .notLike, SQLBind(county.prefix + "%"))
                .where(SQLColumn("registered_region", table: "households"), .notLike, SQLBind(county.prefix + "%"))
                .orderBy(SQLColumn("id", table: "members")).first() {
                let name = try m.decode(column: "name", as: String.self)
                let limit = try policy.calculator.parameters.resolve("townshipTemporaryApprovalLimit", region: township, date: today).amount ?? Cents(0)
                var c = try await store.open(NewCase(kind: .temporaryEmergency, channel: .hotline, householdID: try m.decode(column: "household_id", as: UUID.self),
                                                     memberID: try m.decode(column: "id", as: UUID.self), applicantName: name,
                                                     note: "途经本街道时遭遇交通事故，急需医疗费用，先行救助"), actor: window, today: day(3))
                c = try await store.act(c.id, .accept, expectedVersion: c.version, actor: window, today: day(3))
                _ = try await store.act(c.id, .approve(amountCents: limit.divided(by: 3, rounding: .halfUp).value, payee: name), expectedVersion: c.version,
                                        actor: window, today: day(3))
            }
        }
        // A warning found a dibao household's income has risen: the street proposed a decrease, for the county to decide.
        // (Where no warning concerns an assisted household of the street, the periodic review found it.)
        func assisted(_ q: SQLSelectBuilder) -> SQLSelectBuilder {
            q.from("enrolments").join("households", on: SQLColumn("household_id", table: "enrolments"), .equal, SQLColumn("id", table: "households"))
                .where(SQLColumn("status", table: "enrolments"), .equal, SQLBind(EnrolmentStatus.active.rawValue))
                .where(SQLColumn("program", table: "enrolments"), .equal, SQLBind(Program.dibao.rawValue))
                .where(SQLColumn("monthly_amount_cents", table: "enrolments"), .greaterThanOrEqual, SQLBind(Int64(20_000)))
                .within(window.jurisdiction, table: "households")
                // Registered here too, so that this county's reviewer is the one to decide it [YC]; and not a household
                // with an application, whose enrolment other parts of the demo go on with.
                .within(window.jurisdiction, column: "registered_region", table: "households")
                .where(SQLRaw("NOT EXISTS (SELECT 1 FROM cases c WHERE c.household_id = households.id)"))
                .column(SQLColumn("id", table: "enrolments"), as: "enrolment").column(SQLColumn("monthly_amount_cents", table: "enrolments"), as: "amount")
        }
        let warned = try await assisted(sql.select()).column(SQLColumn("id", table: "warnings"), as: "warning")
            .join("warnings", on: SQLColumn("household_id", table: "warnings"), .equal, SQLColumn("household_id", table: "enrolments"))
            .orderBy(SQLColumn("id", table: "warnings")).first()
        let reviewed = warned == nil ? try await assisted(sql.select()).orderBy(SQLColumn("id", table: "enrolments")).first() : nil
        if let row = warned ?? reviewed {
            let amount = try row.decode(column: "amount", as: Int64.self)
            let next = today.firstOfNextMonth
            _ = try await EnrolmentChanges(db, parameters: policy.calculator.parameters).propose(
                enrolment: try row.decode(column: "enrolment", as: UUID.self), newCents: Cents(amount).divided(by: 2, rounding: .halfUp).value, effectiveOn: next,
                reasons: ["核实：家庭成员已就业，月收入增加，按差额重新核定"], articles: ["DB 32"], source: warned == nil ? .review : .warning,
                origin: .init(warningID: try warned?.decode(column: "warning", as: UUID.self)), actor: window, today: day(1))
        }
        // A resident's online request for help (码上办), for the township to call.
        if let m = try await sql.select().columns("name", "national_id_sealed").from("members").within(window.jurisdiction)
            .where("relation", .equal, Relation.head.rawValue).orderBy("id").offset(40).first() {
            _ = try await helpRequests.submit(
                HelpRequestForm(name: try m.decode(column: "name", as: String.self), nationalID: try DataCipher.inUse().open(try m.decode(column: "national_id_sealed", as: String.self)),
                                phone: "13800000000", need: "老伴住院，医药费负担重，不知道能申请什么救助", township: window.jurisdiction.value, consent: true),
                townships: [window.jurisdiction], today: today, origin: "demo")
        }
        // Apply where you live: registered in another district, so the first review and notice are that township's [YC].
        if let hid = next.next(), let elsewhere = city.communities.first(where: { $0.code.ancestor(at: .county) != coordinator.jurisdiction.ancestor(at: .county) }) {
            try await sql.update("households").set("registered_region", to: elsewhere.code.value).where("id", .equal, hid).run()
            guard let p = try await RegistryStore(db).profile(Household.ID(hid), actor: system) else { return }
            let h = AssessmentRequest(profile: p, date: day(5))
            var c = try await store.open(NewCase(kind: .dibao, channel: .window, householdID: hid, applicantName: p.head?.name ?? "申请人",
                                                 note: "户籍在\(elsewhere.name)，在居住地申请（一城通办）", snapshot: try recorded(h)), actor: window, today: day(5))
            for (a, who, ago) in upTo(4, from: 5)(h) { c = try await store.act(c.id, a, expectedVersion: c.version, actor: who, today: day(ago)) }
        }
    }
}
