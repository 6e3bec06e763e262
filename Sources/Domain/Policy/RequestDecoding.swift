import Foundation

extension AssessmentRequest {
    /// Reads the interchange JSON, turning a decoding failure into a message that names the field.
    public static func decode(_ data: Data, file: String = "input") throws(PolicyError) -> AssessmentRequest {
        do {
            return try JSONDecoder().decode(AssessmentRequest.self, from: data)
        } catch let e as DecodingError {
            throw PolicyError.invalidInput(field: "\(file): \(Self.path(e))", reason: Self.reason(e))
        } catch {
            throw PolicyError.invalidInput(field: file, reason: "不是有效的JSON")
        }
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

    static func name(_ k: any CodingKey) -> String { k.intValue.map { "[\($0)]" } ?? k.stringValue }

    static func reason(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound: return "缺少必填字段"
        case .typeMismatch(let t, _): return "格式不对（应为\(FieldPath.expected(t))）"
        case .valueNotFound: return "不能为空"
        case .dataCorrupted(let c): return c.debugDescription.isEmpty ? "取值无效" : c.debugDescription
        @unknown default: return "取值无效"
        }
    }
}
