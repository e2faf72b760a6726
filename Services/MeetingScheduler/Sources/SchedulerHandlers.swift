import Foundation
import GRDB
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// The scheduler's RPC methods. Mutations run once per request id and append their events
/// in the same transaction; what needs member-registry is asked before the transaction, and
/// everything the transaction decides (conflicts, seats, ordinals) is decided inside it, so
/// concurrent requests cannot both win.
public struct SchedulerHandlers: Sendable {
    let database: ServiceDatabase
    let outbox: EventOutbox
    let registry: RegistryLink

    public init(database: ServiceDatabase, outbox: EventOutbox, registry: RegistryLink) {
        self.database = database
        self.outbox = outbox
        self.registry = registry
    }

    /// Who may call what (docs/ARCHITECTURE.md, "Security"): the calendar is readable by every
    /// authenticated caller; a member registers for open activities and asks leave for
    /// themselves; everything else is the office's.
    public static var permissions: MethodPermissions {
        var p = MethodPermissions()
        p.allow(MethodPermissions.everyone, MeetingV1.Meetings.get.name, MeetingV1.Meetings.list.name, MeetingV1.Meetings.calendar.name)
        p.allow(MethodPermissions.office.union([.member]), MeetingV1.Meetings.enroll.name, MeetingV1.Meetings.requestLeave.name)
        p.allow(MethodPermissions.office,
                MeetingV1.Meetings.schedule.name, MeetingV1.Meetings.publish.name, MeetingV1.Meetings.change.name,
                MeetingV1.Meetings.cancel.name, MeetingV1.Meetings.invite.name, MeetingV1.Meetings.uninvite.name,
                MeetingV1.Meetings.setAgenda.name, MeetingV1.Meetings.decideLeave.name, MeetingV1.Meetings.checkIn.name,
                MeetingV1.Meetings.close.name, MeetingV1.Meetings.findSlot.name, MeetingV1.Meetings.statistics.name)
        // The events carry what the methods guard (non-public proposals among them): only
        // their consumer, the notifier, reads them, not every service's key.
        p.allow([.admin], EventV1.Events.since.name)
        p.allow(services: ["notifier"], EventV1.Events.since.name)
        return p
    }

    public func make() -> RPCHandlers {
        var h = RPCHandlers()
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
        h.register(MeetingV1.Meetings.get, get)
        h.register(MeetingV1.Meetings.list, list)
        h.register(MeetingV1.Meetings.findSlot, findSlot)
        h.register(MeetingV1.Meetings.calendar, calendar)
        h.register(MeetingV1.Meetings.statistics) { request, _ in
            if request.toMs != 0 && request.toMs <= request.fromMs { throw SchedulerError.invalid([("to_ms", "must be after from_ms")]) }
            return try await database.writer.read { db in try MeetingStatistics.compute(db, from: request.fromMs, to: request.toMs) }
        }
        return h
    }

    // MARK: - Schedule, publish, change, cancel

