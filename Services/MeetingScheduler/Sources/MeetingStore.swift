import Foundation
import XieshangService
import XieshangLabels
import XieshangRPC
import XieshangWire

/// The scheduler's SQL; every function runs inside the caller's transaction.
public enum MeetingStore {
    static let active = "(\(MeetingV1.MeetingStatus.draft.rawValue), \(MeetingV1.MeetingStatus.published.rawValue))"

    // MARK: - Meetings

    static func meeting(_ row: SQLRow) -> MeetingV1.Meeting {
        var m = MeetingV1.Meeting()
        m.id = row["id"]
        m.title = row["title"]
        m.kind = .init(rawValue: row["kind"])
        m.term = row["term"]
        m.planItemID = row["plan_item_id"]
        m.ordinal = row["ordinal"]
        m.organiser = row["organiser"]
        m.roomID = row["room_id"]
        m.roomName = row["room_name"]
        m.venue = row["venue"]
        m.startMs = row["start_ms"]
        m.endMs = row["end_ms"]
        m.mode = .init(rawValue: row["mode"])
        m.onlineLink = row["online_link"]
        m.status = .init(rawValue: row["status"])
        m.cancelReason = row["cancel_reason"]
        m.sequence = row["sequence"]
        m.openRegistration = row["open_registration"]
        m.capacity = row["capacity"]
        m.minutes = row["minutes"]
        m.outcomes = row["outcomes"]
        m.publishedAtMs = row["published_at_ms"]
        m.updatedAtMs = row["updated_at_ms"]
        m.attendanceRate = row["attendance_rate"]
        if m.status == .closed {
            var count = MeetingV1.AttendanceCount()
            count.expected = row["expected"]
            count.present = row["present"]
            count.onLeave = row["on_leave"]
            count.absent = row["absent"]
            count.observers = row["observers"]
            count.participants = row["participants"]
            m.attendance = count
        }
        let notes: String = row["record_notes"]
        m.recordNotes = notes.isEmpty ? [] : notes.components(separatedBy: "\n")
        m.quorumRequired = row["quorum_required"]
        m.quorumMet = row["quorum_met"]
        m.displayName = m.ordinal > 0 ? m.ordinalName : ""
        return m
    }

    /// The meeting's own row, without its groups, agenda and invitee count.
    private static func row(_ db: any SQLSession, _ id: Int64, field: String) throws -> MeetingV1.Meeting {
        guard let m = try db.rows("SELECT * FROM meetings WHERE id = ?", [id]).first.map(meeting) else {
            throw SchedulerError.notFound(field: field, what: "meeting \(id)")
        }
        return m
    }

    /// The meeting with its groups, agenda and invitee count.
    public static func load(_ db: any SQLSession, _ id: Int64, field: String = "id") throws -> MeetingV1.Meeting {
        var m = try row(db, id, field: field)
        m.groups = try db.rows("SELECT * FROM meeting_groups WHERE meeting_id = ? ORDER BY position", [id]).map {
            var g = MeetingV1.GroupRef()
            g.kind = .init(rawValue: $0["kind"])
            g.name = $0["name"]
            g.id = $0["group_id"]
            return g
        }
        m.agenda = try db.rows("SELECT * FROM agenda_items WHERE meeting_id = ? ORDER BY position", [id]).map {
            var a = MeetingV1.AgendaItem()
            a.position = $0["position"]
            a.title = $0["title"]
            a.durationMinutes = $0["duration_minutes"]
            a.presenter = $0["presenter"]
            a.proposalID = $0["proposal_id"]
            a.topicID = $0["topic_id"]
            a.document = .init(rawValue: $0["document"])
            a.status = .init(rawValue: $0["status"])
            a.needsVote = $0["needs_vote"]
            if let vote = $0["vote"] as [UInt8]? { a.vote = try? MeetingV1.Vote(decoding: vote) }
            a.changes = $0["changes"]
            a.referredFromMeetingID = $0["referred_from"]
            a.referredToMeetingID = $0["referred_to"]
            return a
        }
        m.inviteeCount = Int32(try db.value("SELECT COUNT(*) FROM invitees WHERE meeting_id = ?", [id], as: Int.self) ?? 0)
        return m
    }

