import Foundation
import Hummingbird
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// A room's convener (召集人, or the chair of its council) and a station's head record the
/// consultation topics of their rooms or station and take them through the six steps, and
/// log the rooms' activities (PortalApp+Activities). The tracker and the scheduler decide
/// who may (the registry's functions of the member, now).
extension PortalApp {
    /// The rooms the member leads — convenes, chairs the council of, or whose station they
    /// head — and the stations they head, by their own registry record.
    func led(_ s: PortalSession) async throws -> (rooms: [MemberV1.Room], stations: [Int64]) {
        var get = MemberV1.GetMemberRequest()
        get.id = s.account.subjectID
        let member = try await suite.call(MemberV1.Members.get, get, for: s.account.principal, read: true).member ?? MemberV1.Member()
        guard member.status == .active, !member.functions.isEmpty else { return ([], []) }
        let all = try await suite.call(MemberV1.Rooms.list, MemberV1.ListRoomsRequest(), for: s.account.principal, read: true).rooms
        // The scheduler's and the tracker's rule, so the pages offer exactly what they allow.
        let led = RegistryClient.roomsLed(by: member, among: all)
        return (all.filter { led.contains($0.id) }, member.functions.filter { $0.kind == .stationHead }.map(\.stationID))
    }

    func rooms(_ s: PortalSession) async throws -> Response {
        let rows = try await led(s).rooms.map { room -> [String: Any] in ["id": room.id, "name": room.name, "address": room.address] }
        return page("rooms", "我的议事室", s, ["rooms": rows, "hasRooms": !rows.isEmpty])
    }

    func room(_ s: PortalSession, _ id: Int64, notice: String?) async throws -> Response {
        var get = MemberV1.GetRoomRequest()
        get.id = id
        guard let room = try await suite.call(MemberV1.Rooms.get, get, for: s.account.principal, read: true).room else {
            throw RPCError(.notFound, "no room \(id)")
        }
        var list = ProposalV1.ListTopicsRequest()
        list.roomID = id
        let topics = try await suite.call(ProposalV1.Topics.list, list, for: s.account.principal, read: true).topics
        let leads = try await led(s).rooms.contains { $0.id == id }
        let activities = leads ? try await activities(s, room: id) : []
        var values: [String: Any] = [
            "id": id, "address": room.address,
            "topics": topics.reversed().map { ["id": $0.id, "title": $0.title, "step": $0.step.label, "solved": $0.step == .feedback && $0.solved] },
            "hasTopics": !topics.isEmpty,
            "convenes": leads,
            "activities": activities,
            "hasActivities": !activities.isEmpty,
            "today": CommitteeClock.today(),
            "categories": Self.participantCategories.map(\.label).joined(separator: "、"),
            "sources": ProposalV1.TopicSource.allCases.filter { $0.rawValue != 0 && $0 != .proposalHandling }.map { ["value": $0.identifier, "label": $0.label] },
            "themes": ProposalV1.TopicTheme.allCases.filter { $0.rawValue != 0 }.map { ["value": $0.identifier, "label": $0.label] },
        ]
        if notice == "created" { values["notice"] = "议题已记录。" }
        return page("room", room.name, s, values)
    }

    func createTopic(_ s: PortalSession, room: Int64, _ fields: [String: String]) async throws -> Response {
        var topic = ProposalV1.Topic()
        topic.roomID = room
        topic.title = (fields["title"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        topic.description = (fields["description"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        topic.source = ProposalV1.TopicSource(parsing: fields["source"] ?? "") ?? .unspecified
        topic.theme = ProposalV1.TopicTheme(parsing: fields["theme"] ?? "") ?? .unspecified
        var request = ProposalV1.CreateTopicRequest()
        request.topic = topic
        let created = try await suite.call(ProposalV1.Topics.create, request, for: s.account.principal)
        return .redirect(to: "/topics/\(created.topic?.id ?? 0)?done=created", type: .normal)
    }

    func topic(_ s: PortalSession, _ id: Int64, notice: String?) async throws -> Response {
        var get = ProposalV1.GetTopicRequest()
        get.id = id
        guard let topic = try await suite.call(ProposalV1.Topics.get, get, for: s.account.principal, read: true).topic else {
            throw RPCError(.notFound, "no topic \(id)")
        }
        let (rooms, stations) = try await led(s)
        let leads = (topic.roomID != 0 && rooms.contains { $0.id == topic.roomID }) || (topic.stationID != 0 && stations.contains(topic.stationID))
        let next = topic.step == .feedback ? nil : ProposalV1.TopicStep(rawValue: topic.step.rawValue + 1)
        var values: [String: Any] = [
            "id": id, "description": topic.description, "step": topic.step.label, "roomID": topic.roomID,
            "steps": topic.steps.map { r -> [String: Any] in
                var row: [String: Any] = ["step": r.step.label, "time": CommitteeClock.minute(r.atMs)]
                if !r.notes.isEmpty { row["notes"] = r.notes }
                if let n = r.notice { row["posted"] = "\(n.text)（\(n.postedAt)，\(n.fromDate) 至 \(n.toDate)）" }
                return row
            },
        ]
        if leads, let next {
            values["next"] = ["value": next.identifier, "label": next.label, "consulted": next == .consulted,
                              "needsNotice": next == .publicised || next == .feedback, "feedback": next == .feedback,
                              "today": CommitteeClock.today()]
            if next == .consulted, topic.roomID != 0 {
                var list = MeetingV1.ListMeetingsRequest()
                list.roomID = topic.roomID
                list.fromMs = now - 365 * 86_400_000
                list.pageSize = 100
                let meetings = try await suite.call(MeetingV1.Meetings.list, list, for: s.account.principal, read: true).meetings
                values["meetings"] = meetings.map { ["id": $0.id, "title": "\(CommitteeClock.day($0.startMs)) \($0.title)"] }
            }
        }
        if let notice { values["notice"] = notice == "created" ? "议题已记录。" : "已记录这一步。" }
        return page("topic", topic.title, s, values)
    }

    func advanceTopic(_ s: PortalSession, _ id: Int64, _ fields: [String: String]) async throws -> Response {
        let text = { (name: String) in (fields[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        var request = ProposalV1.AdvanceTopicRequest()
        request.id = id
        request.step = ProposalV1.TopicStep(parsing: text("step")) ?? .unspecified
        request.notes = text("notes")
        request.meetingID = Int64(text("meeting")) ?? 0
        request.solved = fields["solved"] == "1"
        if request.step == .publicised || request.step == .feedback {
            var notice = ProposalV1.TopicNotice()
            notice.text = text("notice")
            notice.postedAt = text("posted_at")
            notice.fromDate = text("from")
            notice.toDate = text("to")
            request.notice = notice
        }
        _ = try await suite.call(ProposalV1.Topics.advance, request, for: s.account.principal)
        return .redirect(to: "/topics/\(id)?done=advanced", type: .normal)
    }
}
