import Foundation
@testable import MeetingScheduler
import Testing
@testable import XieshangService
import XieshangTestSupport
import XieshangWire

/// The store's writes return what they stored, without reading it back.
@Suite("the meeting store")
struct MeetingStoreTests {
    @Test("an added invitee is returned exactly as stored, with a six-digit code of its own in the meeting")
    func addedInviteeAsStored() async throws {
        let database = try ServiceDatabase.inMemory(migrations: SchedulerSchema.migrations)
        let checked = try await database.writeSession { db -> (Int, Set<String>) in
            var meeting = MeetingV1.Meeting()
            meeting.title = "委员活动"
            meeting.kind = .inspection
            meeting.term = 5
            meeting.startMs = 1_800_000_000_000
            meeting.endMs = 1_800_003_600_000
            meeting.mode = .inPerson
            meeting.venue = "市政协"
            let id = try MeetingStore.insert(db, meeting)
            var codes = Set<String>()
            var matching = 0
            for n in 1...200 {
                var invitee = MeetingV1.Invitee()
                invitee.meetingID = id
                invitee.memberID = n % 2 == 0 ? Int64(n) : 0
                invitee.name = "委员\(n)"
                invitee.category = n % 2 == 0 ? .member : .stakeholder
                invitee.required = n % 3 == 0
                invitee.attendance = .invited
                // Fields the insert does not write come back as the table's defaults.
                invitee.leaveReason = "not written"
                invitee.checkedInAtMs = 5
                let added = try MeetingStore.addInvitee(db, invitee)
                if added == (try MeetingStore.invitee(db, meeting: id, id: added.id)) { matching += 1 }
                codes.insert(added.checkInCode)
            }
            return (matching, codes)
        }
        #expect(checked.0 == 200)
        #expect(checked.1.count == 200 && checked.1.allSatisfy { $0.count == 6 && $0.allSatisfy(\.isNumber) })
    }

    /// How SQLite runs a statement: the plan's lines, e.g. `SEARCH meetings USING INDEX …`.
    static func plan(_ db: any SQLSession, _ sql: String, _ arguments: [any SQLValueConvertible]) throws -> [String] {
        try db.rows("EXPLAIN QUERY PLAN " + sql, arguments).map { $0["detail"] as String }
    }

    @Test("a room's bookings, a member's meetings and a plan item's are read through their partial indexes, not by scanning every meeting or invitee")
    func partialIndexesUsed() async throws {
        let database = try ServiceDatabase.inMemory(migrations: SchedulerSchema.migrations)
        let plans = try await database.writeSession { db -> [String: [String]] in
            // Enough rows in other rooms and times that a scan and a search differ in cost.
            for n in 0..<300 {
                var meeting = MeetingV1.Meeting()
                meeting.title = "会议\(n)"
                meeting.kind = n % 2 == 0 ? .grassroots : .inspection
                meeting.term = 5
                meeting.roomID = Int64(n % 7 + 1)
                meeting.startMs = 1_800_000_000_000 + Int64(n) * 3_600_000
                meeting.endMs = meeting.startMs + 3_600_000
                meeting.status = n % 3 == 0 ? .closed : .published
                let id = try MeetingStore.insert(db, meeting)
                var invitee = MeetingV1.Invitee()
                invitee.meetingID = id
                invitee.memberID = Int64(n % 40 + 1)
                invitee.category = .member
                invitee.attendance = .invited
                _ = try MeetingStore.addInvitee(db, invitee)
            }
            try db.execute("ANALYZE", [])
            let at: Int64 = 1_800_100_000_000
            return [
                "room bookings": try Self.plan(db, MeetingStore.roomBookings, [3, at - MeetingRules.maxMeetingMs, at + 3_600_000, at, 0]),
                "upcoming activities": try Self.plan(db, MeetingStore.upcomingActivitiesInRoom, [3, MeetingV1.MeetingKind.grassroots.rawValue, at - MeetingRules.maxMeetingMs, at]),
                "a member's meetings": try Self.plan(db, MeetingStore.meetingsOfMember, [12]),
                "a plan item's meetings": try Self.plan(db, MeetingStore.meetingsOfPlanItem, [4, MeetingV1.MeetingStatus.cancelled.rawValue]),
            ]
        }
        #expect(plans["room bookings"] == ["SEARCH meetings USING INDEX meetings_holding_rooms (room_id=? AND start_ms>? AND start_ms<?)"])
        #expect(plans["upcoming activities"] == ["SEARCH meetings USING INDEX meetings_holding_rooms (room_id=? AND start_ms>?)"])
        #expect(plans["a member's meetings"] == ["SEARCH invitees USING COVERING INDEX invitees_by_member (member_id=?)"])
        #expect(plans["a plan item's meetings"] == ["SEARCH meetings USING INDEX meetings_by_plan_item (plan_item_id=?)"])
    }
}

