import Domain
import Foundation
import Store
import Vapor

extension API {
    struct Payroll: Content {
        var id: String
        var code: String
        var county: String
        var program: String
        var month: String
        var status: String
        var preparedBy: String
        var approvedBy: String?
        var lineCount: Int64
        var blockedCount: Int64
        var totalCents: Int64
        var bankFileSha256: String?

        init(_ p: PayrollSummary) {
            id = p.id.uuidString.lowercased()
            code = p.code
            county = p.county
            program = p.program.rawValue
            month = p.month.description
            status = p.status.rawValue
            preparedBy = p.preparedBy
            approvedBy = p.approvedBy
            lineCount = p.lineCount
            blockedCount = p.blockedCount
            totalCents = p.totalCents
            bankFileSha256 = p.bankFileSHA256
        }
    }

    struct PayrollLine: Content {
        var id: String
        var reference: String
        var enrolmentId: String?
        var oneOffKey: String?
        var householdId: String
        var program: String
        var dueCents: Int64
        var arrearsMonths: [String]
        var arrearsCents: Int64
        var oneOffCents: Int64
        var deductionCents: Int64
        var netCents: Int64
        /// Why it is not paid (the dead, the held, the unbanked), in words.
        var blocked: String?
        var status: String
        var bankReason: String?

        init(_ l: PayrollLineView) {
            id = l.id.uuidString.lowercased()
            reference = l.reference
            enrolmentId = l.enrolmentID?.uuidString.lowercased()
            oneOffKey = l.oneOffKey
            householdId = l.householdID.uuidString.lowercased()
            program = l.program.rawValue
            dueCents = l.dueCents
            arrearsMonths = l.arrearsMonths.map(\.description)
            arrearsCents = l.arrearsCents
            oneOffCents = l.oneOffCents
            deductionCents = l.deductionCents
            netCents = l.netCents
            blocked = l.block?.chinese
            status = l.status.rawValue
            bankReason = l.bankReason
        }
    }

    struct NewPayrollRequest: Content {
        var month: String
        var county: String
        var program: String
    }
}

extension PayrollStoreError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    /// The payroll's state forbids it now (already prepared, not yet approved, the preparer approving): 409.
    var isStale: Bool {
        if case .workflow = self { return true }
        return false
    }
}

/// Payrolls as JSON: list, prepare, read one and its lines, approve (never one's own).
struct PaymentAPIRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiPayrolls) { req -> Response in
            let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 500)
            let offset = max(req.query[Int.self, at: "offset"] ?? 0, 0)
            let (items, total) = try await req.payrolls.list(actor: try req.actor(), offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.Payroll.init)))
        }
        staff.post(.apiPayrolls) { req -> Response in
            let body = try req.content.decode(API.NewPayrollRequest.self)
            guard let month = try? PayMonth(body.month), let county = try? RegionCode(body.county), let program = Program(rawValue: body.program) else {
                throw Abort(.badRequest, reason: "month（如 2026-12）、county（区县代码）或 program 无效")
            }
            do {
                let run = try await req.payrolls.prepare(county: county, program: program, month: month, actor: try req.actor())
                let res = try API.json(API.Payroll(run.payroll))
                res.status = run.payroll.lineCount == 0 ? .ok : .created
                return res
            } catch let e as PayrollStoreError { throw API.abort(e) }
        }
        staff.get(.apiPayroll) { req -> Response in
            guard let p = try await req.payrolls.summary(try PaymentRoutes.payrollID(req), actor: try req.actor()) else { throw Abort(.notFound) }
            return try API.json(API.Payroll(p))
        }
        staff.get(.apiPayrollLines) { req -> Response in
            let limit = min(max(req.query[Int.self, at: "limit"] ?? 50, 1), 500)
            let offset = max(req.query[Int.self, at: "offset"] ?? 0, 0)
            let status = req.query[String.self, at: "status"].flatMap(PayrollLineStatus.init(rawValue:))
            do {
                let (items, total) = try await req.payrolls.lines(try PaymentRoutes.payrollID(req), status: status, actor: try req.actor(), offset: offset, limit: limit)
                return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.PayrollLine.init)))
            } catch let e as PayrollStoreError { throw API.abort(e) }
        }
        staff.post(.apiPayrollApprove) { req -> Response in
            do {
                return try API.json(API.Payroll(try await req.payrolls.approve(try PaymentRoutes.payrollID(req), actor: try req.actor())))
            } catch let e as PayrollStoreError { throw API.abort(e) }
        }
    }
}