    @Sendable func schedule(_ request: MeetingV1.ScheduleMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.ScheduleMeetingResponse {
        guard var meeting = request.meeting else { throw SchedulerError.invalid([("meeting", "is required")]) }
        meeting.title = meeting.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if meeting.mode == .unspecified { meeting.mode = .inPerson }
        let problems = MeetingRules.problems(meeting)
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        if let stored = try await database.storedReply(context, as: MeetingV1.ScheduleMeetingResponse.self) { return stored }
        if meeting.roomID != 0 {
            let room = try await registry.room(meeting.roomID, field: "meeting.room_id")
            meeting.roomName = room.name
            if meeting.openRegistration && meeting.capacity > room.capacity {
                throw SchedulerError.invalid([("meeting.capacity", "the room seats \(room.capacity), not \(meeting.capacity)")])
            }
        }
        let term = try await registry.term(meeting.term, field: "meeting.term")
        meeting.term = term.number
        // A meeting of a term is held during it (its days in the committee's time zone):
        // 2020 or 9999 in the fifth term is a typo, not a meeting.
        let day = String(Times.format(meeting.startMs).prefix(10))
        if day < term.startDate || day > term.endDate {
            throw SchedulerError.invalid([("meeting.start_ms", "\(day) is outside term \(term.number) (\(term.startDate) to \(term.endDate))")])
        }
        let ready = meeting
        return try await database.idempotent(context) { db in
            let conflicts = try MeetingStore.roomConflicts(db, room: ready.roomID, start: ready.startMs, end: ready.endMs, excluding: 0)
            if let first = conflicts.first {
                throw SchedulerError.conflict(field: "meeting.room_id", "\(ready.roomName) is taken by meeting \(first.meetingID) \(first.meetingTitle) (\(Times.range(first.startMs, first.endMs)))", conflicts)
            }
            let id = try MeetingStore.insert(db, ready)
            var response = MeetingV1.ScheduleMeetingResponse()
            response.meeting = try MeetingStore.load(db, id)
            return response
        }.reply
    }

    @Sendable func publish(_ request: MeetingV1.PublishMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.PublishMeetingResponse {
        if let stored = try await database.storedReply(context, as: MeetingV1.PublishMeetingResponse.self) { return stored }
        let before = try await database.writer.read { db in try MeetingStore.load(db, request.id) }
        try MeetingLifecycle.require(.publish, before)
        let (newcomers, names) = try await groupMembers(before.groups, term: before.term, meeting: before.id)
        return try await database.idempotent(context) { [outbox] db in
            var meeting = try MeetingStore.load(db, request.id)
            try MeetingLifecycle.require(.publish, meeting)
            try checkRoom(db, meeting)
            for id in newcomers where try MeetingStore.invitee(db, meeting: meeting.id, member: id) == nil {
                try addMember(db, meeting, id, names[id], fromGroup: true, required: !meeting.openRegistration)
            }
            let overridden = try checkMembers(db, meeting, members: requiredMembers(db, meeting.id), overrideReason: request.overrideReason, context)
            meeting.status = .published
            meeting.ordinal = try MeetingStore.nextOrdinal(db, term: meeting.term, kind: meeting.kind)
            meeting.publishedAtMs = Date.nowMs
            try MeetingStore.save(db, meeting)
            try MeetingStore.refreshBusy(db, meeting.id)
            meeting = try MeetingStore.load(db, meeting.id)
            try meetingEvent(db, outbox, context, "meeting.published", meeting, reason: request.overrideReason)
            var response = MeetingV1.PublishMeetingResponse()
            response.meeting = meeting
            response.overridden = overridden
            return response
        }.reply
    }

    @Sendable func change(_ request: MeetingV1.ChangeMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.ChangeMeetingResponse {
        if let stored = try await database.storedReply(context, as: MeetingV1.ChangeMeetingResponse.self) { return stored }
        let before = try await database.writer.read { db in try MeetingStore.load(db, request.id) }
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
        return try await database.idempotent(context) { [outbox, proposed, newcomers, names, groupMembers] db in
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
            try checkRoom(db, meeting)
            var added: [MeetingV1.Invitee] = []
            var removed: [MeetingV1.Invitee] = []
            if request.replaceGroups {
                try MeetingStore.setGroups(db, meeting.id, proposed.groups)
            }
            if groupsChanged {
                for id in newcomers where try MeetingStore.invitee(db, meeting: meeting.id, member: id) == nil {
                    added.append(try addMember(db, meeting, id, names[id], fromGroup: true, required: !meeting.openRegistration))
                }
                for invitee in try MeetingStore.invitees(db, meeting.id)
                where invitee.fromGroup && !groupMembers.contains(invitee.memberID) && invitee.attendance != .checkedIn {
                    try db.execute(sql: "DELETE FROM invitees WHERE id = ?", arguments: [invitee.id])
                    removed.append(invitee)
                }
            }
            let overridden = try checkMembers(db, meeting, members: requiredMembers(db, meeting.id), overrideReason: request.overrideReason, context)
            if meeting.status == .published && (!changed.isEmpty || groupsChanged) { meeting.sequence += 1 }
            try MeetingStore.save(db, meeting)
            try MeetingStore.refreshBusy(db, meeting.id)
            meeting = try MeetingStore.load(db, meeting.id)
            if meeting.status == .published {
                if !changed.isEmpty {
                    try meetingEvent(db, outbox, context, "meeting.changed", meeting, changed: changed, reason: request.overrideReason)
                }
                for invitee in added { try inviteeEvent(db, outbox, context, "invitation.added", meeting, invitee) }
                for invitee in removed { try inviteeEvent(db, outbox, context, "invitation.removed", meeting, invitee) }
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
        return try await database.idempotent(context) { [outbox] db in
            var meeting = try MeetingStore.load(db, request.id)
            try MeetingLifecycle.require(.cancel, meeting)
            let wasPublished = meeting.status == .published
            meeting.status = .cancelled
            meeting.cancelReason = reason
            if wasPublished { meeting.sequence += 1 }
            try MeetingStore.save(db, meeting)
            try MeetingStore.refreshBusy(db, meeting.id)
            meeting = try MeetingStore.load(db, meeting.id)
            if wasPublished { try meetingEvent(db, outbox, context, "meeting.cancelled", meeting, reason: reason) }
            var response = MeetingV1.CancelMeetingResponse()
            response.meeting = meeting
            return response
        }.reply
    }

    // MARK: - Invitations and the agenda

    @Sendable func invite(_ request: MeetingV1.InviteRequest, _ context: RPCCallContext) async throws -> MeetingV1.InviteResponse {
        var problems: [(String, String)] = []
        if request.memberIDs.isEmpty && request.participants.isEmpty { problems.append(("member_ids", "name at least one member or participant")) }
        for (index, p) in request.participants.enumerated() {
            if p.name.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("participants[\(index)].name", "must not be empty")) }
            switch p.category {
            case .stakeholder, .residentRepresentative, .departmentOfficial, .deputy: break
            default: problems.append(("participants[\(index)].category", "must be stakeholder, resident, official or deputy"))
            }
        }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        if let stored = try await database.storedReply(context, as: MeetingV1.InviteResponse.self) { return stored }
        let members = try await registry.members(Array(Set(request.memberIDs)).sorted(), field: "member_ids")
        return try await database.idempotent(context) { [outbox, members] db in
            let meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            try MeetingLifecycle.require(.invite, meeting)
            var added: [MeetingV1.Invitee] = []
            for member in members where try MeetingStore.invitee(db, meeting: meeting.id, member: member.id) == nil {
                added.append(try addMember(db, meeting, member.id, member, fromGroup: false,
                                           required: !request.optional && !meeting.openRegistration))
            }
            for p in request.participants {
                var invitee = MeetingV1.Invitee()
                invitee.meetingID = meeting.id
                invitee.name = p.name.trimmingCharacters(in: .whitespaces)
                invitee.organisation = p.organisation
                invitee.category = p.category
                invitee.required = !request.optional
                invitee.attendance = .invited
                added.append(try MeetingStore.addInvitee(db, invitee))
            }
            let required = added.filter { $0.required && $0.memberID != 0 }.map(\.memberID)
            let overridden = try checkMembers(db, meeting, members: required, overrideReason: request.overrideReason, context)
            try MeetingStore.refreshBusy(db, meeting.id)
            if meeting.status == .published {
                for invitee in added { try inviteeEvent(db, outbox, context, "invitation.added", meeting, invitee) }
            }
            var response = MeetingV1.InviteResponse()
            response.invitees = added
            response.overridden = overridden
            return response
        }.reply
    }

    @Sendable func uninvite(_ request: MeetingV1.UninviteRequest, _ context: RPCCallContext) async throws -> MeetingV1.UninviteResponse {
        if request.inviteeIDs.isEmpty { throw SchedulerError.invalid([("invitee_ids", "name at least one invitee")]) }
        return try await database.idempotent(context) { [outbox] db in
            let meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            try MeetingLifecycle.require(.uninvite, meeting)
            var removed: [MeetingV1.Invitee] = []
            for id in Set(request.inviteeIDs).sorted() {
                let invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: id, field: "invitee_ids")
                if invitee.attendance == .checkedIn {
                    throw SchedulerError.failedPrecondition(field: "invitee_ids", "invitee \(id) \(invitee.name) has already checked in")
                }
                try db.execute(sql: "DELETE FROM invitees WHERE id = ?", arguments: [id])
                removed.append(invitee)
            }
            if meeting.openRegistration { try promoteWaitlist(db, meeting, outbox, context) }
            try MeetingStore.refreshBusy(db, meeting.id)
            if meeting.status == .published {
                for invitee in removed { try inviteeEvent(db, outbox, context, "invitation.removed", meeting, invitee) }
            }
            var response = MeetingV1.UninviteResponse()
            response.removed = Int32(removed.count)
            return response
        }.reply
    }

    @Sendable func setAgenda(_ request: MeetingV1.SetAgendaRequest, _ context: RPCCallContext) async throws -> MeetingV1.SetAgendaResponse {
        try await database.idempotent(context) { [outbox] db in
            var meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            try MeetingLifecycle.require(.setAgenda, meeting)
            let problems = MeetingRules.agendaProblems(request.items, meetingMinutes: (meeting.endMs - meeting.startMs) / 60_000)
            if !problems.isEmpty { throw SchedulerError.invalid(problems) }
            try MeetingStore.setAgenda(db, meeting.id, request.items.map {
                var item = $0
                item.title = item.title.trimmingCharacters(in: .whitespaces)
                return item
            })
            if meeting.status == .published {
                meeting.sequence += 1
                try MeetingStore.save(db, meeting)
            }
            meeting = try MeetingStore.load(db, meeting.id)
            if meeting.status == .published { try meetingEvent(db, outbox, context, "meeting.changed", meeting, changed: ["agenda"]) }
            var response = MeetingV1.SetAgendaResponse()
            response.meeting = meeting
            return response
        }.reply
    }

    // MARK: - Attendance

    @Sendable func enroll(_ request: MeetingV1.EnrollRequest, _ context: RPCCallContext) async throws -> MeetingV1.EnrollResponse {
        try context.principal.requireMember(request.memberID, field: "member_id")
        if let stored = try await database.storedReply(context, as: MeetingV1.EnrollResponse.self) { return stored }
        let member = try await registry.members([request.memberID], field: "member_id")[0]
        return try await database.idempotent(context) { [outbox] db in
            let meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            guard meeting.openRegistration else {
                throw SchedulerError.failedPrecondition(field: "meeting_id", "meeting \(meeting.id) takes invitations, not registrations")
            }
            try MeetingLifecycle.require(.enroll, meeting)
            var invitee = try MeetingStore.invitee(db, meeting: meeting.id, member: member.id)
            if request.withdraw {
                guard var current = invitee, [.registered, .waitlisted, .invited].contains(current.attendance) else {
                    throw SchedulerError.failedPrecondition(field: "member_id", "member \(member.id) has no place to give up")
                }
                current.attendance = .withdrawn
                current.waitlistPosition = 0
                try MeetingStore.setAttendance(db, current)
                try promoteWaitlist(db, meeting, outbox, context)
                try inviteeEvent(db, outbox, context, "invitation.removed", meeting, current, note: "withdrew")
                var response = MeetingV1.EnrollResponse()
                response.invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: current.id)
                return response
            }
            if let current = invitee, [.registered, .waitlisted, .checkedIn].contains(current.attendance) {
                throw SchedulerError.failedPrecondition(field: "member_id", "member \(member.id) is already \(current.attendance.label)")
            }
            let seated = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invitees WHERE meeting_id = ? AND attendance IN (?, ?)",
                                          arguments: [meeting.id, MeetingV1.Attendance.registered.rawValue, MeetingV1.Attendance.checkedIn.rawValue]) ?? 0
            let nextWait = (try Int32.fetchOne(db, sql: "SELECT COALESCE(MAX(waitlist_position), 0) FROM invitees WHERE meeting_id = ?", arguments: [meeting.id]) ?? 0) + 1
            if invitee == nil {
                invitee = try addMember(db, meeting, member.id, member, fromGroup: false, required: false)
            }
            var current = invitee!
            if seated < Int(meeting.capacity) {
                current.attendance = .registered
                current.waitlistPosition = 0
            } else {
                current.attendance = .waitlisted
                current.waitlistPosition = nextWait
            }
            try MeetingStore.setAttendance(db, current)
            current = try MeetingStore.invitee(db, meeting: meeting.id, id: current.id)
            try inviteeEvent(db, outbox, context, "invitation.added", meeting, current, note: current.attendance.identifier)
            var response = MeetingV1.EnrollResponse()
            response.invitee = current
            return response
        }.reply
    }

