import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The reads: a meeting, lists, free slots, calendars, each as the caller may see them (MeetingVisibility).
extension SchedulerHandlers {
    @Sendable func get(_ request: MeetingV1.GetMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.GetMeetingResponse {
        let principal = context.principal
        let (meeting, invitees) = try await database.readSession { db in try (MeetingStore.load(db, request.id), MeetingStore.invitees(db, request.id)) }
        let runs = await runs(meeting, principal)
        _ = try MeetingVisibility.require(meeting, knownTo: principal, runs: runs)
        let invited = principal.memberID.map { member in invitees.contains { $0.memberID == member } } ?? false
        var response = MeetingV1.GetMeetingResponse()
        response.meeting = MeetingVisibility.meeting(meeting, for: principal, invited: invited, runs: runs)
        response.invitees = MeetingVisibility.invitees(invitees, for: principal, runs: runs)
        return response
    }

    @Sendable func list(_ request: MeetingV1.ListMeetingsRequest, _ context: RPCCallContext) async throws -> MeetingV1.ListMeetingsResponse {
        var problems: [(String, String)] = []
        if request.pageSize < 0 || request.pageSize > 500 { problems.append(("page_size", "must be between 1 and 500")) }
        if request.toMs != 0 && request.toMs <= request.fromMs { problems.append(("to_ms", "must be after from_ms")) }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        let principal = context.principal
        // Who is invited where is the office's: a member reads their own schedule, a unit nobody's.
        if request.memberID != 0 { try principal.requireMember(request.memberID, field: "member_id") }
        let everything = MeetingVisibility.readsEverything(principal)
        // A room's convener lists its activities, drafts included. The list is a read any
        // member may make: with the registry unreachable it is the member's list, without them.
        var led: Set<Int64> = []
        if !everything, request.roomID != 0, let member = principal.memberID {
            led = (try? await registry.roomsLed(byMember: member, field: "room_id")) ?? []
        }
        return try await database.readSession { [led] db in
            var response = try MeetingStore.list(db, request, withDrafts: everything, draftActivitiesIn: led)
            if !everything {
                let invited = try MeetingStore.invitedMeetings(db, member: principal.memberID, among: response.meetings.map(\.id))
                response.meetings = response.meetings.compactMap {
                    MeetingVisibility.meeting($0, for: principal, invited: invited.contains($0.id), runs: $0.kind == .grassroots && led.contains($0.roomID))
                }
            }
            return response
        }
    }

    @Sendable func findSlot(_ request: MeetingV1.FindSlotRequest, _ context: RPCCallContext) async throws -> MeetingV1.FindSlotResponse {
        // A window, not a meeting: it may span up to a year (the 14-day rule is a meeting's).
        var problems: [(String, String)] = []
        if request.fromMs == 0 { problems.append(("from_ms", RPCError.FieldProblem.missing)) }
        else if request.fromMs < MeetingRules.earliestMs || request.fromMs >= MeetingRules.latestMs {
            problems.append(("from_ms", "must be in the years 2000 to 2099"))
        } else if request.toMs <= request.fromMs { problems.append(("to_ms", "must be after from_ms")) }
        else if request.toMs - request.fromMs > 366 * 24 * 3_600_000 { problems.append(("to_ms", "search at most a year")) }
        let longest = SlotFinder.workingBlocks.map { $0.end - $0.start }.max() ?? 0
        if request.durationMinutes <= 0 { problems.append(("duration_minutes", "must be at least 1")) }
        else if Int(request.durationMinutes) > longest { problems.append(("duration_minutes", "must fit in working hours (at most \(longest) minutes)")) }
        problems += MeetingRules.groupProblems(request.groups, prefix: "groups")
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        if request.roomID != 0 { _ = try await registry.room(request.roomID, field: "room_id") }
        var members = Set(request.memberIDs)
        if !request.memberIDs.isEmpty { _ = try await registry.knownMembers(Array(members), field: "member_ids") }
        if !request.groups.isEmpty { members.formUnion(try await registry.resolve(request.groups, term: 0)) }
        let everyone = Array(members)
        let busy = try await database.readSession { db in
            try MeetingStore.busy(db, room: request.roomID, members: everyone, from: request.fromMs, to: request.toMs)
        }
        var response = MeetingV1.FindSlotResponse()
        if let start = SlotFinder.earliest(from: request.fromMs, to: request.toMs, durationMs: Int64(request.durationMinutes) * 60_000, busy: busy) {
            response.found = true
            response.startMs = start
            response.endMs = start + Int64(request.durationMinutes) * 60_000
        }
        return response
    }

    @Sendable func calendar(_ request: MeetingV1.CalendarRequest, _ context: RPCCallContext) async throws -> MeetingV1.CalendarResponse {
        var list = MeetingV1.ListMeetingsRequest()
        list.fromMs = request.fromMs
        list.toMs = request.toMs
        list.pageSize = 500
        let name: String
        switch request.scope {
        case .member:
            guard request.id > 0 else { throw SchedulerError.invalid([("id", "name the member")]) }
            try context.principal.requireMember(request.id, field: "id")
            list.memberID = request.id
            name = "委员 \(request.id) 的会议"
        case .room:
            guard request.id > 0 else { throw SchedulerError.invalid([("id", "name the room")]) }
            list.roomID = request.id
            name = "议事室 \(request.id) 的会议"
        case .committee:
            name = "政协会议"
        default:
            throw SchedulerError.invalid([("scope", "must be member, room or committee")])
        }
        let principal = context.principal
        let meetings = try await database.readSession { [list] db -> [MeetingV1.Meeting] in
            var all: [MeetingV1.Meeting] = []
            var page = list
            repeat {
                let response = try MeetingStore.list(db, page, withDrafts: false)
                all += response.meetings
                page.pageToken = response.nextPageToken
            } while !page.pageToken.isEmpty && all.count < 10_000
            if MeetingVisibility.readsEverything(principal) { return all }
            let invited = try MeetingStore.invitedMeetings(db, member: principal.memberID, among: all.map(\.id))
            return all.compactMap { MeetingVisibility.meeting($0, for: principal, invited: invited.contains($0.id)) }
        }
        var response = MeetingV1.CalendarResponse()
        response.ics = ICalendar.document(meetings, name: name)
        response.events = Int32(meetings.count)
        return response
    }
}
