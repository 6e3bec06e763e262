import FluentKit
import Foundation
import SQLKit

/// PostgreSQL in production runs as two roles: the owner, which runs migrations, `jiuzhu audit archive` and backups,
/// and the application's role, which the server connects as. The application's role may read and write the tables
/// it works on, but may only read and append to the audit log: it cannot change, delete or truncate an entry, nor
/// lift the triggers that refuse it (only the owner can). SQLite has no roles; its triggers do the same.
public enum DatabaseRoles {
    public enum Failure: Error, CustomStringConvertible {
        case notPostgres
        case badRoleName(String)
        public var description: String {
            switch self {
            case .notPostgres: return "只有 PostgreSQL 有数据库角色；SQLite 由触发器保护审计日志 (roles are for PostgreSQL only)"
            case .badRoleName(let n): return "角色名「\(n)」无效：只能用小写字母、数字和下划线 (invalid role name)"
            }
        }
    }

    /// Grants `role` (which must exist) what the server needs, and nothing more on the audit log. Run again after each
    /// migration that adds tables.
    public static func grantApplicationRole(_ db: any Database, role: String) async throws {
        let sql = db.sql
        guard sql.dialect.name == "postgresql" else { throw Failure.notPostgres }
        guard !role.isEmpty, role.count <= 63, role.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw Failure.badRoleName(role)
        }
        try await sql.raw("GRANT USAGE ON SCHEMA public TO \(ident: role)").run()
        try await sql.raw("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(ident: role)").run()
        try await sql.raw("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO \(ident: role)").run()
        for table in ["audit_entries", "audit_archives", "_fluent_migrations"] {
            try await sql.raw("REVOKE UPDATE, DELETE, TRUNCATE ON \(ident: table) FROM \(ident: role)").run()
        }
        try await sql.raw("REVOKE INSERT ON audit_archives, _fluent_migrations FROM \(ident: role)").run()
    }
}
