import Domain
import Foundation
import Store
import Vapor

extension Request {
    var payrolls: Payrolls { Payrolls(db, parameters: calculator.parameters) }
    var payments: PaymentsSetup { application.storage[PaymentsKey.self]! }
    var bankAccounts: BankAccounts { BankAccounts(db, cipher: payments.cipher) }
}

/// 资金发放: payrolls (prepare, check, approve by a second person, bank file, return, re-issue queue) and the payees'
/// accounts (entered by one, confirmed by another).
struct PaymentRoutes: RouteCollection {
    /// A bank's return for one county's month is a few MB per ten thousand lines; bigger files go through the command line.
    static let maxReturnUpload: ByteCount = "64mb"

    struct Upload: Content {
        var file: File
        var format: String?
    }
    struct LineForm: Content {
        var action: String?
        var reason: String?
    }
    struct BankFileForm: Content {
        var format: String?
        var reissue: String?
    }

    func boot(routes: any RoutesBuilder) throws {
        let staff = routes.grouped(RequireStaffMiddleware())
        staff.get(.payrolls) { req -> Response in try await Self.listPage(req, typed: PayrollPages.PrepareForm(), error: nil) }
        staff.post(.payrolls) { req -> Response in
            try req.require(.managePayments)
            let form = (try? req.content.decode(PayrollPages.PrepareForm.self)) ?? PayrollPages.PrepareForm()
            do {
                guard let month = try? PayMonth(form.month ?? ""), let county = try? RegionCode(form.county ?? ""),
                      let program = Program(rawValue: form.program ?? "") else { throw PayrollStoreError.account("请选择月份、区县和项目") }
                let run = try await req.payrolls.prepare(county: county, program: program, month: month, actor: try req.actor())
                guard run.payroll.lineCount > 0 else { throw PayrollStoreError.account("\(month.chinese)没有应发放的\(program.chinese)，未生成名册") }
                return req.redirect(to: SiteURL.payroll(run.payroll.id).path, redirectType: .normal)
            } catch let e as PayrollStoreError {
                return try await Self.listPage(req, typed: form, error: e.chinese, status: .badRequest)
            }
        }
        staff.get(.payroll) { req -> Response in
            try await Self.detailPage(req, notice: req.query[String.self, at: "done"].map(Self.doneText), error: nil)
        }
        staff.post(.payrollApprove) { req -> Response in
            let id = try Self.payrollID(req)
            do {
                _ = try await req.payrolls.approve(id, actor: try req.actor())
                return req.redirect(to: SiteURL.payroll(id).path + "?done=approved", redirectType: .normal)
            } catch let e as PayrollStoreError where e != .notFound {
                return try await Self.detailPage(req, notice: nil, error: e.chinese, status: .conflict)
            }
        }
        staff.post(.payrollBankFile) { req -> Response in
            try req.require(.managePayments)
            let form = (try? req.content.decode(BankFileForm.self)) ?? BankFileForm()
            do {
                return try await Self.bankFile(req, id: try Self.payrollID(req), formatCode: form.format, reissue: form.reissue == "on")
            } catch let e as PayrollStoreError where e != .notFound {
                return try await Self.detailPage(req, notice: nil, error: e.chinese, status: .badRequest)
            }
        }
        staff.post(.payrollReturn, maxBody: Self.maxReturnUpload) { req -> Response in
            try req.require(.managePayments)
            let id = try Self.payrollID(req)
            let upload = try req.content.decode(Upload.self)
            guard let format = req.payments.formats[upload.format ?? ""] else { throw Abort(.badRequest, reason: "未知的银行文件格式") }
            do {
                // Under the name the officer chose, so a message names their file.
                let r = try await Self.importReturn(req, id, format: format, named: upload.file.filename) { path in
                    try Data(buffer: upload.file.data).write(to: URL(fileURLWithPath: path))
                }
                return req.redirect(to: SiteURL.payroll(id).path + "?done=return-\(r.paid)-\(r.failed)", redirectType: .normal)
            } catch let e as PayrollStoreError where e != .notFound {
                return try await Self.detailPage(req, notice: nil, error: e.chinese, status: .badRequest)
            }
        }
        staff.post(.payrollLine) { req -> Response in
            try req.require(.managePayments)
            let id = try Self.payrollID(req)
            guard let line = req.parameters.get("lineID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(LineForm.self)) ?? LineForm()
            do {
                try await Self.act(req, payroll: id, line: line, action: form.action ?? "", reason: form.reason)
                return req.redirect(to: SiteURL.payroll(id, status: PayrollLineStatus.failed.rawValue).path + "&done=\(form.action ?? "")", redirectType: .normal)
            } catch let e as PayrollStoreError where e != .notFound {
                return try await Self.detailPage(req, notice: nil, error: e.chinese, status: .badRequest)
            }
        }

        staff.get(.paymentChecks) { req -> Response in
            try await Self.checksPage(req, typed: PaymentCheckPage.Form(), typedID: nil, notice: req.query[String.self, at: "drawn"].map { "已抽取 \($0) 户。" },
                                      error: nil)
        }
        staff.post(.paymentCheckDraw) { req -> Response in
            try req.require(.managePayments)
            let form = (try? req.content.decode(PaymentCheckPage.Form.self)) ?? PaymentCheckPage.Form()
            do {
                guard let month = try? PayMonth(form.month ?? ""), let county = try? RegionCode(form.county ?? "") else {
                    throw PaymentVerificationError.invalid("请选择月份和区县")
                }
                let n = try await PaymentVerifications(req.db, parameters: req.calculator.parameters).draw(county: county, month: month, actor: try req.actor(),
                                                                                                           today: req.today)
                return req.redirect(to: SiteURL.paymentChecks(done: false).path + "?drawn=\(n)", redirectType: .normal)
            } catch let e as PaymentVerificationError {
                return try await Self.checksPage(req, typed: form, typedID: nil, notice: nil, error: e.chinese, status: .badRequest)
            } catch let e as PayrollStoreError {
                return try await Self.checksPage(req, typed: form, typedID: nil, notice: nil, error: e.chinese, status: .badRequest)
            }
        }
        staff.post(.paymentCheck) { req -> Response in
            guard let id = req.parameters.get("checkID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            let form = (try? req.content.decode(PaymentCheckPage.Form.self)) ?? PaymentCheckPage.Form()
            let check = PaymentCheck(method: form.method.flatMap(PaymentCheckMethod.init(rawValue:)) ?? .phone, arrived: form.arrived != "no",
                                     alive: form.alive != "no", livesThere: form.livesThere != "no", note: form.note ?? "")
            do {
                let passed = try await AfterCommit(req.db, monitoring: req.monitoring).recordPaymentCheck(id, check: check, parameters: req.calculator.parameters,
                                                                                                           actor: try req.actor(), today: req.today)
                return try await Self.checksPage(req, typed: PaymentCheckPage.Form(), typedID: nil,
                                                 notice: passed ? "已登记：核验通过。" : "已登记：核验未通过，已形成预警交所在街道（乡镇）处置。", error: nil)
            } catch let e as PaymentVerificationError where e != .notFound {
                return try await Self.checksPage(req, typed: form, typedID: id, notice: nil, error: e.chinese, status: .badRequest)
            } catch PaymentVerificationError.notFound {
                throw Abort(.notFound)
            }
        }

        staff.get(.householdAccounts) { req -> Response in
            try await Self.accountsPage(req, typed: BankAccountPage.Form(), notice: req.query[String.self, at: "done"].map { _ in "已保存。" }, error: nil)
        }
        staff.post(.householdAccounts) { req -> Response in
            let form = (try? req.content.decode(BankAccountPage.Form.self)) ?? BankAccountPage.Form()
            let profile = try await RegistryRoutes.profile(req)
            do {
                guard let member = form.member.flatMap(UUID.init(uuidString:)), profile.members.contains(where: { $0.id.rawValue == member }) else {
                    throw BankAccountError.invalid("请选择收款人")
                }
                _ = try await req.bankAccounts.enter(member: member, bank: form.bank ?? "", account: form.account ?? "", accountName: form.accountName ?? "",
                                                     note: form.note ?? "", actor: try req.actor())
                return req.redirect(to: SiteURL.householdAccounts(profile.household.id).path + "?done=1", redirectType: .normal)
            } catch let e as BankAccountError {
                return try await Self.accountsPage(req, typed: form, notice: nil, error: e.chinese, status: .badRequest)
            }
        }
        staff.post(.bankAccountDecision) { req -> Response in
            let form = (try? req.content.decode(BankAccountPage.Form.self)) ?? BankAccountPage.Form()
            let profile = try await RegistryRoutes.profile(req)
            guard let account = req.parameters.get("accountID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
            do {
                if form.decision == "reject" {
                    try await req.bankAccounts.reject(account, reason: form.reason ?? "", actor: try req.actor())
                } else {
                    try await req.bankAccounts.confirm(account, actor: try req.actor())
                }
                return req.redirect(to: SiteURL.householdAccounts(profile.household.id).path + "?done=1", redirectType: .normal)
            } catch let e as BankAccountError where e != .notFound {
                return try await Self.accountsPage(req, typed: BankAccountPage.Form(), notice: nil, error: e.chinese, status: .conflict)
            } catch BankAccountError.notFound {
                throw Abort(.notFound)
            }
        }
    }

    /// The payroll's bank file (or, `reissue`, the supplementary file of the lines sent again), written to a temporary
    /// file and streamed from it, so a county's million lines never sit in memory; the file is removed once sent.
    /// The file's SHA-256 and line count go with it in headers, for the sender to check against the payroll.
    static func bankFile(_ req: Request, id: UUID, formatCode: String?, reissue: Bool) async throws -> Response {
        guard let format = req.payments.formats[formatCode ?? ""] else { throw PayrollStoreError.unknownFormat(formatCode ?? "") }
        let dir = NSTemporaryDirectory() + "jiuzhu-bank-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ext = format.layout == .csv ? "csv" : "txt"
        let path = URL(fileURLWithPath: dir).appendingPathComponent("bank.\(ext)").path
        do {
            let actor = try req.actor()
            let r = try await req.payrolls.writeBankFile(id, format: format, to: path, cipher: req.payments.cipher, reissue: reissue, actor: actor, today: req.today)
            guard let p = try await req.payrolls.summary(id, actor: actor) else { throw PayrollStoreError.notFound }
            let res = try await req.fileio.asyncStreamFile(at: path, mediaType: format.layout == .csv ? HTTPMediaType(type: "text", subType: "csv") : .plainText,
                                                           onCompleted: { _ in try? FileManager.default.removeItem(atPath: dir) })
            let name = "\(p.code)\(reissue ? "-重发" : "")-\(r.count)笔.\(ext)"
            res.headers.replaceOrAdd(name: .contentDisposition, value: Layout.attachment(name: name, asciiName: "bank-file.\(ext)"))
            res.headers.replaceOrAdd(name: "X-Jiuzhu-Line-Count", value: "\(r.count)")
            res.headers.replaceOrAdd(name: "X-Jiuzhu-Total-Cents", value: "\(r.totalCents)")
            res.headers.replaceOrAdd(name: "X-Jiuzhu-SHA256", value: r.sha256)
            // An account number is in it: never kept by a cache on the way.
            res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
            res.headers.remove(name: .eTag)
            return res
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    /// The bank's return for a payroll, put in a temporary file under `name` (its last path component: a message names
    /// the sender's file) by `save`, imported, and removed whatever happens.
    static func importReturn(_ req: Request, _ id: UUID, format: BankFileFormat, named name: String,
                             save: (String) async throws -> Void) async throws -> BankReturnResult {
        let dir = NSTemporaryDirectory() + "jiuzhu-return-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let safe = String(String(name.split(separator: "/").last ?? "").replacingOccurrences(of: "..", with: "_").prefix(100))
        let path = URL(fileURLWithPath: dir).appendingPathComponent(safe.isEmpty ? "return.txt" : safe).path
        try await save(path)
        return try await req.payrolls.importReturn(id, path: path, format: format, actor: try req.actor())
    }

    /// The re-issue queue's two actions on a failed line of the payroll the path names (another payroll's line: 404).
    static func act(_ req: Request, payroll id: UUID, line: UUID, action: String, reason: String?) async throws {
        let actor = try req.actor()
        guard try await req.payrolls.line(line, of: id, actor: actor) != nil else { throw Abort(.notFound) }
        switch action {
        case "reissue": try await req.payrolls.reissue(line: line, actor: actor)
        case "carryOver": try await req.payrolls.carryOver(line: line, reason: reason ?? "", actor: actor)
        default: throw Abort(.badRequest, reason: "action 须为 reissue 或 carryOver")
        }
    }

    static func doneText(_ done: String) -> String {
        if done == "approved" { return "已审批。可以下载银行代发文件。" }
        if done.hasPrefix("return-") {
            let parts = done.split(separator: "-")
            return "回盘已导入：成功 \(parts.count > 1 ? String(parts[1]) : "?") 笔，失败 \(parts.count > 2 ? String(parts[2]) : "?") 笔（见“发放失败”）。"
        }
        if done == "reissue" { return "已改用新账户，将列入补充银行文件。" }
        if done == "carryOver" { return "已转下月补发。" }
        return "已保存。"
    }

    static func payrollID(_ req: Request) throws -> UUID {
        guard let id = req.parameters.get("payrollID").flatMap(UUID.init(uuidString:)) else { throw Abort(.notFound) }
        return id
    }

    static func listPage(_ req: Request, typed: PayrollPages.PrepareForm, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        guard actor.may(.viewPayments) else { throw DomainError.forbidden }
        let paging = Paging(req, size: 30)
        let (items, total) = try await req.payrolls.list(actor: actor, offset: paging.offset, limit: paging.size)
        let registry = RegistryStore(req.db)
        let counties: [Region] = actor.jurisdiction.level == .county ? (try await registry.region(actor.jurisdiction)).map { [$0] } ?? []
            : actor.jurisdiction.level < .county ? try await registry.children(of: actor.jurisdiction, actor: actor) : []
        let names = try await registry.regionNames(items.map(\.county))
        return Layout.response(PayrollPages.list(chrome: try await Layout.chrome(req, .payments), items: items, total: total, paging: paging, names: names,
                                                 counties: counties, mayManage: actor.may(.managePayments) && !counties.isEmpty, typed: typed,
                                                 defaultMonth: PayMonth(containing: req.today), error: error), status: status)
    }

    static func detailPage(_ req: Request, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        let id = try Self.payrollID(req)
        guard let p = try await req.payrolls.summary(id, actor: actor) else { throw Abort(.notFound) }
        let filter = req.query[String.self, at: "status"].flatMap(PayrollLineStatus.init(rawValue:))
        // The re-issue queue: the failed, and those sent again and still waiting for the bank.
        let statuses: [PayrollLineStatus] = filter == .failed ? [.failed, .reissued] : filter.map { [$0] } ?? []
        let paging = Paging(req, size: 50)
        async let areas = req.payrolls.areas(id, actor: actor)
        async let diff = req.payrolls.diff(id, actor: actor)
        async let mismatches = req.payrolls.mismatches(id, actor: actor)
        let (lines, total) = try await req.payrolls.lines(id, statuses: statuses, actor: actor, offset: paging.offset, limit: paging.size)
        let (a, d, m) = try await (areas, diff, mismatches)
        let names = try await RegistryStore(req.db).regionNames([p.county] + a.map(\.region))
        let detail = PayrollPages.Detail(payroll: p, areas: a, diff: d, mismatches: m, lines: lines, total: total, status: filter, names: names,
                                         formats: req.payments.formats.all.values.sorted { $0.code < $1.code })
        return Layout.response(PayrollPages.detail(chrome: try await Layout.chrome(req, .payments), d: detail, paging: paging, notice: notice, error: error),
                               status: status)
    }

    static func checksPage(_ req: Request, typed: PaymentCheckPage.Form, typedID: UUID?, notice: String?, error: String?,
                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let actor = try req.actor()
        let open = req.query[String.self, at: "done"] != "on"
        let paging = Paging(req, size: 30)
        let (items, total) = try await PaymentVerifications(req.db, parameters: req.calculator.parameters).list(actor: actor, open: open,
                                                                                                               offset: paging.offset, limit: paging.size)
        let registry = RegistryStore(req.db)
        let counties: [Region] = actor.jurisdiction.level == .county ? (try await registry.region(actor.jurisdiction)).map { [$0] } ?? []
            : actor.jurisdiction.level < .county ? try await registry.children(of: actor.jurisdiction, actor: actor) : []
        let names = try await registry.regionNames(items.map(\.residenceRegion))
        return Layout.response(PaymentCheckPage.view(chrome: try await Layout.chrome(req, .payments), open: open, items: items, total: total, paging: paging,
                                                     names: names, counties: counties, mayDraw: actor.may(.managePayments) && !counties.isEmpty,
                                                     mayRecord: actor.may(.manageBankAccounts), defaultMonth: PayMonth(containing: req.today).previous,
                                                     typed: typed, typedID: typedID, notice: notice, error: error), status: status)
    }

    static func accountsPage(_ req: Request, typed: BankAccountPage.Form, notice: String?, error: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let profile = try await RegistryRoutes.profile(req)
        let accounts = try await req.bankAccounts.list(household: profile.household.id.rawValue, actor: try req.actor())
        return Layout.response(BankAccountPage.view(chrome: try await Layout.chrome(req, .households), profile: profile, accounts: accounts, typed: typed,
                                                    notice: notice, error: error), status: status)
    }
}
