import Foundation
import Hummingbird
import XieshangLabels
import XieshangRPC
import XieshangWire

/// The pages of the person signed in. Every read and change is a call to a service on their
/// behalf, so the service's rules for their own key decide what they see and may do.
extension PortalApp {
    func page(_ template: String, _ title: String, _ s: PortalSession, _ values: [String: Any]) -> Response {
        var values = values
        values["csrf"] = s.csrf
        return html(Pages.render(template, title: title, values: values, signedIn: signedInFacts(s)))
    }

    func recipient(_ s: PortalSession) -> NotificationV1.Recipient {
        var r = NotificationV1.Recipient()
        r.kind = s.account.isMember ? .member : .unit
        r.id = s.account.subjectID
        return r
    }

    // MARK: - Inbox

    func inbox(_ s: PortalSession) async throws -> Response {
        var request = NotificationV1.ListInboxRequest()
        request.recipient = recipient(s)
        request.pageSize = 100
        let inbox = try await suite.call(NotificationV1.Inbox.list, request, for: s.account.principal, read: true)
        let items: [[String: Any]] = inbox.notifications.map {
            ["id": $0.id, "title": $0.title, "body": $0.body, "time": CommitteeClock.minute($0.createdAtMs), "unread": $0.readAtMs == 0, "csrf": s.csrf]
        }
        return page("inbox", "消息", s, ["items": items, "unread": Int(inbox.unread), "total": Int(inbox.total), "hasUnread": inbox.unread > 0])
    }

    func markRead(_ s: PortalSession, _ fields: [String: String]) async throws -> Response {
        var request = NotificationV1.MarkReadRequest()
        request.recipient = recipient(s)
        if let id = Int64(fields["id"] ?? ""), id > 0 { request.ids = [id] }
        _ = try await suite.call(NotificationV1.Inbox.markRead, request, for: s.account.principal)
        return .redirect(to: "/inbox", type: .normal)
    }

    // MARK: - Meetings

    private func place(_ m: MeetingV1.Meeting) -> String {
        [m.roomName, m.venue].first { !$0.isEmpty } ?? (m.mode == .online ? "线上" : "待定")
    }

    private func mine(_ invitee: MeetingV1.Invitee?) -> String? {
        guard let invitee else { return nil }
        return invitee.attendance.label.isEmpty ? nil : invitee.attendance.label
    }

    func meetings(_ s: PortalSession) async throws -> Response {
        var request = MeetingV1.ListMeetingsRequest()
        request.memberID = s.account.subjectID
        request.fromMs = now - 30 * 86_400_000
        request.pageSize = 100
        let list = try await suite.call(MeetingV1.Meetings.list, request, for: s.account.principal, read: true)
        func row(_ m: MeetingV1.Meeting) -> [String: Any] {
            ["id": m.id, "title": m.displayName.isEmpty ? m.title : m.displayName, "time": CommitteeClock.range(m.startMs, m.endMs),
             "place": place(m), "status": m.status.label]
        }
        // Activities open for registration that the member has not joined yet.
        var open = MeetingV1.ListMeetingsRequest()
        open.fromMs = now
        open.status = .published
        open.pageSize = 200
        let mine = Set(list.meetings.map(\.id))
        let registrable = try await suite.call(MeetingV1.Meetings.list, open, for: s.account.principal, read: true).meetings
            .filter { $0.openRegistration && !mine.contains($0.id) }
        return page("meetings", "我的会议", s, ["meetings": list.meetings.map(row), "open": registrable.map(row), "hasOpen": !registrable.isEmpty])
    }

    static let notices = ["leave": "请假已提交，等待办公室审批。", "created": "草稿已保存。可邀请附议，或直接提交。",
                          "enrolled": "已报名。", "withdrawn": "已退出报名。"]

    func meeting(_ s: PortalSession, _ id: Int64, notice: String?) async throws -> Response {
        var request = MeetingV1.GetMeetingRequest()
        request.id = id
        let found = try await suite.call(MeetingV1.Meetings.get, request, for: s.account.principal, read: true)
        guard let m = found.meeting else { throw RPCError(.notFound, "no meeting \(id)") }
        let me = found.invitees.first { $0.memberID == s.account.subjectID }
        let open = m.status == .published
        let leaveOpen = me.map { [.invited, .registered, .leaveRequested].contains($0.attendance) } ?? false
        var values: [String: Any] = [
            "id": m.id, "kind": m.kind.label, "time": CommitteeClock.range(m.startMs, m.endMs), "place": place(m),
            "mode": m.mode.label, "status": m.status.label, "agenda": m.agenda.map { $0.heading + ($0.decision.map { "：" + $0 } ?? "") }, "hasAgenda": !m.agenda.isEmpty,
            "canLeave": open && leaveOpen && me?.attendance != .leaveRequested && !(m.openRegistration && me?.required == false),
            "canEnroll": open && m.openRegistration && (me == nil || me?.attendance == .withdrawn),
            "canWithdraw": open && m.openRegistration && me.map { !$0.required && [.registered, .waitlisted].contains($0.attendance) } ?? false,
            "leaveTypes": MeetingV1.LeaveType.allCases.filter { $0.rawValue != 0 }.map { ["value": $0.identifier, "label": $0.label] },
        ]
        if !m.onlineLink.isEmpty { values["link"] = m.onlineLink }
        if let mine = mine(me) { values["mine"] = mine + ((me?.waitlistPosition ?? 0) > 0 ? "（候补第 \(me!.waitlistPosition) 位）" : "") }
        if m.openRegistration, m.capacity > 0 { values["capacity"] = "\(m.capacity) 人" }
        // The member's own code, shown at the door: staff check them in with it (a member does
        // not check themselves in).
        if open, let me, !me.checkInCode.isEmpty, me.attendance != .checkedIn, me.attendance != .leaveApproved { values["code"] = me.checkInCode }
        if let me, me.leaveType != .unspecified { values["leave"] = "\(me.leaveType.label)：\(me.leaveReason)" }
        // What the meeting recorded when it closed (the scheduler gives them to invitees only).
        if !m.minutes.isEmpty { values["minutes"] = m.minutes }
        if !m.outcomes.isEmpty { values["outcomes"] = m.outcomes }
        if let notice, let text = Self.notices[notice] { values["notice"] = text }
        return page("meeting", m.displayName.isEmpty ? m.title : m.displayName, s, values)
    }

    func requestLeave(_ s: PortalSession, _ id: Int64, _ fields: [String: String]) async throws -> Response {
        var get = MeetingV1.GetMeetingRequest()
        get.id = id
        let found = try await suite.call(MeetingV1.Meetings.get, get, for: s.account.principal, read: true)
        guard let me = found.invitees.first(where: { $0.memberID == s.account.subjectID }) else {
            throw RPCError(.notFound, "not invited")
        }
        var request = MeetingV1.RequestLeaveRequest()
        request.meetingID = id
        request.inviteeID = me.id
        request.type = MeetingV1.LeaveType(parsing: fields["type"] ?? "") ?? .unspecified
        request.reason = (fields["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await suite.call(MeetingV1.Meetings.requestLeave, request, for: s.account.principal)
        return .redirect(to: "/meetings/\(id)?done=leave", type: .normal)
    }
}
