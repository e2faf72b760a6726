import Testing
import XieshangRPC
import XieshangService
import XieshangWire
@testable import MeetingScheduler

/// What each role reads of a meeting, decided in one place (the process tests in
/// SuiteTests play the same through real keys).
@Suite("Meeting visibility per role")
struct MeetingVisibilityTests {
    static var meeting: MeetingV1.Meeting {
        var m = MeetingV1.Meeting()
        m.id = 7
        m.title = "常委会会议"
        m.status = .published
        m.onlineLink = "https://meet.example.cn/j/1"
        m.minutes = "纪要"
        m.outcomes = "成果"
        m.recordNotes = ["2026-11-23 09:00 staff:wang recorded a check-in early: 会议提前举行"]
        return m
    }

    static var invitees: [MeetingV1.Invitee] {
        [(Int64(12), "123456", ""), (Int64(20), "654321", "住院")].map { member, code, reason in
            var i = MeetingV1.Invitee()
            i.memberID = member
            i.checkInCode = code
            i.leaveReason = reason
            i.leaveType = reason.isEmpty ? .unspecified : .illness
            i.checkedInAtMs = reason.isEmpty ? 1 : 0
            return i
        }
    }

    static let staff = Principal(name: "wang", role: .staff)
    static let member12 = Principal(name: "12", role: .member)
    static let member14 = Principal(name: "14", role: .member)
    static let unit = Principal(name: "1", role: .unit)
    static let service = Principal(name: "notifier", role: .service)

    @Test("the office and the services read everything, drafts included")
    func office() {
        var draft = Self.meeting
        draft.status = .draft
        for principal in [Self.staff, Self.service] {
            #expect(MeetingVisibility.meeting(draft, for: principal, invited: false) == draft)
            #expect(MeetingVisibility.invitees(Self.invitees, for: principal) == Self.invitees)
        }
    }

    @Test("a draft does not exist for members and units")
    func drafts() {
        var draft = Self.meeting
        draft.status = .draft
        for principal in [Self.member12, Self.member14, Self.unit] {
            #expect(MeetingVisibility.meeting(draft, for: principal, invited: true) == nil)
        }
    }

    @Test("not invited: the public fields, no roster; invited: everything, with only one's own code and leave")
    func members() throws {
        let outsider = try #require(MeetingVisibility.meeting(Self.meeting, for: Self.member14, invited: false))
        #expect(outsider.title == "常委会会议" && outsider.onlineLink.isEmpty && outsider.minutes.isEmpty && outsider.outcomes.isEmpty)
        #expect(MeetingVisibility.invitees(Self.invitees, for: Self.member14).isEmpty)
        #expect(MeetingVisibility.invitees(Self.invitees, for: Self.unit).isEmpty)
        #expect(MeetingVisibility.meeting(Self.meeting, for: Self.unit, invited: false)?.onlineLink == "")
        // Invited: everything but what staff recorded about the meeting, which names staff.
        var invitedView = Self.meeting
        invitedView.recordNotes = []
        #expect(MeetingVisibility.meeting(Self.meeting, for: Self.member12, invited: true) == invitedView)
        #expect(outsider.recordNotes.isEmpty)
        #expect(MeetingVisibility.meeting(Self.meeting, for: Self.staff, invited: false)?.recordNotes.count == 1)
        let roster = MeetingVisibility.invitees(Self.invitees, for: Self.member12)
        #expect(roster[0] == Self.invitees[0])
        #expect(roster[1].memberID == 20 && roster[1].checkInCode.isEmpty && roster[1].leaveReason.isEmpty && roster[1].leaveType == .unspecified)
    }
}

@Suite("The meeting lifecycle table")
struct MeetingLifecycleTests {
    @Test("each status allows what the lifecycle says, and nothing else")
    func table() {
        #expect(MeetingLifecycle.allowed(from: .draft) == [.publish, .change, .cancel, .invite, .uninvite, .setAgenda])
        #expect(MeetingLifecycle.allowed(from: .published) == [.change, .cancel, .invite, .uninvite, .setAgenda, .enroll,
                                                               .requestLeave, .decideLeave, .checkIn, .close, .decideItem])
        // A closed meeting's decisions may still be recorded after it.
        #expect(MeetingLifecycle.allowed(from: .closed) == [.decideItem])
        #expect(MeetingLifecycle.allowed(from: .cancelled).isEmpty)
        #expect(MeetingLifecycle.table[.publish]?.to == .published && MeetingLifecycle.table[.close]?.to == .closed)
    }

    @Test("a refusal names the meeting and why")
    func refusal() {
        var meeting = MeetingV1.Meeting()
        meeting.id = 9
        meeting.status = .draft
        #expect(throws: SchedulerError.self) { try MeetingLifecycle.require(.checkIn, meeting) }
        do {
            try MeetingLifecycle.require(.close, meeting)
        } catch let error as SchedulerError {
            #expect(error.rpcError.code == .failedPrecondition && error.rpcError.message.contains("cannot close meeting 9: it is a draft"))
            #expect(error.rpcError.localizedMessage.hasSuffix("还是草稿，尚未发布，现在不能结束。"))
        } catch {
            Issue.record("\(error)")
        }
        meeting.status = .published
        #expect(throws: Never.self) { try MeetingLifecycle.require(.close, meeting) }
    }
}

@Suite("Agenda bounds")
struct AgendaBoundTests {
    @Test("an agenda holds at most 200 items")
    func bound() {
        let item: MeetingV1.AgendaItem = {
            var a = MeetingV1.AgendaItem()
            a.title = "议题"
            a.durationMinutes = 1
            return a
        }()
        #expect(MeetingRules.agendaProblems(Array(repeating: item, count: 200), meetingMinutes: 1000).isEmpty)
        #expect(MeetingRules.agendaProblems(Array(repeating: item, count: 201), meetingMinutes: 1000).map(\.field) == ["items"])
    }
}