    public static func insert(_ db: any SQLSession, _ m: MeetingV1.Meeting) throws -> Int64 {
        let id = try holdingRoom(db, m, field: "meeting.room_id") { try db.insert("""
            INSERT INTO meetings (title, kind, term, organiser, room_id, room_name, venue, start_ms, end_ms, mode, online_link,
                status, open_registration, capacity, updated_at_ms, plan_item_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [m.title, m.kind.rawValue, m.term, m.organiser, m.roomID, m.roomName, m.venue, m.startMs, m.endMs,
                             m.mode.rawValue, m.onlineLink, MeetingV1.MeetingStatus.draft.rawValue, m.openRegistration, m.capacity,
                             Date.nowMs, m.planItemID], returning: "id") }
        try addGroups(db, id, m.groups)
        return id
    }

    /// A meeting just inserted, as stored: its row, the groups `insert` wrote, no agenda and
    /// no invitees yet (one query where `load` makes four).
    public static func inserted(_ db: any SQLSession, _ id: Int64, groups: [MeetingV1.GroupRef]) throws -> MeetingV1.Meeting {
        var m = try row(db, id, field: "id")
        m.groups = groups
        return m
    }

    /// Writes the fields a change may touch, and the status-related ones, and returns the
    /// meeting as stored: its row as the write left it and its invitee count (on PostgreSQL from
    /// the write itself, `RETURNING`; on SQLite read by its key in the same transaction), with
    /// the caller's groups and agenda, which this does not write
    /// (a caller that replaced either has stored them first). Which members it holds follows
    /// its times and status. `stored` is the meeting as this transaction read it, when the
    /// caller has it (its times and status are not read again).
    @discardableResult
    public static func save(_ db: any SQLSession, _ m: MeetingV1.Meeting, stored: MeetingV1.Meeting? = nil) throws -> MeetingV1.Meeting {
        let count = m.attendance ?? MeetingV1.AttendanceCount()
        // The member times it holds change only with its times or with whether it holds any
        // (draft and published hold, closed and cancelled do not): publishing rewrites none.
        let before: (start: Int64, end: Int64, status: Int32)?
        if let stored, stored.id == m.id {
            before = (stored.startMs, stored.endMs, stored.status.rawValue)
        } else {
            before = try db.row("SELECT start_ms, end_ms, status FROM meetings WHERE id = ?", [m.id]).map { ($0[0], $0[1], $0[2]) }
        }
        let holds: (Int32) -> Bool = { $0 == MeetingV1.MeetingStatus.draft.rawValue || $0 == MeetingV1.MeetingStatus.published.rawValue }
        let busyChanges = before.map { before in
            before.start != m.startMs || before.end != m.endMs || holds(before.status) != holds(m.status.rawValue)
        } ?? true
        let update = """
            UPDATE meetings SET title = ?, organiser = ?, room_id = ?, room_name = ?, venue = ?, start_ms = ?, end_ms = ?,
                mode = ?, online_link = ?, status = ?, cancel_reason = ?, sequence = ?, ordinal = ?, minutes = ?, outcomes = ?,
                published_at_ms = ?, attendance_rate = ?, updated_at_ms = ?, expected = ?, present = ?, on_leave = ?, absent = ?,
                observers = ?, participants = ?, quorum_required = ?, quorum_met = ?
            WHERE id = ?
            """
        let values: [any SQLValueConvertible] = [
            m.title, m.organiser, m.roomID, m.roomName, m.venue, m.startMs, m.endMs, m.mode.rawValue,
            m.onlineLink, m.status.rawValue, m.cancelReason, m.sequence, m.ordinal, m.minutes, m.outcomes,
            m.publishedAtMs, m.attendanceRate, Date.nowMs, count.expected, count.present, count.onLeave, count.absent,
            count.observers, count.participants, m.quorumRequired, m.quorumMet, m.id]
        let returned = "*, (SELECT COUNT(*) FROM invitees WHERE meeting_id = meetings.id) AS invitee_count"
        let written = try holdingRoom(db, m, field: "room_id") { () -> [SQLRow] in
            switch db.engine {
            case .postgres:
                return try db.rows(update + " RETURNING " + returned, values)
            case .sqlite:
                // SQLite runs RETURNING through a temporary table it makes for the statement:
                // the row read again by its key costs less.
                guard try db.execute(update, values) == 1 else { return [] }
                return try db.rows("SELECT " + returned + " FROM meetings WHERE id = ?", [m.id])
            }
        }
        guard let row = written.first else { throw SchedulerError.notFound(field: "id", what: "meeting \(m.id)") }
        if busyChanges { try refreshBusy(db, m.id) }
        var stored = meeting(row)
        stored.groups = m.groups
        stored.agenda = m.agenda
        stored.inviteeCount = Int32(row["invitee_count"] as Int64)
        return stored
    }

    /// Runs a write that may make the meeting hold its room. SQLite has one writer, so the
    /// handlers' check before it (`roomConflicts`) is the last word there; on PostgreSQL
    /// another replica may have taken the room since, and the exclusion constraint
    /// `meetings_room_once` refuses the write: the refusal is the same as the check's.
    /// Writers to one room take turns first (an advisory lock until the transaction ends; taken
    /// after any member locks, `lockMembers`, never before them), so
    /// racing bookings queue rather than each adding its index entry and waiting on another's:
    /// once, sixteen at one room and time were refused UNAVAILABLE (PostgreSQL's deadlock
    /// detector, one a second) for thirty seconds with none committed.
    @discardableResult
    static func holdingRoom<T>(_ db: any SQLSession, _ m: MeetingV1.Meeting, field: String, _ write: () throws -> T) throws -> T {
        if m.roomID != 0 { try db.serialize("meeting-room-\(m.roomID)") }
        do {
            return try db.guarded(write)
        } catch let error as PostgresError where error.sqlState == "23P01" && error.constraint == "meetings_room_once" {
            let conflicts = try roomConflicts(db, room: m.roomID, start: m.startMs, end: m.endMs, excluding: m.id, readBy: nil)
            throw SchedulerError.roomTaken(field: field, roomName: m.roomName, conflicts)
        }
    }

    public static func setGroups(_ db: any SQLSession, _ id: Int64, _ groups: [MeetingV1.GroupRef]) throws {
        try db.execute("DELETE FROM meeting_groups WHERE meeting_id = ?", [id])
        try addGroups(db, id, groups)
    }

    private static func addGroups(_ db: any SQLSession, _ id: Int64, _ groups: [MeetingV1.GroupRef]) throws {
        for (position, g) in groups.enumerated() {
            try db.execute("INSERT INTO meeting_groups (meeting_id, position, kind, name, group_id) VALUES (?, ?, ?, ?, ?)", [id, position, g.kind.rawValue, g.name, g.id])
        }
    }

    /// Replaces a meeting's agenda; positions follow the order.
    public static func setAgenda(_ db: any SQLSession, _ id: Int64, _ items: [MeetingV1.AgendaItem]) throws {
        try db.execute("DELETE FROM agenda_items WHERE meeting_id = ?", [id])
        for (index, a) in items.enumerated() {
            try db.execute("""
                INSERT INTO agenda_items (meeting_id, position, title, duration_minutes, presenter, proposal_id, topic_id,
                    document, status, needs_vote, vote, changes, referred_from, referred_to)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [id, index + 1, a.title, a.durationMinutes, a.presenter, a.proposalID, a.topicID,
                                 a.document.rawValue, a.status.rawValue, a.needsVote, try a.vote.map { Data(try $0.encode()) },
                                 a.changes, a.referredFromMeetingID, a.referredToMeetingID])
        }
    }

