import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// What a meeting decides on the documents before it (docs/DOMAIN.md, "Reports and votes"):
/// a reviewing meeting adopts or not; a 主席会议 passes an item on to the next 常委会会议 still
/// in draft, where it stands as 提请常委会 until that meeting votes it 常委会通过 or not.
extension SchedulerHandlers {
    @Sendable func decideItem(_ request: MeetingV1.DecideItemRequest, _ context: RPCCallContext) async throws -> MeetingV1.DecideItemResponse {
        try await database.idempotentSession(context) { db in
            var meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id")
            try MeetingLifecycle.require(.decideItem, meeting)
            guard let index = meeting.agenda.firstIndex(where: { $0.position == request.position }) else {
                throw SchedulerError.notFound(field: "position", what: "item \(request.position) on the agenda of meeting \(meeting.id)")
            }
            if let early = MeetingRules.decisionTooEarly(meeting, now: Date.nowMs) {
                try recordOutsideTimes(db, meeting, context, reason: request.recordReason, refusal: early,
                                       what: "recorded a decision before its recorded start")
            }
            let count = MeetingRules.attendance(try MeetingStore.invitees(db, meeting.id))
            var item = meeting.agenda[index]
            if let problem = MeetingRules.decisionProblem(request, item: item, meeting: meeting, count: count) {
                throw SchedulerError.notAllowed(field: problem.field, "meeting \(meeting.id): " + problem.problem).saying(problem.zh)
            }
            var response = MeetingV1.DecideItemResponse()
            if request.outcome == .referred {
                guard let target = try MeetingStore.nextDraftStandingCommittee(db, term: meeting.term, after: meeting.startMs) else {
                    throw SchedulerError.notAllowed(
                        field: "outcome", "no 常委会会议 in draft after meeting \(meeting.id): schedule it (as a draft), then pass the item on")
                    .saying("这次会议之后还没有草稿状态的常委会会议：请先安排（草稿），再提请。")
                }
                var next = try MeetingStore.load(db, target)
                let used = next.agenda.reduce(Int64(0)) { $0 + Int64($1.durationMinutes) }
                let length = (next.endMs - next.startMs) / 60_000
                guard next.agenda.count < MeetingRules.maxAgendaItems else {
                    throw SchedulerError.notAllowed(
                        field: "outcome", "常委会会议 \(next.id) has \(next.agenda.count) agenda items, the most a meeting takes: shorten its agenda, then pass the item on")
                    .saying("「\(next.title)」已有 \(next.agenda.count) 项议程，已达上限：请先精简它的议程，再提请。")
                }
                guard used + Int64(item.durationMinutes) <= length else {
                    throw SchedulerError.notAllowed(
                        field: "outcome", "常委会会议 \(next.id) has \(length - used) of its \(length) minutes free, item \(item.position) needs \(item.durationMinutes): lengthen it or shorten its items, then pass the item on")
                    .saying("「\(next.title)」共 \(length) 分钟，尚余 \(length - used) 分钟，此项需要 \(item.durationMinutes) 分钟：请延长会议或压缩议程后再提请。")
                }
                var carried = item
                carried.position = Int32(next.agenda.count + 1)
                carried.status = .referred
                carried.needsVote = true
                carried.vote = nil
                carried.changes = ""
                carried.referredFromMeetingID = meeting.id
                carried.referredToMeetingID = 0
                try MeetingStore.setAgenda(db, next.id, next.agenda + [carried])
                next = try MeetingStore.load(db, next.id)
                response.referredTo = next
                item.referredToMeetingID = next.id
            }
            item.status = request.outcome
            item.changes = request.changes.trimmingCharacters(in: .whitespacesAndNewlines)
            if let vote = request.vote, vote.inFavour != 0 || vote.against != 0 || vote.abstaining != 0 {
                item.vote = MeetingRules.counted(vote, count)
                item.needsVote = true
            }
            try MeetingStore.saveItem(db, meeting.id, item)
            // The item the 主席会议 passed on now says how the 常委会 decided it.
            if item.referredFromMeetingID != 0 {
                var origin = try MeetingStore.load(db, item.referredFromMeetingID)
                if let at = origin.agenda.firstIndex(where: { $0.referredToMeetingID == meeting.id && $0.title == item.title }) {
                    origin.agenda[at].vote = item.vote
                    try MeetingStore.saveItem(db, origin.id, origin.agenda[at])
                }
            }
            meeting = try MeetingStore.load(db, meeting.id)
            response.meeting = meeting
            return response
        }.reply
    }
}
