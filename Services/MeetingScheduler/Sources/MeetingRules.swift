import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

/// The checks of meeting input that need no storage.
public enum MeetingRules {
    public static func problems(_ m: MeetingV1.Meeting, prefix: String = "meeting.") -> [(field: String, problem: String)] {
        var problems: [(String, String)] = []
        func add(_ field: String, _ problem: String) { problems.append((prefix + field, problem)) }
        let title = m.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { add("title", RPCError.FieldProblem.empty) } else if title.count > 200 { add("title", "must be at most 200 characters") }
        switch m.kind {
        case .unspecified, .unrecognized: add("kind", "must be one of \(MeetingV1.MeetingKind.spellings)")
        default: break
        }
        problems += timeProblems(start: m.startMs, end: m.endMs, prefix: prefix)
        switch m.mode {
        case .unrecognized: add("mode", "must be one of \(MeetingV1.MeetingMode.spellings)")
        case .online, .hybrid:
            if m.onlineLink.isEmpty { add("online_link", "is required for an online or hybrid meeting") }
        default: break
        }
        if m.roomID < 0 { add("room_id", "must be a room id") }
        if m.roomID == 0 && m.venue.trimmingCharacters(in: .whitespaces).isEmpty && m.mode != .online {
            add("venue", "say where: a room_id or a venue")
        }
        if m.capacity < 0 { add("capacity", "must not be negative") }
        if m.openRegistration && m.capacity == 0 { add("capacity", "is required for open registration") }
        problems += groupProblems(m.groups, prefix: prefix + "groups")
        return problems
    }

    /// 2000-01-01 and 2100-01-01 (UTC): the years a meeting may be in. A committee's
    /// meetings fall within its term; these bounds catch a typo before the term is asked.
    static let earliestMs: Int64 = 946_684_800_000
    static let latestMs: Int64 = 4_102_444_800_000

    /// The longest a meeting may last (an inspection trip may take days). It also bounds the
    /// conflict checks: only meetings starting within this much before a slot can overlap it.
    public static let maxMeetingMs: Int64 = 14 * 24 * 3_600_000

    public static func timeProblems(start: Int64, end: Int64, prefix: String = "") -> [(field: String, problem: String)] {
        if start == 0 { return [(prefix + "start_ms", RPCError.FieldProblem.missing)] }
        if start < earliestMs || start >= latestMs {
            return [(prefix + "start_ms", "must be in the years 2000 to 2099 (it is \(CommitteeClock.minute(start)))")]
        }
        if end <= start {
            return [(prefix + "end_ms", end == start ? "the meeting has no length: end equals start" : "must be after the start (\(CommitteeClock.minute(start)))")]
        }
        if end - start > MeetingRules.maxMeetingMs { return [(prefix + "end_ms", "a meeting lasts at most 14 days")] }
        return []
    }

    public static func groupProblems(_ groups: [MeetingV1.GroupRef], prefix: String) -> [(field: String, problem: String)] {
        var problems: [(String, String)] = []
        for (index, g) in groups.enumerated() {
            let field = "\(prefix)[\(index)]"
            switch g.kind {
            case .sector, .specialCommittee:
                if g.name.isEmpty { problems.append((field, "\(g.kind.label) needs a name")) }
            case .station, .room:
                if g.id <= 0 { problems.append((field, "\(g.kind.label) needs an id")) }
            case .allMembers, .standingCommittee, .chairpersonsCouncil:
                break
            case .unspecified, .unrecognized:
                problems.append((field, "must be one of \(MemberV1.GroupKind.spellings)"))
            }
        }
        return problems
    }

    public static let maxAgendaItems = 200