    /// Writes what was decided on one item (its status, vote, changes and where it went).
    public static func saveItem(_ db: any SQLSession, _ meeting: Int64, _ a: MeetingV1.AgendaItem) throws {
        try db.execute("""
            UPDATE agenda_items SET status = ?, needs_vote = ?, vote = ?, changes = ?, referred_to = ?
            WHERE meeting_id = ? AND position = ?
            """, [a.status.rawValue, a.needsVote, try a.vote.map { Data(try $0.encode()) }, a.changes, a.referredToMeetingID,
                             meeting, a.position])
    }

    // MARK: - The annual consultation plan

    public static func addPlanItem(_ db: any SQLSession, _ item: MeetingV1.PlanItem) throws -> MeetingV1.PlanItem {
        let id = try db.insert("INSERT INTO plan_items (year, quarter, kind, title, lead) VALUES (?, ?, ?, ?, ?)",
                              [item.year, item.quarter, item.kind.rawValue, item.title, item.lead], returning: "id")
        return try planItems(db, id: id)[0]
    }

    public static func planItemCount(_ db: any SQLSession, year: Int32) throws -> Int {
        try db.value("SELECT COUNT(*) FROM plan_items WHERE year = ?", [year], as: Int.self) ?? 0
    }

    /// The plan's items of `year` (or the one with `id`), each with the meetings scheduled
    /// for it (cancelled ones aside) and how many were held.
    public static func planItems(_ db: any SQLSession, year: Int32 = 0, id: Int64 = 0) throws -> [MeetingV1.PlanItem] {
        let rows = try db.rows("SELECT * FROM plan_items WHERE (? = 0 OR year = ?) AND (? = 0 OR id = ?) ORDER BY year, quarter, id", [year, year, id, id])
        return try rows.map { row in
            var item = MeetingV1.PlanItem()
            item.id = row["id"]
            item.year = row["year"]
            item.quarter = row["quarter"]
            item.kind = .init(rawValue: row["kind"])
            item.title = row["title"]
            item.lead = row["lead"]
            for meeting in try db.rows(meetingsOfPlanItem, [item.id, MeetingV1.MeetingStatus.cancelled.rawValue]) {
                item.meetingIDs.append(meeting["id"])
                if (meeting["status"] as Int32) == MeetingV1.MeetingStatus.closed.rawValue { item.held += 1 }
            }
            return item
        }
    }

    /// An item's meetings not cancelled, by start (`plan_item_id != 0` written out so that
    /// SQLite uses the partial index `meetings_by_plan_item`).
    static let meetingsOfPlanItem = "SELECT id, status FROM meetings WHERE plan_item_id = ? AND plan_item_id != 0 AND status != ? ORDER BY start_ms, id"

    /// The first 常委会会议 still in draft that starts after `ms` in `term`, if any: where a
    /// 主席会议 passes an item on.
    public static func nextDraftStandingCommittee(_ db: any SQLSession, term: Int32, after ms: Int64) throws -> Int64? {
        try db.value("""
            SELECT id FROM meetings WHERE kind = ? AND status = ? AND term = ? AND start_ms > ? ORDER BY start_ms, id LIMIT 1
            """, [MeetingV1.MeetingKind.standingCommittee.rawValue, MeetingV1.MeetingStatus.draft.rawValue, term, ms], as: Int64.self)
    }

    /// Keeps what staff recorded outside the meeting's times, and why: one note per kind of
    /// record and reason (checking in forty members early for one reason is one note), at
    /// most `MeetingRules.maxRecordNotes` for a meeting.
    public static func addRecordNote(_ db: any SQLSession, _ meeting: Int64, what: String, reason: String, _ note: String) throws {
        let notes = (try db.value("SELECT record_notes FROM meetings WHERE id = ?", [meeting], as: String.self) ?? "")
            .split(separator: "\n").map(String.init)
        if notes.contains(where: { $0.hasSuffix(" \(what): \(reason)") }) { return }
        guard notes.count < MeetingRules.maxRecordNotes else {
            throw SchedulerError.notAllowed(field: "record_reason", "meeting \(meeting) already keeps \(MeetingRules.maxRecordNotes) record notes; give one of their reasons")
                .saying("这次会议已有 \(MeetingRules.maxRecordNotes) 条补录说明；请沿用其中一条的理由。")
        }
        try db.execute("UPDATE meetings SET record_notes = CASE WHEN record_notes = '' THEN ? ELSE record_notes || ? || ? END WHERE id = ?", [note, "\n", note, meeting])
    }

    /// The number the next meeting of a numbered kind gets in the term: after the highest
    /// given, or the next staff set, whichever is later.
    public static func nextOrdinal(_ db: any SQLSession, term: Int32, kind: MeetingV1.MeetingKind) throws -> Int32 {
        let next = max(try highestOrdinal(db, term: term, kind: kind) + 1, try setNext(db, term: term, kind: kind) ?? 1)
        guard next <= MeetingRules.maxOrdinal else {
            throw SchedulerError.notAllowed(field: "id", "term \(term) has numbered \(MeetingRules.maxOrdinal) of \(kind.label): no number is left")
                .saying("第 \(term) 届的\(kind.label)已编到第 \(MeetingRules.maxOrdinal) 次，没有可用的届次编号了。")
        }
        return next
    }

    public static func highestOrdinal(_ db: any SQLSession, term: Int32, kind: MeetingV1.MeetingKind) throws -> Int32 {
        Int32(try db.value("SELECT COALESCE(MAX(ordinal), 0) FROM meetings WHERE term = ? AND kind = ?", [term, kind.rawValue], as: Int.self) ?? 0)
    }

