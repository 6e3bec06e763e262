import Foundation

/// The one error type of the domain core. Every case carries a message in Chinese for the
/// people who use the system, and one in English for logs and developers.
public enum DomainError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidNationalID(NationalIDError)
    case invalidRegionCode(String)
    case invalidDate(String)
    case invalidMonth(String)
    case dateOutsideCalendar(LocalDate, covered: ClosedRange<Int>)
    case invalidAmount(String)
    case invalidData(file: String, reason: String)
    case notFound
    case forbidden

    /// The message shown to users (Chinese).
    public var chinese: String {
        switch self {
        case .invalidNationalID(let e): return e.chinese
        case .invalidRegionCode(let s): return "行政区划代码无效：「\(s)」（应为12位数字）"
        case .invalidDate(let s): return "日期无效：「\(s)」（应为真实存在的日期，格式 YYYY-MM-DD）"
        case .invalidMonth(let s): return "月份无效：「\(s)」（格式 YYYY-MM，如 2026-12）"
        case .dateOutsideCalendar(let d, let years):
            return "日期 \(d) 超出节假日数据覆盖范围（\(years.lowerBound)–\(years.upperBound)年），请更新节假日数据文件"
        case .invalidAmount(let s): return "金额无效：「\(s)」"
        case .invalidData(let file, let reason): return "数据文件 \(file) 有误：\(reason)"
        case .notFound: return "未找到该记录"
        case .forbidden: return "无权访问"
        }
    }

    public var description: String {
        switch self {
        case .invalidNationalID(let e): return e.description
        case .invalidRegionCode(let s): return "invalid region code '\(s)' (expected 12 digits)"
        case .invalidDate(let s): return "invalid date '\(s)' (expected a real date, YYYY-MM-DD)"
        case .invalidMonth(let s): return "invalid month '\(s)' (expected YYYY-MM)"
        case .dateOutsideCalendar(let d, let years):
            return "date \(d) is outside the holiday data (\(years.lowerBound)-\(years.upperBound)); load a newer calendar file"
        case .invalidAmount(let s): return "invalid amount '\(s)'"
        case .invalidData(let file, let reason): return "bad data file \(file): \(reason)"
        case .notFound: return "not found"
        case .forbidden: return "forbidden"
        }
    }
}
