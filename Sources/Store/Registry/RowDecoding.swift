import Domain
import FluentKit
import Foundation
import SQLKit

/// Turning rows back into domain values. A row that does not decode is a storage fault, reported as such.
enum RowDecoding {
    static func region(_ r: any SQLRow) throws -> Region {
        Region(code: try RegionCode(try r.decode(column: "code", as: String.self)), name: try r.decode(column: "name", as: String.self),
               isDemo: try r.decode(column: "is_demo", as: Bool.self))
    }

    static func member(_ r: any SQLRow) throws -> Member { try member(SQLRowReader(r)) }

    static func member(_ r: some ColumnReader) throws -> Member {
        try member(id: r.uuid("id"), household: r.uuid("household_id"), relation: r.text("relation"), sealedNationalID: r.text("national_id_sealed"),
                   name: r.text("name"), sex: r.text("sex"), birthDate: r.text("birth_date"), disabilityCategory: r.optionalText("disability_category"),
                   disabilityGrade: r.optionalInt64("disability_grade"), illnesses: r.text("illnesses"), workCapacity: r.text("work_capacity"),
                   employment: r.text("employment"), schooling: r.text("schooling"))
    }

    /// The stored values of a member row, read by name (above) or by position (`RowShape.member`).
    static func member(id: UUID, household: UUID, relation: String, sealedNationalID: String, name: String, sex: String, birthDate: String,
                       disabilityCategory: String?, disabilityGrade: Int64?, illnesses: String, workCapacity: String,
                       employment: String, schooling: String) throws -> Member {
        let category = disabilityCategory.flatMap(DisabilityCategory.init(rawValue:))
        let disability = try category.flatMap { c in try disabilityGrade.map { try Disability(category: c, grade: Int($0)) } }
        return Member(
            id: Member.ID(id), householdID: Household.ID(household),
            relation: Domain.Relation(rawValue: relation) ?? .other,
            nationalID: try SealedColumns.nationalID(sealedNationalID), name: name,
            sex: Sex(rawValue: sex) ?? .male,
            birthDate: try LocalDate(birthDate),
            disability: disability, illnesses: illnesses.split(separator: ",").compactMap { Illness(rawValue: String($0)) },
            workCapacity: WorkCapacity(rawValue: workCapacity) ?? .full,
            employment: Employment(rawValue: employment) ?? .notInLabourForce,
            schooling: Schooling(rawValue: schooling) ?? .notApplicable)
    }

    static func fact(_ r: any SQLRow) throws -> Fact { try fact(SQLRowReader(r)) }

    static func fact(_ r: some ColumnReader) throws -> Fact {
        try fact(id: r.uuid("id"), household: r.uuid("household_id"), member: r.optionalUUID("member_id"), kind: r.text("kind"),
                 amount: r.optionalInt64("amount_cents"), basis: r.optionalText("basis"), validFrom: r.text("valid_from"),
                 validTo: r.optionalText("valid_to"), department: r.text("source_department"), receivedAt: r.text("received_at"),
                 reference: r.text("reference"), note: r.text("note"))
    }

    static func fact(id: UUID, household: UUID, member: UUID?, kind: String, amount: Int64?, basis: String?, validFrom: String,
                     validTo: String?, department: String, receivedAt: String, reference: String, note: String) throws -> Fact {
        guard let kind = FactKind(rawValue: kind), let dept = Department(rawValue: department) else {
            throw DomainError.invalidData(file: "facts", reason: "未知的事实类别或来源部门")
        }
        return Fact(
            id: Fact.ID(id), householdID: Household.ID(household), memberID: member.map(Member.ID.init),
            kind: kind, amount: amount.map(Cents.init), basis: basis.flatMap(AmountBasis.init(rawValue:)),
            validFrom: try LocalDate(validFrom), validTo: try validTo.map { try LocalDate($0) },
            provenance: Provenance(department: dept, receivedAt: try LocalDate(receivedAt), reference: reference),
            note: note)
    }

    static func enrolment(_ r: any SQLRow) throws -> Enrolment { try enrolment(SQLRowReader(r)) }

    static func enrolment(_ r: some ColumnReader) throws -> Enrolment {
        try enrolment(id: r.uuid("id"), household: r.uuid("household_id"), member: r.optionalUUID("member_id"), program: r.text("program"),
                      since: r.text("since"), monthlyAmount: r.int64("monthly_amount_cents"), status: r.text("status"),
                      statusChangedOn: r.optionalText("status_changed_on"), exitEndsOn: r.optionalText("exit_ends_on"))
    }

    static func enrolment(id: UUID, household: UUID, member: UUID?, program: String, since: String, monthlyAmount: Int64, status: String,
                          statusChangedOn: String?, exitEndsOn: String? = nil) throws -> Enrolment {
        guard let program = Program(rawValue: program), let status = EnrolmentStatus(rawValue: status) else {
            throw DomainError.invalidData(file: "enrolments", reason: "未知的救助项目或状态")
        }
        return Enrolment(
            id: Enrolment.ID(id), householdID: Household.ID(household), memberID: member.map(Member.ID.init),
            program: program, since: try LocalDate(since), monthlyAmount: Cents(monthlyAmount), status: status,
            statusChangedOn: try statusChangedOn.map { try LocalDate($0) }, exitEndsOn: try exitEndsOn.map { try LocalDate($0) })
    }
}
