import Domain
import FluentKit
import Foundation
import SQLKit

/// The second linking pass of an import: rows whose ID matched no one exactly are linked with the feed's
/// Fellegi–Sunter model against candidates fetched from the register (same birth date — typed, swapped
/// or embedded in the ID — or same name). Above the upper threshold the rows are applied at once, except
/// rows that could mark a person dead or stop or reduce a benefit: those, and everything between the
/// thresholds, wait for a human. Below, the record is a person the register does not know.
struct PersonLinkage {
    let tx: any Database
    let spec: FeedSpec
    let model: LinkageModel
    let actor: Actor
    let received: LocalDate
    let batch: EventBatch
    static let batchSize = 1_000

    /// How a department names a person: typed ID | name | birth date, kept as its blind index (it names the ID
    /// number). Rows with the same identity are one person to link, once.
    static func identity(_ rec: FeedRecord) throws -> String {
        try SealedColumns.index("\(rec.nationalID?.value ?? rec.typedID ?? "")|\(rec.name ?? "")|\(rec.birthDate?.description ?? "")")
    }

    struct Pending {
        var id: UUID
        var identity: String
        var record: FeedRecord
        var region: String?
    }

    struct Candidate {
        var person: FactApplier.Person
        var values: [String?]
    }

    /// What the pass did with the rows it was given; the importer adds it to its report.
    struct Counts: Equatable {
        /// Linked to a registered person above the upper threshold (and applied),
        var probablyLinked = 0
        /// waiting for a human (between the thresholds, or irreversible),
        var review = 0
        /// or persons the register does not know.
        var newPersons = 0
        /// What applying the linked rows changed.
        var applied = FactApplier.Counts()
    }

