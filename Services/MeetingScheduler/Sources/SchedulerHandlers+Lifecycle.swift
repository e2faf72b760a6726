import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Scheduling a meeting, publishing, changing and cancelling it (the lifecycle table decides what each status allows).
extension SchedulerHandlers {
    @Sendable func schedule(_ request: MeetingV1.ScheduleMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.ScheduleMeetingResponse {
        guard var meeting = request.meeting else { throw SchedulerError.invalid([("meeting", RPCError.FieldProblem.missing)]) }
        meeting.title = meeting.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if meeting.mode == .unspecified { meeting.mode = .inPerson }
        let problems = MeetingRules.problems(meeting)
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        let runner = context.principal.isOffice ? nil : meeting.roomID
        do {
            try await requireConvenerMaySchedule(meeting, context)
        } catch {
            // A retry of a call that succeeded (the room changed since, say): its reply stands.
            return try await database.storedReply(context, as: MeetingV1.ScheduleMeetingResponse.self, orThrow: error)
        }
        // The room and term come from the registry's copy inside the transaction when it can
        // tell; otherwise they are asked of the registry, and the transaction runs again with
        // the meeting placed.
        return try await withRegistry(context, as: MeetingV1.ScheduleMeetingResponse.self) { placed in
            try await scheduled(placed ?? meeting, placed: placed != nil, runner: runner, context)
        } ask: {
            var placed = meeting
            try await checkPlace(&placed)
            return placed
        }
    }

    /// Schedules in one transaction a meeting `placed` by `checkPlace`, or, when not, placed
    /// from the registry's copy there (`RegistryToAsk` when the copy cannot tell).
    private func scheduled(_ meeting: MeetingV1.Meeting, placed: Bool, runner: Int64?,
                           _ context: RPCCallContext) async throws -> MeetingV1.ScheduleMeetingResponse {
        try await database.idempotentSession(context, readStoredFirst: false) { [registry] db in
            var ready = meeting
            if !placed {
                guard let place = try registry.modelPlace(db, room: ready.roomID, term: ready.term),
                      Self.fits(&ready, room: place.room, term: place.term) else { throw RegistryToAsk() }
            }
            try Self.checkPlanItem(db, ready)
            if runner != nil, try MeetingStore.upcomingActivities(db, room: ready.roomID, now: Date.nowMs) >= MeetingRules.maxConvenerUpcoming {
                throw SchedulerError.notAllowed(
                    field: "meeting.room_id",
                    "room \(ready.roomID) already has \(MeetingRules.maxConvenerUpcoming) activities not yet held: close or cancel some first, or ask the office")
                .saying("「\(ready.roomName)」已有 \(MeetingRules.maxConvenerUpcoming) 次尚未举行的活动，请先结束或取消其中一些，或请办公室安排。")
            }
            let conflicts = try MeetingStore.roomConflicts(db, room: ready.roomID, start: ready.startMs, end: ready.endMs, excluding: 0,
                                                           readBy: context.principal)
            if !conflicts.isEmpty { throw SchedulerError.roomTaken(field: "meeting.room_id", roomName: ready.roomName, conflicts) }
            let id = try MeetingStore.insert(db, ready)
            try noteConvener(db, id, runner: runner, context, did: "scheduled it")
            var response = MeetingV1.ScheduleMeetingResponse()
            response.meeting = try MeetingStore.inserted(db, id, groups: ready.groups)
            return response
        }.reply
    }

    /// The meeting's room (its name; a capacity it seats) and term (current for 0; the
    /// meeting's days within it), from the registry or its copy; one that does not fit what
    /// the copy says is refused only on the registry's word.
    func checkPlace(_ meeting: inout MeetingV1.Meeting) async throws {
        let place = try await registry.place(room: meeting.roomID, roomField: "meeting.room_id", term: meeting.term, termField: "meeting.term")
        if Self.fits(&meeting, room: place.room, term: place.term) { return }
        let room = meeting.roomID == 0 ? nil : try await registry.remote.room(meeting.roomID, field: "meeting.room_id")
        let term = try await registry.remote.term(meeting.term, field: "meeting.term")
        if Self.fits(&meeting, room: room, term: term) { return }
        if let room, meeting.openRegistration && meeting.capacity > room.capacity {
            throw SchedulerError.invalid([("meeting.capacity", "the room seats \(room.capacity), not \(meeting.capacity)")])
                .saying("「\(room.name)」只能坐 \(room.capacity) 人，容纳人数不能是 \(meeting.capacity)。")
        }
        let day = CommitteeClock.day(meeting.startMs)
        throw SchedulerError.invalid([("meeting.start_ms", "\(day) is outside term \(term.number) (\(term.startDate) to \(term.endDate))")])
            .saying("\(day) 不在第\(term.number)届任期内（\(term.startDate) 至 \(term.endDate)），请另选日期。")
    }

    /// Whether the meeting fits its room (a capacity the room seats) and term (its days
    /// within it: 2020 or 9999 in the fifth term is a typo, not a meeting); if so, the
    /// meeting takes the room's name and the term's number (the current term for 0).
    static func fits(_ meeting: inout MeetingV1.Meeting, room: MemberV1.Room?, term: MemberV1.Term) -> Bool {
        if let room, meeting.openRegistration && meeting.capacity > room.capacity { return false }
        let day = CommitteeClock.day(meeting.startMs)
        guard day >= term.startDate && day <= term.endDate else { return false }
        if let room { meeting.roomName = room.name }
        meeting.term = term.number
        return true
    }

    @Sendable func publish(_ request: MeetingV1.PublishMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.PublishMeetingResponse {
        let runner: Int64?
        do {
            runner = try await self.runner(ofMeeting: request.id, context, action: .publish, field: "id")
        } catch {
            // Already published by this very call, now retried: its reply stands.
            return try await database.storedReply(context, as: MeetingV1.PublishMeetingResponse.self, orThrow: error)
        }
        // A meeting that invites by name is published in one transaction, read nowhere before
        // it. One that invites groups needs their members, which come from the registry's
        // copy or the registry itself, and a transaction waits for neither: the transaction
        // says which groups it found, they are resolved outside it, and it runs again with
        // them (again if the groups changed in between). A retry of an applied call finds its
        // stored reply before any of this.
        var resolved: ResolvedGroups?
        for _ in 0..<3 {
            do {
                return try await published(request, runner: runner, resolved, context)
            } catch let needed as GroupsToResolve {
                let (members, names) = try await groupMembers(needed.groups, term: needed.term, meeting: request.id)
                resolved = ResolvedGroups(groups: needed.groups, members: members, names: names)
            }
        }
        throw RPCError(.aborted, "meeting \(request.id)'s groups changed three times while it was being published; nothing was written, try again")
    }

    /// The groups a meeting invited when it was read, to be resolved outside the transaction.
    struct GroupsToResolve: Error {
        let groups: [MeetingV1.GroupRef]
        let term: Int32
    }

    /// Those groups' members, and what the registry knows of them.
    struct ResolvedGroups: Sendable {
        let groups: [MeetingV1.GroupRef]
        let members: [Int64]
        let names: [Int64: MemberV1.Member]
    }

    /// Publishes in one transaction; throws `GroupsToResolve` when the meeting invites groups
    /// that `resolved` does not hold.
    private func published(_ request: MeetingV1.PublishMeetingRequest, runner: Int64?, _ resolved: ResolvedGroups?,
                           _ context: RPCCallContext) async throws -> MeetingV1.PublishMeetingResponse {
        try await database.idempotentSession(context, readStoredFirst: false) { [outbox] db in
            let stored = try stillRun(db, request.id, by: runner, context, field: "id")
            var meeting = stored
            try MeetingLifecycle.require(.publish, meeting)
            let members: [Int64], names: [Int64: MemberV1.Member]
            if meeting.groups.isEmpty {
                (members, names) = ([], [:])
            } else if let resolved, resolved.groups == meeting.groups {
                (members, names) = (resolved.members, resolved.names)
            } else {
                throw GroupsToResolve(groups: meeting.groups, term: meeting.term)
            }
            try checkRoom(db, meeting, context)
            for id in try MeetingStore.notYetInvited(db, meeting: meeting.id, members) {
                try addMember(db, meeting, id, names[id], fromGroup: true, required: runner == nil && !meeting.openRegistration)
            }
            try noteConvener(db, meeting.id, runner: runner, context, did: "published it")
            let overridden = try checkMembers(db, meeting, members: MeetingStore.requiredMemberIDs(db, meeting: meeting.id), overrideReason: request.overrideReason, context)
            meeting.status = .published
            if MeetingRules.isNumbered(meeting.kind) { meeting.ordinal = try MeetingStore.nextOrdinal(db, term: meeting.term, kind: meeting.kind) }
            meeting.publishedAtMs = Date.nowMs
            meeting = try MeetingStore.save(db, meeting, stored: stored)
            try meetingEvent(db, outbox, context, DomainEvents.meetingPublished, meeting, reason: request.overrideReason)
            var response = MeetingV1.PublishMeetingResponse()
            response.meeting = meeting
            response.overridden = overridden
            return response
        }.reply
    }

    @Sendable func change(_ request: MeetingV1.ChangeMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.ChangeMeetingResponse {
        if let stored = try await database.storedReply(context, as: MeetingV1.ChangeMeetingResponse.self) { return stored }
        let before = try await database.readSession { db in try MeetingStore.load(db, request.id) }
        try MeetingLifecycle.require(.change, before)
        var proposed = before
        if !request.title.isEmpty { proposed.title = request.title.trimmingCharacters(in: .whitespacesAndNewlines) }
        if request.startMs != 0 { proposed.startMs = request.startMs }
        if request.endMs != 0 { proposed.endMs = request.endMs }
        if request.roomID == -1 { proposed.roomID = 0; proposed.roomName = "" }
        if request.roomID > 0 && request.roomID != before.roomID {
            proposed.roomID = request.roomID
            proposed.roomName = try await registry.room(request.roomID, field: "room_id").name
        }
        if !request.venue.isEmpty { proposed.venue = request.venue }
        if request.mode != .unspecified { proposed.mode = request.mode }
        if !request.onlineLink.isEmpty { proposed.onlineLink = request.onlineLink }
        if !request.organiser.isEmpty { proposed.organiser = request.organiser }
        if request.replaceGroups { proposed.groups = request.groups }
        let problems = MeetingRules.problems(proposed, prefix: "")
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        var newcomers: [Int64] = []
        var names: [Int64: MemberV1.Member] = [:]
        var groupMembers = Set<Int64>()
        if request.replaceGroups && before.status == .published {
            (newcomers, names) = try await self.groupMembers(proposed.groups, term: proposed.term, meeting: proposed.id)
            groupMembers = Set(try await registry.resolve(proposed.groups, term: proposed.term))
        }
        let changed = changedFields(before, proposed)
        let groupsChanged = request.replaceGroups && before.status == .published
        return try await database.idempotentSession(context) { [outbox, proposed, newcomers, names, groupMembers] db in
            var meeting = try MeetingStore.load(db, request.id)
            try MeetingLifecycle.require(.change, meeting)
            let lengthMinutes = (proposed.endMs - proposed.startMs) / 60_000
            let agenda = MeetingRules.agendaProblems(meeting.agenda, meetingMinutes: lengthMinutes)
            if let problem = agenda.first(where: { $0.field == "items" }) {
                throw SchedulerError.invalid([("end_ms", "the agenda (\(problem.problem)) no longer fits")])
            }
            meeting.title = proposed.title
            meeting.startMs = proposed.startMs
            meeting.endMs = proposed.endMs
            meeting.roomID = proposed.roomID
            meeting.roomName = proposed.roomName
            meeting.venue = proposed.venue
            meeting.mode = proposed.mode
            meeting.onlineLink = proposed.onlineLink
            meeting.organiser = proposed.organiser
            try checkRoom(db, meeting, context)
            var added: [MeetingV1.Invitee] = []
            var removed: [MeetingV1.Invitee] = []
            if request.replaceGroups {
                try MeetingStore.setGroups(db, meeting.id, proposed.groups)
                meeting.groups = proposed.groups
            }
            if groupsChanged {
                for id in try MeetingStore.notYetInvited(db, meeting: meeting.id, newcomers) {
                    added.append(try addMember(db, meeting, id, names[id], fromGroup: true, required: !meeting.openRegistration))
                }
                for invitee in try MeetingStore.invitees(db, meeting.id)
                where invitee.fromGroup && !groupMembers.contains(invitee.memberID) && invitee.attendance != .checkedIn {
                    try MeetingStore.removeInvitee(db, id: invitee.id)
                    removed.append(invitee)
                }
            }
            let overridden = try checkMembers(db, meeting, members: MeetingStore.requiredMemberIDs(db, meeting: meeting.id), overrideReason: request.overrideReason, context)
            if meeting.status == .published && (!changed.isEmpty || groupsChanged) { meeting.sequence += 1 }
            meeting = try MeetingStore.save(db, meeting)
            if meeting.status == .published {
                if !changed.isEmpty {
                    try meetingEvent(db, outbox, context, DomainEvents.meetingChanged, meeting, changed: changed, reason: request.overrideReason)
                }
                for invitee in added { try inviteeEvent(db, outbox, context, DomainEvents.invitationAdded, meeting, invitee) }
                for invitee in removed { try inviteeEvent(db, outbox, context, DomainEvents.invitationRemoved, meeting, invitee) }
            }
            var response = MeetingV1.ChangeMeetingResponse()
            response.meeting = meeting
            response.changedFields = changed + (groupsChanged ? ["groups"] : [])
            response.overridden = overridden
            return response
        }.reply
    }

    @Sendable func cancel(_ request: MeetingV1.CancelMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.CancelMeetingResponse {
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { throw SchedulerError.invalid([("reason", "must say why the meeting is cancelled")]) }
        let runner = try await runner(ofMeeting: request.id, context, action: .cancel, field: "id")
        return try await database.idempotentSession(context) { [outbox] db in
            var meeting = try stillRun(db, request.id, by: runner, context, field: "id")
            try MeetingLifecycle.require(.cancel, meeting)
            let wasPublished = meeting.status == .published
            meeting.status = .cancelled
            meeting.cancelReason = reason
            if wasPublished { meeting.sequence += 1 }
            try noteConvener(db, meeting.id, runner: runner, context, did: "cancelled it")
            meeting = try MeetingStore.save(db, meeting)
            if wasPublished { try meetingEvent(db, outbox, context, DomainEvents.meetingCancelled, meeting, reason: reason) }
            var response = MeetingV1.CancelMeetingResponse()
            response.meeting = meeting
            return response
        }.reply
    }
}
