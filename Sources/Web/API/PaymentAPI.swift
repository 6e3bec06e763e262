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

    struct BankFileRequest: Content {
        var format: String
        /// Only the lines sent again after a failure (the supplementary file).
        var reissue: Bool?
    }

    struct BankReturnResult: Content {
        var paid: Int
        var failed: Int
        var status: String
    }

    struct PayrollLineAction: Content {
        /// `reissue` (the payee's new account is confirmed: send again) or `carryOver` (pay its months next month).
        var action: String
        var reason: String?
    }

    struct PaymentCheck: Content {
        var id: String
        var payrollId: String
        var householdId: String
        var headName: String?
        var residenceRegion: String
        var month: String
        var netCents: Int64
        var drawnOn: String
        var drawSeed: String
        var status: String
        var finding: String?
        var doneBy: String?

        init(_ v: PaymentVerificationView) {
            id = v.id.uuidString.lowercased()
            payrollId = v.payrollID.uuidString.lowercased()
            householdId = v.householdID.uuidString.lowercased()
            headName = v.headName
            residenceRegion = v.residenceRegion
            month = v.month.description
            netCents = v.netCents
            drawnOn = v.drawnOn.description
            drawSeed = v.drawSeed
            status = v.status
            finding = v.finding
            doneBy = v.doneBy
        }
    }

    struct PaymentCheckDraw: Content {
        var county: String
        var month: String
    }

    struct PaymentCheckDrawn: Content {
        var drawn: Int
    }

    struct PaymentCheckResult: Content {
        /// `phone` or `visit`.
        var method: String
        var arrived: Bool
        var alive: Bool
        var livesThere: Bool
        var note: String?
    }

    struct PaymentCheckRecorded: Content {
        /// Whether it passed; a failure has been raised as a warning in the household's township.
        var passed: Bool
    }

    struct PaymentReport: Content {
        struct Row: Content {
            var month: String
            var program: String
            var region: RegionRef
            var households: Int
            var persons: Int
            var lines: Int
            var amountCents: Int64
            var confirmedCents: Int64
        }
        var from: String
        var to: String
        var program: String?
        var region: String
        var rows: [Row]
    }
}

extension PayrollStoreError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    /// The payroll's state forbids it now (already prepared, not yet approved, the preparer approving): 409.
    var isStale: Bool {
        if case .workflow = self { return true }
        return self == .returnAlreadyImported
    }
}

extension PaymentVerificationError: StoreRefusal {
    var isNotFound: Bool { self == .notFound }
    var isStale: Bool { self == .alreadyDone }
}

