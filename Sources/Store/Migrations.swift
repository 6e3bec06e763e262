import Foundation
import FluentKit
import SQLKit

struct CreateRegion: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("regions")
            .field("code", .string, .identifier(auto: false))
            .field("name", .string, .required)
            .field("level", .int, .required)
            .field("parent_code", .string)
            .field("is_demo", .bool, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("regions").delete() }
}

struct CreateHousehold: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("households")
            .id()
            .field("registered_region", .string, .required)
            .field("residence_region", .string, .required)
            .field("address", .string, .required)
            .field("created_at", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("households").delete() }
}

struct CreateMember: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("members")
            .id()
            .field("household_id", .uuid, .required, .references("households", "id"))
            // Copied from the household so every query can be scoped by jurisdiction without a join.
            .field("residence_region", .string, .required)
            .field("relation", .string, .required)
            .field("national_id", .string, .required)
            // The last four characters, indexed, for "search by the last digits".
            .field("national_id_tail", .string, .required)
            .field("name", .string, .required)
            .field("sex", .string, .required)
            .field("birth_date", .string, .required)
            .field("disability_category", .string)
            .field("disability_grade", .int)
            .field("illnesses", .string, .required)
            .field("work_capacity", .string, .required)
            .field("employment", .string, .required)
            .field("schooling", .string, .required)
            .unique(on: "national_id")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("members").delete() }
}

struct CreateFact: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("facts")
            .id()
            .field("household_id", .uuid, .required, .references("households", "id"))
            .field("member_id", .uuid, .references("members", "id"))
            .field("category", .string, .required)
            .field("kind", .string, .required)
            .field("amount_cents", .int64)
            .field("basis", .string)
            .field("valid_from", .string, .required)
            .field("valid_to", .string)
            .field("source_department", .string, .required)
            .field("received_at", .string, .required)
            .field("reference", .string, .required)
            .field("note", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("facts").delete() }
}

struct CreateEnrolment: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("enrolments")
            .id()
            .field("household_id", .uuid, .required, .references("households", "id"))
            .field("member_id", .uuid, .references("members", "id"))
            .field("residence_region", .string, .required)
            .field("program", .string, .required)
            .field("since", .string, .required)
            .field("monthly_amount_cents", .int64, .required)
            .field("status", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("enrolments").delete() }
}

struct CreateUser: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("users")
            .id()
            .field("username", .string, .required)
            .field("display_name", .string, .required)
            .field("role", .string, .required)
            .field("region_code", .string, .required)
            .field("password_hash", .string, .required)
            .field("failed_logins", .int, .required)
            .field("locked_until", .string)
            .field("created_at", .string, .required)
            .unique(on: "username")
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("users").delete() }
}

struct CreateAuditEntry: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("audit_entries")
            .id()
            .field("at", .string, .required)
            .field("user_id", .uuid)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("actor_region", .string, .required)
            .field("action", .string, .required)
            .field("target_kind", .string, .required)
            .field("target_id", .string, .required)
            .field("detail", .string, .required)
            .field("origin", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("audit_entries").delete() }
}

/// Small key–value settings the system keeps about itself (e.g. what the demo generated).
struct CreateSetting: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("settings")
            .field("key", .string, .identifier(auto: false))
            .field("value", .string, .required)
            .create()
    }
    func revert(on db: any Database) async throws { try await db.schema("settings").delete() }
}

struct AddRegistryIndexes: AsyncMigration {
    static let indexes: [(String, String, [String])] = [
        ("idx_households_residence", "households", ["residence_region"]),
        ("idx_members_household", "members", ["household_id"]),
        ("idx_members_residence", "members", ["residence_region"]),
        ("idx_members_tail", "members", ["national_id_tail"]),
        ("idx_members_name", "members", ["name"]),
        ("idx_facts_household", "facts", ["household_id"]),
        ("idx_enrolments_household", "enrolments", ["household_id"]),
        ("idx_enrolments_residence", "enrolments", ["residence_region", "program"]),
        ("idx_audit_at", "audit_entries", ["at"]),
        ("idx_regions_parent", "regions", ["parent_code"]),
    ]

