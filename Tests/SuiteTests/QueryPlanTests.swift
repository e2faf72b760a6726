import DutyRecord
import MeetingScheduler
import MemberRegistry
import Notifier
import Portal
import ProposalTracker
import Foundation
import Testing
import XieshangService
import XieshangTestSupport

/// Every statement a service's sources write out, planned by SQLite against that service's
/// schema (`QueryPlans`): none reads a whole table, but for the scans named here, each for its
/// reason. A statement built with interpolation (a list's filters, a status set) is not seen.
@Suite("the services' statements and their indexes")
struct QueryPlanTests {
    struct Service: CustomTestStringConvertible, Sendable {
        let folder: String
        let migrations: ServiceMigrations
        /// Fewer statements found than this: the reading of the sources broke.
        let atLeast: Int
        /// The scans accepted: a table and a piece of the statement's SQL.
        let accepted: [(table: String, sql: String)]
        var testDescription: String { folder }
    }

    static let services: [Service] = [
        Service(folder: "Services/MemberRegistry/Sources", migrations: RegistrySchema.migrations, atLeast: 45, accepted: [
            // The terms: a handful of rows (a term is five years).
            ("terms", "FROM terms"),
            ("terms", "UPDATE terms SET current ="),
            // Rooms and stations listed whole (hundreds at most), as the office asks for them.
            ("rooms", "SELECT rooms.*, (SELECT COUNT(*) FROM room_members WHERE room_id = rooms.id) AS member_count FROM rooms"),
            ("stations", "SELECT * FROM stations ORDER BY id"),
            // A migration's one pass over the rooms.
            ("rooms", "SELECT id, name, address, district, station_id, capacity FROM rooms ORDER BY id"),
            // Parts of uploads nobody finished within a day, forgotten as each part is kept: a few rows.
            ("import_uploads", "DELETE FROM import_uploads WHERE created_at_ms < ?"),
        ]),
        Service(folder: "Services/MeetingScheduler/Sources", migrations: SchedulerSchema.migrations, atLeast: 45, accepted: [
            // The year's consultation plan: a few dozen items, listed whole in order.
            ("plan_items", "SELECT * FROM plan_items WHERE (? = 0 OR year = ?)"),
            // The registry's terms: a handful, listed whole.
            ("registry_terms", "SELECT body FROM registry_terms ORDER BY number"),
            // How much the copy of the registry holds: for Health/Check, not for requests.
            ("registry_members", "SELECT COUNT(*) FROM registry_members"),
            ("registry_rooms", "SELECT COUNT(*) FROM registry_rooms"),
            ("registry_terms", "SELECT COUNT(*) FROM registry_terms"),
        ]),
        Service(folder: "Services/ProposalTracker/Sources", migrations: TrackerSchema.migrations, atLeast: 20, accepted: [
            // The statistics of a period, asked for by staff now and then (a report), over the
            // term's proposals (a thousand or so a year), topics and their transitions.
            ("proposals", "SELECT body FROM proposals WHERE created_at_ms >= ? AND created_at_ms < ?"),
            ("topics", "SELECT body FROM topics"),
            ("transitions", "SELECT proposal_id, body FROM transitions WHERE action IN (?, ?) AND at_ms < ?"),
        ]),
        Service(folder: "Services/Notifier/Sources", migrations: NotifierSchema.migrations, atLeast: 15, accepted: []),
        Service(folder: "Services/DutyRecord/Sources", migrations: DutySchema.migrations, atLeast: 15, accepted: [
            // Recounting under new rules (an administrator's change of the rules): every entry
            // counted under others, once, not per request.
            ("entries", "SELECT body FROM entries WHERE rules_version != ?"),
            ("entries", "SELECT COUNT(*) FROM entries WHERE rules_version != ?"),
            // The rules' versions and the closed years: a few rows each.
            ("rules_versions", "FROM rules_versions ORDER BY version"),
            ("closed_years", "SELECT year FROM closed_years ORDER BY year"),
            // The ranking lists every active member (hundreds), a sector's or all.
            ("members", "SELECT id FROM members WHERE active = 1 AND (? = '' OR sector = ?)"),
        ]),
        Service(folder: "Services/Portal/Sources", migrations: PortalSchema.migrations, atLeast: 20, accepted: [
            // The office's list of every portal account (members, units, residents) with its
            // live sessions: a listing of the whole table, asked for by staff.
            ("accounts", "FROM accounts a ORDER BY a.kind, a.subject_id"),
        ]),
    ]

    @Test("every statement a service's sources write out is served by an index, but for the scans named here", arguments: services)
    func statementsServedByIndexes(_ service: Service) async throws {
        let plans = try await QueryPlans(service: service.folder, migrations: service.migrations)
        #expect(plans.planned >= service.atLeast, "only \(plans.planned) statements found")
        let unaccepted = plans.unaccepted(service.accepted)
        #expect(unaccepted.isEmpty, "\(QueryPlans.report(unaccepted))")
    }

    @Test("the check itself: a scan behind an alias and an index SQLite builds on every run are found; a lookup, an interpolated statement and a PostgreSQL-only one are not")
    func checkFindsWhatItShould() async throws {
        let folder = try temporaryDirectory("query-plans")
        let source = #"""
            let a = "SELECT id FROM visits WHERE member_id = ?"
            let b = """
                SELECT v.id FROM visits v JOIN rooms AS r ON r.id = v.room_id
                WHERE r.name = ?
                """
            let c = "SELECT v.id FROM visits v JOIN notes n ON n.body = v.note WHERE v.id = ?"
            let d = "SELECT id FROM visits WHERE id = ?"
            let e = "SELECT id FROM visits WHERE member_id = \(member)"
            let f = "SELECT pg_advisory_xact_lock(?)"
            """#
        try source.write(toFile: folder + "/Store.swift", atomically: true, encoding: .utf8)
        var migrations = ServiceMigrations()
        migrations.add("plans-1", sql: """
            CREATE TABLE visits (id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, room_id INTEGER NOT NULL, note TEXT NOT NULL);
            CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            CREATE TABLE notes (body TEXT NOT NULL);
            """)
        let plans = try await QueryPlans(sources: folder, migrations: migrations)
        #expect(plans.planned == 4, "a, b, c, d: not the interpolated one, nor PostgreSQL's")
        func scanned(_ piece: String) -> [String] { plans.scans.first { $0.sql.contains(piece) }?.tables ?? [] }
        #expect(scanned("WHERE member_id = ?") == ["visits"])
        // SQLite names the tables of the join by their aliases (SCAN v): found as visits.
        #expect(scanned("JOIN rooms AS r") == ["visits"], "\(plans.scans)")
        // No index on notes.body: SQLite builds one from the whole table on every run.
        #expect(scanned("JOIN notes n") == ["notes"], "\(plans.scans)")
        #expect(!plans.scans.contains { $0.sql == "SELECT id FROM visits WHERE id = ?" })
        #expect(plans.unaccepted([("visits", "member_id = ?"), ("visits", "JOIN rooms"), ("rooms", "JOIN rooms"), ("notes", "JOIN notes")]).isEmpty)
    }
}
