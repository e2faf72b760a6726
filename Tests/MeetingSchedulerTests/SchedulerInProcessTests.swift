import Foundation
import MeetingScheduler
import Synchronization
import Testing
import XieshangLabels
import XieshangRPC
import XieshangService
import XieshangTestSupport
import XieshangWire
import XieshangZMQ

/// meeting-scheduler served in this process over `inproc://` with an in-memory database,
/// against a stand-in member-registry that answers as each test decides: the fast tier for
/// the scheduler's rules through its real RPC surface. `SchedulerProcessTests` keeps what
/// needs processes (restarts, a SIGKILL, the gateway).
@Suite("meeting-scheduler in process, with a stand-in registry")
struct SchedulerInProcessTests {
    /// The stand-in's committee: the fifth term, rooms 1 and 2, members 1 to 10, of whom 1,
    /// 2 and 3 form the standing committee.
    /// `resolving` hears each group question before it is answered; the chairpersons'
    /// council is members 4 and 5.
    static func registry(_ context: ZMQContext, resolving: (@Sendable (MemberV1.ResolveGroupRequest) async -> Void)? = nil) throws -> StandIn {
        try StandIn("member-registry", context: context) { h in
            h.register(MemberV1.Terms.list) { _, _ in
                var term = MemberV1.Term()
                term.number = 5
                term.startDate = "2022-01-15"
                term.endDate = openTermEnd
                term.current = true
                var response = MemberV1.ListTermsResponse()
                response.terms = [term]
                return response
            }
            h.register(MemberV1.Rooms.get) { request, _ in
                guard (1...2).contains(request.id) else { throw RPCError(.notFound, "room \(request.id) not found") }
                var room = MemberV1.Room()
                room.id = request.id
                room.name = "第\(request.id)协商议事室"
                room.capacity = 40
                var response = MemberV1.GetRoomResponse()
                response.room = room
                return response
            }
            h.register(MemberV1.Members.resolveGroup) { request, _ in
                await resolving?(request)
                var response = MemberV1.ResolveGroupResponse()
                response.memberIDs = request.kind == .standingCommittee ? [1, 2, 3] : request.kind == .chairpersonsCouncil ? [4, 5] : []
                return response
            }
            h.register(MemberV1.Members.batchGet) { request, _ in
                var response = MemberV1.BatchGetMembersResponse()
                for id in request.ids {
                    guard (1...10).contains(id) else { response.missingIDs.append(id); continue }
                    var member = MemberV1.Member()
                    member.id = id
                    member.name = "委员\(id)"
                    member.status = .active
                    response.members.append(member)
                }
                return response
            }
        }
    }

    /// The scheduler over the stand-in, and a client of it.
    struct Bench {
        let registry: StandIn
        let scheduler: InProcessService
        let client: RPCClient

        init(resolving: (@Sendable (MemberV1.ResolveGroupRequest) async -> Void)? = nil) throws {
            let context = try ZMQContext()
            registry = try SchedulerInProcessTests.registry(context, resolving: resolving)
            let link = RegistryClient(client: try registry.client(timeout: .seconds(2)))
            scheduler = try InProcessService("meeting-scheduler", migrations: SchedulerSchema.migrations, context: context) { database, outbox in
                SchedulerHandlers(database: database, outbox: outbox, registry: link)
            }
            client = try scheduler.client()
        }

        func stop() async {
            await client.close()
            await scheduler.stop()
            await registry.stop()
        }

        /// Schedules a draft next year on `day` from `hour` for two hours.
        func schedule(_ title: String, kind: MeetingV1.MeetingKind = .research, room: Int64, day: String, hour: Int = 9,
                      groups: [MemberV1.GroupKind] = []) async throws -> MeetingV1.Meeting {
            var meeting = MeetingV1.Meeting()
            meeting.title = title
            meeting.kind = kind
            meeting.startMs = try #require(CommitteeClock.parse("\(nextYear)-\(day) \(String(format: "%02d", hour)):00"))
            meeting.endMs = meeting.startMs + 2 * 3_600_000
            meeting.roomID = room
            meeting.organiser = "办公室"
            meeting.groups = groups.map { kind in
                var group = MeetingV1.GroupRef()
                group.kind = kind
                return group
            }
            var request = MeetingV1.ScheduleMeetingRequest()
            request.meeting = meeting
            return try #require(try await client.call(MeetingV1.Meetings.schedule, request).meeting)
        }

