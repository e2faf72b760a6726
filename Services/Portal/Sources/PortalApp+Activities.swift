import Foundation
import Hummingbird
import XieshangLabels
import XieshangRPC
import XieshangWire

/// A room's convener logs the room's consultation activities (协商议事活动): schedules one
/// (or records one held in the last week) with the room's members and the residents,
/// stakeholders and officials who take part, checks in who came and closes it with its
/// minutes. The scheduler decides who may (SchedulerHandlers+Conveners): the page only
/// offers what it would allow.
extension PortalApp {
    /// The room's activities, newest first, for the room's page.
    func activities(_ s: PortalSession, room: Int64) async throws -> [[String: Any]] {
        var list = MeetingV1.ListMeetingsRequest()
        list.roomID = room
        list.kind = .grassroots
        list.fromMs = now - 180 * 86_400_000
        list.pageSize = 100
        let meetings = try await suite.call(MeetingV1.Meetings.list, list, for: s.account.principal, read: true).meetings
        return meetings.reversed().map {
            ["id": $0.id, "title": $0.title, "time": CommitteeClock.range($0.startMs, $0.endMs), "status": $0.status.label]
        }
    }

    func scheduleActivity(_ s: PortalSession, room: Int64, _ fields: [String: String]) async throws -> Response {
        let text = { (name: String) in (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let day = text("date")
        guard let start = CommitteeClock.parse("\(day) \(text("start"))"), let end = CommitteeClock.parse("\(day) \(text("end"))") else {
            return message("未能完成", "请填写活动的日期和开始、结束时间。", status: .badRequest, session: s)
        }
        guard end > start else { return message("未能完成", "结束时间要晚于开始时间。", status: .badRequest, session: s) }
        let participants: [MeetingV1.Invitee]
        switch Self.participants(text("participants")) {
        case .success(let list): participants = list
        case .failure(let problem): return message("未能完成", problem.text, status: .badRequest, session: s)
        }
        var get = MemberV1.GetRoomRequest()
        get.id = room
        let roomName = try await suite.call(MemberV1.Rooms.get, get, for: s.account.principal, read: true).room?.name ?? ""
        var meeting = MeetingV1.Meeting()
        meeting.title = text("title")
        meeting.kind = .grassroots
        meeting.roomID = room
        meeting.startMs = start
        meeting.endMs = end
        meeting.mode = .inPerson
        meeting.organiser = roomName
        if fields["members"] == "1" {
            var group = MeetingV1.GroupRef()
            group.kind = .room
            group.id = room
            meeting.groups = [group]
        }
        var schedule = MeetingV1.ScheduleMeetingRequest()
        schedule.meeting = meeting
        let id = try await suite.call(MeetingV1.Meetings.schedule, schedule, for: s.account.principal).meeting?.id ?? 0
        // Scheduled: what follows is on the activity's page if it fails (a draft only its convener sees).
        do {
            if !participants.isEmpty {
                var invite = MeetingV1.InviteRequest()
                invite.meetingID = id
                invite.participants = participants
                _ = try await suite.call(MeetingV1.Meetings.invite, invite, for: s.account.principal)
            }
            var publish = MeetingV1.PublishMeetingRequest()
            publish.id = id
            _ = try await suite.call(MeetingV1.Meetings.publish, publish, for: s.account.principal)
        } catch {
            return message("未能完成", "活动已保存为草稿，但未能发布：\(error.message)", status: .badRequest, session: s,
                           link: ("/activities/\(id)", "打开这次活动"))
        }
        return .redirect(to: "/activities/\(id)?done=created", type: .normal)
    }

    /// The activity as its convener runs it; anyone else is sent to the meeting's own page.
    func activity(_ s: PortalSession, _ id: Int64, notice: String?) async throws -> Response {
        var get = MeetingV1.GetMeetingRequest()
        get.id = id
        let found = try await suite.call(MeetingV1.Meetings.get, get, for: s.account.principal, read: true)
        guard let m = found.meeting else { throw RPCError(.notFound, "no meeting \(id)") }
        guard m.kind == .grassroots, try await led(s).rooms.contains(where: { $0.id == m.roomID }) else {
            return .redirect(to: "/meetings/\(id)", type: .normal)
        }
        let open = m.status == .published
        let seated: (MeetingV1.Invitee) -> Bool = { ![.checkedIn, .waitlisted, .withdrawn].contains($0.attendance) }
        var values: [String: Any] = [
            "id": m.id, "roomID": m.roomID, "time": CommitteeClock.range(m.startMs, m.endMs), "place": m.roomName, "status": m.status.label,
            "invitees": found.invitees.map { i -> [String: Any] in
                var row: [String: Any] = ["id": i.id, "name": i.name, "category": i.category.label,
                                          "attendance": i.attendance.label, "canCheckIn": open && seated(i)]
                if !i.organisation.isEmpty { row["organisation"] = i.organisation }
                return row
            },
            "hasInvitees": !found.invitees.isEmpty,
            "isDraft": m.status == .draft,
            "canInvite": m.status == .draft || open,
            "canCheckIn": open && found.invitees.contains(where: seated),
            "canClose": open && now >= m.startMs,
            "canCancel": m.status == .draft || open,
            "categories": Self.participantCategories.map(\.label).joined(separator: "、"),
        ]
        if m.status == .closed, let count = m.attendance {
            values["closed"] = ["present": count.observers + count.present, "participants": count.participants,
                                "minutes": m.minutes, "outcomes": m.outcomes, "hasMinutes": !m.minutes.isEmpty, "hasOutcomes": !m.outcomes.isEmpty]
        }
        if m.status == .cancelled { values["cancelReason"] = m.cancelReason }
        if let notice, let text = Self.activityNotices[notice] { values["notice"] = text }
        return page("activity", m.title, s, values)
    }

    static let activityNotices = ["created": "活动已发布，本室委员会收到通知。", "invited": "已添加参加人员。", "checked-in": "已签到。",
                                  "closed": "活动已结束，出席情况已记入委员履职档案。", "cancelled": "活动已取消。", "published": "活动已发布。"]

    func activityStep(_ s: PortalSession, _ id: Int64, _ step: String, _ fields: [String: String]) async throws -> Response {
        let text = { (name: String) in (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let who = s.account.principal
        let done: String
        switch step {
        case "publish":
            try await suite.call(MeetingV1.Meetings.publish, for: who) { $0.id = id }
            done = "published"
        case "invite":
            let participants: [MeetingV1.Invitee]
            switch Self.participants(text("participants")) {
            case .success(let list): participants = list
            case .failure(let problem): return message("未能完成", problem.text, status: .badRequest, session: s)
            }
            if participants.isEmpty { return message("未能完成", "请填写参加人员，每行一位。", status: .badRequest, session: s) }
            try await suite.call(MeetingV1.Meetings.invite, for: who) { $0.meetingID = id; $0.participants = participants }
            done = "invited"
        case "check-in":
            let chosen = fields.compactMap { key, value in value == "1" && key.hasPrefix("invitee-") ? Int64(key.dropFirst("invitee-".count)) : nil }.sorted()
            if chosen.isEmpty { return message("未能完成", "请勾选到场的人员。", status: .badRequest, session: s) }
            for invitee in chosen.prefix(300) {
                try await suite.call(MeetingV1.Meetings.checkIn, for: who) { $0.meetingID = id; $0.inviteeID = invitee }
            }
            done = "checked-in"
        case "close":
            try await suite.call(MeetingV1.Meetings.close, for: who) { $0.id = id; $0.minutes = text("minutes"); $0.outcomes = text("outcomes") }
            done = "closed"
        case "cancel":
            try await suite.call(MeetingV1.Meetings.cancel, for: who) { $0.id = id; $0.reason = text("reason") }
            done = "cancelled"
        default:
            throw RPCError(.notFound, "no step \(step)")
        }
        return .redirect(to: "/activities/\(id)?done=\(done)", type: .normal)
    }

    static let participantCategories: [MeetingV1.ParticipantCategory] = [.residentRepresentative, .stakeholder, .departmentOfficial, .deputy]

    struct ParticipantProblem: Error { let text: String }

    /// Non-member participants, one a line: `姓名，单位，类别` (类别 群众代表 when left out).
    static func participants(_ text: String) -> Result<[MeetingV1.Invitee], ParticipantProblem> {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if lines.count > 100 { return .failure(ParticipantProblem(text: "一次最多添加 100 位参加人员。")) }
        var list: [MeetingV1.Invitee] = []
        for (index, line) in lines.enumerated() {
            let parts = line.split(whereSeparator: { $0 == "，" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
            guard (1...3).contains(parts.count), !parts[0].isEmpty else {
                return .failure(ParticipantProblem(text: "第 \(index + 1) 行：请写“姓名，单位，类别”。"))
            }
            var invitee = MeetingV1.Invitee()
            invitee.name = parts[0]
            invitee.organisation = parts.count > 1 ? parts[1] : ""
            if parts.count > 2 {
                guard let category = participantCategories.first(where: { $0.label == parts[2] }) else {
                    return .failure(ParticipantProblem(text: "第 \(index + 1) 行：类别应为 \(participantCategories.map(\.label).joined(separator: "、")) 之一。"))
                }
                invitee.category = category
            } else {
                invitee.category = .residentRepresentative
            }
            list.append(invitee)
        }
        return .success(list)
    }
}
