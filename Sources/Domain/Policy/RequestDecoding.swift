import Foundation

extension AssessmentRequest {
    /// Reads the interchange JSON, turning a decoding failure into a message that names the field.
    public static func decode(_ data: Data, file: String = "input") throws(PolicyError) -> AssessmentRequest {
        let request: AssessmentRequest
        do {
            request = try JSONDecoder().decode(AssessmentRequest.self, from: data)
        } catch let e as DecodingError {
            if case .dataCorrupted(let c) = e, c.codingPath.isEmpty {
                throw PolicyError.invalidInput(field: file, reason: "不是有效的JSON" + position(of: c, in: data))
            }
            throw PolicyError.invalidInput(field: "\(file): \(Self.path(e))", reason: Self.reason(e))
        } catch {
            throw PolicyError.invalidInput(field: file, reason: "不是有效的JSON")
        }
        // A misspelt field ("disabilty") would otherwise be dropped without a word: every field given must be one
        // the format knows, which is what decoding and encoding again keeps.
        if let given = try? JSONSerialization.jsonObject(with: data),
           let kept = try? JSONSerialization.jsonObject(with: JSONEncoder().encode(request)),
           let unknown = unknownField(given, kept, path: "") {
            throw PolicyError.invalidInput(field: "\(file): \(unknown)", reason: "未知字段（是否拼写有误？字段名见 docs/assessment-format.md）")
        }
        return request
    }

    /// The first field in `given` that `kept` does not have (null values aside), as a path.
    static func unknownField(_ given: Any, _ kept: Any, path: String) -> String? {
        if let g = given as? [String: Any] {
            let k = kept as? [String: Any] ?? [:]
            for key in g.keys.sorted() {
                guard let value = g[key], !(value is NSNull) else { continue }
                let here = path.isEmpty ? key : "\(path).\(key)"
                guard let keptValue = k[key] else { return here }
                if let deeper = unknownField(value, keptValue, path: here) { return deeper }
            }
        } else if let g = given as? [Any], let k = kept as? [Any] {
            for (i, value) in g.enumerated() where i < k.count {
                if let deeper = unknownField(value, k[i], path: "\(path)[\(i)]") { return deeper }
            }
        }
        return nil
    }

    /// "（第 3 行第 12 列）" where the JSON broke. The decoder does not say on every platform; the parser gives a byte
    /// offset ("around character 15"), which becomes a line and a column here.
    static func position(of c: DecodingError.Context, in data: Data) -> String {
        var text = "\(c.debugDescription) \(c.underlyingError.map { "\($0)" } ?? "")"
        if let r = text.range(of: #"line (\d+), column (\d+)"#, options: .regularExpression) {
            let digits = text[r].split(whereSeparator: { !$0.isNumber })
            if digits.count == 2 { return "（第 \(digits[0]) 行第 \(digits[1]) 列）" }
        }
        do { _ = try JSONSerialization.jsonObject(with: data) } catch { text = "\((error as NSError).userInfo)" }
        guard let r = text.range(of: #"character (\d+)"#, options: .regularExpression),
              let offset = Int(text[r].filter(\.isNumber)) else { return "" }
        let bytes = [UInt8](data.prefix(max(0, offset)))
        let line = bytes.filter { $0 == 0x0A }.count + 1
        let column = bytes.count - (bytes.lastIndex(of: 0x0A).map { $0 + 1 } ?? 0) + 1
        return "（第 \(line) 行第 \(column) 列附近）"
    }

    static func path(_ e: DecodingError) -> String {
        let ctx: DecodingError.Context
        switch e {
        case .keyNotFound(let key, let c): return (c.codingPath + [key]).map(Self.name).joined(separator: ".")
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): ctx = c
        @unknown default: return "?"
        }
        return ctx.codingPath.isEmpty ? "(根)" : ctx.codingPath.map(Self.name).joined(separator: ".")
    }

    /// The values an enumerated field takes, with their Chinese names ("head（户主）、spouse（配偶）…"), found by
    /// the field's name (and, for `kind`, the list it is in).
    static func allowedValues(_ path: [any CodingKey]) -> String? {
        let names = path.filter { $0.intValue == nil }.map(\.stringValue)
        guard let field = names.last else { return nil }
        func list<E: ChineseLabelled>(_: E.Type) -> String { E.allCases.map { "\($0.rawValue)（\($0.chinese)）" }.joined(separator: "、") }
        switch field {
        case "relation": return list(Relation.self)
        case "status": return list(MemberStatus.self)
        case "employment": return list(Employment.self)
        case "schooling": return list(Schooling.self)
        case "category": return list(DisabilityCategory.self)
        case "legalSupporter": return list(SupporterStatus.self)
        case "parents": return list(ParentsStatus.self)
        case "supportMode": return list(SupportMode.self)
        case "condition": return list(SupporterCondition.self)
        case "housing": return list(HousingCondition.self)
        case "enrolments": return list(Program.self)
        case "basis": return list(AmountBasis.self)
        case "program": return list(Program.self)
        case "department": return list(Department.self)
        case "sex": return Sex.allCases.map(\.rawValue).joined(separator: "、")
        case "kind":
            switch names.dropLast().last {
            case "incomes": return list(IncomeKind.self)
            case "assets": return list(AssetKind.self)
            case "expenditures": return list(ExpenditureKind.self)
            case "emergency": return list(EmergencyKind.self)
            default: return nil
            }
        default: return nil
        }
    }

    static func name(_ k: any CodingKey) -> String { k.intValue.map { "[\($0)]" } ?? k.stringValue }

    static func reason(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound: return "缺少必填字段"
        case .typeMismatch(let t, _): return "格式不对（应为\(FieldPath.expected(t))）"
        case .valueNotFound: return "不能为空"
        case .dataCorrupted(let c):
            if let allowed = allowedValues(c.codingPath) { return "取值无效，应为以下之一：\(allowed)" }
            return c.debugDescription.isEmpty ? "取值无效" : c.debugDescription
        @unknown default: return "取值无效"
        }
    }
}