    func prepare(on db: any Database) async throws {
        for (name, table, columns) in Self.indexes {
            var b = db.sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: any Database) async throws {
        for (name, _, _) in Self.indexes { try await db.sql.drop(index: name).run() }
    }
}

/// Indexes for the search box. Names are searched by prefix (a surname, or a whole name): SQLite
/// turns `GLOB 'x*'` into an index range on its binary collation; PostgreSQL needs a
/// `text_pattern_ops` index for `LIKE 'x%'` whatever the database's locale. Address fragments are
/// searched anywhere in the text: on PostgreSQL a trigram index does that when the pg_trgm
/// extension may be created, and the search still works (by scanning) where it may not.
struct AddSearchIndexes: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard db.sql.dialect.name == "postgresql" else { return }
        try await db.sql.raw("CREATE INDEX idx_members_name_pattern ON members (name text_pattern_ops)").run()
        do {
            try await db.sql.raw("CREATE EXTENSION IF NOT EXISTS pg_trgm").run()
            try await db.sql.raw("CREATE INDEX idx_households_address_trgm ON households USING gin (address gin_trgm_ops)").run()
        } catch {
            db.logger.warning("pg_trgm is not available (\(String(reflecting: error))): address search will scan instead of using a trigram index")
        }
    }

    func revert(on db: any Database) async throws {
        guard db.sql.dialect.name == "postgresql" else { return }
        try await db.sql.raw("DROP INDEX IF EXISTS idx_households_address_trgm").run()
        try await db.sql.raw("DROP INDEX IF EXISTS idx_members_name_pattern").run()
    }
}

/// Department feeds: each imported file, where each fact came from, rows waiting for linkage, and events.
struct AddFeedImports: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("feed_imports")
            .id()
            .field("feed", .string, .required)
            .field("file_name", .string, .required)
            .field("file_hash", .string, .required)
            .field("received_at", .string, .required)
            .field("finished_at", .string, .required)
            .field("username", .string, .required)
            .field("rows_read", .int, .required)
            .field("linked", .int, .required)
            .field("new_facts", .int, .required)
            .field("changed", .int, .required)
            .field("rejected", .int, .required)
            .field("review", .int, .required)
            .unique(on: "feed", "file_hash")
            .create()
        // One column per statement: SQLite's ALTER TABLE adds a single column at a time.
        try await db.schema("facts").field("feed", .string).update()
        try await db.schema("facts").field("natural_key", .string).update()
        try await db.schema("facts").field("import_id", .uuid).update()
        try await db.schema("facts").field("row_number", .int).update()
        try await db.sql.raw("CREATE UNIQUE INDEX idx_facts_feed_key ON facts (feed, natural_key)").run()
        try await db.schema("feed_unlinked")
            .id()
            .field("import_id", .uuid, .required)
            .field("feed", .string, .required)
            .field("natural_key", .string, .required)
            .field("row_number", .int, .required)
            .field("national_id", .string, .required)
            .field("name", .string)
            .field("kind", .string, .required)
            .field("amount_cents", .int64)
            .field("valid_from", .string)
            .field("status", .string, .required)
            .unique(on: "feed", "natural_key")
            .create()
        try await db.schema("events")
            .id()
            .field("fact_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid)
            .field("residence_region", .string, .required)
            .field("kind", .string, .required)
            .field("occurred_on", .string, .required)
            .field("created_at", .string, .required)
            .field("import_id", .uuid)
            // The fact and the values it took: the same change seen twice is one event.
            .field("dedupe_key", .string, .required)
            .unique(on: "dedupe_key")
            .create()
    }

    func revert(on db: any Database) async throws {
        try await db.schema("events").delete()
        try await db.schema("feed_unlinked").delete()
        try await db.sql.raw("DROP INDEX IF EXISTS idx_facts_feed_key").run()
        for column in ["row_number", "import_id", "natural_key", "feed"] { try await db.schema("facts").deleteField(.key(.init(stringLiteral: column))).update() }
        try await db.schema("feed_imports").delete()
    }
}

/// When an enrolment's status last changed, so "ended since" lists can be exported.
struct AddEnrolmentStatusChangedOn: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("enrolments").field("status_changed_on", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("enrolments").deleteField("status_changed_on").update()
    }
}

