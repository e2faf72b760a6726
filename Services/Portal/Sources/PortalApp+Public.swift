import Foundation
import Hummingbird
import Logging
import XieshangLabels
import XieshangRPC
import XieshangWire

/// The pages anyone may read without signing in: the committee's stations and consultation
/// rooms, their published meetings (public fields) and their topics' public notices (公开公示,
/// 结果反馈). The portal calls the services on behalf of "public", and the services decide
/// what that is.
extension PortalApp {
    static let everyone = "public"

    /// A public page: shown the same to a signed-in person, with their navigation.
    private func publicPage(_ request: Request, _ template: String, _ title: String, _ values: [String: Any]) async throws -> Response {
        let s = try await session(request)
        var values = values
        if let s { values["csrf"] = s.csrf }
        return html(Pages.render(template, title: title, values: values, signedIn: s.map(signedInFacts)))
    }

    private func publicFailure(_ request: Request, _ error: RPCError) async throws -> Response {
        switch error.code {
        case .notFound, .permissionDenied, .invalidArgument:
            return message("找不到", "找不到该内容。", status: .notFound, session: try await session(request), link: ("/public", "返回公开信息"))
        default:
            logger.error("a service failed a public page", metadata: ["error": "\(error)"])
            return message("暂时无法访问", "服务暂时不可用，请稍后再试。", status: .serviceUnavailable, session: try await session(request))
        }
    }

    /// A public page's reads: what the services refuse is "not found".
    private func publicly(_ request: Request, _ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as RPCError {
            return try await publicFailure(request, error)
        }
    }

    private func topicRow(_ t: ProposalV1.Topic) -> [String: Any] {
        ["id": t.id, "title": t.title, "step": t.step.label]
    }

    private func meetingRow(_ m: MeetingV1.Meeting) -> [String: Any] {
        ["id": m.id, "title": m.displayName.isEmpty ? m.title : m.displayName, "time": CommitteeClock.range(m.startMs, m.endMs),
         "place": [m.roomName, m.venue].first { !$0.isEmpty } ?? "", "status": m.status.label]
    }

    func publicHome(_ request: Request) async throws -> Response {
        try await publicly(request) {
            let stations = try await suite.call(MemberV1.Stations.list, MemberV1.ListStationsRequest(), for: Self.everyone, read: true).stations
            let rooms = try await suite.call(MemberV1.Rooms.list, MemberV1.ListRoomsRequest(), for: Self.everyone, read: true).rooms
            let topics = try await suite.call(ProposalV1.Topics.list, ProposalV1.ListTopicsRequest(), for: Self.everyone, read: true).topics
            var upcoming = MeetingV1.ListMeetingsRequest()
            upcoming.fromMs = now
            upcoming.status = .published
            upcoming.pageSize = 20
            let meetings = try await suite.call(MeetingV1.Meetings.list, upcoming, for: Self.everyone, read: true).meetings
            let byStation: [[String: Any]] = stations.map { station in
                ["name": station.name, "address": station.address,
                 "rooms": rooms.filter { $0.stationID == station.id }.map { ["id": $0.id, "name": $0.name, "address": $0.address] }]
            }
            return try await publicPage(request, "public", "公开信息", [
                "stations": byStation, "topics": topics.suffix(30).reversed().map(topicRow), "meetings": meetings.map(meetingRow),
                "hasTopics": !topics.isEmpty, "hasMeetings": !meetings.isEmpty,
            ])
        }
    }

    func publicRoom(_ request: Request, _ id: Int64) async throws -> Response {
        try await publicly(request) {
            var get = MemberV1.GetRoomRequest()
            get.id = id
            guard let room = try await suite.call(MemberV1.Rooms.get, get, for: Self.everyone, read: true).room else {
                throw RPCError(.notFound, "no room \(id)")
            }
            var listTopics = ProposalV1.ListTopicsRequest()
            listTopics.roomID = id
            let topics = try await suite.call(ProposalV1.Topics.list, listTopics, for: Self.everyone, read: true).topics
            var listMeetings = MeetingV1.ListMeetingsRequest()
            listMeetings.roomID = id
            listMeetings.fromMs = now - 180 * 86_400_000
            listMeetings.pageSize = 50
            let meetings = try await suite.call(MeetingV1.Meetings.list, listMeetings, for: Self.everyone, read: true).meetings
            return try await publicPage(request, "public-room", room.name, [
                "address": room.address, "district": room.district, "members": Int(room.memberCount),
                "topics": topics.map(topicRow), "meetings": meetings.map(meetingRow), "hasTopics": !topics.isEmpty, "hasMeetings": !meetings.isEmpty,
            ])
        }
    }

    func publicTopic(_ request: Request, _ id: Int64) async throws -> Response {
        try await publicly(request) {
            var get = ProposalV1.GetTopicRequest()
            get.id = id
            guard let topic = try await suite.call(ProposalV1.Topics.get, get, for: Self.everyone, read: true).topic else {
                throw RPCError(.notFound, "no topic \(id)")
            }
            let notices: [[String: Any]] = topic.steps.compactMap { record in
                guard let notice = record.notice else { return nil }
                var row: [String: Any] = ["step": record.step.label, "text": notice.text, "posted": notice.postedAt]
                if !notice.fromDate.isEmpty { row["period"] = "\(notice.fromDate) 至 \(notice.toDate)" }
                return row
            }
            var values: [String: Any] = ["description": topic.description, "step": topic.step.label, "notices": notices]
            if topic.step == .feedback { values["solved"] = topic.solved ? "已解决" : "未解决" }
            return try await publicPage(request, "public-topic", topic.title, values)
        }
    }

    func publicMeeting(_ request: Request, _ id: Int64) async throws -> Response {
        try await publicly(request) {
            var get = MeetingV1.GetMeetingRequest()
            get.id = id
            guard let m = try await suite.call(MeetingV1.Meetings.get, get, for: Self.everyone, read: true).meeting else {
                throw RPCError(.notFound, "no meeting \(id)")
            }
            var values = meetingRow(m)
            values["kind"] = m.kind.label
            values["agenda"] = m.agenda.map(\.title)
            values["hasAgenda"] = !m.agenda.isEmpty
            return try await publicPage(request, "public-meeting", values["title"] as? String ?? m.title, values)
        }
    }
}