    /// The next number staff set for a kind in a term, if they did.
    static func setNext(_ db: any SQLSession, term: Int32, kind: MeetingV1.MeetingKind) throws -> Int32? {
        try db.value("SELECT next FROM numbering WHERE term = ? AND kind = ?", [term, kind.rawValue], as: Int32.self)
    }

    /// Sets the number the next meeting of a numbered kind gets; a number already given in
    /// the term is refused (two meetings would share it).
    public static func setNextOrdinal(_ db: any SQLSession, term: Int32, kind: MeetingV1.MeetingKind, next: Int32) throws {
        let highest = try highestOrdinal(db, term: term, kind: kind)
        guard next > highest else {
            throw SchedulerError.notAllowed(field: "next", "\(kind.label) \(highest) has already been numbered in term \(term): the next must be after it")
                .saying("第 \(term) 届的\(kind.label)已编到第 \(highest) 次；下一次的编号须大于 \(highest)。")
        }
        try db.execute("INSERT INTO numbering (term, kind, next) VALUES (?, ?, ?) ON CONFLICT(term, kind) DO UPDATE SET next = excluded.next", [term, kind.rawValue, next])
    }

    /// The numbered kinds' next numbers in a term.
    public static func numbering(_ db: any SQLSession, term: Int32) throws -> [MeetingV1.Numbering] {
        try MeetingRules.numberedKinds.map { kind in
            var n = MeetingV1.Numbering()
            n.kind = kind
            n.highest = try highestOrdinal(db, term: term, kind: kind)
            n.next = try nextOrdinal(db, term: term, kind: kind)
            return n
        }
    }

    /// The term's session at a time: the last plenary begun by then (published or closed),
    /// else the one before the next plenary staff set, else 0.
    public static func session(_ db: any SQLSession, term: Int32, at: Int64) throws -> MeetingV1.SessionResponse {
        var response = MeetingV1.SessionResponse()
        if let row = try db.row("""
            SELECT id, ordinal FROM meetings WHERE term = ? AND kind = ? AND status IN (?, ?) AND ordinal > 0 AND start_ms <= ?
            ORDER BY ordinal DESC LIMIT 1
            """, [term, MeetingV1.MeetingKind.plenary.rawValue, MeetingV1.MeetingStatus.published.rawValue,
                             MeetingV1.MeetingStatus.closed.rawValue, at]) {
            response.session = row["ordinal"]
            response.plenaryID = row["id"]
        } else if let next = try setNext(db, term: term, kind: .plenary) {
            response.session = next - 1
        }
        return response
    }

    // MARK: - Invitees

    static func invitee(_ row: SQLRow) -> MeetingV1.Invitee {
        var i = MeetingV1.Invitee()
        i.id = row["id"]
        i.meetingID = row["meeting_id"]
        i.memberID = row["member_id"]
        i.name = row["name"]
        i.organisation = row["organisation"]
        i.category = .init(rawValue: row["category"])
        i.required = row["required"]
        i.fromGroup = row["from_group"]
        i.attendance = .init(rawValue: row["attendance"])
        i.leaveType = .init(rawValue: row["leave_type"])
        i.leaveReason = row["leave_reason"]
        i.checkInCode = row["check_in_code"]
        i.checkedInAtMs = row["checked_in_at_ms"]
        i.waitlistPosition = row["waitlist_position"]
        return i
    }

    /// Invitees holding a seat of an open registration (registered or checked in).
    static func seated(_ db: any SQLSession, meeting: Int64) throws -> Int {
        try db.value("SELECT COUNT(*) FROM invitees WHERE meeting_id = ? AND attendance IN (?, ?)", [meeting, MeetingV1.Attendance.registered.rawValue, MeetingV1.Attendance.checkedIn.rawValue], as: Int.self) ?? 0
    }

    /// The next place on the meeting's waiting list.
    static func nextWaitlistPosition(_ db: any SQLSession, meeting: Int64) throws -> Int32 {
        (try db.value("SELECT COALESCE(MAX(waitlist_position), 0) FROM invitees WHERE meeting_id = ?", [meeting], as: Int32.self) ?? 0) + 1
    }

    /// The first on the waiting list, if any.
    static func firstWaitlisted(_ db: any SQLSession, meeting: Int64) throws -> MeetingV1.Invitee? {
        try db.rows("SELECT * FROM invitees WHERE meeting_id = ? AND attendance = ? ORDER BY waitlist_position LIMIT 1", [meeting, MeetingV1.Attendance.waitlisted.rawValue]).first.map(invitee)
    }

    /// The invitee whose six-digit check-in code this is, if any.
    static func invitee(_ db: any SQLSession, meeting: Int64, code: String) throws -> MeetingV1.Invitee? {
        try db.rows("SELECT * FROM invitees WHERE meeting_id = ? AND check_in_code = ?", [meeting, code]).first.map(invitee)
    }

    static func removeInvitee(_ db: any SQLSession, id: Int64) throws {
        guard let row = try db.row("SELECT meeting_id, member_id FROM invitees WHERE id = ?", [id]) else { return }
        try db.execute("DELETE FROM invitees WHERE id = ?", [id])
        try syncBusy(db, meeting: row["meeting_id"], member: row["member_id"])
    }

    /// The members invited (not non-member participants), in id order.
    static func invitedMemberIDs(_ db: any SQLSession, meeting: Int64) throws -> [Int64] {
        try db.column("SELECT member_id FROM invitees WHERE meeting_id = ? AND member_id != 0 ORDER BY member_id", [meeting], as: Int64.self)
    }