/// Probabilistic person linkage (#4): what a department row said about the person (kept until it is
/// linked), and the links themselves with their evidence and the human decision.
struct AddPersonLinks: AsyncMigration {
    static let unlinkedColumns = ["valid_to", "reference", "note", "birth_date", "region", "address", "identity"]

    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in Self.unlinkedColumns {
            try await db.schema("feed_unlinked").field(FieldKey(stringLiteral: column), .string).update()
        }
        try await db.schema("feed_unlinked").field("link_id", .uuid).update()
        try await db.schema("person_links")
            .id()
            .field("import_id", .uuid, .required)
            .field("feed", .string, .required)
            // The department's view of the person: typed ID | name | birth date.
            .field("identity", .string, .required)
            .field("member_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            // The member's residence, so the review queue is scoped like everything else.
            .field("residence_region", .string, .required)
            // auto | review | confirmed | rejected
            .field("status", .string, .required)
            .field("probability", .double, .required)
            .field("weight", .double, .required)
            .field("evidence", .string, .required)
            .field("reason", .string, .required)
            .field("created_at", .string, .required)
            .field("decided_by", .string)
            .field("decided_at", .string)
            .unique(on: "feed", "identity", "member_id")
            .create()
        for (name, table, columns) in [("idx_members_birth", "members", ["birth_date"]),
                                       ("idx_unlinked_import", "feed_unlinked", ["import_id", "status", "row_number"]),
                                       ("idx_unlinked_link", "feed_unlinked", ["link_id"]),
                                       ("idx_links_queue", "person_links", ["status", "residence_region"]),
                                       ("idx_links_member", "person_links", ["feed", "member_id"])] {
            var b = db.sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: any Database) async throws {
        for name in ["idx_members_birth", "idx_unlinked_import", "idx_unlinked_link", "idx_links_queue", "idx_links_member"] {
            try await db.sql.drop(index: name).run()
        }
        try await db.schema("person_links").delete()
        for column in Self.unlinkedColumns + ["link_id"] {
            try await db.schema("feed_unlinked").deleteField(.key(.init(stringLiteral: column))).update()
        }
    }
}

/// Monitoring and early warning (#5): warnings with their handling, the actions taken on them, home-visit
/// tasks, the latest hardship score per household, screening runs, and payments held after a death.
struct AddMonitoring: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("warnings")
            .id()
            .field("household_id", .uuid, .required)
            .field("indicator", .string, .required)
            .field("kind", .string, .required)
            .field("severity", .string, .required)
            .field("dimension", .string, .required)
            // Routed to where the household lives; apply-anywhere also tells the place of registration.
            .field("residence_region", .string, .required)
            .field("registered_region", .string, .required)
            .field("title", .string, .required)
            .field("status", .string, .required)
            .field("assignee", .string)
            .field("score", .int, .required)
            .field("fingerprint", .string, .required)
            .field("evidence", .string, .required)
            .field("raised_on", .string, .required)
            .field("due_on", .string, .required)
            .field("updated_at", .string, .required)
            // Set when a later screening no longer finds the condition; the warning still waits for a decision.
            .field("cleared_on", .string)
            .field("outcome", .string)
            .field("reason", .string)
            .field("disposed_on", .string)
            .field("closed_on", .string)
            .field("screening_id", .uuid)
            .create()
        try await db.schema("warning_actions")
            .id()
            .field("warning_id", .uuid, .required)
            .field("at", .string, .required)
            .field("username", .string, .required)
            .field("role", .string, .required)
            .field("action", .string, .required)
            .field("from_status", .string, .required)
            .field("to_status", .string, .required)
            .field("note", .string, .required)
            .create()
        try await db.schema("home_visits")
            .id()
            .field("warning_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("residence_region", .string, .required)
            .field("status", .string, .required)
            .field("created_at", .string, .required)
            .field("created_by", .string, .required)
            .field("due_on", .string, .required)
            .field("findings", .string)
            .field("done_at", .string)
            .field("done_by", .string)
            .create()
        try await db.schema("household_scores")
            .field("household_id", .uuid, .identifier(auto: false))
            .field("residence_region", .string, .required)
            .field("score", .int, .required)
            .field("dimensions", .string, .required)
            .field("contributions", .string, .required)
            .field("screened_on", .string, .required)
            .create()
        try await db.schema("screenings")
            .id()
            .field("mode", .string, .required)
            .field("region", .string, .required)
            .field("started_at", .string, .required)
            .field("finished_at", .string)
            .field("username", .string, .required)
            .field("households", .int, .required)
            .field("raised", .int, .required)
            .field("updated", .int, .required)
            .field("suppressed", .int, .required)
            .field("cleared", .int, .required)
            .field("holds", .int, .required)
            .create()
        try await db.schema("payment_holds")
            .id()
            .field("enrolment_id", .uuid, .required)
            .field("household_id", .uuid, .required)
            .field("member_id", .uuid, .required)
            .field("residence_region", .string, .required)
            .field("fact_id", .uuid, .required)
            .field("reason", .string, .required)
            .field("created_at", .string, .required)
            .field("released_at", .string)
            .field("released_by", .string)
            .unique(on: "enrolment_id", "fact_id")
            .create()
        for (name, table, columns) in [("idx_warnings_household", "warnings", ["household_id", "indicator"]),
                                       ("idx_warnings_inbox", "warnings", ["residence_region", "status"]),
                                       ("idx_warnings_registered", "warnings", ["registered_region"]),
                                       ("idx_warning_actions", "warning_actions", ["warning_id"]),
                                       ("idx_visits_region", "home_visits", ["residence_region", "status"]),
                                       ("idx_visits_warning", "home_visits", ["warning_id"]),
                                       ("idx_scores_rank", "household_scores", ["residence_region", "score"]),
                                       ("idx_holds_household", "payment_holds", ["household_id"]),
                                       ("idx_events_created", "events", ["created_at"]),
                                       // Screening pages through a region's households in (residence, id) order.
                                       ("idx_households_residence_id", "households", ["residence_region", "id"])] {
            var b = db.sql.create(index: name).on(table)
            for c in columns { b = b.column(c) }
            try await b.run()
        }
    }

