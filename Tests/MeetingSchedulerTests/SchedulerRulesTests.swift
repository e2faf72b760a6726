import Foundation
import Testing
@testable import XieshangLabels
import XieshangWire
@testable import MeetingScheduler

@Suite("Scheduling rules")
struct SchedulerRulesTests {
    private func at(_ text: String) -> Int64 { CommitteeClock.parse(text)! }

    @Test("meetings need a title, a kind, a length and a place")
    func meetingProblems() {
        var m = MeetingV1.Meeting()
        m.startMs = at("2026-12-01 10:00")
        m.endMs = at("2026-12-01 09:00")
        m.mode = .online
        let fields = Set(MeetingRules.problems(m).map(\.field))
        #expect(fields == ["meeting.title", "meeting.kind", "meeting.end_ms", "meeting.online_link"])
        m.endMs = m.startMs
        #expect(MeetingRules.problems(m).contains { $0.problem.contains("no length") })
        m.title = "x"
        m.kind = .plenary
        m.mode = .inPerson
        m.endMs = m.startMs + 3_600_000
        #expect(MeetingRules.problems(m).map(\.field) == ["meeting.venue"])
    }

    @Test("the agenda must fit the meeting")
    func agenda() {
        var a = MeetingV1.AgendaItem()
        a.title = "审议"
        a.durationMinutes = 90
        var b = MeetingV1.AgendaItem()
        b.title = "通报"
        b.durationMinutes = 40
        #expect(MeetingRules.agendaProblems([a, b], meetingMinutes: 120).map(\.field) == ["items"])
        #expect(MeetingRules.agendaProblems([a], meetingMinutes: 120).isEmpty)
    }

    @Test("slots are the earliest free ones in working hours, on weekdays")
    func slots() {
        // Friday 17:30 leaves half an hour; 2026-12-05 is a Saturday; Monday the 7th 08:30 is next.
        let friday = at("2026-12-04 17:30")
        let slot = SlotFinder.earliest(from: friday, to: at("2026-12-10 00:00"), durationMs: 3_600_000, busy: [])
        #expect(slot == at("2026-12-07 08:30"))
        let busy = [(at("2026-12-07 08:00"), at("2026-12-07 11:10"))]
        #expect(SlotFinder.earliest(from: friday, to: at("2026-12-10 00:00"), durationMs: 3_600_000, busy: busy) == at("2026-12-07 14:30"))
        #expect(SlotFinder.earliest(from: at("2026-12-07 09:07"), to: at("2026-12-07 12:00"), durationMs: 30 * 60_000, busy: []) == at("2026-12-07 09:15"))
        #expect(SlotFinder.earliest(from: at("2026-12-07 12:00"), to: at("2026-12-07 14:00"), durationMs: 30 * 60_000, busy: []) == nil)
    }

    @Test("ordinals read as the committee writes them")
    func names() {
        #expect(chineseNumber(5) == "五")
        #expect(chineseNumber(10) == "十")
        #expect(chineseNumber(12) == "十二")
        #expect(chineseNumber(21) == "二十一")
        var m = MeetingV1.Meeting()
        m.term = 5
        m.ordinal = 5
        m.kind = .chairpersonsCouncil
        #expect(m.ordinalName == "五届五次主席会议")
    }

    @Test("iCalendar text is escaped and folded at 75 octets without splitting a character")
    func icalText() {
        #expect(ICalendar.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne")
        let folded = ICalendar.fold("SUMMARY:" + String(repeating: "协商", count: 40))
        let lines = folded.components(separatedBy: "\r\n")
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(lines.map { $0.hasPrefix(" ") ? String($0.dropFirst()) : $0 }.joined() == "SUMMARY:" + String(repeating: "协商", count: 40))
    }

