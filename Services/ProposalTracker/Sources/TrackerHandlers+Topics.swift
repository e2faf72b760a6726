import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Consultation topics through the six steps.
extension TrackerHandlers {
    @Sendable func createTopic(_ request: ProposalV1.CreateTopicRequest, _ context: RPCCallContext) async throws -> ProposalV1.CreateTopicResponse {
        guard var topic = request.topic else { throw ProposalError.invalid([("topic", RPCError.FieldProblem.missing)]) }
        var problems: [(String, String)] = []
        if topic.title.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("topic.title", RPCError.FieldProblem.empty)) }
        if topic.stationID == 0 && topic.roomID == 0 { problems.append(("topic.station_id", "name the work station or the room")) }
        if topic.source == .unspecified || !ProposalV1.TopicSource.allCases.contains(topic.source) {
            problems.append(("topic.source", "must be one of \(ProposalV1.TopicSource.spellings)"))
        }
        if topic.theme == .unspecified || !ProposalV1.TopicTheme.allCases.contains(topic.theme) {
            problems.append(("topic.theme", "must be one of \(ProposalV1.TopicTheme.spellings)"))
        }
        if topic.source == .proposalHandling && topic.proposalID == 0 {
            problems.append(("topic.proposal_id", "a topic from 提案办理 names its proposal"))
        }
        if !problems.isEmpty { throw ProposalError.invalid(problems) }
        // A room's topic is its station's too: a station named beside the room must be the
        // room's own (else a convener could file their room's topic under another station).
        if topic.roomID != 0 {
            let room = try await peers.registry.room(topic.roomID, field: "topic.room_id")
            if topic.stationID != 0 && topic.stationID != room.stationID {
                throw ProposalError.invalid([("topic.station_id", "room \(topic.roomID) belongs to station \(room.stationID), not \(topic.stationID)")])
            }
        }
        try await requireConvener(context.principal, of: topic, field: "topic.room_id")
        if topic.proposalID != 0 {
            let linked = topic.proposalID
            _ = try await database.readSession { db in try ProposalStore.load(db, linked, field: "topic.proposal_id") }
        }
        if topic.planItemID != 0 { _ = try await peers.planItem(topic.planItemID, field: "topic.plan_item_id") }
        var record = ProposalV1.TopicStepRecord()
        record.step = .collected
        record.atMs = ProposalStore.nowMs
        record.actor = try Self.actor(claimed: request.actor, context.principal)
        record.notes = topic.description
        topic.step = .collected
        topic.steps = [record]
        topic.createdAtMs = record.atMs
        topic.meetingID = 0
        topic.solved = false
        let ready = topic
        let first = record
        return try await database.idempotentSession(context) { [outbox] db in
            let saved = try ProposalStore.saveTopic(db, ready)
            var e = ProposalV1.TopicEvent()
            e.topic = saved
            e.step = first
            try outbox.append(DomainEvents.topicCollected, e, in: db, traceID: context.traceID)
            var response = ProposalV1.CreateTopicResponse()
            response.topic = saved
            return response
        }.reply
    }

    @Sendable func advanceTopic(_ request: ProposalV1.AdvanceTopicRequest, _ context: RPCCallContext) async throws -> ProposalV1.AdvanceTopicResponse {
        if let stored = try await database.storedReply(context, as: ProposalV1.AdvanceTopicResponse.self) { return stored }
        let current = try await database.readSession { db in try ProposalStore.loadTopic(db, request.id) }
        try await requireConvener(context.principal, of: current, field: "id")
        guard request.step.rawValue == current.step.rawValue + 1, current.step != .feedback else {
            let next = current.step == .feedback ? "none: the topic is finished" : ProposalV1.TopicStep(rawValue: current.step.rawValue + 1).label
            throw ProposalError.notAllowed(field: "step", "topic \(current.id) is at \(current.step.label); the next step is \(next)")
                .saying(current.step == .feedback ? "这个议题的六个步骤都已完成。"
                        : "这个议题目前在「\(current.step.label)」，下一步是「\(next)」。")
        }
        if request.step == .consulted {
            guard request.meetingID != 0 else { throw ProposalError.invalid([("meeting_id", "the consultation is a meeting: give its id")]) }
            let held = try await peers.meeting(request.meetingID, field: "meeting_id")
            // The tracker reads every meeting; a convener may name only one they may know of.
            // A draft is the office's and does not exist for them (NOT_FOUND, word for word as
            // for an id never used), unless it is an activity of the topic's own room, which
            // they run.
            let theirs = held.kind == .grassroots && held.roomID != 0 && held.roomID == current.roomID
            if context.principal.memberID != nil, held.status == .draft, !theirs {
                throw ProposalError.notFound(field: "meeting_id", what: "meeting \(request.meetingID)")
            }
        }
        if request.step != .consulted && request.notes.trimmingCharacters(in: .whitespaces).isEmpty && request.step != .decided {
            throw ProposalError.invalid([("notes", RPCError.FieldProblem.empty)])
        }
        // 公开公示 and 结果反馈 post a notice, and the room's members are told of it.
        var told: [Int64] = []
        if request.step == .publicised || request.step == .feedback {
            let problems = Self.noticeProblems(request.notice)
            if !problems.isEmpty { throw ProposalError.invalid(problems) }
            told = try await peers.members(of: current)
        } else if request.notice != nil {
            throw ProposalError.invalid([("notice", "only 公开公示 and 结果反馈 post a notice")])
        }
        let membersTold = told
        return try await database.idempotentSession(context) { [outbox] db in
            var topic = try ProposalStore.loadTopic(db, request.id)
            guard request.step.rawValue == topic.step.rawValue + 1 else {
                throw ProposalError.notAllowed(field: "step", "topic \(topic.id) has moved to \(topic.step.label)")
                    .saying("这个议题已进到「\(topic.step.label)」。")
            }
            var record = ProposalV1.TopicStepRecord()
            record.step = request.step
            record.atMs = ProposalStore.nowMs
            record.actor = try Self.actor(claimed: request.actor, context.principal)
            record.notes = request.notes
            record.notice = request.notice.map {
                var notice = $0
                notice.text = notice.text.trimmingCharacters(in: .whitespacesAndNewlines)
                notice.postedAt = notice.postedAt.trimmingCharacters(in: .whitespaces)
                return notice
            }
            topic.step = request.step
            topic.steps.append(record)
            if request.step == .consulted { topic.meetingID = request.meetingID }
            if request.step == .feedback { topic.solved = request.solved }
            topic = try ProposalStore.saveTopic(db, topic)
            var e = ProposalV1.TopicEvent()
            e.topic = topic
            e.step = record
            e.memberIDs = membersTold
            try outbox.append(DomainEvents.topic(request.step)!, e, in: db, traceID: context.traceID)
            var response = ProposalV1.AdvanceTopicResponse()
            response.topic = topic
            return response
        }.reply
    }

    /// A member records and advances only the topics of a room they lead — convene (召集人),
    /// chair the council of (议事会主席), or whose station they head (站长) — or of the work
    /// station they head, as the registry says now (the scheduler's rule for a room's
    /// activities too: `RegistryClient.roomsLed`); the office records any.
    func requireConvener(_ principal: Principal, of topic: ProposalV1.Topic, field: String) async throws {
        guard let id = principal.memberID else { return }
        var leads = false
        if topic.roomID != 0 {
            leads = try await peers.registry.roomsLed(byMember: id, field: field).contains(topic.roomID)
        }
        if !leads && topic.stationID != 0 {
            let member = try await peers.member(id, field: field)
            leads = member.status == .active && member.functions.contains { $0.kind == .stationHead && $0.stationID == topic.stationID }
        }
        guard leads else {
            let place = topic.roomID != 0 ? "room \(topic.roomID)" : "station \(topic.stationID)"
            throw ProposalError.permissionDenied("member \(id) neither convenes \(place) nor heads its station: topics there are recorded by its convener or the office")
        }
    }

    /// What is wrong with a step's notice: the text, where it is posted, and its days.
    static func noticeProblems(_ notice: ProposalV1.TopicNotice?) -> [(String, String)] {
        guard let notice else { return [("notice", "公开公示 and 结果反馈 post a notice: give its text, where it is posted and its days")] }
        var problems: [(String, String)] = []
        if notice.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append(("notice.text", RPCError.FieldProblem.empty)) }
        if notice.postedAt.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("notice.posted_at", "say where it is posted")) }
        let from = CommitteeClock.parse(notice.fromDate), to = CommitteeClock.parse(notice.toDate)
        if notice.fromDate.count != 10 || from == nil { problems.append(("notice.from_date", "write YYYY-MM-DD")) }
        if notice.toDate.count != 10 || to == nil { problems.append(("notice.to_date", "write YYYY-MM-DD")) }
        if let from, let to, to < from { problems.append(("notice.to_date", "is before from_date")) }
        return problems
    }
}