    func revert(on db: any Database) async throws {
        try await db.sql.drop(index: "idx_events_created").run()
        try await db.sql.drop(index: "idx_households_residence_id").run()
        for table in ["payment_holds", "screenings", "household_scores", "home_visits", "warning_actions", "warnings"] {
            try await db.schema(table).delete()
        }
    }
}

/// SQLite keeps a write-ahead log instead of the rollback journal. Pages go on being read while an import or a
/// screening writes (with the rollback journal, an import whose pages outgrew the cache took the exclusive lock
/// and shut readers out until it committed), and a large transaction appends its pages to the log instead of
/// first copying each page's old contents aside. The mode is kept in the file. PostgreSQL has its own log.
struct UseWriteAheadLog: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard db.sql.dialect.name == "sqlite" else { return }
        try await db.sql.raw("PRAGMA journal_mode = WAL").run()
    }
    func revert(on db: any Database) async throws {
        guard db.sql.dialect.name == "sqlite" else { return }
        try await db.sql.raw("PRAGMA journal_mode = DELETE").run()
    }
}

/// Why a payment hold was released, next to who released it and when.
struct AddHoldReleaseReason: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("payment_holds").field("release_reason", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("payment_holds").deleteField("release_reason").update()
    }
}

/// A screening's progress and its end, for runs started from a page, which go on after the page has returned:
/// how many households it set out to screen (`households` counts those done so far), and why it stopped if
/// it did not finish.
struct AddScreeningProgress: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await db.schema("screenings").field("planned", .int).update()
        try await db.schema("screenings").field("failure", .string).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("screenings").deleteField("failure").update()
        try await db.schema("screenings").deleteField("planned").update()
    }
}

/// A department row waiting for linkage keeps the disability its certificate states, so that the grade reaches
/// the member when the row is linked by the probabilistic pass or by a reviewer, as it does on an exact ID.
struct AddUnlinkedDisability: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        try await db.schema("feed_unlinked").field("disability_category", .string).update()
        try await db.schema("feed_unlinked").field("disability_grade", .int).update()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("feed_unlinked").deleteField("disability_grade").update()
        try await db.schema("feed_unlinked").deleteField("disability_category").update()
    }
}

/// The queue of event batches waiting for the monitoring reaction (`EventBatch`), in place of one watermark.
/// Events recorded after the watermark's last reaction are queued, so none is lost in the change.
struct AddEventBatches: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("event_batches")
            .id()
            .field("created_at", .string, .required)
            .field("reacted_at", .string)
            .create()
        let watermark = try await SettingsStore(db).get(EventBatch.legacyWatermarkKey)
        var stamps = db.sql.select().distinct().column("created_at").from("events")
        if let watermark { stamps = stamps.where("created_at", .greaterThanOrEqual, watermark) }
        for row in try await stamps.all() {
            try await db.sql.insert(into: "event_batches").columns("id", "created_at")
                .values(SQLBind(UUID()), SQLBind(try row.decode(column: "created_at", as: String.self))).run()
        }
        try await db.sql.delete(from: "settings").where("key", .equal, EventBatch.legacyWatermarkKey).run()
    }
    func revert(on db: any Database) async throws {
        try await db.schema("event_batches").delete()
    }
}
