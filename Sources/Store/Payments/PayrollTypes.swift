import Domain
import Foundation

/// A payroll as lists and pages show it.
public struct PayrollSummary: Sendable, Equatable {
    public var id: UUID
    public var code: String
    public var county: String
    public var program: Program
    public var month: PayMonth
    public var status: PayrollStatus
    public var firstMonth: PayMonth
    public var preparedBy: String
    public var approvedBy: String?
    public var lineCount: Int64
    public var blockedCount: Int64
    public var totalCents: Int64
    public var bankFormat: String?
    public var bankFileSHA256: String?
}

/// What one run of `prepare` did.
public struct PayrollRun: Sendable, Equatable {
    public var payroll: PayrollSummary
    /// Whether this run took up a payroll left half-prepared (a crash, a kill): it went on from where it stopped.
    public var resumed: Bool
    public var examined: Int = 0
    public var lines: Int = 0
    public var seconds: Double = 0
    /// Where the time went: reading pages, computing lines, writing (on PostgreSQL a page is written while the next is read).
    public var readSeconds: Double = 0
    public var computeSeconds: Double = 0
    public var writeSeconds: Double = 0
}

/// What writing a bank file made, and where its time went.
public struct BankFileWritten: Sendable, Equatable {
    public var count: Int
    public var totalCents: Int64
    public var sha256: String
    public var seconds: Double = 0
    /// Fetching the lines from the database (on PostgreSQL the next chunk is fetched while one is encoded, so the phases
    /// overlap), encoding them (two halves of a chunk at once: wall time) and writing and hashing the bytes.
    public var readSeconds: Double = 0
    public var encodeSeconds: Double = 0
    public var writeSeconds: Double = 0
}

/// What importing a bank's return did.
public struct BankReturnResult: Sendable, Equatable {
    public var paid: Int
    public var failed: Int
    public var status: PayrollStatus
}

public enum PayrollStoreError: Error, Equatable, Sendable {
    case notFound
    case notACounty
    case workflow(PayrollError)
    case bank(BankFileError)
    case unknownFormat(String)
    case returnAlreadyImported
    case account(String)

    public var chinese: String {
        switch self {
        case .notFound: return "未找到该发放名册，或不在您的辖区"
        case .notACounty: return "发放名册按区县生成：请指定本辖区内的一个区县"
        case .workflow(let e): return e.chinese
        case .bank(let e): return e.chinese
        case .unknownFormat(let c): return "没有代码为「\(c)」的银行文件格式"
        case .returnAlreadyImported: return "这个回盘文件已经导入过，未作任何更改"
        case .account(let why): return why
        }
    }
}