/// The scheduler's database of an earlier release brought forward: on SQLite the upgrade
/// fixture of the first release kept (`Tests/Fixtures/upgrade/6a6608d`), on PostgreSQL one the store wrote at the earlier schema.
@Suite("the scheduler's migrations")
struct SchedulerMigrationTests {
    @Test("member_busy keyed by member and start keeps every hold of the earlier table, and conflicts are found through it")
    func memberBusyKeptThroughItsNewKey() async throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/upgrade/6a6608d/meeting-scheduler.sqlite").path
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("busy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.copyItem(atPath: fixture, toPath: directory + "/meeting-scheduler.sqlite")
        let database = try ServiceDatabase.open(dataDir: directory, name: "meeting-scheduler", migrations: SchedulerSchema.migrations)

        let (held, rule, indexes, conflicts) = try await database.readSession { db in
            let held = try db.rows("SELECT member_id, meeting_id, start_ms, end_ms FROM member_busy ORDER BY member_id, meeting_id")
                .map { [$0["member_id"], $0["meeting_id"], $0["start_ms"], $0["end_ms"]] as [Int64] }
            // What the store's rule says the meetings hold: required members, expected, of
            // drafts and published meetings (enum values as in meeting.proto).
            let rule = try db.rows("""
                SELECT i.member_id, m.id, m.start_ms, m.end_ms FROM invitees i JOIN meetings m ON m.id = i.meeting_id
                WHERE m.status IN (1, 2) AND i.member_id != 0 AND i.required = 1 AND i.attendance NOT IN (5, 8, 3)
                ORDER BY i.member_id, m.id
                """).map { [$0["member_id"], $0["id"], $0["start_ms"], $0["end_ms"]] as [Int64] }
            let indexes = try db.rows("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'member_busy'").map { $0["name"] as String }
            // Meeting 1 and meeting 2 of the fixture overlap and share invitees: meeting 1's
            // members checked at its own times meet meeting 2.
            let first = held.filter { $0[1] == 1 }.map { $0[0] }
            let conflicts = try MeetingStore.memberConflicts(db, members: first, start: 1_796_605_200_000, end: 1_796_612_400_000, excluding: 1)
            return (held, rule, indexes, conflicts)
        }
        #expect(held.count == 46, "the fixture's 46 holds")
        #expect(held == rule)
        #expect(indexes == ["member_busy_by_meeting"])
        let shared = Set(held.filter { $0[1] == 1 }.map { $0[0] }).intersection(held.filter { $0[1] == 2 }.map { $0[0] })
        #expect(!shared.isEmpty)
        #expect(conflicts.map(\.meetingID) == [2])
        #expect(Set(conflicts.first?.memberIDs ?? []) == shared)
    }

