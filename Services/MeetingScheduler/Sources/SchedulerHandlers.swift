import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The scheduler's RPC methods. Mutations run once per request id and append their events
/// in the same transaction; what needs member-registry is asked before the transaction, and
/// everything the transaction decides (conflicts, seats, ordinals) is decided inside it, so
/// concurrent requests cannot both win.
public struct SchedulerHandlers: RPCService {
    let database: ServiceDatabase
    let outbox: EventOutbox
    /// member-registry, through the scheduler's read model of it while that is in step.
    let registry: RegistryDirectory
    /// How long before a meeting's start check-in opens, in milliseconds.
    let checkInOpens: Int64

    /// - Parameter registryModelInStep: whether the read model of the registry (`RegistryModel`,
    ///   fed by the registry's events) may answer now; without it, every question goes to the registry.
    public init(database: ServiceDatabase, outbox: EventOutbox, registry: RegistryClient, checkInOpens: Int64 = MeetingRules.defaultCheckInOpens,
                registryModelInStep: @escaping @Sendable () -> Bool = { false }) {
        self.database = database
        self.outbox = outbox
        self.registry = RegistryDirectory(remote: registry, database: database, inStep: registryModelInStep)
        self.checkInOpens = checkInOpens
    }

    /// Who may call what (docs/ARCHITECTURE.md, "Security"): the calendar is readable by every
    /// authenticated caller; a member registers for open activities and asks leave for
    /// themselves, and runs the activities of a room they convene; everything else is the office's.
    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        p.allow(MethodPermissions.everyone, MeetingV1.Meetings.get.name, MeetingV1.Meetings.list.name, MeetingV1.Meetings.calendar.name,
                MeetingV1.Meetings.listPlan.name)
        // The public (through the portal): published meetings' public fields.
        p.allow([.public], MeetingV1.Meetings.get.name, MeetingV1.Meetings.list.name)
        p.allow(MethodPermissions.office.union([.member]), MeetingV1.Meetings.enroll.name, MeetingV1.Meetings.requestLeave.name)
        // A member runs the 协商议事活动 of a room they convene, and nothing else (the handlers
        // ask the registry: SchedulerHandlers+Conveners).
        p.allow(MethodPermissions.office.union([.member]),
                MeetingV1.Meetings.schedule.name, MeetingV1.Meetings.publish.name, MeetingV1.Meetings.cancel.name,
                MeetingV1.Meetings.invite.name, MeetingV1.Meetings.uninvite.name, MeetingV1.Meetings.checkIn.name,
                MeetingV1.Meetings.close.name)
        p.allow(MethodPermissions.office,
                MeetingV1.Meetings.change.name, MeetingV1.Meetings.setAgenda.name, MeetingV1.Meetings.decideLeave.name,
                MeetingV1.Meetings.findSlot.name, MeetingV1.Meetings.statistics.name,
                MeetingV1.Meetings.numbering.name, MeetingV1.Meetings.decideItem.name, MeetingV1.Meetings.addPlanItem.name)
        // The tracker numbers proposals by the session.
        p.allow(MethodPermissions.officeAndServices, MeetingV1.Meetings.session.name)
        // The events carry what the methods guard (non-public proposals among them): only
        // their consumers, the notifier and the duty record, read them, not every service's key.
        p.allow([.admin], EventV1.Events.since.name)
        p.allow(services: ["notifier", "duty-record"], EventV1.Events.since.name)
        return p
    }

    public func register(into h: inout RPCHandlers) {
        h.register(MeetingV1.Meetings.schedule, mutating: true, schedule)
        h.register(MeetingV1.Meetings.publish, mutating: true, publish)
        h.register(MeetingV1.Meetings.change, mutating: true, change)
        h.register(MeetingV1.Meetings.cancel, mutating: true, cancel)
        h.register(MeetingV1.Meetings.invite, mutating: true, invite)
        h.register(MeetingV1.Meetings.uninvite, mutating: true, uninvite)
        h.register(MeetingV1.Meetings.setAgenda, mutating: true, setAgenda)
        h.register(MeetingV1.Meetings.enroll, mutating: true, enroll)
        h.register(MeetingV1.Meetings.requestLeave, mutating: true, requestLeave)
        h.register(MeetingV1.Meetings.decideLeave, mutating: true, decideLeave)
        h.register(MeetingV1.Meetings.checkIn, mutating: true, checkIn)
        h.register(MeetingV1.Meetings.close, mutating: true, close)
        h.register(MeetingV1.Meetings.decideItem, mutating: true, decideItem)
        h.register(MeetingV1.Meetings.addPlanItem, mutating: true, addPlanItem)
        h.register(MeetingV1.Meetings.listPlan, listPlan)
        h.register(MeetingV1.Meetings.get, get)
        h.register(MeetingV1.Meetings.list, list)
        h.register(MeetingV1.Meetings.findSlot, findSlot)
        h.register(MeetingV1.Meetings.calendar, calendar)
        h.register(MeetingV1.Meetings.statistics) { request, _ in
            if request.toMs != 0 && request.toMs <= request.fromMs { throw SchedulerError.invalid([("to_ms", "must be after from_ms")]) }
            return try await database.readSession { db in try MeetingStatistics.compute(db, from: request.fromMs, to: request.toMs) }
        }
        h.register(MeetingV1.Meetings.numbering, mutating: true, numbering)
        h.register(MeetingV1.Meetings.session) { request, _ in
            let term = try await registry.term(request.term, field: "term").number
            let at = request.atMs == 0 ? Date.nowMs : request.atMs
            return try await database.readSession { db in try MeetingStore.session(db, term: term, at: at) }
        }
    }

    /// Reads the numbered kinds' next numbers in a term, or sets one first.
    @Sendable func numbering(_ request: MeetingV1.NumberingRequest, _ context: RPCCallContext) async throws -> MeetingV1.NumberingResponse {
        if request.kind != .unspecified {
            if !MeetingRules.isNumbered(request.kind) {
                throw SchedulerError.invalid([("kind", "\(request.kind.label) is not numbered; numbered: \(MeetingRules.numberedKinds.map(\.label).joined(separator: ", "))")])
            }
            if !(1...MeetingRules.maxOrdinal).contains(request.next) {
                throw SchedulerError.invalid([("next", "must be between 1 and \(MeetingRules.maxOrdinal)")])
            }
        }
        let term = try await registry.term(request.term, field: "term").number
        return try await database.idempotentSession(context) { db in
            if request.kind != .unspecified { try MeetingStore.setNextOrdinal(db, term: term, kind: request.kind, next: request.next) }
            var response = MeetingV1.NumberingResponse()
            response.term = term
            response.kinds = try MeetingStore.numbering(db, term: term)
            return response
        }.reply
    }

    // MARK: - Shared steps

    /// The registry's copy, read inside a write transaction, cannot tell what the call needs
    /// (a room, term or member it has not heard of, or one it would refuse): the transaction
    /// gives up before writing, and the registry is asked.
    struct RegistryToAsk: Error {}

    /// Runs `write` with nil, in which the transaction reads what it needs of the registry
    /// from the copy (throwing `RegistryToAsk` when the copy cannot tell); if it gave up, asks
    /// the registry (`ask`) and runs `write` again with the answer. The registry's refusal
    /// answers a retried call that had succeeded with its stored reply.
    func withRegistry<Answer, Reply: WireMessage>(_ context: RPCCallContext, as reply: Reply.Type,
                                                  write: (Answer?) async throws -> Reply,
                                                  ask: () async throws -> Answer) async throws -> Reply {
        do {
            return try await write(nil)
        } catch is RegistryToAsk {}
        let answer: Answer
        do {
            answer = try await ask()
        } catch {
            return try await database.storedReply(context, as: Reply.self, orThrow: error)
        }
        return try await write(answer)
    }

    func checkRoom(_ db: any SQLSession, _ meeting: MeetingV1.Meeting, _ context: RPCCallContext) throws {
        let conflicts = try MeetingStore.roomConflicts(db, room: meeting.roomID, start: meeting.startMs, end: meeting.endMs, excluding: meeting.id,
                                                       readBy: context.principal)
        if !conflicts.isEmpty { throw SchedulerError.roomTaken(field: "room_id", roomName: meeting.roomName, conflicts) }
    }

    /// Refuses required members busy elsewhere unless staff give a reason, which is recorded.
    func checkMembers(_ db: any SQLSession, _ meeting: MeetingV1.Meeting, members: [Int64], overrideReason: String, _ context: RPCCallContext) throws -> [MeetingV1.Conflict] {
        let conflicts = try MeetingStore.memberConflicts(db, members: members, start: meeting.startMs, end: meeting.endMs, excluding: meeting.id)
        guard !conflicts.isEmpty else { return [] }
        let reason = overrideReason.trimmingCharacters(in: .whitespaces)
        let involved = Set(conflicts.flatMap(\.memberIDs)).count
        if reason.isEmpty {
            throw SchedulerError.conflict(field: "member_ids", "\(involved) required member(s) are at overlapping meetings; give an override reason to accept", conflicts)
                .saying("有 \(involved) 位须出席的委员在同一时间另有会议；确需如此安排，请写明理由。")
        }
        try MeetingStore.recordOverride(db, meeting: meeting.id, actor: context.principal.actor, reason: reason, conflicts: conflicts)
        return conflicts
    }

    /// Members of the groups, and their registry records for the ones not yet invited.
    func groupMembers(_ groups: [MeetingV1.GroupRef], term: Int32, meeting: Int64) async throws -> ([Int64], [Int64: MemberV1.Member]) {
        guard !groups.isEmpty else { return ([], [:]) }
        let ids = try await registry.resolve(groups, term: term)
        let known = Set(try await database.readSession { db in
            try MeetingStore.invitedMemberIDs(db, meeting: meeting)
        })
        let newcomers = ids.filter { !known.contains($0) }
        var names: [Int64: MemberV1.Member] = [:]
        for chunk in stride(from: 0, to: newcomers.count, by: 1000).map({ Array(newcomers[$0..<min($0 + 1000, newcomers.count)]) }) {
            for member in try await registry.knownMembers(chunk, field: "groups") { names[member.id] = member }
        }
        return (ids, names)
    }

    @discardableResult
    func addMember(_ db: any SQLSession, _ meeting: MeetingV1.Meeting, _ id: Int64, _ member: MemberV1.Member?, fromGroup: Bool, required: Bool) throws -> MeetingV1.Invitee {
        var invitee = MeetingV1.Invitee()
        invitee.meetingID = meeting.id
        invitee.memberID = id
        invitee.name = member?.name ?? "委员 \(id)"
        invitee.organisation = member?.workUnit ?? ""
        invitee.category = .member
        invitee.required = required
        invitee.fromGroup = fromGroup
        invitee.attendance = .invited
        return try MeetingStore.addInvitee(db, invitee)
    }

    /// Seats the first on the waiting list while there is room.
    func promoteWaitlist(_ db: any SQLSession, _ meeting: MeetingV1.Meeting, _ outbox: EventOutbox, _ context: RPCCallContext) throws {
        while true {
            guard try MeetingStore.seated(db, meeting: meeting.id) < Int(meeting.capacity),
                  var next = try MeetingStore.firstWaitlisted(db, meeting: meeting.id) else { return }
            next.attendance = .registered
            next.waitlistPosition = 0
            try MeetingStore.setAttendance(db, next)
            try inviteeEvent(db, outbox, context, DomainEvents.invitationAdded, meeting, next, note: "moved up from the waiting list")
        }
    }

    func changedFields(_ a: MeetingV1.Meeting, _ b: MeetingV1.Meeting) -> [String] {
        var fields: [String] = []
        if a.title != b.title { fields.append("title") }
        if a.startMs != b.startMs { fields.append("start") }
        if a.endMs != b.endMs { fields.append("end") }
        if a.roomID != b.roomID { fields.append("room") }
        if a.venue != b.venue { fields.append("venue") }
        if a.mode != b.mode { fields.append("mode") }
        if a.onlineLink != b.onlineLink { fields.append("online_link") }
        if a.organiser != b.organiser { fields.append("organiser") }
        return fields
    }

    func meetingEvent(_ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, _ type: WireEvent<MeetingV1.MeetingEvent>, _ meeting: MeetingV1.Meeting,
                      changed: [String] = [], reason: String = "", attendance: [MeetingV1.AttendanceRecord] = []) throws {
        var event = MeetingV1.MeetingEvent()
        event.attendance = attendance
        event.meeting = meeting
        event.changedFields = changed
        event.reason = reason.isEmpty ? meeting.cancelReason : reason
        event.memberIDs = try MeetingStore.invitedMemberIDs(db, meeting: meeting.id)
        try outbox.append(type, event, in: db, traceID: context.traceID)
    }

    func inviteeEvent(_ db: any SQLSession, _ outbox: EventOutbox, _ context: RPCCallContext, _ type: WireEvent<MeetingV1.InviteeEvent>, _ meeting: MeetingV1.Meeting,
                      _ invitee: MeetingV1.Invitee, note: String = "") throws {
        var event = MeetingV1.InviteeEvent()
        event.meeting = meeting
        event.invitee = invitee
        event.note = note
        try outbox.append(type, event, in: db, traceID: context.traceID)
    }
}