    @Sendable func requestLeave(_ request: MeetingV1.RequestLeaveRequest, _ context: RPCCallContext) async throws -> MeetingV1.RequestLeaveResponse {
        var problems: [(String, String)] = []
        switch request.type {
        case .businessTrip, .abroad, .illness, .officialDuty, .other: break
        default: problems.append(("type", "must be one of \(MeetingV1.LeaveType.spellings)"))
        }
        if request.reason.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("reason", "must say why")) }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        return try await database.idempotent(context) { [outbox] db in
            let meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            try MeetingLifecycle.require(.requestLeave, meeting)
            var invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: request.inviteeID)
            try context.principal.requireMember(invitee.memberID, field: "invitee_id")
            guard [.invited, .registered].contains(invitee.attendance) else {
                throw SchedulerError.failedPrecondition(field: "invitee_id", "invitee \(invitee.id) \(invitee.name) is \(invitee.attendance.label)")
            }
            invitee.attendance = .leaveRequested
            invitee.leaveType = request.type
            invitee.leaveReason = request.reason.trimmingCharacters(in: .whitespaces)
            try MeetingStore.setAttendance(db, invitee)
            invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: invitee.id)
            try inviteeEvent(db, outbox, context, "leave.requested", meeting, invitee)
            var response = MeetingV1.RequestLeaveResponse()
            response.invitee = invitee
            return response
        }.reply
    }

    @Sendable func decideLeave(_ request: MeetingV1.DecideLeaveRequest, _ context: RPCCallContext) async throws -> MeetingV1.DecideLeaveResponse {
        try await database.idempotent(context) { [outbox] db in
            let meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            try MeetingLifecycle.require(.decideLeave, meeting)
            var invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: request.inviteeID)
            guard invitee.attendance == .leaveRequested else {
                throw SchedulerError.failedPrecondition(field: "invitee_id", "invitee \(invitee.id) \(invitee.name) has not asked for leave")
            }
            invitee.attendance = request.approve ? .leaveApproved : (meeting.openRegistration ? .registered : .invited)
            try MeetingStore.setAttendance(db, invitee)
            try MeetingStore.refreshBusy(db, meeting.id)
            invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: invitee.id)
            try inviteeEvent(db, outbox, context, "leave.decided", meeting, invitee, note: request.approve ? "approved" : "rejected: \(request.note)")
            var response = MeetingV1.DecideLeaveResponse()
            response.invitee = invitee
            return response
        }.reply
    }

    @Sendable func checkIn(_ request: MeetingV1.CheckInRequest, _ context: RPCCallContext) async throws -> MeetingV1.CheckInResponse {
        if (request.inviteeID == 0) == request.code.isEmpty {
            throw SchedulerError.invalid([("invitee_id", "give either the invitee's id (staff) or the invitee's code")])
        }
        return try await database.idempotent(context) { db in
            let meeting = try MeetingStore.load(db, request.meetingID, field: "meeting_id", visibleTo: context.principal)
            try MeetingLifecycle.require(.checkIn, meeting)
            var invitee: MeetingV1.Invitee
            if request.inviteeID != 0 {
                invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: request.inviteeID)
            } else {
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM invitees WHERE meeting_id = ? AND check_in_code = ?",
                                                 arguments: [meeting.id, request.code]) else {
                    throw SchedulerError.notFound(field: "code", what: "an invitee of meeting \(meeting.id) with this code")
                }
                invitee = MeetingStore.invitee(row)
            }
            switch invitee.attendance {
            case .checkedIn:
                throw SchedulerError.failedPrecondition(field: "invitee_id", "\(invitee.name) checked in at \(Times.format(invitee.checkedInAtMs))")
            case .waitlisted, .withdrawn:
                throw SchedulerError.failedPrecondition(field: "invitee_id", "\(invitee.name) is \(invitee.attendance.label), without a seat")
            default: break
            }
            invitee.attendance = .checkedIn
            invitee.checkedInAtMs = Date.nowMs
            try MeetingStore.setAttendance(db, invitee)
            var response = MeetingV1.CheckInResponse()
            response.invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: invitee.id)
            return response
        }.reply
    }

    @Sendable func close(_ request: MeetingV1.CloseMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.CloseMeetingResponse {
        try await database.idempotent(context) { [outbox] db in
            var meeting = try MeetingStore.load(db, request.id)
            try MeetingLifecycle.require(.close, meeting)
            var invitees = try MeetingStore.invitees(db, meeting.id)
            for index in invitees.indices where [.invited, .registered, .leaveRequested].contains(invitees[index].attendance) {
                invitees[index].attendance = .absent
                try MeetingStore.setAttendance(db, invitees[index])
            }
            meeting.status = .closed
            meeting.minutes = request.minutes
            meeting.outcomes = request.outcomes
            meeting.attendanceRate = MeetingRules.attendanceRate(invitees)
            try MeetingStore.save(db, meeting)
            try MeetingStore.refreshBusy(db, meeting.id)
            meeting = try MeetingStore.load(db, meeting.id)
            try meetingEvent(db, outbox, context, "meeting.closed", meeting)
            var response = MeetingV1.CloseMeetingResponse()
            response.meeting = meeting
            response.present = Int32(invitees.filter { $0.attendance == .checkedIn }.count)
            response.onLeave = Int32(invitees.filter { $0.attendance == .leaveApproved }.count)
            response.absent = Int32(invitees.filter { $0.attendance == .absent }.count)
            return response
        }.reply
    }

    // MARK: - Reads

    @Sendable func get(_ request: MeetingV1.GetMeetingRequest, _ context: RPCCallContext) async throws -> MeetingV1.GetMeetingResponse {
        let principal = context.principal
        return try await database.writer.read { db in
            let meeting = try MeetingStore.load(db, request.id, visibleTo: principal)
            let invitees = try MeetingStore.invitees(db, request.id)
            let invited = principal.memberID.map { member in invitees.contains { $0.memberID == member } } ?? false
            var response = MeetingV1.GetMeetingResponse()
            response.meeting = MeetingVisibility.meeting(meeting, for: principal, invited: invited)
            response.invitees = MeetingVisibility.invitees(invitees, for: principal)
            return response
        }
    }

    @Sendable func list(_ request: MeetingV1.ListMeetingsRequest, _ context: RPCCallContext) async throws -> MeetingV1.ListMeetingsResponse {
        var problems: [(String, String)] = []
        if request.pageSize < 0 || request.pageSize > 500 { problems.append(("page_size", "must be between 1 and 500")) }
        if request.toMs != 0 && request.toMs <= request.fromMs { problems.append(("to_ms", "must be after from_ms")) }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        let principal = context.principal
        try Self.requireOwnSchedule(request.memberID, principal, field: "member_id")
        return try await database.writer.read { db in
            let everything = MeetingVisibility.readsEverything(principal)
            var response = try MeetingStore.list(db, request, withDrafts: everything)
            if !everything {
                let invited = try MeetingStore.invitedMeetings(db, member: principal.memberID, among: response.meetings.map(\.id))
                response.meetings = response.meetings.compactMap {
                    MeetingVisibility.meeting($0, for: principal, invited: invited.contains($0.id))
                }
            }
            return response
        }
    }

    /// A member reads their own schedule, not another member's (who is invited where is
    /// the office's); a unit reads nobody's.
    static func requireOwnSchedule(_ member: Int64, _ principal: Principal, field: String) throws {
        guard member != 0, !MeetingVisibility.readsEverything(principal) else { return }
        if principal.memberID == member { return }
        throw RPCError(.permissionDenied, "\(principal) may read only \(principal.memberID.map { "member \($0)'s (their own)" } ?? "no member's") schedule, not member \(member)'s",
                       violations: [Self.violation(field, "not your own schedule")])
    }

    static func violation(_ field: String, _ text: String) -> RpcV1.FieldViolation {
        var violation = RpcV1.FieldViolation()
        violation.field = field
        violation.description = text
        return violation
    }

    @Sendable func findSlot(_ request: MeetingV1.FindSlotRequest, _ context: RPCCallContext) async throws -> MeetingV1.FindSlotResponse {
        // A window, not a meeting: it may span up to a year (the 14-day rule is a meeting's).
        var problems: [(String, String)] = []
        if request.fromMs == 0 { problems.append(("from_ms", "is required")) }
        else if request.fromMs < MeetingRules.earliestMs || request.fromMs >= MeetingRules.latestMs {
            problems.append(("from_ms", "must be in the years 2000 to 2099"))
        } else if request.toMs <= request.fromMs { problems.append(("to_ms", "must be after from_ms")) }
        else if request.toMs - request.fromMs > 366 * 24 * 3_600_000 { problems.append(("to_ms", "search at most a year")) }
        let longest = Times.workingBlocks.map { $0.end - $0.start }.max() ?? 0
        if request.durationMinutes <= 0 { problems.append(("duration_minutes", "must be at least 1")) }
        else if Int(request.durationMinutes) > longest { problems.append(("duration_minutes", "must fit in working hours (at most \(longest) minutes)")) }
        problems += MeetingRules.groupProblems(request.groups, prefix: "groups")
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        if request.roomID != 0 { _ = try await registry.room(request.roomID, field: "room_id") }
        var members = Set(request.memberIDs)
        if !request.memberIDs.isEmpty { _ = try await registry.members(Array(members), field: "member_ids") }
        if !request.groups.isEmpty { members.formUnion(try await registry.resolve(request.groups, term: 0)) }
        let everyone = Array(members)
        let busy = try await database.writer.read { db in
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
            try Self.requireOwnSchedule(request.id, context.principal, field: "id")
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
        let meetings = try await database.writer.read { [list] db -> [MeetingV1.Meeting] in
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

    // MARK: - Shared steps

    func checkRoom(_ db: Database, _ meeting: MeetingV1.Meeting) throws {
        let conflicts = try MeetingStore.roomConflicts(db, room: meeting.roomID, start: meeting.startMs, end: meeting.endMs, excluding: meeting.id)
        if let first = conflicts.first {
            throw SchedulerError.conflict(field: "room_id", "\(meeting.roomName) is taken by meeting \(first.meetingID) \(first.meetingTitle) (\(Times.range(first.startMs, first.endMs)))", conflicts)
        }
    }

    /// Refuses required members busy elsewhere unless staff give a reason, which is recorded.
    func checkMembers(_ db: Database, _ meeting: MeetingV1.Meeting, members: [Int64], overrideReason: String, _ context: RPCCallContext) throws -> [MeetingV1.Conflict] {
        let conflicts = try MeetingStore.memberConflicts(db, members: members, start: meeting.startMs, end: meeting.endMs, excluding: meeting.id)
        guard !conflicts.isEmpty else { return [] }
        let reason = overrideReason.trimmingCharacters(in: .whitespaces)
        let involved = Set(conflicts.flatMap(\.memberIDs)).count
        if reason.isEmpty {
            throw SchedulerError.conflict(field: "member_ids", "\(involved) required member(s) are at overlapping meetings; give an override reason to accept", conflicts)
        }
        let json = conflicts.map { "\($0.meetingID):\($0.memberIDs.map(String.init).joined(separator: ","))" }.joined(separator: ";")
        try db.execute(sql: "INSERT INTO conflict_overrides (meeting_id, at_ms, actor, reason, conflicts) VALUES (?, ?, ?, ?, ?)",
                       arguments: [meeting.id, Date.nowMs, context.principal.description, reason, json])
        return conflicts
    }

    func requiredMembers(_ db: Database, _ meeting: Int64) throws -> [Int64] {
        try Int64.fetchAll(db, sql: """
            SELECT member_id FROM invitees WHERE meeting_id = ? AND member_id != 0 AND required = 1
              AND attendance NOT IN (\(MeetingV1.Attendance.leaveApproved.rawValue), \(MeetingV1.Attendance.withdrawn.rawValue))
            """, arguments: [meeting])
    }

    /// Members of the groups, and their registry records for the ones not yet invited.
    func groupMembers(_ groups: [MeetingV1.GroupRef], term: Int32, meeting: Int64) async throws -> ([Int64], [Int64: MemberV1.Member]) {
        guard !groups.isEmpty else { return ([], [:]) }
        let ids = try await registry.resolve(groups, term: term)
        let known = Set(try await database.writer.read { db in
            try Int64.fetchAll(db, sql: "SELECT member_id FROM invitees WHERE meeting_id = ? AND member_id != 0", arguments: [meeting])
        })
        let newcomers = ids.filter { !known.contains($0) }
        var names: [Int64: MemberV1.Member] = [:]
        for chunk in stride(from: 0, to: newcomers.count, by: 1000).map({ Array(newcomers[$0..<min($0 + 1000, newcomers.count)]) }) {
            for member in try await registry.members(chunk, field: "groups") { names[member.id] = member }
        }
        return (ids, names)
    }

    @discardableResult
    func addMember(_ db: Database, _ meeting: MeetingV1.Meeting, _ id: Int64, _ member: MemberV1.Member?, fromGroup: Bool, required: Bool) throws -> MeetingV1.Invitee {
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
    func promoteWaitlist(_ db: Database, _ meeting: MeetingV1.Meeting, _ outbox: EventOutbox, _ context: RPCCallContext) throws {
        while true {
            let seated = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM invitees WHERE meeting_id = ? AND attendance IN (?, ?)",
                                          arguments: [meeting.id, MeetingV1.Attendance.registered.rawValue, MeetingV1.Attendance.checkedIn.rawValue]) ?? 0
            guard seated < Int(meeting.capacity),
                  let row = try Row.fetchOne(db, sql: "SELECT * FROM invitees WHERE meeting_id = ? AND attendance = ? ORDER BY waitlist_position LIMIT 1",
                                             arguments: [meeting.id, MeetingV1.Attendance.waitlisted.rawValue]) else { return }
            var next = MeetingStore.invitee(row)
            next.attendance = .registered
            next.waitlistPosition = 0
            try MeetingStore.setAttendance(db, next)
            try inviteeEvent(db, outbox, context, "invitation.added", meeting, next, note: "moved up from the waiting list")
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

    func meetingEvent(_ db: Database, _ outbox: EventOutbox, _ context: RPCCallContext, _ type: String, _ meeting: MeetingV1.Meeting,
                      changed: [String] = [], reason: String = "") throws {
        var event = MeetingV1.MeetingEvent()
        event.meeting = meeting
        event.changedFields = changed
        event.reason = reason.isEmpty ? meeting.cancelReason : reason
        event.memberIDs = try Int64.fetchAll(db, sql: "SELECT member_id FROM invitees WHERE meeting_id = ? AND member_id != 0 ORDER BY member_id", arguments: [meeting.id])
        try outbox.append(type, event, in: db, traceID: context.traceID)
    }

    func inviteeEvent(_ db: Database, _ outbox: EventOutbox, _ context: RPCCallContext, _ type: String, _ meeting: MeetingV1.Meeting,
                      _ invitee: MeetingV1.Invitee, note: String = "") throws {
        var event = MeetingV1.InviteeEvent()
        event.meeting = meeting
        event.invitee = invitee
        event.note = note
        try outbox.append(type, event, in: db, traceID: context.traceID)
    }
}
