import Domain
import Foundation
import Vapor

/// JSON types of the public API, kept apart from storage and domain types so either can change
/// without breaking clients. Money is always integer cents (`…Cents`); dates are `YYYY-MM-DD`.
enum API {
    /// Domain types that are already the documented JSON shape (the assessment interchange format) are sent as they are.
    static func json(_ value: some Encodable) throws -> Response {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Dates as the OpenAPI document says (format date-time), not seconds since 2001.
        enc.dateEncodingStrategy = .iso8601
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try enc.encode(value)))
    }

    /// A list's `limit` (1–500, 50 unless asked) and `offset` (0 or more), whatever the query says.
    static func window(_ req: Request) -> (limit: Int, offset: Int) {
        (min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 500), max(req.query[Int.self, at: "offset"] ?? 0, 0))
    }

    struct ErrorBody: Content {
        /// `message` in Chinese for people; `code` in English for programs (absent in old clients' eyes, so optional).
        struct Detail: Codable { var status: Int; var message: String; var code: String? = nil }
        var error: Detail
    }

    struct RegionRef: Content {
        var code: String
        var name: String
    }

    struct HouseholdSummary: Content {
        var id: String
        var headName: String
        var headNationalIdMasked: String
        var address: String
        var residenceRegion: RegionRef
        var memberCount: Int
        var programs: [String]

        init(_ s: Domain.HouseholdSummary) {
            id = s.id.description
            headName = s.headName
            headNationalIdMasked = s.headMaskedID
            address = s.address
            residenceRegion = RegionRef(code: s.residenceRegion.value, name: s.residenceRegionName)
            memberCount = s.memberCount
            programs = s.programs.map(\.rawValue)
        }
    }

    struct HouseholdList: Content {
        var query: String
        var limit: Int
        var items: [HouseholdSummary]
    }

    struct Disability: Content {
        var category: String
        var grade: Int
    }

    /// A whole ID number given for a stated purpose (the read is audited with it).
    struct RevealedNationalID: Content {
        var memberId: String
        var name: String
        var nationalId: String
    }

    struct Member: Content {
        var id: String
        var relation: String
        var nationalId: String
        var name: String
        var sex: String
        var birthDate: String
        var disability: Disability?
        var illnesses: [String]
        var workCapacity: String
        var employment: String
        var schooling: String

        init(_ m: Domain.Member) {
            id = m.id.description
            relation = m.relation.rawValue
            // Masked, as on every page: the whole number is `POST …/members/{id}/national-id`, for a purpose, audited.
            nationalId = m.nationalID.masked
            name = m.name
            sex = m.sex.rawValue
            birthDate = m.birthDate.description
            disability = m.disability.map { Disability(category: $0.category.rawValue, grade: $0.grade) }
            illnesses = m.illnesses.map(\.rawValue)
            workCapacity = m.workCapacity.rawValue
            employment = m.employment.rawValue
            schooling = m.schooling.rawValue
        }
    }

    struct Source: Content {
        var department: String
        var receivedAt: String
        var reference: String
    }

    struct Fact: Content {
        var id: String
        var memberId: String?
        var category: String
        var kind: String
        var amountCents: Int64?
        var basis: String?
        var validFrom: String
        var validTo: String?
        var source: Source
        var note: String

        init(_ f: Domain.Fact) {
            id = f.id.description
            memberId = f.memberID?.description
            category = f.kind.category.rawValue
            kind = f.kind.rawValue
            amountCents = f.amount?.value
            basis = f.basis?.rawValue
            validFrom = f.validFrom.description
            validTo = f.validTo?.description
            source = Source(department: f.provenance.department.rawValue, receivedAt: f.provenance.receivedAt.description,
                            reference: f.provenance.reference)
            note = f.note
        }
    }

    struct Enrolment: Content {
        var id: String
        var memberId: String?
        var program: String
        var since: String
        var monthlyAmountCents: Int64
        var status: String

        init(_ e: Domain.Enrolment) {
            id = e.id.description
            memberId = e.memberID?.description
            program = e.program.rawValue
            since = e.since.description
            monthlyAmountCents = e.monthlyAmount.value
            status = e.status.rawValue
        }
    }

    struct HouseholdDetail: Content {
        var id: String
        var address: String
        var registeredRegion: RegionRef
        var residenceRegion: RegionRef
        var members: [Member]
        var facts: [Fact]
        var enrolments: [Enrolment]

        init(_ p: HouseholdProfile) {
            id = p.household.id.description
            address = p.household.address
            registeredRegion = RegionRef(code: p.household.registeredRegion.value, name: p.registeredRegionName)
            residenceRegion = RegionRef(code: p.household.residenceRegion.value, name: p.residenceRegionName)
            members = p.members.map(Member.init)
            facts = p.facts.map(Fact.init)
            enrolments = p.enrolments.map(Enrolment.init)
        }
    }
}
