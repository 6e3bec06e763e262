import Foundation

/// A field of the assessment interchange format in words a resident reads: `members[0].birthDate` is
/// "第1位成员的出生日期". The English path stays in `PolicyError.description` for programs and data officers.
public enum FieldPath {
    static let collections: [String: (noun: String, counter: String)] = [
        "members": ("成员", "位"), "incomes": ("收入", "项"), "assets": ("财产", "项"), "expenditures": ("支出", "项"),
        "enrolments": ("在保项目", "项"), "illnesses": ("疾病", "项"), "supporters": ("义务人", "位"),
    ]
    static let fields: [String: String] = [
        "id": "编号", "name": "姓名", "relation": "与户主关系", "birthDate": "出生日期", "sex": "性别", "status": "状态",
        "disability": "残疾", "grade": "等级", "category": "类别", "selfCareUnableActivities": "不能自理的日常活动项数",
        "workCapacity": "劳动能力", "employment": "就业情况", "schooling": "就学情况", "supporter": "赡养（抚养、扶养）人",
        "amountCents": "金额", "member": "所属成员", "kind": "类别", "basis": "计算周期", "count": "数量", "source": "来源",
        "date": "评估日期", "region": "所在地区", "program": "项目", "since": "起始日期", "monthlyAmountCents": "每月金额", "spendingCents": "支出金额",
        "emergency": "急难情况", "members": "家庭成员", "incomes": "收入", "assets": "财产", "expenditures": "支出", "enrolments": "在保项目",
        "legalSupporter": "法定义务人情况", "supporters": "法定义务人", "condition": "特殊情形", "incomePerMemberCents": "家庭人均月收入",
        "assetsPerMemberCents": "家庭人均金融资产", "basicPartCents": "基础养老金部分", "housing": "住房状况", "hardshipScore": "预警分值",
        "parents": "父母情况", "supportMode": "供养方式", "seriousIllness": "重特大疾病", "occurredOn": "发生日期",
    ]

    /// "members[0].birthDate", "members.[0].birthDate" or "input: incomes.[2].amountCents" in Chinese.
    public static func chinese(_ path: String) -> String {
        // "file: path" keeps the file's name in front, for the command line that read it.
        if let colon = path.range(of: ": ") {
            return "\(path[..<colon.lowerBound]) 中的" + chinese(String(path[colon.upperBound...]))
        }
        let bare = path
        // members[0].birthDate → members, [0], birthDate
        var parts: [String] = []
        for piece in bare.split(separator: ".") {
            var p = String(piece)
            while let open = p.firstIndex(of: "["), open != p.startIndex {
                parts.append(String(p[..<open]))
                p = String(p[open...])
            }
            parts.append(p)
        }
        var words: [String] = []
        var i = 0
        while i < parts.count {
            let p = parts[i]
            if let c = collections[p], i + 1 < parts.count, let n = index(parts[i + 1]) {
                words.append("第\(n + 1)\(c.counter)\(c.noun)")
                i += 2
                continue
            }
            if let n = index(p) { words.append("第\(n + 1)项") } else { words.append(fields[p] ?? p) }
            i += 1
        }
        return words.isEmpty ? "输入" : words.joined(separator: "的")
    }

    static func index(_ p: String) -> Int? {
        guard p.hasPrefix("["), p.hasSuffix("]") else { return nil }
        return Int(p.dropFirst().dropLast())
    }

    /// A Swift type named in a decoding error, as a resident would say what was expected.
    public static func expected(_ type: Any.Type) -> String {
        switch String(describing: type) {
        case "Int", "Int64", "Int32": return "整数"
        case "Double", "Float": return "数字"
        case "Bool": return "是或否"
        case "String": return "文字"
        default: return "规定的格式"
        }
    }
}
