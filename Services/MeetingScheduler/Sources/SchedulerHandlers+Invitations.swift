import Foundation
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangWire

/// Invitations (members, groups, participants) and the agenda.
extension SchedulerHandlers {
    @Sendable func invite(_ request: MeetingV1.InviteRequest, _ context: RPCCallContext) async throws -> MeetingV1.InviteResponse {
        var problems: [(String, String)] = []
        if request.memberIDs.isEmpty && request.participants.isEmpty { problems.append(("member_ids", "name at least one member or participant")) }
        for (index, p) in request.participants.enumerated() {
            if p.name.trimmingCharacters(in: .whitespaces).isEmpty { problems.append(("participants[\(index)].name", RPCError.FieldProblem.empty)) }
            switch p.category {
            case .stakeholder, .residentRepresentative, .departmentOfficial, .deputy: break
            default: problems.append(("participants[\(index)].category", "must be stakeholder, resident, official or deputy"))
            }
        }
        if !problems.isEmpty { throw SchedulerError.invalid(problems) }
        let runner: Int64?
        do {
            runner = try await self.runner(ofMeeting: request.meetingID, context, action: .invite, field: "meeting_id")
        } catch {
            return try await database.storedReply(context, as: MeetingV1.InviteResponse.self, orThrow: error)
        }
        let ids = Array(Set(request.memberIDs)).sorted()
        // More names than the meeting may ever hold are refused before anything is read: the
        // members are looked up inside the writer's transaction.
        let limit = Self.inviteeLimit(runner: runner)
        if ids.count + request.participants.count > limit {
            throw SchedulerError.invalid([("member_ids", "meeting \(request.meetingID) would have more than \(limit) invitees")])
        }
        // The members come from the registry's copy inside the transaction when it knows them
        // all (for a convener, as the room's); otherwise they are asked of the registry, and
        // the transaction runs again with its answer.
        return try await withRegistry(context, as: MeetingV1.InviteResponse.self) { asked in
            try await invited(request, ids, runner: runner, asked: asked, context)
        } ask: {
            var members = try await registry.knownMembers(ids, field: "member_ids")
            if runner != nil, (try? requireRoomMembers(members, room: runner, context)) == nil {
                // The copy may not have heard of an assignment made a moment ago: refused only on the registry's word.
                members = try await registry.remote.knownMembers(ids, field: "member_ids")
            }
            try requireRoomMembers(members, room: runner, context)
            return members
        }
    }

    /// The most invitees a meeting may have: fewer for a convener's activity than the office's.
    static func inviteeLimit(runner: Int64?) -> Int {
        runner == nil ? MeetingRules.maxInvitees : MeetingRules.maxConvenerInvitees
    }

    /// Invites in one transaction, the members `asked` of the registry or, for nil, read from
    /// its copy there (`RegistryToAsk` when the copy cannot tell).
    private func invited(_ request: MeetingV1.InviteRequest, _ ids: [Int64], runner: Int64?, asked: [MemberV1.Member]?,
                         _ context: RPCCallContext) async throws -> MeetingV1.InviteResponse {
        // A convener's invitations are optional: nobody is marked absent by a convener.
        let required = !request.optional && runner == nil
        return try await database.idempotentSession(context, readStoredFirst: false) { [outbox, registry] db in
            let members: [MemberV1.Member]
            if let asked {
                members = asked
            } else if let known = try registry.modelMembers(db, ids), (try? requireRoomMembers(known, room: runner, context)) != nil {
                members = known
            } else {
                throw RegistryToAsk()
            }
            let meeting = try stillRun(db, request.meetingID, by: runner, context, field: "meeting_id")
            try MeetingLifecycle.require(.invite, meeting)
            var adding = Set(try MeetingStore.notYetInvited(db, meeting: meeting.id, members.map(\.id)))
            let newcomers = members.filter { adding.remove($0.id) != nil }
            // Refused before anything is written (a refusal after the writes rolled them back):
            // too many invitees, read with the meeting in this transaction; then the required
            // newcomers' other meetings (this one's holds are not counted either way).
            let limit = Self.inviteeLimit(runner: runner)
            if Int(meeting.inviteeCount) + newcomers.count + request.participants.count > limit {
                throw SchedulerError.invalid([("participants", "meeting \(meeting.id) would have more than \(limit) invitees")])
            }
            let requiredHere = required && !meeting.openRegistration
            let overridden = try checkMembers(db, meeting, members: requiredHere ? newcomers.map(\.id) : [],
                                              overrideReason: request.overrideReason, context)
            var added: [MeetingV1.Invitee] = []
            for member in newcomers {
                added.append(try addMember(db, meeting, member.id, member, fromGroup: false, required: requiredHere))
            }
            for p in request.participants {
                var invitee = MeetingV1.Invitee()
                invitee.meetingID = meeting.id
                invitee.name = p.name.trimmingCharacters(in: .whitespaces)
                invitee.organisation = p.organisation
                invitee.category = p.category
                invitee.required = required
                invitee.attendance = .invited
                added.append(try MeetingStore.addInvitee(db, invitee))
            }
            if meeting.status == .published {
                for invitee in added { try inviteeEvent(db, outbox, context, DomainEvents.invitationAdded, meeting, invitee) }
            }
            var response = MeetingV1.InviteResponse()
            response.invitees = added
            response.overridden = overridden
            return response
        }.reply
    }