/// Payrolls as JSON: list, prepare, read one and its lines, approve (never one's own), the bank file, the bank's
/// return, the re-issue queue; payment verification; the report.
struct PaymentAPIRoutes: RouteCollection {
    /// A return file for a county's month: a million lines are some 160 MB; twice that is refused (413).
    static let maxReturnFile = 320 * 1_048_576

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.apiPayrolls) { req -> Response in
            let (limit, offset) = API.window(req)
            let (items, total) = try await req.payrolls.list(actor: try req.actor(), offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.Payroll.init)))
        }
        staff.post(.apiPayrolls) { req -> Response in
            try req.require(.managePayments)
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
            let (limit, offset) = API.window(req)
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
        staff.post(.apiPayrollBankFile) { req -> Response in
            try req.require(.managePayments)
            let body = try req.content.decode(API.BankFileRequest.self)
            do {
                return try await PaymentRoutes.bankFile(req, id: try PaymentRoutes.payrollID(req), formatCode: body.format, reissue: body.reissue ?? false)
            } catch let e as PayrollStoreError { throw API.abort(e) }
        }
        // The return arrives as the body itself (any content type), written to disk as it comes: a county's million
        // lines are some 160 MB.
        staff.postStreaming(.apiPayrollReturn) { req -> Response in
            try req.require(.managePayments)
            let id = try PaymentRoutes.payrollID(req)
            let code = req.query[String.self, at: "format"] ?? ""
            guard let format = req.payments.formats[code] else { throw API.abort(PayrollStoreError.unknownFormat(code)) }
            do {
                // Under the name the client gives, so a message names its file.
                let r = try await PaymentRoutes.importReturn(req, id, format: format, named: req.query[String.self, at: "name"] ?? "return.txt") { path in
                    try await UploadFile.save(req, to: path, max: Self.maxReturnFile)
                }
                return try API.json(API.BankReturnResult(paid: r.paid, failed: r.failed, status: r.status.rawValue))
            } catch let e as PayrollStoreError { throw API.abort(e) }
        }
        staff.post(.apiPayrollLine) { req -> Response in
            try req.require(.managePayments)
            let id = try PaymentRoutes.payrollID(req)
            guard let line = req.parameters.get("lineID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let body = try req.content.decode(API.PayrollLineAction.self)
            do {
                try await PaymentRoutes.act(req, payroll: id, line: line, action: body.action, reason: body.reason)
                guard let l = try await req.payrolls.line(line, of: id, actor: try req.actor()) else { throw Abort(.notFound) }
                return try API.json(API.PayrollLine(l))
            } catch let e as PayrollStoreError { throw API.abort(e) }
        }

        staff.get(.apiPaymentChecks) { req -> Response in
            let (limit, offset) = API.window(req)
            let open = req.query[Bool.self, at: "done"] != true
            let (items, total) = try await PaymentVerifications(req.db, parameters: req.calculator.parameters).list(actor: try req.actor(), open: open,
                                                                                                                   offset: offset, limit: limit)
            return try API.json(API.Page(total: total, limit: limit, offset: offset, items: items.map(API.PaymentCheck.init)))
        }
        staff.post(.apiPaymentCheckDraw) { req -> Response in
            try req.require(.managePayments)
            let body = try req.content.decode(API.PaymentCheckDraw.self)
            guard let month = try? PayMonth(body.month), let county = try? RegionCode(body.county) else {
                throw Abort(.badRequest, reason: "month（如 2026-12）或 county（区县代码）无效")
            }
            do {
                let n = try await PaymentVerifications(req.db, parameters: req.calculator.parameters).draw(county: county, month: month, actor: try req.actor(),
                                                                                                           today: req.today)
                let res = try API.json(API.PaymentCheckDrawn(drawn: n))
                res.status = .created
                return res
            } catch let e as PaymentVerificationError { throw API.abort(e) } catch let e as PayrollStoreError { throw API.abort(e) }
        }
        staff.post(.apiPaymentCheck) { req -> Response in
            try req.require(.viewPayments)
            guard let id = req.parameters.get("checkID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let body = try req.content.decode(API.PaymentCheckResult.self)
            guard let method = PaymentCheckMethod(rawValue: body.method) else { throw Abort(.badRequest, reason: "method 须为 phone 或 visit") }
            let check = PaymentCheck(method: method, arrived: body.arrived, alive: body.alive, livesThere: body.livesThere, note: body.note ?? "")
            do {
                let passed = try await AfterCommit(req.db, monitoring: req.monitoring).recordPaymentCheck(id, check: check, parameters: req.calculator.parameters,
                                                                                                           actor: try req.actor(), today: req.today)
                return try API.json(API.PaymentCheckRecorded(passed: passed))
            } catch let e as PaymentVerificationError { throw API.abort(e) }
        }
        staff.get(.apiPaymentReports) { req -> Response in
            let actor = try req.actor()
            do {
                let q = try PaymentReportRoutes.query(try req.query.decode(PaymentReportPage.Form.self), actor: actor, today: req.today)
                let rows = try await PaymentReports(req.db).report(q, actor: actor)
                let names = try await RegistryStore(req.db).regionNames(rows.map(\.area))
                return try API.json(API.PaymentReport(from: q.from.description, to: q.to.description, program: q.program?.rawValue, region: q.region.value,
                                                      rows: rows.map { r in
                    API.PaymentReport.Row(month: r.month.description, program: r.program.rawValue, region: API.RegionRef(code: r.area, name: names[r.area] ?? r.area),
                                          households: r.households, persons: r.persons, lines: r.lines, amountCents: r.cents, confirmedCents: r.confirmedCents)
                }))
            } catch let e as PaymentReportError {
                throw Abort(e == .outsideJurisdiction ? .forbidden : .badRequest, reason: e.chinese)
            }
        }
    }
}