    @Test("a PostgreSQL database from before member_busy was keyed by start is brought forward with its rows: the same holds, the new key, the old index gone, conflicts found through it")
    func memberBusyMigratedWithRows() async throws {
        try await PostgresServer.with { server in
            var configuration = ServiceConfiguration(name: "meeting-scheduler")
            configuration.databaseURL = try await server.createDatabase("busy_upgrade")
            var before = SchedulerSchema.migrations
            let step = try #require(before.steps.firstIndex { $0.name == "scheduler-member-busy-by-start" })
            before.steps = Array(before.steps.prefix(step))
            let start: Int64 = 1_800_000_000_000
            let hour: Int64 = 3_600_000
            let primaryKey = "SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = 'member_busy'::regclass AND indisprimary"
            let indexes = "SELECT indexname FROM pg_indexes WHERE tablename = 'member_busy' ORDER BY indexname"
            let held = "SELECT member_id, meeting_id, start_ms, end_ms FROM member_busy ORDER BY member_id, meeting_id"
            @Sendable func holds(_ db: any SQLSession) throws -> [[Int64]] {
                try db.rows(held).map { [$0["member_id"], $0["meeting_id"], $0["start_ms"], $0["end_ms"]] as [Int64] }
            }

            // The earlier release's database, written by the store: members 7 and 9 held by
            // the first meeting, 7 by the second (overlapping it), 11 invited but not held.
            let old = try ServiceDatabase.open(configuration, migrations: before)
            let (heldBefore, keyBefore, meetings) = try await old.writeSession { db -> ([[Int64]], String, [Int64]) in
                var ids: [Int64] = []
                for (offset, members) in [(Int64(0), [Int64(7), 9]), (hour, [7])] {
                    var meeting = MeetingV1.Meeting()
                    meeting.title = "协商议事 \(offset / hour + 1)"
                    meeting.kind = .inspection
                    meeting.term = 5
                    meeting.status = .draft
                    meeting.startMs = start + offset
                    meeting.endMs = start + offset + 2 * hour
                    meeting.mode = .inPerson
                    meeting.venue = "市政协"
                    let id = try MeetingStore.insert(db, meeting)
                    ids.append(id)
                    for member in members + [11] {
                        var invitee = MeetingV1.Invitee()
                        invitee.meetingID = id
                        invitee.memberID = member
                        invitee.name = "委员\(member)"
                        invitee.category = .member
                        invitee.required = member != 11
                        invitee.attendance = .invited
                        _ = try MeetingStore.addInvitee(db, invitee)
                    }
                }
                return (try holds(db), try db.value(primaryKey, as: String.self) ?? "", ids)
            }
            #expect(keyBefore.hasSuffix("(member_id, meeting_id)"), "the earlier key: \(keyBefore)")
            #expect(heldBefore == [[7, meetings[0], start, start + 2 * hour], [7, meetings[1], start + hour, start + 3 * hour],
                                   [9, meetings[0], start, start + 2 * hour]])

            let database = try ServiceDatabase.open(configuration, migrations: SchedulerSchema.migrations)
            let (heldAfter, keyAfter, indexesAfter, conflicts) = try await database.writeSession { db in
                (try holds(db), try db.value(primaryKey, as: String.self) ?? "", try db.rows(indexes).map { $0["indexname"] as String },
                 try MeetingStore.memberConflicts(db, members: [7, 9, 11], start: start + hour / 2, end: start + hour, excluding: 0))
            }
            #expect(heldAfter == heldBefore)
            #expect(keyAfter.hasSuffix("(member_id, start_ms, meeting_id)"), "the new key: \(keyAfter)")
            #expect(indexesAfter == ["member_busy_by_meeting", "member_busy_pkey"])
            #expect(conflicts.map(\.meetingID) == [meetings[0]])
            #expect(conflicts.first?.memberIDs == [7, 9])
            // The second meeting, checked at its own later times, meets the first through member 7.
            let later = try await database.writeSession { db in
                try MeetingStore.memberConflicts(db, members: [7, 9], start: start + 2 * hour + hour / 2, end: start + 3 * hour, excluding: 0)
            }
            #expect(later.map(\.meetingID) == [meetings[1]] && later.first?.memberIDs == [7])
        }
    }
}