    /// Of `members`, those the meeting does not invite yet, each once, in their order: whom
    /// an invitation or a group adds (a member is invited once a meeting).
    /// Only those members are looked up (through `invitees_one_per_member`), not everyone a
    /// plenary of hundreds invites, in lists of at most 500.
    static func notYetInvited(_ db: any SQLSession, meeting: Int64, _ members: [Int64]) throws -> [Int64] {
        var invited: Set<Int64> = []
        for start in stride(from: 0, to: members.count, by: 500) {
            let some = Array(members[start..<min(start + 500, members.count)])
            invited.formUnion(try db.column(
                "SELECT member_id FROM invitees WHERE meeting_id = ? AND member_id != 0 AND member_id IN (\(sqlPlaceholders(count: some.count)))",
                [meeting] + some, as: Int64.self))
        }
        return members.filter { invited.insert($0).inserted }
    }

    /// The members required to attend: not excused by approved leave, not withdrawn.
    static func requiredMemberIDs(_ db: any SQLSession, meeting: Int64) throws -> [Int64] {
        try db.column("""
            SELECT member_id FROM invitees WHERE meeting_id = ? AND member_id != 0 AND required = 1
              AND attendance NOT IN (\(MeetingV1.Attendance.leaveApproved.rawValue), \(MeetingV1.Attendance.withdrawn.rawValue))
            """, [meeting], as: Int64.self)
    }

    /// Records that staff accepted member conflicts, with their reason.
    static func recordOverride(_ db: any SQLSession, meeting: Int64, actor: String, reason: String, conflicts: [MeetingV1.Conflict]) throws {
        let summary = conflicts.map { "\($0.meetingID):\($0.memberIDs.map(String.init).joined(separator: ","))" }.joined(separator: ";")
        try db.execute("INSERT INTO conflict_overrides (meeting_id, at_ms, actor, reason, conflicts) VALUES (?, ?, ?, ?, ?)", [meeting, Date.nowMs, actor, reason, summary])
    }

    /// Which of `meetings` the member is invited to (none for a caller who is not a member).
    static func invitedMeetings(_ db: any SQLSession, member: Int64?, among meetings: [Int64]) throws -> Set<Int64> {
        guard let member, !meetings.isEmpty else { return [] }
        let wanted = Set(meetings)
        let ids = try db.column(meetingsOfMember, [member], as: Int64.self)
        return Set(ids).intersection(wanted)
    }

    /// The meetings a member is invited to. `member_id != 0` is written out, though callers
    /// never pass 0, because the index by member (`invitees_by_member`) leaves out the
    /// invitees who are not members, and SQLite uses a partial index only for a query whose
    /// own terms imply its condition: without it every call read the whole table.
    static let meetingsOfMember = "SELECT meeting_id FROM invitees WHERE member_id = ? AND member_id != 0"

    public static func invitees(_ db: any SQLSession, _ meeting: Int64) throws -> [MeetingV1.Invitee] {
        try db.rows("SELECT * FROM invitees WHERE meeting_id = ? ORDER BY id", [meeting]).map(invitee)
    }

    public static func invitee(_ db: any SQLSession, meeting: Int64, id: Int64, field: String = "invitee_id") throws -> MeetingV1.Invitee {
        guard let found = try db.rows("SELECT * FROM invitees WHERE meeting_id = ? AND id = ?", [meeting, id]).first.map(invitee) else {
            throw SchedulerError.notFound(field: field, what: "invitee \(id) of meeting \(meeting)")
        }
        return found
    }

    public static func invitee(_ db: any SQLSession, meeting: Int64, member: Int64) throws -> MeetingV1.Invitee? {
        try db.rows("SELECT * FROM invitees WHERE meeting_id = ? AND member_id = ? AND member_id != 0", [meeting, member]).first.map(invitee)
    }