    public static func agendaProblems(_ items: [MeetingV1.AgendaItem], meetingMinutes: Int64) -> [(field: String, problem: String)] {
        var problems: [(String, String)] = []
        // A day's agenda has tens of items; hundreds would make every read of the meeting heavy.
        if items.count > maxAgendaItems { return [("items", "at most \(maxAgendaItems) agenda items, not \(items.count)")] }
        for (index, item) in items.enumerated() {
            if item.title.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("items[\(index)].title", RPCError.FieldProblem.empty)) }
            if item.durationMinutes <= 0 { problems.append(("items[\(index)].duration_minutes", "must be at least 1")) }
            if !MeetingV1.DocumentKind.allCases.contains(item.document) {
                problems.append(("items[\(index)].document", "must be one of \(MeetingV1.DocumentKind.spellings)"))
            }
        }
        let total = items.reduce(0) { $0 + Int64(max($1.durationMinutes, 0)) }
        if total > meetingMinutes {
            problems.append(("items", "total \(total) minutes is longer than the meeting's \(meetingMinutes)"))
        }
        return problems
    }

    /// The outcomes a meeting of `kind` may record on an item with a document: any reviewing
    /// meeting adopts (with changes or not) or does not; only a 主席会议 passes an item on to
    /// the 常委会; only a 常委会会议 approves (常委会通过), by a vote.
    public static func outcomes(at kind: MeetingV1.MeetingKind) -> [MeetingV1.ItemStatus] {
        switch kind {
        case .chairpersonsCouncil: [.adopted, .adoptedWithChanges, .referred, .notAdopted]
        case .standingCommittee: [.adopted, .adoptedWithChanges, .approved, .notAdopted]
        default: [.adopted, .adoptedWithChanges, .notAdopted]
        }
    }

    /// The vote's figures against the meeting's attendance when recorded: the quorum (more
    /// than half of 应到 present) and passing (赞成 more than half of 应到: 全体组成人员过半数).
    public static func counted(_ vote: MeetingV1.Vote, _ count: MeetingV1.AttendanceCount) -> MeetingV1.Vote {
        var vote = vote
        vote.expected = count.expected
        vote.present = count.present
        vote.quorumMet = quorumMet(count)
        vote.passed = vote.inFavour * 2 > count.expected
        return vote
    }

    /// Why `request` cannot be recorded on `item` of `meeting` (whose attendance is `count`),
    /// or nil; `vote` is set when the decision carries one.
    public static func decisionProblem(_ request: MeetingV1.DecideItemRequest, item: MeetingV1.AgendaItem, meeting: MeetingV1.Meeting,
                                       count: MeetingV1.AttendanceCount) -> (field: String, problem: String, zh: String)? {
        guard item.document != .unspecified else {
            return ("position", "item \(item.position) (\(item.title)) has no document to decide on",
                    "第 \(item.position) 项（\(item.title)）没有需要决定的文件。")
        }
        // Open: a draft, or an item another meeting passed on to this one.
        guard item.status == .draft || (item.status == .referred && item.referredFromMeetingID != 0) else {
            return ("position", "item \(item.position) (\(item.title)) was decided already: \(item.status.label)",
                    "第 \(item.position) 项（\(item.title)）已有决定：\(item.status.label)。")
        }
        guard outcomes(at: meeting.kind).contains(request.outcome) else {
            let allowed = outcomes(at: meeting.kind).map(\.label)
            return ("outcome", "a \(meeting.kind.label) records \(allowed.joined(separator: ", ")), not \(request.outcome == .unspecified ? "nothing" : request.outcome.label)",
                    "\(meeting.kind.label)记录的决定是\(allowed.joined(separator: "、"))" + (request.outcome == .unspecified ? "，请选一项。" : "，不是\(request.outcome.label)。"))
        }
        if request.outcome == .adoptedWithChanges, request.changes.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return ("changes", "修改后通过 says what was changed", "修改后通过须写明修改了什么。")
        }
        let voteGiven = request.vote.map { $0.inFavour != 0 || $0.against != 0 || $0.abstaining != 0 } ?? false
        let voteNeeded = item.needsVote || item.document == .personnel || request.outcome == .approved
        guard voteGiven || !voteNeeded || request.outcome == .referred else {
            return ("vote", "item \(item.position) is decided by a vote (表决): give the counts 赞成, 反对 and 弃权",
                    "第 \(item.position) 项须经表决：请填写赞成、反对和弃权票数。")
        }
        guard let given = request.vote, voteGiven else { return nil }
        if given.inFavour < 0 || given.against < 0 || given.abstaining < 0 { return ("vote", "counts cannot be negative", "票数不能为负数。") }
        if Int(given.inFavour) + Int(given.against) + Int(given.abstaining) > Int(count.present) {
            let votes = Int(given.inFavour) + Int(given.against) + Int(given.abstaining)
            return ("vote", "\(votes) votes, but 实到 is \(count.present)", "票数合计 \(votes)，多于实到人数 \(count.present)。")
        }
        if requiresQuorum(meeting.kind), !quorumMet(count) {
            return ("vote", "no quorum: 实到 \(count.present) of 应到 \(count.expected); a \(meeting.kind.label) votes with more than half present",
                    "实到 \(count.present) 人，应到 \(count.expected) 人，不足半数：\(meeting.kind.label)须过半数出席方可表决。")
        }
        let vote = counted(given, count)
        if [.adopted, .adoptedWithChanges, .approved].contains(request.outcome), !vote.passed {
            return ("vote", "赞成 \(vote.inFavour) is not more than half of 应到 \(count.expected): the item is 未通过",
                    "赞成 \(vote.inFavour) 票，未超过应到 \(count.expected) 人的半数：此项未通过。")
        }
        if request.outcome == .notAdopted, vote.passed {
            return ("vote", "赞成 \(vote.inFavour) is more than half of 应到 \(count.expected): the item passed",
                    "赞成 \(vote.inFavour) 票，超过应到 \(count.expected) 人的半数：此项已通过。")
        }
        return nil
    }

    /// How long before a meeting's start check-in opens, unless the scheduler is told
    /// otherwise (`--check-in-opens-minutes`).
    public static let defaultCheckInOpens: Int64 = 2 * 3_600_000

    /// Why a step is refused at this time: in English, and in Chinese for the person.
    public struct TooEarly: Sendable {
        public let text: String
        public let zh: String
    }

    /// Why `now` is too early to check in to `meeting`, or nil.
    public static func checkInTooEarly(_ meeting: MeetingV1.Meeting, now: Int64, opensBefore: Int64) -> TooEarly? {
        guard now < meeting.startMs - opensBefore else { return nil }
        let opens = CommitteeClock.minute(meeting.startMs - opensBefore)
        return TooEarly(text: "check-in to meeting \(meeting.id) opens at \(opens), \(opensBefore / 60_000) minutes before it starts",
                        zh: "「\(meeting.title)」的签到从 \(opens) 开始（活动开始前 \(opensBefore / 60_000) 分钟），现在还不能签到。")
    }

    /// Why `now` is too early to close `meeting`, or nil: it has not started.
    public static func closeTooEarly(_ meeting: MeetingV1.Meeting, now: Int64) -> TooEarly? {
        guard now < meeting.startMs else { return nil }
        let starts = CommitteeClock.minute(meeting.startMs)
        return TooEarly(text: "meeting \(meeting.id) starts at \(starts) and cannot be closed before then",
                        zh: "「\(meeting.title)」\(starts) 才开始，开始之前不能结束。")
    }

    /// Why `now` is too early to record a decision at `meeting`, or nil: it has not begun.
    public static func decisionTooEarly(_ meeting: MeetingV1.Meeting, now: Int64) -> TooEarly? {
        guard meeting.status == .published, now < meeting.startMs else { return nil }
        let starts = CommitteeClock.minute(meeting.startMs)
        return TooEarly(text: "meeting \(meeting.id) has not begun (\(starts)): it decides nothing yet",
                        zh: "「\(meeting.title)」\(starts) 才开始，开始之前不能记录议定事项。")
    }

    /// The note kept when staff record outside the meeting's times.
    public static func recordNote(_ what: String, by actor: String, at now: Int64, reason: String) -> String {
        "\(CommitteeClock.minute(now)) \(actor) \(what): \(reason)"
    }

    /// The kinds that are numbered in a term (五届五次主席会议): 主席会议, 常委会会议 and the
    /// plenary. Inspections, research and consultation activities are not.
    public static let numberedKinds: [MeetingV1.MeetingKind] = [.chairpersonsCouncil, .standingCommittee, .plenary]

    public static func isNumbered(_ kind: MeetingV1.MeetingKind) -> Bool { numberedKinds.contains(kind) }

    /// The highest number a meeting of a term may get: a term's 常委会会议 number in the
    /// dozens; the bound keeps a mistyped `next` from running numbering off its type.
    public static let maxOrdinal: Int32 = 9_999

    /// How many invitees one meeting holds: every member of a term and then some for the
    /// office; a room's activity run by its convener, a room's worth.
    public static let maxInvitees = 3_000
    public static let maxConvenerInvitees = 300
    /// How many activities not yet held a convener may have booked in their room: enough
    /// for a season's plan, not enough to hold the room's calendar against the office.
    public static let maxConvenerUpcoming = 30

    /// What staff may record about one meeting outside its times: one note per reason.
    public static let maxRecordNotes = 50

    /// Who is counted in a meeting's attendance (docs/DOMAIN.md, "Attendance"): required
    /// member invitees, on leave or not, less withdrawals and the waiting list.
    public static func counted(_ invitee: MeetingV1.Invitee) -> Bool {
        invitee.memberID != 0 && invitee.required && ![.withdrawn, .waitlisted].contains(invitee.attendance)
    }

    /// The attendance as offices publish it: 应到 (members expected, leave included), 实到,
    /// 请假, 缺席; members invited to 列席 and non-member participants apart.
    public static func attendance(_ invitees: [MeetingV1.Invitee]) -> MeetingV1.AttendanceCount {
        var count = MeetingV1.AttendanceCount()
        for invitee in invitees {
            if counted(invitee) {
                count.expected += 1
                switch invitee.attendance {
                case .checkedIn: count.present += 1
                case .leaveApproved: count.onLeave += 1
                default: count.absent += 1
                }
            } else if invitee.attendance == .checkedIn {
                if invitee.memberID != 0 { count.observers += 1 } else { count.participants += 1 }
            }
        }
        return count
    }

    /// 出席率: 实到 / 应到.
    public static func attendanceRate(_ count: MeetingV1.AttendanceCount) -> Double {
        count.expected == 0 ? 0 : Double(count.present) / Double(count.expected)
    }

    /// Whether the rules require a quorum: a 常委会会议 is held with more than half of the
    /// standing committee present.
    public static func requiresQuorum(_ kind: MeetingV1.MeetingKind) -> Bool {
        kind == .standingCommittee
    }

    /// More than half of 应到 present.
    public static func quorumMet(_ count: MeetingV1.AttendanceCount) -> Bool {
        count.present * 2 > count.expected
    }

    /// What each invitee not checked in becomes when the meeting closes: a counted member is
    /// absent unless on approved leave; anyone else (列席, a participant) did not attend.
    public static func closingAttendance(_ invitee: MeetingV1.Invitee) -> MeetingV1.Attendance {
        switch invitee.attendance {
        case .invited, .registered, .leaveRequested: counted(invitee) ? .absent : .notAttending
        default: invitee.attendance
        }
    }
}
