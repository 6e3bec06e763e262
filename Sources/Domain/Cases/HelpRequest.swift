import Foundation

/// 码上办 / 模糊申请: a resident asks for help online without naming a programme. The township where they live
/// must contact them within the city's number of working days and, with them, open the right application.
public struct HelpRequestForm: Sendable, Equatable {
    public var name: String
    public var nationalID: String
    public var phone: String
    public var need: String
    public var township: String
    public var consent: Bool

    public init(name: String, nationalID: String, phone: String, need: String, township: String, consent: Bool) {
        self.name = name
        self.nationalID = nationalID
        self.phone = phone
        self.need = need
        self.township = township
        self.consent = consent
    }

    /// A phone number as a request keeps it: the digits, spaces and dashes dropped.
    public static func phoneDigits(_ typed: String) -> String { typed.filter { !$0.isWhitespace && $0 != "-" } }
    /// A fixed line with its area code (a mobile number has 11 digits and starts with 1).
    public static let landlineDigits = 7...12

    public struct Invalid: Error, Equatable, Sendable {
        public var field: String
        public var reason: String
        public var chinese: String { "「\(field)」\(reason)" }
    }

    /// The request checked: a real ID number, a phone number that can be called, the township among `townships`,
    /// the need said in words, and the consent to be contacted and checked given.
    public func validated(townships: [RegionCode]) throws(Invalid) -> (name: String, id: NationalID, phone: String, need: String, township: RegionCode) {
        let n = name.trimmingCharacters(in: .whitespaces)
        guard !n.isEmpty, n.count <= 40 else { throw Invalid(field: "姓名", reason: n.isEmpty ? "不能为空" : "过长") }
        let id: NationalID
        do { id = try NationalID(nationalID) } catch { throw Invalid(field: "身份证号", reason: error.chinese) }
        let digits = Self.phoneDigits(phone)
        let mobile = digits.count == 11 && digits.first == "1" && digits.allSatisfy(\.isNumber)
        let landline = Self.landlineDigits.contains(digits.count) && digits.allSatisfy(\.isNumber)
        guard mobile || landline else { throw Invalid(field: "联系电话", reason: "请填写手机号（11位）或带区号的固定电话") }
        let need = need.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !need.isEmpty else { throw Invalid(field: "需要什么帮助", reason: "请简单说明遇到的困难") }
        guard need.count <= 500 else { throw Invalid(field: "需要什么帮助", reason: "请控制在500字以内") }
        guard let t = try? RegionCode(township), townships.contains(t) else { throw Invalid(field: "居住的乡镇（街道）", reason: "请从列表中选择") }
        guard consent else { throw Invalid(field: "同意", reason: "需要您同意工作人员联系您并核对家庭情况，才能受理") }
        return (n, id, digits, need, t)
    }
}

public enum HelpRequestStatus: String, ChineseLabelled {
    case new, contacted, converted, closed
    public var chinese: String {
        switch self {
        case .new: return "待联系"
        case .contacted: return "已联系"
        case .converted: return "已转为申请"
        case .closed: return "已办结"
        }
    }
}