    /// Adds an invitee with a fresh check-in code; returns it.
    public static func addInvitee(_ db: any SQLSession, _ i: MeetingV1.Invitee) throws -> MeetingV1.Invitee {
        // A code already given in this meeting is refused by the index on (meeting, code): draw again.
        var code = checkInCode()
        var id: Int64 = 0
        while true {
            do {
                // On PostgreSQL a refused statement spoils the transaction: it goes in a savepoint.
                id = try db.guarded {
                    try db.insert("""
                        INSERT INTO invitees (meeting_id, member_id, name, organisation, category, required, from_group, attendance,
                            check_in_code, waitlist_position)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, [i.meetingID, i.memberID, i.name, i.organisation, i.category.rawValue, i.required, i.fromGroup,
                              i.attendance.rawValue, code, i.waitlistPosition], returning: "id")
                }
                break
            } catch let error where SQLConstraint(error)?.isUnique(named: "invitees_by_code", column: "check_in_code") == true {
                code = checkInCode()
            }
        }
        // A member is invited once a meeting (invitees_one_per_member), so the meeting held
        // nothing of theirs before: only whether it holds them now is written.
        try holdIfBusy(db, meeting: i.meetingID, member: i.memberID)
        // As stored: what the insert wrote, the rest the table's defaults.
        var added = i
        added.id = id
        added.checkInCode = code
        added.leaveType = .init(rawValue: 0)
        added.leaveReason = ""
        added.checkedInAtMs = 0
        return added
    }

    /// Six random digits, `000000` to `999999`.
    static func checkInCode() -> String {
        let digits = String(Int.random(in: 0..<1_000_000))
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// Saves an invitee's attendance and returns the invitee as stored; whether the
    /// meeting holds the member follows it.
    @discardableResult
    public static func setAttendance(_ db: any SQLSession, _ i: MeetingV1.Invitee) throws -> MeetingV1.Invitee {
        try db.execute("""
            UPDATE invitees SET attendance = ?, leave_type = ?, leave_reason = ?, checked_in_at_ms = ?, waitlist_position = ?
            WHERE id = ?
            """, [i.attendance.rawValue, i.leaveType.rawValue, i.leaveReason, i.checkedInAtMs, i.waitlistPosition, i.id])
        try syncBusy(db, meeting: i.meetingID, member: i.memberID)
        return try invitee(db, meeting: i.meetingID, id: i.id)
    }

    /// Which invitees hold their member: required member invitees who are expected, while
    /// the meeting is a draft or published. `member_busy` is kept from this by the store's
    /// own writes (a meeting saved, an invitee added, removed or changed), never by callers.
    /// (The attendances not expected are spelt as comparisons: SQLite runs a list of three or
    /// more, `NOT IN (…)`, through a temporary index it builds each time the statement runs,
    /// and this one runs for every invitee added.)
    private static let holdsMember = """
        SELECT i.member_id, m.id, m.start_ms, m.end_ms FROM invitees i JOIN meetings m ON m.id = i.meeting_id
        WHERE m.id = ? AND m.status IN \(active) AND i.member_id != 0 AND i.required = 1
          AND i.attendance != \(MeetingV1.Attendance.leaveApproved.rawValue) AND i.attendance != \(MeetingV1.Attendance.withdrawn.rawValue)
          AND i.attendance != \(MeetingV1.Attendance.waitlisted.rawValue)
        """

    /// Rebuilds which members the meeting holds (its times or status changed).
    private static func refreshBusy(_ db: any SQLSession, _ meeting: Int64) throws {
        try db.execute("DELETE FROM member_busy WHERE meeting_id = ?", [meeting])
        try db.execute("INSERT INTO member_busy (member_id, meeting_id, start_ms, end_ms) " + holdsMember, [meeting])
    }

    /// Whether the meeting holds one member (one of its invitees changed).
    private static func syncBusy(_ db: any SQLSession, meeting: Int64, member: Int64) throws {
        guard member != 0 else { return }
        try db.execute("DELETE FROM member_busy WHERE meeting_id = ? AND member_id = ?", [meeting, member])
        try holdIfBusy(db, meeting: meeting, member: member)
    }

    /// Records that the meeting holds the member, if it does; it held nothing of theirs before.
    private static func holdIfBusy(_ db: any SQLSession, meeting: Int64, member: Int64) throws {
        guard member != 0 else { return }
        try db.execute("INSERT INTO member_busy (member_id, meeting_id, start_ms, end_ms) " + holdsMember + " AND i.member_id = ?", [meeting, member])
    }

    // MARK: - Conflicts (bounded by the longest meeting, so indexed ranges stay small)

    // A room's bookings are read through `meetings_holding_rooms`, the index of drafts and
    // published meetings that hold a room, which SQLite uses only when the query's own terms
    // imply the index's condition: each query below says `status IN (1, 2)` in literals and
    // `room_id != 0`, though its room is never 0. Without them, a conflict check read every
    // meeting of every room starting in the fortnight before (`meetings_by_start`), and the
    // convener's count every meeting there is.

    /// The room's activities (协商议事活动) not yet held: drafts and published ones ending after `now`.
    static func upcomingActivities(_ db: any SQLSession, room: Int64, now: Int64) throws -> Int {
        try db.value(upcomingActivitiesInRoom, [room, MeetingV1.MeetingKind.grassroots.rawValue, now - MeetingRules.maxMeetingMs, now], as: Int.self) ?? 0
    }

    /// (A meeting ending after `now` started after `now` less the longest meeting.)
    static let upcomingActivitiesInRoom = """
        SELECT COUNT(*) FROM meetings WHERE room_id = ? AND room_id != 0 AND status IN \(active) AND kind = ? AND start_ms > ? AND end_ms > ?
        """

    /// A room's bookings (id, title, start, end) overlapping an interval, but one meeting.
    static let roomBookings = """
        SELECT id, title, start_ms, end_ms, status, kind FROM meetings
        WHERE room_id = ? AND room_id != 0 AND status IN \(active) AND start_ms > ? AND start_ms < ? AND end_ms > ? AND id != ?
        ORDER BY start_ms
        """

    /// The meetings holding `room` between `start` and `end`, as `reader` may know them: the
    /// office (and the services) by id and title; anyone else, a room's convener booking it,
    /// a draft only of the room's own 协商议事活动 (which they run), any other draft as a time
    /// the room is taken (id 0, no title: a draft does not exist for them). Without a
    /// reader (the PostgreSQL constraint's refusal, deep in a write) the same as a convener.
    public static func roomConflicts(_ db: any SQLSession, room: Int64, start: Int64, end: Int64, excluding: Int64,
                                     readBy reader: Principal?) throws -> [MeetingV1.Conflict] {
        guard room != 0 else { return [] }
        let office = reader.map(MeetingVisibility.readsEverything) ?? false
        return try db.rows(roomBookings, [room, start - MeetingRules.maxMeetingMs, end, start, excluding]).map { row in
            var c = MeetingV1.Conflict()
            c.startMs = row["start_ms"]
            c.endMs = row["end_ms"]
            c.roomID = room
            let draft = (row["status"] as Int32) == MeetingV1.MeetingStatus.draft.rawValue
            let activity = (row["kind"] as Int32) == MeetingV1.MeetingKind.grassroots.rawValue
            if office || !draft || activity {
                c.meetingID = row["id"]
                c.meetingTitle = row["title"]
            }
            return c
        }
    }

    public static func memberConflicts(_ db: any SQLSession, members: [Int64], start: Int64, end: Int64, excluding: Int64) throws -> [MeetingV1.Conflict] {
        guard !members.isEmpty else { return [] }
        try lockMembers(db, members)
        var byMeeting: [Int64: MeetingV1.Conflict] = [:]
        for chunk in stride(from: 0, to: members.count, by: 500).map({ Array(members[$0..<min($0 + 500, members.count)]) }) {
            let rows = try db.rows("""
                SELECT b.member_id, m.id, m.title, m.start_ms, m.end_ms FROM member_busy b JOIN meetings m ON m.id = b.meeting_id
                WHERE b.member_id IN (\(sqlPlaceholders(count: chunk.count))) AND b.start_ms > ? AND b.start_ms < ? AND b.end_ms > ?
                  AND b.meeting_id != ?
                """, chunk.map { $0 as any SQLValueConvertible } + [start - MeetingRules.maxMeetingMs, end, start, excluding])
            for row in rows {
                let id: Int64 = row["id"]
                var c = byMeeting[id] ?? MeetingV1.Conflict()
                c.meetingID = id
                c.meetingTitle = row["title"]
                c.startMs = row["start_ms"]
                c.endMs = row["end_ms"]
                c.memberIDs.append(row["member_id"])
                byMeeting[id] = c
            }
        }
        return byMeeting.values.sorted { $0.startMs < $1.startMs }.map {
            var c = $0
            c.memberIDs.sort()
            return c
        }
    }

    /// On PostgreSQL, holds each member (an advisory lock per member, in id order, until the
    /// transaction ends) before their conflicts are looked at: replicas checking the same
    /// member take turns, and each sees what the other committed, so two replicas cannot both
    /// find a member free and book them twice. SQLite has one writer: nothing to do.
    static func lockMembers(_ db: any SQLSession, _ members: [Int64]) throws {
        guard db.engine == .postgres else { return }
        let ordered = Array(Set(members)).sorted()
        for chunk in stride(from: 0, to: ordered.count, by: 500).map({ Array(ordered[$0..<min($0 + 500, ordered.count)]) }) {
            try db.execute("SELECT pg_advisory_xact_lock(4201, m) FROM (VALUES \(Array(repeating: "(?::integer)", count: chunk.count).joined(separator: ", "))) AS v(m)",
                           chunk.map { $0 as any SQLValueConvertible })
        }
    }

    /// Busy intervals of a room and of members between two instants, for finding a slot.
    public static func busy(_ db: any SQLSession, room: Int64, members: [Int64], from: Int64, to: Int64) throws -> [(Int64, Int64)] {
        var intervals: [(Int64, Int64)] = []
        if room != 0 {
            intervals += try db.rows(roomBookings, [room, from - MeetingRules.maxMeetingMs, to, from, 0]).map { ($0["start_ms"], $0["end_ms"]) }
        }
        for chunk in stride(from: 0, to: members.count, by: 500).map({ Array(members[$0..<min($0 + 500, members.count)]) }) {
            intervals += try db.rows("""
                SELECT start_ms, end_ms FROM member_busy WHERE member_id IN (\(sqlPlaceholders(count: chunk.count)))
                  AND start_ms > ? AND start_ms < ? AND end_ms > ?
                """, chunk.map { $0 as any SQLValueConvertible } + [from - MeetingRules.maxMeetingMs, to, from]).map { ($0["start_ms"], $0["end_ms"]) }
        }
        return intervals.sorted { $0.0 < $1.0 }
    }

    // MARK: - Queries

    /// The most bytes of meetings one page carries (about 1 MiB; a message may carry 4).
    public static let maxPageBytes = 1 << 20

    /// The meetings `r` asks for; `withDrafts: false` leaves drafts out (for whoever may
    /// not know of them) but for the draft activities (协商议事活动) of `draftActivitiesIn`.
    public static func list(_ db: any SQLSession, _ r: MeetingV1.ListMeetingsRequest, withDrafts: Bool = true,
                            draftActivitiesIn rooms: Set<Int64> = []) throws -> MeetingV1.ListMeetingsResponse {
        var clauses: [String] = []
        var arguments: [any SQLValueConvertible] = []
        if !withDrafts {
            let led = rooms.sorted().map(String.init).joined(separator: ",")
            clauses.append(rooms.isEmpty ? "m.status <> ?" : "(m.status <> ? OR (m.kind = ? AND m.room_id IN (\(led))))")
            arguments += [MeetingV1.MeetingStatus.draft.rawValue]
            if !rooms.isEmpty { arguments += [MeetingV1.MeetingKind.grassroots.rawValue] }
        }
        if r.fromMs != 0 { clauses.append("m.end_ms > ?"); arguments += [r.fromMs] }
        if r.toMs != 0 { clauses.append("m.start_ms < ?"); arguments += [r.toMs] }
        if r.roomID != 0 { clauses.append("m.room_id = ?"); arguments += [r.roomID] }
        if r.memberID != 0 { clauses.append("m.id IN (\(meetingsOfMember))"); arguments += [r.memberID] }
        if r.kind != .unspecified { clauses.append("m.kind = ?"); arguments += [r.kind.rawValue] }
        if r.status != .unspecified { clauses.append("m.status = ?"); arguments += [r.status.rawValue] }
        // Keyset paging on (start_ms, id).
        if !r.pageToken.isEmpty {
            let parts = r.pageToken.split(separator: ":")
            guard parts.count == 2, let start = Int64(parts[0]), let id = Int64(parts[1]) else {
                throw SchedulerError.invalid([("page_token", "\"\(r.pageToken)\" is not a page token from this service")])
            }
            clauses.append("(m.start_ms > ? OR (m.start_ms = ? AND m.id > ?))")
            arguments += [start, start, id]
        }
        let pageSize = r.pageSize == 0 ? 50 : Int(r.pageSize)
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let rows = try db.rows("SELECT m.* FROM meetings m \(filter) ORDER BY m.start_ms, m.id LIMIT ?", arguments + [pageSize + 1]).map(meeting)
        var response = MeetingV1.ListMeetingsResponse()
        // A page is bounded in bytes as well as count (minutes may be 64 KiB a meeting).
        var bytes = 0
        for m in rows.prefix(pageSize) {
            let size = m.title.utf8.count + m.minutes.utf8.count + m.outcomes.utf8.count + m.venue.utf8.count + 256
                + m.agenda.reduce(0) { $0 + $1.title.utf8.count + $1.presenter.utf8.count + 32 }
            if !response.meetings.isEmpty && bytes + size > maxPageBytes { break }
            bytes += size
            response.meetings.append(m)
        }
        if rows.count > response.meetings.count, let last = response.meetings.last { response.nextPageToken = "\(last.startMs):\(last.id)" }
        return response
    }
}

extension Date {
    static var nowMs: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

/// The figures of a period for the committee's report, from the meetings closed in it.
public enum MeetingStatistics {
    /// Meetings closed in the period, by kind, with 应到, 实到, 请假, 缺席 and 出席率 as
    /// offices publish them, and each member's own record (docs/DOMAIN.md, "Attendance").
    public static func compute(_ db: any SQLSession, from: Int64, to: Int64) throws -> MeetingV1.MeetingStatisticsResponse {
        let closed = MeetingV1.MeetingStatus.closed.rawValue
        let until = to == 0 ? Int64.max : to
        let rows = try db.rows("""
            SELECT m.id, m.kind, i.member_id, i.name, i.required, i.attendance FROM meetings m JOIN invitees i ON i.meeting_id = m.id
            WHERE m.status = ? AND m.start_ms >= ? AND m.start_ms < ?
            """, [closed, from, until])
        let heldByKind = try db.rows("""
            SELECT kind, COUNT(*) AS n, SUM(CASE WHEN quorum_required != 0 AND quorum_met = 0 THEN 1 ELSE 0 END) AS without_quorum FROM meetings
            WHERE status = ? AND start_ms >= ? AND start_ms < ? GROUP BY kind
            """, [closed, from, until])
        var kinds: [Int32: MeetingV1.KindStatistics] = [:]
        for row in heldByKind {
            var k = MeetingV1.KindStatistics()
            k.kind = .init(rawValue: row["kind"])
            k.held = row["n"]
            k.withoutQuorum = row["without_quorum"]
            kinds[row["kind"]] = k
        }
        var members: [Int64: MeetingV1.MemberAttendance] = [:]
        var response = MeetingV1.MeetingStatisticsResponse()
        let grassroots = MeetingV1.MeetingKind.grassroots.rawValue
        response.consultationActivities = kinds[grassroots]?.held ?? 0
        for row in rows {
            let kind: Int32 = row["kind"]
            var invitee = MeetingV1.Invitee()
            invitee.memberID = row["member_id"]
            invitee.required = row["required"]
            invitee.attendance = MeetingV1.Attendance(rawValue: row["attendance"])
            if invitee.attendance == .checkedIn && kind == grassroots { response.participantPersonTimes += 1 }
            guard MeetingRules.counted(invitee) else {
                // 列席 who came count for the member's record of activities, not in 应到.
                if invitee.memberID != 0 && invitee.attendance == .checkedIn && kind == grassroots {
                    members[invitee.memberID, default: member(invitee.memberID, row["name"])].consultationActivities += 1
                }
                continue
            }
            var m = members[invitee.memberID] ?? member(invitee.memberID, row["name"])
            kinds[kind]?.expected += 1
            switch invitee.attendance {
            case .checkedIn:
                kinds[kind]?.present += 1
                m.attended += 1
                if kind == grassroots { m.consultationActivities += 1 }
            case .leaveApproved:
                kinds[kind]?.onLeave += 1
                m.onLeave += 1
            default:
                kinds[kind]?.absent += 1
                m.absent += 1
            }
            members[invitee.memberID] = m
        }
        response.byKind = kinds.values.sorted { $0.kind.rawValue < $1.kind.rawValue }.map {
            var k = $0
            k.attendanceRate = k.expected == 0 ? 0 : Double(k.present) / Double(k.expected)
            return k
        }
        response.members = members.values.sorted { $0.memberID < $1.memberID }
        // The plan's items of the years the period touches, with what was held for them.
        let firstYear = CommitteeClock.calendar.component(.year, from: Date(timeIntervalSince1970: Double(from) / 1000))
        let lastYear = to == 0 ? firstYear : CommitteeClock.calendar.component(.year, from: Date(timeIntervalSince1970: Double(to - 1) / 1000))
        for year in firstYear...max(firstYear, min(lastYear, firstYear + 10)) {
            response.plan += try MeetingStore.planItems(db, year: Int32(year))
        }
        // The documents decided at the period's meetings (held, or being recorded after them).
        let decided = try db.column("""
            SELECT DISTINCT m.id FROM agenda_items a JOIN meetings m ON m.id = a.meeting_id
            WHERE a.document != 0 AND a.status NOT IN (?, ?) AND m.status IN (?, ?) AND m.start_ms >= ? AND m.start_ms < ?
            ORDER BY m.start_ms, m.id
            """, [MeetingV1.ItemStatus.unspecified.rawValue, MeetingV1.ItemStatus.draft.rawValue,
                             MeetingV1.MeetingStatus.published.rawValue, closed, from, until], as: Int64.self)
        for id in decided {
            let meeting = try MeetingStore.load(db, id)
            // Each meeting's own decisions: the 主席会议 passing an item on, the 常委会 deciding it
            // (an item still waiting at the 常委会 is not a decision of it yet).
            for item in meeting.agenda where item.document != .unspecified && item.status != .draft
                && !(item.status == .referred && item.referredFromMeetingID != 0) {
                var d = MeetingV1.DecidedDocument()
                d.meetingID = meeting.id
                d.meetingName = meeting.displayName.isEmpty ? meeting.title : meeting.displayName
                d.meetingKind = meeting.kind
                d.startMs = meeting.startMs
                d.position = item.position
                d.title = item.title
                d.document = item.document
                d.status = item.status
                // The vote on an item passed on is the 常委会's, shown on its row.
                d.vote = item.referredToMeetingID == 0 ? item.vote : nil
                d.changes = item.changes
                response.documents.append(d)
            }
        }
        return response
    }

    private static func member(_ id: Int64, _ name: String) -> MeetingV1.MemberAttendance {
        var m = MeetingV1.MemberAttendance()
        m.memberID = id
        m.name = name
        return m
    }
}