    @Test("attendance as offices publish it: leave in 应到, members only, 列席 and guests apart; the 常委会's quorum")
    func attendance() {
        func invitee(_ a: MeetingV1.Attendance, member: Int64 = 1, required: Bool = true) -> MeetingV1.Invitee {
            var i = MeetingV1.Invitee()
            i.memberID = member
            i.required = required
            i.attendance = a
            return i
        }
        // Two present, one absent, one on leave: one member on leave does not make 100%.
        let invitees = [
            invitee(.checkedIn), invitee(.checkedIn), invitee(.absent), invitee(.leaveApproved),
            invitee(.waitlisted), invitee(.withdrawn),                       // no seat: not expected
            invitee(.checkedIn, required: false), invitee(.notAttending, required: false),  // 列席
            invitee(.checkedIn, member: 0), invitee(.notAttending, member: 0),               // guests
        ]
        let count = MeetingRules.attendance(invitees)
        #expect(count.expected == 4)
        #expect(count.present == 2)
        #expect(count.onLeave == 1)
        #expect(count.absent == 1)
        #expect(count.observers == 1)
        #expect(count.participants == 1)
        #expect(abs(MeetingRules.attendanceRate(count) - 0.5) < 1e-9)
        // More than half present is a quorum; exactly half is not.
        #expect(!MeetingRules.quorumMet(count))
        var three = count
        three.present = 3
        #expect(MeetingRules.quorumMet(three))
        #expect(MeetingRules.requiresQuorum(.standingCommittee))
        #expect(!MeetingRules.requiresQuorum(.chairpersonsCouncil))
        // Closing: a counted member not checked in is absent, unless on leave; a 列席 invitee
        // or a guest who did not come is not.
        #expect(MeetingRules.closingAttendance(invitee(.invited)) == .absent)
        #expect(MeetingRules.closingAttendance(invitee(.leaveRequested)) == .absent)
        #expect(MeetingRules.closingAttendance(invitee(.leaveApproved)) == .leaveApproved)
        #expect(MeetingRules.closingAttendance(invitee(.invited, required: false)) == .notAttending)
        #expect(MeetingRules.closingAttendance(invitee(.invited, member: 0)) == .notAttending)
    }

    @Test("a decision's vote is checked in both languages, and counts near Int32's limit are refused, not added up past it")
    func decisionVotes() {
        var meeting = MeetingV1.Meeting()
        meeting.kind = .standingCommittee
        var item = MeetingV1.AgendaItem()
        item.position = 1
        item.title = "年度协商计划"
        item.document = .consultationPlan
        item.status = .draft
        item.needsVote = true
        var count = MeetingV1.AttendanceCount()
        count.expected = 38
        count.present = 30
        func problem(_ outcome: MeetingV1.ItemStatus, _ votes: (Int32, Int32, Int32)?) -> (field: String, problem: String, zh: String)? {
            var request = MeetingV1.DecideItemRequest()
            request.outcome = outcome
            if let votes {
                var vote = MeetingV1.Vote()
                (vote.inFavour, vote.against, vote.abstaining) = votes
                request.vote = vote
            }
            return MeetingRules.decisionProblem(request, item: item, meeting: meeting, count: count)
        }
        #expect(problem(.approved, (28, 0, 2)) == nil)
        let unvoted = problem(.approved, nil)
        #expect(unvoted?.field == "vote" && unvoted?.zh == "第 1 项须经表决：请填写赞成、反对和弃权票数。")
        let tooMany = problem(.approved, (Int32.max, 1, 0))
        #expect(tooMany?.field == "vote" && tooMany?.problem == "2147483648 votes, but 实到 is 30"
                && tooMany?.zh == "票数合计 2147483648，多于实到人数 30。", "\(String(describing: tooMany))")
        #expect(problem(.approved, (Int32.max, Int32.max, Int32.max))?.field == "vote")
        let failed = problem(.approved, (19, 10, 1))
        #expect(failed?.zh == "赞成 19 票，未超过应到 38 人的半数：此项未通过。")
        item.status = .approved
        #expect(problem(.approved, (28, 0, 2))?.zh == "第 1 项（年度协商计划）已有决定：常委会通过。")
    }

    @Test("check-in opens a set time before the start, to the millisecond; closing waits for the start")
    func timing() {
        var m = MeetingV1.Meeting()
        m.id = 7
        m.startMs = 1_800_000_000_000
        let opens = MeetingRules.defaultCheckInOpens
        #expect(MeetingRules.checkInTooEarly(m, now: m.startMs - opens, opensBefore: opens) == nil)
        #expect(MeetingRules.checkInTooEarly(m, now: m.startMs - opens - 1, opensBefore: opens)?.text.contains("120 minutes before") == true)
        #expect(MeetingRules.checkInTooEarly(m, now: m.startMs - opens - 1, opensBefore: opens)?.zh.contains("开始前 120 分钟") == true)
        #expect(MeetingRules.closeTooEarly(m, now: m.startMs) == nil)
        #expect(MeetingRules.closeTooEarly(m, now: m.startMs - 1) != nil)
    }
}
