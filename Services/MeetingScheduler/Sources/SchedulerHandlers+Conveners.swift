import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// A room's own consultation activities (协商议事活动). Besides the office, the member who
/// leads the room — its convener (召集人), the chair of its council (议事会主席) or the head of
/// its work station (站长), as member-registry says at the call — schedules them there,
/// invites the room's members and non-member participants, checks in who came, closes and
/// cancels them, with their own key or through the portal. Nobody else may, and a member
/// never touches any other kind of meeting.
///
/// What a convener does is bounded so that it cannot be turned against other members: the
/// invitations they make are optional (列席: who came counts 参加协商议事活动 in the duty record;
/// nobody is marked absent by a convener), they invite the room's own members only, they
/// record an activity at most `conveners' backdating` days after it was held, and they check
/// in or close only within the activity's times (recording outside them is the office's).
/// The activity keeps who scheduled and who closed it, with the attendance they attested, in
/// its record notes (the office's audit).
extension SchedulerHandlers {
    /// How long after an activity a convener may still record it.
    static let convenerBackdatingMs: Int64 = 7 * 86_400_000

    /// Who runs `meeting` for this call: nil for the office; for a member, the room they lead
    /// that the meeting is an activity of. Anyone else is refused: NOT_FOUND for a draft (as
    /// for an id never used, so its existence does not leak), PERMISSION_DENIED otherwise.
    func runner(of meeting: MeetingV1.Meeting, _ context: RPCCallContext, action: MeetingLifecycle.Action, field: String) async throws -> Int64? {
        let principal = context.principal
        if principal.isOffice { return nil }
        if meeting.kind == .grassroots, meeting.roomID != 0, let member = principal.memberID,
           try await registry.leads(member: member, room: meeting.roomID, field: field) {
            return meeting.roomID
        }
        _ = try MeetingVisibility.require(meeting, knownTo: principal, field: field)
        throw SchedulerError.permissionDenied(
            "\(principal.description) may not \(action.verb) meeting \(meeting.id): the office does; a 协商议事活动 in a room, also the room's convener (召集人, 议事会主席 or 站长)")
    }

    /// As `runner(of:)`, for the meeting with this id.
    func runner(ofMeeting id: Int64, _ context: RPCCallContext, action: MeetingLifecycle.Action, field: String) async throws -> Int64? {
        if context.principal.isOffice { return nil }
        let meeting = try await database.readSession { db in try MeetingStore.load(db, id, field: field) }
        return try await runner(of: meeting, context, action: action, field: field)
    }

    /// Inside the write: the meeting as `runner` (nil: the office) may act on it; a meeting
    /// moved out of the convener's room since they were checked is refused.
    func stillRun(_ db: any SQLSession, _ id: Int64, by runner: Int64?, _ context: RPCCallContext, field: String) throws -> MeetingV1.Meeting {
        let meeting = try MeetingStore.load(db, id, field: field)
        guard let runner else { return try MeetingVisibility.require(meeting, knownTo: context.principal, field: field) }
        guard meeting.kind == .grassroots, meeting.roomID == runner else {
            throw SchedulerError.permissionDenied("meeting \(id) is no longer an activity of room \(runner)")
        }
        return meeting
    }

    /// What a member may schedule: a 协商议事活动 in a room they lead, inviting (by group) that
    /// room's members only, held at most a week ago.
    func requireConvenerMaySchedule(_ meeting: MeetingV1.Meeting, _ context: RPCCallContext) async throws {
        let principal = context.principal
        guard !principal.isOffice else { return }
        guard meeting.kind == .grassroots, meeting.roomID != 0 else {
            throw SchedulerError.permissionDenied("\(principal.description) may schedule only a 协商议事活动 in a room they convene; other meetings are the office's")
        }
        guard let member = principal.memberID, try await registry.leads(member: member, room: meeting.roomID, field: "meeting.room_id") else {
            throw SchedulerError.permissionDenied(
                "\(principal.description) does not convene room \(meeting.roomID): its activities are scheduled by its convener (召集人, 议事会主席 or 站长) or the office")
        }
        var problems: [(String, String)] = []
        for (index, group) in meeting.groups.enumerated() where !(group.kind == .room && group.id == meeting.roomID) {
            problems.append(("meeting.groups[\(index)]", "a convener invites the room's own members (room:\(meeting.roomID)); other groups through the office"))
        }
        if meeting.startMs < Date.nowMs - Self.convenerBackdatingMs {
            problems.append(("meeting.start_ms", "a convener records an activity at most 7 days after it was held; an older one through the office"))
        }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
    }

    /// A convener invites the room's members (and themselves); `members` as the registry has them.
    func requireRoomMembers(_ members: [MemberV1.Member], room: Int64?, _ context: RPCCallContext) throws {
        guard let room else { return }
        let strangers = members.filter { !$0.roomIDs.contains(room) && $0.id != context.principal.memberID }
        guard strangers.isEmpty else {
            throw SchedulerError.permissionDenied(
                "member \(strangers.map { String($0.id) }.joined(separator: ", ")) not assigned to room \(room): a convener invites the room's members and non-member participants; others through the office")
        }
    }

    /// Notes on the activity what its convener did (the office's audit; members do not read notes).
    func noteConvener(_ db: any SQLSession, _ meeting: Int64, runner: Int64?, _ context: RPCCallContext, did what: String) throws {
        guard runner != nil else { return }
        let now = Date.nowMs
        try MeetingStore.addRecordNote(db, meeting, what: what, reason: "as the room's convener",
                                       MeetingRules.recordNote(what, by: context.principal.actor, at: now, reason: "as the room's convener"))
    }

    /// Whether `principal` runs `meeting` as its room's convener (for reading it). Only a
    /// member reading a room's activity asks the registry (or its model); when neither can answer they read
    /// the activity as any member does (a draft not at all).
    func runs(_ meeting: MeetingV1.Meeting, _ principal: Principal) async -> Bool {
        guard !MeetingVisibility.readsEverything(principal), meeting.kind == .grassroots, meeting.roomID != 0,
              let member = principal.memberID else { return false }
        return (try? await registry.leads(member: member, room: meeting.roomID, field: "id")) ?? false
    }
}
