import Domain
import SQLKit

/// The security line: a row belongs to a jurisdiction when its region code lies in that region's subtree (a
/// 12-digit code and its zero-padded descendants sort together). Every store scopes its queries through here,
/// so there is one definition of "inside" to get right.
extension SQLPredicateBuilder {
    /// Rows whose `column` (of `table`, where the query joins) names a region inside `region`.
    public func within(_ region: RegionCode, column: String = "residence_region", table: String? = nil) -> Self {
        let range = region.subtreeRange
        let c = table.map { SQLColumn(column, table: $0) } ?? SQLColumn(column)
        return self.where(c, .greaterThanOrEqual, SQLBind(range.lowerBound)).where(c, .lessThanOrEqual, SQLBind(range.upperBound))
    }

    /// Rows where an expression over their columns (e.g. the first of two regions that is set) names a region inside `region`.
    public func within(_ region: RegionCode, expression: any SQLExpression) -> Self {
        let range = region.subtreeRange
        return self.where(expression, .greaterThanOrEqual, SQLBind(range.lowerBound)).where(expression, .lessThanOrEqual, SQLBind(range.upperBound))
    }

    /// Rows that live inside `region` or are registered there: what both townships of an apply-anywhere household see
    /// (its warnings, its cases, its notices) [YC].
    public func livingOrRegistered(in region: RegionCode, table: String? = nil) -> Self {
        self.where { w in w.where { $0.within(region, table: table) }.orWhere { $0.within(region, column: "registered_region", table: table) } }
    }
}

extension SQLSelectBuilder {
    /// The household head's name as a column `head_name` of a list whose rows carry `household_id` (names, not codes).
    public func headName(of table: String) -> Self {
        column(SQLRaw("(SELECT m.name FROM members m WHERE m.household_id = \(table).household_id AND m.relation = '\(Relation.head.rawValue)' LIMIT 1)"),
               as: "head_name")
    }
}

/// The same condition in a statement written as text (the bulk readers'), with its two values.
enum Jurisdiction {
    /// `column >= '…' AND column <= '…'` with the values written in, for a statement that takes none (a cursor's). A
    /// region code is twelve digits, so nothing else can be written in.
    static func literalCondition(_ region: RegionCode, column: String) -> String {
        let range = region.subtreeRange
        return "\(column) >= '\(range.lowerBound)' AND \(column) <= '\(range.upperBound)'"
    }

    /// `column >= $first AND column <= $first+1`, and the values to bind there.
    static func condition(_ region: RegionCode, column: String = "residence_region", firstPlaceholder: Int) -> (text: String, binds: [BulkRead.Bind]) {
        let range = region.subtreeRange
        return ("\(column) >= $\(firstPlaceholder) AND \(column) <= $\(firstPlaceholder + 1)", [.text(range.lowerBound), .text(range.upperBound)])
    }
}