    @Sendable func uninvite(_ request: MeetingV1.UninviteRequest, _ context: RPCCallContext) async throws -> MeetingV1.UninviteResponse {
        if request.inviteeIDs.isEmpty { throw SchedulerError.invalid([("invitee_ids", "name at least one invitee")]) }
        let runner = try await runner(ofMeeting: request.meetingID, context, action: .uninvite, field: "meeting_id")
        return try await database.idempotentSession(context) { [outbox] db in
            let meeting = try stillRun(db, request.meetingID, by: runner, context, field: "meeting_id")
            try MeetingLifecycle.require(.uninvite, meeting)
            var removed: [MeetingV1.Invitee] = []
            for id in Set(request.inviteeIDs).sorted() {
                let invitee = try MeetingStore.invitee(db, meeting: meeting.id, id: id, field: "invitee_ids")
                if invitee.attendance == .checkedIn {
                    throw SchedulerError.notAllowed(field: "invitee_ids", "invitee \(id) \(invitee.name) has already checked in")
                        .saying("\(invitee.name)已经签到，不能再取消邀请。")
                }
                try MeetingStore.removeInvitee(db, id: id)
                removed.append(invitee)
            }
            if meeting.openRegistration { try promoteWaitlist(db, meeting, outbox, context) }
            if meeting.status == .published {
                for invitee in removed { try inviteeEvent(db, outbox, context, DomainEvents.invitationRemoved, meeting, invitee) }
            }
            var response = MeetingV1.UninviteResponse()
            response.removed = Int32(removed.count)
            return response
        }.reply
    }

    @Sendable func setAgenda(_ request: MeetingV1.SetAgendaRequest, _ context: RPCCallContext) async throws -> MeetingV1.SetAgendaResponse {
        try await database.idempotentSession(context) { [outbox] db in
            var meeting = try MeetingVisibility.require(MeetingStore.load(db, request.meetingID, field: "meeting_id"), knownTo: context.principal, field: "meeting_id")
            try MeetingLifecycle.require(.setAgenda, meeting)
            // Decisions recorded on the agenda fix it; items another meeting passed on stay,
            // after the ones given (only that meeting's decision put them there).
            let open: (MeetingV1.AgendaItem) -> Bool = { [.unspecified, .draft].contains($0.status) || ($0.status == .referred && $0.referredFromMeetingID != 0) }
            if let decided = meeting.agenda.first(where: { !open($0) }) {
                throw SchedulerError.notAllowed(
                    field: "meeting_id", "meeting \(meeting.id) recorded a decision on its agenda (item \(decided.position): \(decided.status.label)): the agenda stays as it is")
                .saying("这次会议的议程已记录了决定（第 \(decided.position) 项：\(decided.status.label)），议程不能再改。")
            }
            let given = request.items.map {
                var item = $0
                item.title = item.title.trimmingCharacters(in: .whitespaces)
                item.status = item.document == .unspecified ? .unspecified : .draft
                item.vote = nil
                item.changes = ""
                item.referredFromMeetingID = 0
                item.referredToMeetingID = 0
                return item
            }
            let items = given + meeting.agenda.filter { $0.referredFromMeetingID != 0 }
            let problems = MeetingRules.agendaProblems(items, meetingMinutes: (meeting.endMs - meeting.startMs) / 60_000)
            if !problems.isEmpty { throw SchedulerError.invalid(problems) }
            try MeetingStore.setAgenda(db, meeting.id, items)
            if meeting.status == .published {
                meeting.sequence += 1
                try MeetingStore.save(db, meeting)
            }
            meeting = try MeetingStore.load(db, meeting.id)
            if meeting.status == .published { try meetingEvent(db, outbox, context, DomainEvents.meetingChanged, meeting, changed: ["agenda"]) }
            var response = MeetingV1.SetAgendaResponse()
            response.meeting = meeting
            return response
        }.reply
    }
}