        func publish(_ id: Int64) async throws -> MeetingV1.PublishMeetingResponse {
            var request = MeetingV1.PublishMeetingRequest()
            request.id = id
            return try await client.call(MeetingV1.Meetings.publish, request)
        }

        func invite(_ meeting: Int64, _ members: [Int64]) async throws -> MeetingV1.InviteResponse {
            var request = MeetingV1.InviteRequest()
            request.meetingID = meeting
            request.memberIDs = members
            return try await client.call(MeetingV1.Meetings.invite, request)
        }

        var nextYear: Int { Calendar(identifier: .gregorian).component(.year, from: Date()) + 1 }
    }

    /// The error a call threw, or nil when it succeeded.
    static func failure(_ body: () async throws -> Void) async -> RPCError? {
        do {
            try await body()
            return nil
        } catch let error as RPCError {
            return error
        } catch {
            return RPCError(.unknown, "\(error)")
        }
    }

    @Test("a meeting's groups changed while Publish asked for their members: it is published to the groups it has then, and nothing of the first answer is written")
    func groupsChangedDuringPublish() async throws {
        // The first time the standing committee is asked for, the office replaces the draft's
        // groups with the chairpersons' council, before the registry answers.
        let office = Mutex<(client: RPCClient?, meeting: Int64, changed: Bool)>((nil, 0, false))
        let bench = try Bench { request in
            guard request.kind == .standingCommittee else { return }
            let (client, meeting) = office.withLock { state -> (RPCClient?, Int64) in
                defer { state.changed = true }
                return state.changed ? (nil, 0) : (state.client, state.meeting)
            }
            guard let client else { return }
            var change = MeetingV1.ChangeMeetingRequest()
            change.id = meeting
            change.replaceGroups = true
            var council = MeetingV1.GroupRef()
            council.kind = .chairpersonsCouncil
            change.groups = [council]
            _ = try? await client.call(MeetingV1.Meetings.change, change)
        }
        let draft = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 1, day: "04-02", groups: [.standingCommittee])
        office.withLock { $0 = (bench.client, draft.id, false) }
        let published = try await bench.publish(draft.id)
        #expect(office.withLock { $0.changed }, "the registry was asked for the standing committee")
        #expect(published.meeting?.status == .published)
        #expect(published.meeting?.groups.map(\.kind) == [.chairpersonsCouncil])
        var get = MeetingV1.GetMeetingRequest()
        get.id = draft.id
        #expect(try await bench.client.call(MeetingV1.Meetings.get, get).invitees.map(\.memberID) == [4, 5])
        await bench.stop()
    }

    @Test("Invite refuses members at overlapping meetings before it writes: nothing of the refused call is stored; with an override reason the same members are invited and the conflict named")
    func inviteRefusedForConflictsWritesNothing() async throws {
        let bench = try Bench()
        let first = try await bench.schedule("调研座谈", room: 1, day: "05-11")
        _ = try await bench.invite(first.id, [1, 2])
        // The same hours in the other room: member 2 is at the first meeting.
        let second = try await bench.schedule("协商议事", room: 2, day: "05-11")
        let refused = await Self.failure { _ = try await bench.invite(second.id, [3, 2, 4]) }
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.violations.map(\.field) == ["member_ids"])
        #expect(refused?.violations.first?.description.contains("members 2") == true)
        #expect(refused?.localizedMessage == "有 1 位须出席的委员在同一时间另有会议；确需如此安排，请写明理由。", "\(String(describing: refused))")
        var get = MeetingV1.GetMeetingRequest()
        get.id = second.id
        let untouched = try await bench.client.call(MeetingV1.Meetings.get, get)
        #expect(untouched.invitees.isEmpty, "neither the free members nor the busy one were written")
        #expect(untouched.meeting?.inviteeCount == 0)
        // Member 3 alone is free, and is invited; then 2 with a reason.
        #expect(try await bench.invite(second.id, [3]).invitees.map(\.memberID) == [3])
        var request = MeetingV1.InviteRequest()
        request.meetingID = second.id
        request.memberIDs = [2, 4]
        request.overrideReason = "委员2两场都须到会"
        let accepted = try await bench.client.call(MeetingV1.Meetings.invite, request)
        #expect(accepted.invitees.map(\.memberID) == [2, 4])
        #expect(accepted.overridden.map(\.meetingID) == [first.id])
        #expect(accepted.overridden.first?.memberIDs == [2])
        #expect(try await bench.client.call(MeetingV1.Meetings.get, get).invitees.map(\.memberID).sorted() == [2, 3, 4])
        await bench.stop()
    }

    @Test("Schedule places a meeting by the registry's word: its room's name; a capacity past the room's seats, a day outside the term and an unknown room refused, nothing written")
    func scheduleAsksTheRegistryForItsPlace() async throws {
        let bench = try Bench()
        let placed = try await bench.schedule("调研座谈", room: 2, day: "03-10")
        #expect(placed.roomName == "第2协商议事室" && placed.term == 5)

        func request(room: Int64, start: String, capacity: Int32 = 0) throws -> MeetingV1.ScheduleMeetingRequest {
            var meeting = MeetingV1.Meeting()
            meeting.title = "调研座谈"
            meeting.kind = .research
            meeting.startMs = try #require(CommitteeClock.parse(start))
            meeting.endMs = meeting.startMs + 3_600_000
            meeting.roomID = room
            meeting.organiser = "办公室"
            if capacity > 0 {
                meeting.openRegistration = true
                meeting.capacity = capacity
            }
            var request = MeetingV1.ScheduleMeetingRequest()
            request.meeting = meeting
            return request
        }
        let crowded = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.schedule, try request(room: 1, start: "\(bench.nextYear)-03-11 09:00", capacity: 41)) }
        #expect(crowded?.code == .invalidArgument && crowded?.message.contains("the room seats 40, not 41") == true, "\(String(describing: crowded))")
        let seated = try await bench.client.call(MeetingV1.Meetings.schedule, try request(room: 1, start: "\(bench.nextYear)-03-11 09:00", capacity: 40)).meeting
        #expect(seated?.capacity == 40)
        let early = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.schedule, try request(room: 1, start: "2021-12-01 09:00")) }
        #expect(early?.code == .invalidArgument && early?.message.contains("2021-12-01 is outside term 5 (2022-01-15 to") == true, "\(String(describing: early))")
        let nowhere = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.schedule, try request(room: 9, start: "\(bench.nextYear)-03-12 09:00")) }
        #expect(nowhere?.code == .notFound, "\(String(describing: nowhere))")

        var list = MeetingV1.ListMeetingsRequest()
        list.pageSize = 100
        let ids = try await bench.client.call(MeetingV1.Meetings.list, list).meetings.map(\.id)
        #expect(ids == [placed.id, try #require(seated?.id)], "only the two placed meetings were written")
        await bench.stop()
    }

    @Test("Schedule, Invite and Publish sent again with their request ids answer as the first time and change nothing: the retry's own checks, or its reply's key, refuse it")
    func retriedCallsAnswerAsFirst() async throws {
        let bench = try Bench()
        func once(_ id: String) -> CallOptions {
            var options = CallOptions()
            options.requestID = id
            return options
        }
        var meeting = MeetingV1.Meeting()
        meeting.title = "重发的调研"
        meeting.kind = .research
        meeting.startMs = try #require(CommitteeClock.parse("\(bench.nextYear)-07-01 09:00"))
        meeting.endMs = meeting.startMs + 2 * 3_600_000
        meeting.organiser = "办公室"
        meeting.venue = "市政协三楼会议室"
        // Without a room, nothing but the reply's key refuses a second booking.
        var schedule = MeetingV1.ScheduleMeetingRequest()
        schedule.meeting = meeting
        let first = try await bench.client.call(MeetingV1.Meetings.schedule, schedule, options: once("s-1"))
        let again = try await bench.client.call(MeetingV1.Meetings.schedule, schedule, options: once("s-1"))
        #expect(again == first)
        // With a room, the retry finds the room taken by its own first try, and still gets the reply.
        schedule.meeting?.roomID = 1
        let roomed = try await bench.client.call(MeetingV1.Meetings.schedule, schedule, options: once("s-2"))
        #expect(try await bench.client.call(MeetingV1.Meetings.schedule, schedule, options: once("s-2")) == roomed)
        let id = try #require(first.meeting?.id)

        var invite = MeetingV1.InviteRequest()
        invite.meetingID = id
        invite.memberIDs = [1, 2, 3]
        let invited = try await bench.client.call(MeetingV1.Meetings.invite, invite, options: once("i-1"))
        #expect(try await bench.client.call(MeetingV1.Meetings.invite, invite, options: once("i-1")) == invited)
        #expect(invited.invitees.count == 3)

        var publish = MeetingV1.PublishMeetingRequest()
        publish.id = id
        let published = try await bench.client.call(MeetingV1.Meetings.publish, publish, options: once("p-1"))
        #expect(try await bench.client.call(MeetingV1.Meetings.publish, publish, options: once("p-1")) == published)

        var list = MeetingV1.ListMeetingsRequest()
        list.pageSize = 500
        let listed = try await bench.client.call(MeetingV1.Meetings.list, list, options: .read).meetings
        #expect(listed.filter { $0.title == "重发的调研" }.count == 2, "one a request id: \(listed.map(\.id))")
        var get = MeetingV1.GetMeetingRequest()
        get.id = id
        let stored = try await bench.client.call(MeetingV1.Meetings.get, get, options: .read).meeting
        #expect(stored?.inviteeCount == 3 && stored?.status == .published)
        var since = EventV1.SinceRequest()
        since.afterSequence = 0
        let events = try await bench.client.call(EventV1.Events.since, since, options: .read).events
        #expect(events.filter { $0.type == "meeting.published" }.count == 1)
        await bench.stop()
    }

    @Test("what Schedule, Publish, Change (its groups replaced) and Cancel answer is the meeting as Get reads it afterwards")
    func writesAnswerTheStoredMeeting() async throws {
        let bench = try Bench()
        let draft = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 1, day: "05-06", groups: [.standingCommittee])
        var get = MeetingV1.GetMeetingRequest()
        get.id = draft.id
        func stored() async throws -> MeetingV1.Meeting? { try await bench.client.call(MeetingV1.Meetings.get, get).meeting }
        #expect(draft.groups.map(\.kind) == [.standingCommittee])
        #expect(draft == (try await stored()))

        let published = try await bench.publish(draft.id)
        #expect(published.meeting?.inviteeCount == 3)
        #expect(published.meeting == (try await stored()))

        var change = MeetingV1.ChangeMeetingRequest()
        change.id = draft.id
        change.title = "常委会会议（调整）"
        change.replaceGroups = true
        var council = MeetingV1.GroupRef()
        council.kind = .chairpersonsCouncil
        change.groups = [council]
        let changed = try await bench.client.call(MeetingV1.Meetings.change, change).meeting
        #expect(changed?.groups.map(\.kind) == [.chairpersonsCouncil])
        #expect(changed?.inviteeCount == 2, "the council's members 4 and 5 in place of 1, 2 and 3")
        #expect(changed?.sequence == published.meeting.map { $0.sequence + 1 })
        #expect(changed == (try await stored()))

        var cancel = MeetingV1.CancelMeetingRequest()
        cancel.id = draft.id
        cancel.reason = "会期调整"
        let cancelled = try await bench.client.call(MeetingV1.Meetings.cancel, cancel).meeting
        #expect(cancelled?.status == .cancelled)
        #expect(cancelled == (try await stored()))
        await bench.stop()
    }

    @Test("publishing invites each of the group's members once: one already invited by name keeps their invitation")
    func publishKeepsNamedInvitees() async throws {
        let bench = try Bench()
        let draft = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 1, day: "05-13", groups: [.standingCommittee])
        _ = try await bench.invite(draft.id, [2])
        _ = try await bench.publish(draft.id)
        var get = MeetingV1.GetMeetingRequest()
        get.id = draft.id
        let invitees = try await bench.client.call(MeetingV1.Meetings.get, get).invitees
        #expect(invitees.map(\.memberID).sorted() == [1, 2, 3])
        #expect(invitees.filter(\.fromGroup).map(\.memberID).sorted() == [1, 3])
        await bench.stop()
    }

    @Test("publishing invites the group; a member on approved leave is free for another meeting; a room is held until cancelled")
    func heldAndFreed() async throws {
        let bench = try Bench()
        let council = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 1, day: "03-02", groups: [.standingCommittee])
        let published = try await bench.publish(council.id)
        #expect(published.meeting?.status == .published)
        #expect(published.meeting?.roomName == "第1协商议事室")

        var get = MeetingV1.GetMeetingRequest()
        get.id = council.id
        let invitees = try await bench.client.call(MeetingV1.Meetings.get, get).invitees
        #expect(invitees.map(\.memberID) == [1, 2, 3])
        #expect(invitees.allSatisfy { $0.required })

        // Member 2 is held by the council: another meeting at that time may not require them.
        let visit = try await bench.schedule("视察", kind: .inspection, room: 2, day: "03-02", hour: 10)
        let held = await Self.failure { _ = try await bench.invite(visit.id, [2]) }
        #expect(held?.code == .failedPrecondition)
        #expect(held?.violations.map(\.field) == ["member_ids"])
        #expect(held?.violations.first?.description.contains("meeting \(council.id)") == true)

        // Leave approved for the council frees them; no override is needed.
        let second = try #require(invitees.first { $0.memberID == 2 })
        var leave = MeetingV1.RequestLeaveRequest()
        leave.meetingID = council.id
        leave.inviteeID = second.id
        leave.type = .businessTrip
        leave.reason = "赴兰州参加培训"
        _ = try await bench.client.call(MeetingV1.Meetings.requestLeave, leave)
        // Asked again: refused, saying in Chinese where the leave stands.
        let again = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.requestLeave, leave) }
        #expect(again?.code == .failedPrecondition)
        #expect(again?.localizedMessage.contains("已是「请假待批」，不能再请假") == true, "\(String(describing: again))")
        var decide = MeetingV1.DecideLeaveRequest()
        decide.meetingID = council.id
        decide.inviteeID = second.id
        decide.approve = true
        let decided = try await bench.client.call(MeetingV1.Meetings.decideLeave, decide)
        #expect(decided.invitee?.attendance == .leaveApproved)
        let invited = try await bench.invite(visit.id, [2])
        #expect(invited.invitees.map(\.memberID) == [2])
        #expect(invited.overridden.isEmpty)

        // Room 1 is the council's until it is cancelled.
        let clash = await Self.failure { _ = try await bench.schedule("调研", room: 1, day: "03-02", hour: 10) }
        #expect(clash?.code == .failedPrecondition)
        #expect(clash?.violations.first?.field == "meeting.room_id")
        #expect(clash?.localizedMessage.hasPrefix("「第1协商议事室」在 ") == true && clash?.localizedMessage.contains("已安排了「常委会会议」") == true,
                "\(String(describing: clash))")
        var cancel = MeetingV1.CancelMeetingRequest()
        cancel.id = council.id
        cancel.reason = "改期"
        let cancelled = try await bench.client.call(MeetingV1.Meetings.cancel, cancel)
        #expect(cancelled.meeting?.status == .cancelled)
        let after = try await bench.schedule("调研", room: 1, day: "03-02", hour: 10)
        #expect(after.roomID == 1)
        await bench.stop()
    }

    @Test("a member or room the registry does not know is NOT_FOUND naming the field; the registry gone is UNAVAILABLE naming it")
    func registryAnswers() async throws {
        let bench = try Bench()
        let meeting = try await bench.schedule("调研", room: 1, day: "04-07", groups: [.standingCommittee])
        let unknown = await Self.failure { _ = try await bench.invite(meeting.id, [3, 99]) }
        #expect(unknown?.code == .notFound)
        #expect(unknown?.violations.map(\.field) == ["member_ids"])
        #expect(unknown?.message.contains("99") == true)
        let noRoom = await Self.failure { _ = try await bench.schedule("调研", room: 7, day: "04-08") }
        #expect(noRoom?.code == .notFound)
        #expect(noRoom?.violations.first?.field == "meeting.room_id")

        // Nothing was half-written: the draft has no invitees.
        var get = MeetingV1.GetMeetingRequest()
        get.id = meeting.id
        #expect(try await bench.client.call(MeetingV1.Meetings.get, get).invitees.isEmpty)

        await bench.registry.stop()
        let gone = await Self.failure { _ = try await bench.publish(meeting.id) }
        #expect(gone?.code == .unavailable)
        #expect(gone?.message.contains("member-registry") == true)
        #expect(try await bench.client.call(MeetingV1.Meetings.get, get).meeting?.status == .draft)
        await bench.client.close()
        await bench.scheduler.stop()
    }

    @Test("only 主席会议, 常委会会议 and the plenary are numbered; staff set where numbering stands; the session follows the plenary")
    func numbering() async throws {
        let bench = try Bench()
        // An inspection is not numbered; a 常委会会议 is, from 1.
        let visit = try await bench.schedule("视察", kind: .inspection, room: 1, day: "05-06")
        let visited = try #require(try await bench.publish(visit.id).meeting)
        #expect(visited.ordinal == 0 && visited.displayName.isEmpty)
        let first = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 1, day: "05-07")
        #expect(try await bench.publish(first.id).meeting?.displayName == "五届一次常委会会议")

        // Adopted in mid-term: the committee's next 常委会会议 is its 23rd.
        var set = MeetingV1.NumberingRequest()
        set.kind = .standingCommittee
        set.next = 23
        let numbering = try await bench.client.call(MeetingV1.Meetings.numbering, set)
        #expect(numbering.term == 5)
        #expect(numbering.kinds.first { $0.kind == .standingCommittee }?.next == 23)
        let next = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 1, day: "05-08")
        #expect(try await bench.publish(next.id).meeting?.displayName == "五届二十三次常委会会议")
        // A number already given, or a kind that is not numbered, is refused.
        set.next = 20
        #expect(await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.numbering, set) }?.code == .failedPrecondition)
        set.next = Int32.max
        #expect(await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.numbering, set) }?.violations.first?.field == "next")
        set.kind = .research
        set.next = 3
        #expect(await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.numbering, set) }?.violations.first?.field == "kind")

        // The session: none known, then the one before the plenary staff set next, then the
        // last plenary begun.
        var session = MeetingV1.SessionRequest()
        session.term = 5
        #expect(try await bench.client.call(MeetingV1.Meetings.session, session).session == 0)
        set.kind = .plenary
        set.next = 5
        _ = try await bench.client.call(MeetingV1.Meetings.numbering, set)
        #expect(try await bench.client.call(MeetingV1.Meetings.session, session).session == 4)
        let plenary = try await bench.schedule("全体委员会议", kind: .plenary, room: 2, day: "01-10")
        let held = try #require(try await bench.publish(plenary.id).meeting)
        #expect(held.displayName == "五届五次会议")
        session.atMs = held.startMs + 1
        let during = try await bench.client.call(MeetingV1.Meetings.session, session)
        #expect(during.session == 5 && during.plenaryID == plenary.id)
        session.atMs = held.startMs - 1
        #expect(try await bench.client.call(MeetingV1.Meetings.session, session).session == 4)
        await bench.stop()
    }

    @Test("check-in opens two hours before the start and a meeting closes after it; staff recording otherwise give a reason, which is kept")
    func timing() async throws {
        let bench = try Bench()
        let meeting = try await bench.schedule("主席会议", kind: .chairpersonsCouncil, room: 1, day: "06-02", groups: [.standingCommittee])
        _ = try await bench.publish(meeting.id)
        var get = MeetingV1.GetMeetingRequest()
        get.id = meeting.id
        let invitee = try #require(try await bench.client.call(MeetingV1.Meetings.get, get).invitees.first)

        var checkIn = MeetingV1.CheckInRequest()
        checkIn.meetingID = meeting.id
        checkIn.inviteeID = invitee.id
        let early = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.checkIn, checkIn) }
        #expect(early?.code == .failedPrecondition)
        #expect(early?.message.contains("opens at") == true)
        #expect(early?.localizedMessage.contains("现在还不能签到") == true && early?.localizedMessage.contains("办公室补记") == true)
        checkIn.recordReason = "会议提前至上午举行，补录签到"
        #expect(try await bench.client.call(MeetingV1.Meetings.checkIn, checkIn).invitee?.attendance == .checkedIn)
        // A second early check-in for the same reason is the same record: one note.
        let others = try await bench.client.call(MeetingV1.Meetings.get, get).invitees.filter { $0.id != invitee.id }
        checkIn.inviteeID = try #require(others.first).id
        _ = try await bench.client.call(MeetingV1.Meetings.checkIn, checkIn)

        var close = MeetingV1.CloseMeetingRequest()
        close.id = meeting.id
        let tooSoon = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.close, close) }
        #expect(tooSoon?.code == .failedPrecondition)
        #expect(tooSoon?.message.contains("cannot be closed before") == true)
        // Nothing changed: still published, the check-in kept.
        #expect(try await bench.client.call(MeetingV1.Meetings.get, get).meeting?.status == .published)
        close.recordReason = "会议已提前举行"
        let closed = try #require(try await bench.client.call(MeetingV1.Meetings.close, close).meeting)
        #expect(closed.status == .closed)
        #expect(closed.recordNotes.count == 2)
        #expect(closed.recordNotes[0].contains("会议提前至上午举行，补录签到") && closed.recordNotes[1].contains("会议已提前举行"))
        await bench.stop()
    }

    @Test("reports before meetings: a 主席会议 adopts or passes one on to the next draft 常委会会议, which votes on it with a quorum; decided agendas stay")
    func reportsAndVotes() async throws {
        let bench = try Bench()
        let client = bench.client
        let council = try await bench.schedule("主席会议", kind: .chairpersonsCouncil, room: 1, day: "07-01", groups: [.standingCommittee])
        let standing = try await bench.schedule("常委会会议", kind: .standingCommittee, room: 2, day: "07-08", groups: [.standingCommittee])
        var agenda = MeetingV1.SetAgendaRequest()
        agenda.meetingID = council.id
        var report = MeetingV1.AgendaItem()
        report.title = "关于城区停车难问题的监督性调研报告"
        report.durationMinutes = 60
        report.document = .supervisionReport
        var briefing = MeetingV1.AgendaItem()
        briefing.title = "通报近期工作"
        briefing.durationMinutes = 30
        agenda.items = [report, briefing]
        var unknown = report
        unknown.document = MeetingV1.DocumentKind(rawValue: 99)
        agenda.items = [unknown]
        let badDocument = await Self.failure { _ = try await client.call(MeetingV1.Meetings.setAgenda, agenda) }
        #expect(badDocument?.code == .invalidArgument && badDocument?.message.contains("document") == true, "\(String(describing: badDocument))")
        agenda.items = [report, briefing]
        let set = try #require(try await client.call(MeetingV1.Meetings.setAgenda, agenda).meeting)
        #expect(set.agenda.map(\.status) == [.draft, .unspecified])
        _ = try await bench.publish(council.id)

        func decide(_ meeting: Int64, _ position: Int32, _ outcome: MeetingV1.ItemStatus, vote: (Int32, Int32, Int32)? = nil,
                    changes: String = "", reason: String = "会议已举行，补录决定") async throws -> MeetingV1.DecideItemResponse {
            var request = MeetingV1.DecideItemRequest()
            request.meetingID = meeting
            request.position = position
            request.outcome = outcome
            request.changes = changes
            request.recordReason = reason
            if let vote {
                var v = MeetingV1.Vote()
                (v.inFavour, v.against, v.abstaining) = vote
                request.vote = v
            }
            return try await client.call(MeetingV1.Meetings.decideItem, request)
        }
        // Not before it begins, unless staff record that it was held.
        let early = await Self.failure { _ = try await decide(council.id, 1, .referred, reason: "") }
        #expect(early?.code == .failedPrecondition && early?.message.contains("has not begun") == true, "\(String(describing: early))")
        let noDocument = await Self.failure { _ = try await decide(council.id, 2, .adopted) }
        #expect(noDocument?.message.contains("no document") == true, "\(String(describing: noDocument))")
        let notHere = await Self.failure { _ = try await decide(council.id, 1, .approved, vote: (3, 0, 0)) }
        #expect(notHere?.message.contains("主席会议 records") == true, "\(String(describing: notHere))")
        let withoutChanges = await Self.failure { _ = try await decide(council.id, 1, .adoptedWithChanges) }
        #expect(withoutChanges?.message.contains("修改后通过") == true)

        // Passed on: it stands on the 常委会会议's draft agenda, to be voted on.
        let referred = try await decide(council.id, 1, .referred)
        #expect(referred.referredTo?.id == standing.id)
        let carried = try #require(referred.referredTo?.agenda.last)
        #expect(carried.status == .referred && carried.referredFromMeetingID == council.id && carried.needsVote)
        #expect(referred.meeting?.agenda.first?.referredToMeetingID == standing.id)
        let twice = await Self.failure { _ = try await decide(council.id, 1, .adopted) }
        #expect(twice?.message.contains("decided already") == true)
        agenda.items = [briefing]
        let fixed = await Self.failure { _ = try await client.call(MeetingV1.Meetings.setAgenda, agenda) }
        #expect(fixed?.code == .failedPrecondition && fixed?.message.contains("stays as it is") == true)
        // The 常委会会议's own agenda is set around it: the passed-on item stays.
        agenda.meetingID = standing.id
        let standingAgenda = try #require(try await client.call(MeetingV1.Meetings.setAgenda, agenda).meeting).agenda
        #expect(standingAgenda.map(\.title) == ["通报近期工作", report.title])
        #expect(standingAgenda[1].status == .referred)

        // The vote needs a quorum (more than half of 应到 checked in) and a majority of 应到.
        _ = try await bench.publish(standing.id)
        var get = MeetingV1.GetMeetingRequest()
        get.id = standing.id
        let invitees = try await client.call(MeetingV1.Meetings.get, get).invitees
        #expect(invitees.count == 3)
        func checkIn(_ invitee: MeetingV1.Invitee) async throws {
            var request = MeetingV1.CheckInRequest()
            request.meetingID = standing.id
            request.inviteeID = invitee.id
            request.recordReason = "会议已举行，补录签到"
            _ = try await client.call(MeetingV1.Meetings.checkIn, request)
        }
        try await checkIn(invitees[0])
        let noQuorum = await Self.failure { _ = try await decide(standing.id, 2, .approved, vote: (1, 0, 0)) }
        #expect(noQuorum?.message.contains("no quorum") == true, "\(String(describing: noQuorum))")
        try await checkIn(invitees[1])
        let noVote = await Self.failure { _ = try await decide(standing.id, 2, .approved) }
        #expect(noVote?.message.contains("表决") == true)
        let tooMany = await Self.failure { _ = try await decide(standing.id, 2, .approved, vote: (2, 1, 0)) }
        #expect(tooMany?.message.contains("实到 is 2") == true, "\(String(describing: tooMany))")
        let short = await Self.failure { _ = try await decide(standing.id, 2, .approved, vote: (1, 1, 0)) }
        #expect(short?.message.contains("未通过") == true, "\(String(describing: short))")
        let wrongWay = await Self.failure { _ = try await decide(standing.id, 2, .notAdopted, vote: (2, 0, 0)) }
        #expect(wrongWay?.message.contains("passed") == true)
        let approved = try #require(try await decide(standing.id, 2, .approved, vote: (2, 0, 0)).meeting?.agenda.last)
        #expect(approved.status == .approved)
        let vote = try #require(approved.vote)
        #expect(vote.inFavour == 2 && vote.expected == 3 && vote.present == 2 && vote.quorumMet && vote.passed)
        // The 主席会议's item says how the 常委会 decided.
        get.id = council.id
        #expect(try await client.call(MeetingV1.Meetings.get, get).meeting?.agenda.first?.vote?.passed == true)
        await bench.stop()
    }

    @Test("a year's plan holds at most 200 items; bad items are refused with their fields")
    func planLimits() async throws {
        let bench = try Bench()
        var request = MeetingV1.AddPlanItemRequest()
        var item = MeetingV1.PlanItem()
        item.year = 2027
        item.quarter = 0
        item.kind = MeetingV1.MeetingKind(rawValue: 77)
        item.title = " "
        item.lead = "办公室"
        request.item = item
        let bad = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.addPlanItem, request) }
        #expect(bad?.code == .invalidArgument)
        #expect(Set(bad?.violations.map(\.field) ?? []) == ["item.quarter", "item.kind", "item.title"])
        item.quarter = 1
        item.kind = .bimonthlyForum
        for index in 0..<200 {
            item.title = "议题\(index)"
            request.item = item
            _ = try await bench.client.call(MeetingV1.Meetings.addPlanItem, request)
        }
        item.title = "再多一项"
        request.item = item
        let full = await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.addPlanItem, request) }
        #expect(full?.code == .failedPrecondition && full?.message.contains("200 items") == true, "\(String(describing: full))")
        var list = MeetingV1.ListPlanRequest()
        list.year = 2027
        #expect(try await bench.client.call(MeetingV1.Meetings.listPlan, list).items.count == 200)
        list.year = 99
        #expect(await Self.failure { _ = try await bench.client.call(MeetingV1.Meetings.listPlan, list) }?.code == .invalidArgument)
        await bench.stop()
    }
}