    /// Links the import's waiting rows. `progress` is told the counts so far, after each batch.
    func run(importID: UUID, progress: @Sendable (Counts) -> Void) async throws -> Counts {
        let sql = tx.sql
        var counts = Counts()
        let registerSize = try await sql.select().column(SQLAlias(SQLFunction("count", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("members").first()?.decode(column: "n", as: Int.self) ?? 0
        var model = model
        // Feeds are about the city's residents: a random pair is a match about once per register size.
        model.prior = 1 / Double(max(2, registerSize))
        var afterRow = -1
        while true {
            let rows = try await sql.select().column("*").from("feed_unlinked")
                .where("import_id", .equal, importID).where("status", .equal, "pending").where("row_number", .greaterThan, afterRow)
                .orderBy("row_number").limit(Self.batchSize).all()
            guard let last = rows.last else { break }
            afterRow = try last.decode(column: "row_number", as: Int.self)
            let pending = try rows.map(Self.pending)
            try await link(pending, importID: importID, model: model, registerSize: registerSize, counts: &counts)
            progress(counts)
        }
        return counts
    }

    /// A waiting row as the importer parsed it: every field it kept, so that linking it later applies what an
    /// exact ID would have (a certificate's disability grade among them).
    static func pending(_ row: any SQLRow) throws -> Pending {
        let typed = try SealedColumns.open(try row.decode(column: "national_id_sealed", as: String.self))
        let region = try row.decode(column: "region", as: String?.self)
        let disability = try row.decode(column: "disability_category", as: String?.self).flatMap(DisabilityCategory.init(rawValue:)).flatMap { c in
            try row.decode(column: "disability_grade", as: Int?.self).flatMap { try? Disability(category: c, grade: $0) }
        }
        let rec = FeedRecord(
            row: try row.decode(column: "row_number", as: Int.self), nationalID: try? NationalID(typed), typedID: typed.isEmpty ? nil : typed, idIssue: nil,
            name: try row.decode(column: "name", as: String?.self), birthDate: try row.decode(column: "birth_date", as: String?.self).flatMap { try? LocalDate($0) },
            address: try row.decode(column: "address", as: String?.self), kind: FactKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .otherIncome,
            amount: try row.decode(column: "amount_cents", as: Int64?.self).map(Cents.init), date: try row.decode(column: "valid_from", as: String?.self).flatMap { try? LocalDate($0) },
            validTo: try row.decode(column: "valid_to", as: String?.self).flatMap { try? LocalDate($0) }, region: region.flatMap { try? RegionCode($0) },
            disability: disability,
            reference: try row.decode(column: "reference", as: String?.self), note: try row.decode(column: "note", as: String?.self) ?? "",
            naturalKey: try row.decode(column: "natural_key", as: String.self))
        return Pending(id: try row.decode(column: "id", as: UUID.self), identity: try row.decode(column: "identity", as: String.self), record: rec,
                       region: region)
    }

    /// The values the model compares, in its field order, from whatever the feed and the register hold.
    func values(id: String?, name: String?, birthDate: String?, region: String?, address: String?) -> [String?] {
        model.fields.map { f in
            switch f.name {
            case "nationalId": return id
            case "name": return name
            case "birthDate": return birthDate
            // Counties: a department's region code and our residence code agree at that level.
            case "region": return region.map { String($0.prefix(6)) }
            case "address": return address
            default: return nil
            }
        }
    }

    func link(_ pending: [Pending], importID: UUID, model: LinkageModel, registerSize: Int, counts c: inout Counts) async throws {
        let sql = tx.sql
        var byIdentity: [String: [Pending]] = [:]
        var order: [String] = []
        for p in pending {
            if byIdentity[p.identity] == nil { order.append(p.identity) }
            byIdentity[p.identity, default: []].append(p)
        }

        // Links this feed already has for these identities (an earlier file, or an earlier batch).
        var known: [String: [(id: UUID, member: UUID, status: String)]] = [:]
        for row in try await sql.select().columns("id", "identity", "member_id", "status").from("person_links")
            .where("feed", .equal, spec.name).where("identity", .in, order).all() {
            known[try row.decode(column: "identity", as: String.self), default: []].append(
                (try row.decode(column: "id", as: UUID.self), try row.decode(column: "member_id", as: UUID.self), try row.decode(column: "status", as: String.self)))
        }

        // Candidates: the same birth date (typed, day and month swapped, or inside the ID) or the same name.
        var dates = Set<String>(), names = Set<String>()
        for identity in order {
            let rec = byIdentity[identity]![0].record
            if let d = rec.birthDate {
                dates.insert(d.description)
                if let swapped = try? LocalDate(year: d.year, month: d.day, day: d.month) { dates.insert(swapped.description) }
            }
            if let body = rec.typedID.flatMap({ Linkage.normalisedBody($0) }) {
                let digits = Array(body)
                if let y = Int(String(digits[6..<10])), let m = Int(String(digits[10..<12])), let d = Int(String(digits[12..<14])),
                   let date = try? LocalDate(year: y, month: m, day: d) { dates.insert(date.description) }
            }
            if let n = rec.name { names.insert(n) }
        }
        var candidates: [UUID: Candidate] = [:]
        var nameCounts: [String: Int] = [:]
        for (column, list) in [("birth_date", Array(dates)), ("name", Array(names))] where !list.isEmpty {
            for row in try await sql.select().columns(SQLColumn("id", table: "members"), SQLColumn("household_id", table: "members"),
                                                      SQLColumn("residence_region", table: "members"), SQLColumn("national_id_sealed", table: "members"),
                                                      SQLColumn("name", table: "members"), SQLColumn("birth_date", table: "members"), SQLColumn("address", table: "households"))
                .from("members").join("households", on: SQLColumn("household_id", table: "members"), .equal, SQLColumn("id", table: "households"))
                .where(SQLColumn(column, table: "members"), .in, SQLBind.group(list)).all() {
                let id = try row.decode(column: "id", as: UUID.self)
                let name = try row.decode(column: "name", as: String.self)
                if column == "name" { nameCounts[name, default: 0] += 1 }
                guard candidates[id] == nil else { continue }
                let region = try row.decode(column: "residence_region", as: String.self)
                candidates[id] = Candidate(person: FactApplier.Person(member: id, household: try row.decode(column: "household_id", as: UUID.self), region: region),
                                           values: values(id: try SealedColumns.open(try row.decode(column: "national_id_sealed", as: String.self)), name: name,
                                                          birthDate: try row.decode(column: "birth_date", as: String.self), region: region,
                                                          address: try row.decode(column: "address", as: String.self)))
            }
        }
        // One-to-one within the feed: a registered person already linked to another identity is not offered again.
        var taken = Set<UUID>()
        let ids = Array(candidates.keys)
        if !ids.isEmpty {
            for row in try await sql.select().columns("member_id", "identity").from("person_links")
                .where("feed", .equal, spec.name).where("member_id", .in, ids).where("status", .notEqual, "rejected").all()
            where !order.contains(try row.decode(column: "identity", as: String.self)) {
                taken.insert(try row.decode(column: "member_id", as: UUID.self))
            }
        }
        let left = candidates.filter { !taken.contains($0.key) }.map { $0 }
        let fresh = order.filter { identity in !(known[identity] ?? []).contains { $0.status != "rejected" } }
        let right = fresh.map { identity -> LinkRecord in
            let p = byIdentity[identity]![0]
            return LinkRecord(key: identity, values: values(id: p.record.typedID, name: p.record.name, birthDate: p.record.birthDate?.description,
                                                            region: p.region, address: p.record.address))
        }
        let linker = try Linker(model: model, left: left.map { LinkRecord(key: "\($0.key)", values: $0.value.values) }, right: right,
                                termFrequencies: (["name": nameCounts], registerSize))
        let outcome = try linker.link()

        let applier = FactApplier(sql: sql, spec: spec, received: received, batch: batch)
        var apply: [(record: FeedRecord, person: FactApplier.Person, importID: UUID)] = []
        var status: [UUID: (String, UUID?)] = [:] // feed_unlinked row → status, link
        var linkRows: [[any SQLExpression]] = []
        let now = Timestamp.text(Date())

        // Identities this feed has linked before: follow the earlier decision.
        for identity in order where !fresh.contains(identity) {
            let link = known[identity]!.first { $0.status != "rejected" }!
            let rows = byIdentity[identity]!
            let person = try await self.person(link.member)
            let confirmed = link.status == "confirmed"
            for p in rows {
                if confirmed || (link.status == "auto" && !p.record.kind.mayStopOrReduceBenefit), let person {
                    apply.append((p.record, person, importID)); status[p.id] = ("linked", link.id)
                } else {
                    status[p.id] = ("review", link.id)
                }
            }
            if link.status == "auto" && rows.contains(where: { $0.record.kind.mayStopOrReduceBenefit }) {
                try await sql.update("person_links").set("status", to: "review").set("reason", to: Self.irreversibleReason).where("id", .equal, link.id).run()
            }
        }

        func evidenceJSON(_ pair: ScoredPair) throws -> String {
            let e = try linker.explain(left: pair.left, right: pair.right)
            // Both sides' values, the ID numbers among them: sealed like the numbers themselves.
            return try SealedColumns.seal(String(decoding: try JSONEncoder().encode(e), as: UTF8.self))
        }
        for (pair, automatic) in outcome.links.map({ ($0, true) }) + outcome.review.map({ ($0, false) }) {
            let identity = linker.rightKey(pair.right)
            let member = UUID(uuidString: linker.leftKey(pair.left))!
            // A pair a human rejected before stays rejected: the rows remain a person the register does not know.
            if (known[identity] ?? []).contains(where: { $0.member == member && $0.status == "rejected" }) { continue }
            let person = candidates[member]!.person
            let rows = byIdentity[identity]!
            let irreversible = rows.contains { $0.record.kind.mayStopOrReduceBenefit }
            let linkStatus = automatic && !irreversible ? "auto" : "review"
            let reason = pair.heldForDistinctIDs ? Linkage.distinctValidIDsReason
                : automatic ? (irreversible ? Self.irreversibleReason : "证据足够，已自动关联") : LinkReviewStore.uncertainReason
            let linkID = UUID()
            linkRows.append([SQLBind(linkID), SQLBind(importID), SQLBind(spec.name), SQLBind(identity), SQLBind(member), SQLBind(person.household),
                             SQLBind(person.region), SQLBind(linkStatus), SQLBind(pair.probability), SQLBind(pair.weight), SQLBind(try evidenceJSON(pair)),
                             SQLBind(reason), SQLBind(now)])
            for p in rows {
                if linkStatus == "auto" { apply.append((p.record, person, importID)); status[p.id] = ("linked", linkID) } else { status[p.id] = ("review", linkID) }
            }
        }
        try await FactApplier.insert(sql, "person_links", ["id", "import_id", "feed", "identity", "member_id", "household_id", "residence_region", "status",
                                                           "probability", "weight", "evidence", "reason", "created_at"], linkRows)
        for p in pending where status[p.id] == nil { status[p.id] = ("new", nil) }

        try await applier.apply(apply.sorted { $0.record.row < $1.record.row }, counts: &c.applied)
        for (state, rows) in Dictionary(grouping: pending, by: { status[$0.id]!.0 }) {
            switch state {
            case "linked": c.probablyLinked += rows.count
            case "review": c.review += rows.count
            default: c.newPersons += rows.count
            }
        }
        // Statuses in a few statements: by link for linked and review rows, in one list for new ones.
        for (link, rows) in Dictionary(grouping: pending.filter { status[$0.id]!.1 != nil }, by: { status[$0.id]!.1! }) {
            try await sql.update("feed_unlinked").set("status", to: status[rows[0].id]!.0).set("link_id", to: SQLBind(link))
                .where("id", .in, rows.map(\.id)).run()
        }
        let newOnes = pending.filter { status[$0.id]!.1 == nil }.map(\.id)
        if !newOnes.isEmpty { try await sql.update("feed_unlinked").set("status", to: "new").set("link_id", to: SQLLiteral.null).where("id", .in, newOnes).run() }
    }

    static let irreversibleReason = "此记录可能导致标记死亡或停发、减发待遇，非身份证号完全一致的关联须人工确认"

    func person(_ member: UUID) async throws -> FactApplier.Person? {
        guard let row = try await tx.sql.select().columns("id", "household_id", "residence_region").from("members").where("id", .equal, member).first() else { return nil }
        return FactApplier.Person(member: member, household: try row.decode(column: "household_id", as: UUID.self),
                                  region: try row.decode(column: "residence_region", as: String.self))
    }
}
