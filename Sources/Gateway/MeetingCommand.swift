import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingV1.MeetingKind: ExpressibleByArgument {}
extension MeetingV1.MeetingMode: ExpressibleByArgument {}
extension MeetingV1.MeetingStatus: ExpressibleByArgument {}
extension MeetingV1.LeaveType: ExpressibleByArgument {}

/// A time on the command line: `2026-12-01 09:00` in the committee's time zone.
struct Moment: ExpressibleByArgument {
    let ms: Int64
    init?(argument: String) {
        guard let ms = CommitteeClock.parse(argument) else { return nil }
        self.ms = ms
    }
    static var defaultValueDescription: String { "YYYY-MM-DD HH:MM" }
}

/// A group on the command line: `standing-committee`, `sector:教育界`, `room:3`.
struct GroupArgument: ExpressibleByArgument {
    let group: MeetingV1.GroupRef
    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        guard let kind = MemberV1.GroupKind(parsing: parts[0]) else { return nil }
        var group = MeetingV1.GroupRef()
        group.kind = kind
        if parts.count == 2 {
            switch kind {
            case .station, .room:
                guard let id = Int64(parts[1]) else { return nil }
                group.id = id
            default:
                group.name = parts[1]
            }
        }
        self.group = group
    }
}

struct MeetingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meeting",
        abstract: "Meetings (会议): schedule, publish, invite, agenda, leave, check-in, close, find a slot, calendars.",
        subcommands: [Schedule.self, Publish.self, Change.self, Cancel.self, Show.self, List.self, Invite.self, Uninvite.self,
                      Agenda.self, Enroll.self, Leave.self, ApproveLeave.self, CheckIn.self, Close.self, FindSlot.self, ICal.self, Stats.self])

    struct Schedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Schedule a meeting as a draft; the room is booked at once.",
            discussion: "Example: gateway meeting schedule --title 研究年度协商计划 --kind 主席会议 --start \"2026-12-01 09:00\" --minutes 120 --room 3 --group chairpersons-council")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Title.") var title: String
        @Option(help: "Kind, e.g. 主席会议 (chairpersons-council), 常委会会议, 双月协商座谈会, 协商议事活动.") var kind: MeetingV1.MeetingKind
        @Option(help: "Start, YYYY-MM-DD HH:MM.") var start: Moment
        @Option(help: "End, YYYY-MM-DD HH:MM (or give --minutes).") var end: Moment?
        @Option(help: "Length in minutes (instead of --end).") var minutes: Int?
        @Option(help: "A consultation room (id in member-registry).") var room: Int64?
        @Option(help: "Where, when there is no room.") var venue: String?
        @Option(help: "现场, 线上 or 线上线下 (in-person, online, hybrid).") var mode: MeetingV1.MeetingMode = .inPerson
        @Option(help: "The online link, for online or hybrid.") var link: String?
        @Option(help: "Who convenes it, e.g. 办公室 or 提案委员会.") var organiser: String = "办公室"
        @Option(help: "Invite a group on publishing: all, standing-committee, chairpersons-council, sector:NAME, committee:NAME, station:ID, room:ID; repeat for several.") var group: [GroupArgument] = []
        @Flag(help: "Members register themselves, up to --capacity, then a waiting list.") var openRegistration = false
        @Option(help: "Seats for open registration.") var capacity: Int32 = 0
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0

        func validate() throws {
            if end == nil && minutes == nil { throw ValidationError("give --end or --minutes") }
            if end != nil && minutes != nil { throw ValidationError("give --end or --minutes, not both") }
            if let minutes, !(1...(14 * 24 * 60)).contains(minutes) {
                throw ValidationError("--minutes must be between 1 and 20160 (a meeting lasts at most 14 days)")
            }
        }

        func run() async throws {
            try await runReportingFailures {
                var m = MeetingV1.Meeting()
                m.title = title
                m.kind = kind
                m.startMs = start.ms
                m.endMs = end?.ms ?? start.ms + Int64(minutes ?? 0) * 60_000
                m.roomID = room ?? 0
                m.venue = venue ?? ""
                m.mode = mode
                m.onlineLink = link ?? ""
                m.organiser = organiser
                m.groups = group.map(\.group)
                m.openRegistration = openRegistration
                m.capacity = capacity
                m.term = term
                var request = MeetingV1.ScheduleMeetingRequest()
                request.meeting = m
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.schedule, request) }
                try showMeeting(response.meeting, [], connection)
            }
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a draft: its groups are resolved into invitees and it gets its number (五届五次…).",
            discussion: "Example: gateway meeting publish 12 --override \"主席会议优先，已协调\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Accept required members' conflicts with other meetings, saying why.") var override: String?

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.PublishMeetingRequest()
                request.id = id
                request.overrideReason = override ?? ""
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.publish, request) }
                if connection.json { return try printJSON(response) }
                try showMeeting(response.meeting, [], connection)
                for c in response.overridden {
                    print("conflict accepted: meeting \(c.meetingID) \(c.meetingTitle) \(CommitteeClock.range(c.startMs, c.endMs)): members \(c.memberIDs.map(String.init).joined(separator: ", "))")
                }
            }
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a meeting; invitees are told of changes once it is published.",
            discussion: "Example: gateway meeting change 12 --start \"2026-12-02 14:30\" --end \"2026-12-02 16:30\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "New title.") var title: String?
        @Option(help: "New start.") var start: Moment?
        @Option(help: "New end.") var end: Moment?
        @Option(help: "New room (id).") var room: Int64?
        @Flag(help: "Hold it without a room (give --venue).") var noRoom = false
        @Option(help: "New venue.") var venue: String?
        @Option(help: "New mode.") var mode: MeetingV1.MeetingMode?
        @Option(help: "New online link.") var link: String?
        @Option(help: "New organiser.") var organiser: String?
        @Option(help: "Replace the invited groups (repeat for several).") var group: [GroupArgument] = []
        @Flag(help: "Remove every invited group.") var noGroups = false
        @Option(help: "Accept required members' conflicts, saying why.") var override: String?

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.ChangeMeetingRequest()
                request.id = id
                request.title = title ?? ""
                request.startMs = start?.ms ?? 0
                request.endMs = end?.ms ?? 0
                request.roomID = noRoom ? -1 : (room ?? 0)
                request.venue = venue ?? ""
                request.mode = mode ?? .unspecified
                request.onlineLink = link ?? ""
                request.organiser = organiser ?? ""
                request.groups = group.map(\.group)
                request.replaceGroups = !group.isEmpty || noGroups
                request.overrideReason = override ?? ""
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.change, request) }
                if connection.json { return try printJSON(response) }
                try showMeeting(response.meeting, [], connection)
                print("changed: \(response.changedFields.isEmpty ? "nothing" : response.changedFields.joined(separator: ", "))")
                for c in response.overridden {
                    print("conflict accepted: meeting \(c.meetingID) \(c.meetingTitle) \(CommitteeClock.range(c.startMs, c.endMs)): members \(c.memberIDs.map(String.init).joined(separator: ", "))")
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a meeting, saying why; the room and the members are freed.",
            discussion: "Example: gateway meeting cancel 12 --reason 因疫情防控需要延期")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Why (required).") var reason: String

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.CancelMeetingRequest()
                request.id = id
                request.reason = reason
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.cancel, request) }
                try showMeeting(response.meeting, [], connection)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a meeting and its invitees.", discussion: "Example: gateway meeting show 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.GetMeetingRequest()
                request.id = id
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.get, request, options: .read) }
                if connection.json { return try printJSON(response) }
                try showMeeting(response.meeting, response.invitees, connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List meetings by date, room, member (a member's schedule), kind or status.",
            discussion: "Example: gateway meeting list --from 2026-12-01 --to 2027-01-01 --member 5")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Meetings ending after this.") var from: Moment?
        @Option(help: "Meetings starting before this.") var to: Moment?
        @Option(help: "In this room.") var room: Int64?
        @Option(help: "With this member invited.") var member: Int64?
        @Option(help: "Of this kind.") var kind: MeetingV1.MeetingKind?
        @Option(help: "草稿, 已发布, 已结束 or 已取消 (draft, published, closed, cancelled).") var status: MeetingV1.MeetingStatus?
        @Flag(help: "Fetch every page.") var all = false

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.ListMeetingsRequest()
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
                request.roomID = room ?? 0
                request.memberID = member ?? 0
                request.kind = kind ?? .unspecified
                request.status = status ?? .unspecified
                var meetings: [MeetingV1.Meeting] = []
                var next = ""
                try await connection.withScheduler { client in
                    repeat {
                        let page = try await client.call(MeetingV1.Meetings.list, request, options: .read)
                        meetings += page.meetings
                        next = page.nextPageToken
                        request.pageToken = next
                    } while all && !next.isEmpty
                }
                if connection.json { return try printJSON(meetings) }
                var table = Table("id", "名称 name", "类别 kind", "时间 time", "地点 place", "状态 status")
                for m in meetings {
                    table.add(String(m.id), m.displayName.isEmpty ? m.title : "\(m.displayName) \(m.title)", m.kind.label,
                              CommitteeClock.range(m.startMs, m.endMs), m.roomName.isEmpty ? m.venue : m.roomName, m.status.label)
                }
                table.print()
                print("\(meetings.count) meetings\(next.isEmpty ? "" : "; more with --all")")
            }
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite members, or non-member participants of a 1+7+3 consultation.",
            discussion: "Example: gateway meeting invite 12 --member 5 --member 8 --participant \"王大爷|新华社区|resident\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "A member's id; repeat for several.") var member: [Int64] = []
        @Option(help: "NAME|ORGANISATION|CATEGORY, category one of stakeholder, resident, official, deputy (利益相关方, 群众代表, 部门负责人, 人大代表).") var participant: [String] = []
        @Flag(help: "Attendance is optional.") var optional = false
        @Option(help: "Accept required members' conflicts, saying why.") var override: String?

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.InviteRequest()
                request.meetingID = id
                request.memberIDs = member
                for text in participant {
                    let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count == 3, let category = MeetingV1.ParticipantCategory(parsing: parts[2]) else {
                        throw ValidationError("--participant \"\(text)\": write NAME|ORGANISATION|CATEGORY")
                    }
                    var p = MeetingV1.Invitee()
                    p.name = parts[0]
                    p.organisation = parts[1]
                    p.category = category
                    request.participants.append(p)
                }
                request.optional = optional
                request.overrideReason = override ?? ""
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.invite, request) }
                if connection.json { return try printJSON(response) }
                showInvitees(response.invitees)
            }
        }
    }

    struct Uninvite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw invitations.", discussion: "Example: gateway meeting uninvite 12 --invitee 31")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "An invitee's id (from `meeting show`); repeat for several.") var invitee: [Int64]

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.UninviteRequest()
                request.meetingID = id
                request.inviteeIDs = invitee
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.uninvite, request) }
                if connection.json { return try printJSON(response) }
                print("removed \(response.removed) invitation(s)")
            }
        }
    }

    struct Agenda: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the agenda (议题); it must fit in the meeting.",
            discussion: "Example: gateway meeting agenda 12 --item \"审议年度协商计划|60|张主席\" --item \"通报提案办理情况|30|\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "TITLE|MINUTES|PRESENTER[|PROPOSAL-ID|TOPIC-ID], in order; none clears the agenda.") var item: [String] = []

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.SetAgendaRequest()
                request.meetingID = id
                for text in item {
                    let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                    guard parts.count >= 2, let minutes = Int32(parts[1]) else {
                        throw ValidationError("--item \"\(text)\": write TITLE|MINUTES|PRESENTER")
                    }
                    var a = MeetingV1.AgendaItem()
                    a.title = parts[0]
                    a.durationMinutes = minutes
                    a.presenter = parts.count > 2 ? parts[2] : ""
                    a.proposalID = parts.count > 3 ? parts[3] : ""
                    a.topicID = parts.count > 4 ? parts[4] : ""
                    request.items.append(a)
                }
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.setAgenda, request) }
                try showMeeting(response.meeting, [], connection)
            }
        }
    }

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a member for an open-registration meeting (or withdraw; the waiting list moves up).",
            discussion: "Example: gateway meeting enroll 14 --member 5")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The member's id.") var member: Int64
        @Flag(help: "Give up the place.") var withdraw = false

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.EnrollRequest()
                request.meetingID = id
                request.memberID = member
                request.withdraw = withdraw
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.enroll, request) }
                if connection.json { return try printJSON(response) }
                showInvitees(response.invitee.map { [$0] } ?? [])
            }
        }
    }

    struct Leave: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask leave (请假) for an invitee.",
            discussion: "Example: gateway meeting leave 12 --invitee 31 --type 出差 --reason 赴兰州参加培训")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The invitee's id.") var invitee: Int64
        @Option(help: "出差, 出国, 生病, 公务 or 其他.") var type: MeetingV1.LeaveType
        @Option(help: "Why.") var reason: String

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.RequestLeaveRequest()
                request.meetingID = id
                request.inviteeID = invitee
                request.type = type
                request.reason = reason
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.requestLeave, request) }
                if connection.json { return try printJSON(response) }
                showInvitees(response.invitee.map { [$0] } ?? [])
            }
        }
    }

    struct ApproveLeave: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve-leave", abstract: "Approve (or --reject) a leave request.",
            discussion: "Example: gateway meeting approve-leave 12 --invitee 31")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The invitee's id.") var invitee: Int64
        @Flag(help: "Refuse the leave instead.") var reject = false
        @Option(help: "A note for the invitee.") var note: String?

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.DecideLeaveRequest()
                request.meetingID = id
                request.inviteeID = invitee
                request.approve = !reject
                request.note = note ?? ""
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.decideLeave, request) }
                if connection.json { return try printJSON(response) }
                showInvitees(response.invitee.map { [$0] } ?? [])
            }
        }
    }

    struct CheckIn: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-in", abstract: "Check an invitee in, by id (staff) or with the invitee's code.",
            discussion: "Example: gateway meeting check-in 12 --code 402917")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The invitee's id.") var invitee: Int64?
        @Option(help: "The invitee's six-digit code.") var code: String?

        func validate() throws {
            if (invitee == nil) == (code == nil) { throw ValidationError("give --invitee or --code") }
        }

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.CheckInRequest()
                request.meetingID = id
                request.inviteeID = invitee ?? 0
                request.code = code ?? ""
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.checkIn, request) }
                if connection.json { return try printJSON(response) }
                showInvitees(response.invitee.map { [$0] } ?? [])
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a meeting: those not checked in are marked absent; minutes and outcomes are kept.",
            discussion: "Example: gateway meeting close 12 --minutes \"会议审议通过了…\" --outcomes \"形成协商意见3条\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Minutes (纪要).") var minutes: String?
        @Option(help: "Outcomes (成果).") var outcomes: String?

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.CloseMeetingRequest()
                request.id = id
                request.minutes = minutes ?? ""
                request.outcomes = outcomes ?? ""
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.close, request) }
                if connection.json { return try printJSON(response) }
                let rate = String(format: "%.1f%%", (response.meeting?.attendanceRate ?? 0) * 100)
                print("closed: present \(response.present), on leave \(response.onLeave), absent \(response.absent); attendance rate \(rate)")
            }
        }
    }

    struct FindSlot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "find-slot", abstract: "The earliest time in working hours when a room and members are all free.",
            discussion: "Example: gateway meeting find-slot --from 2026-12-01 --to 2026-12-15 --minutes 90 --room 3 --group chairpersons-council")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment
        @Option(help: "Until.") var to: Moment
        @Option(help: "Length in minutes.") var minutes: Int32
        @Option(help: "A room that must be free.") var room: Int64?
        @Option(help: "A member who must be free; repeat for several.") var member: [Int64] = []
        @Option(help: "A group whose active members must be free.") var group: [GroupArgument] = []

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.FindSlotRequest()
                request.fromMs = from.ms
                request.toMs = to.ms
                request.durationMinutes = minutes
                request.roomID = room ?? 0
                request.memberIDs = member
                request.groups = group.map(\.group)
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.findSlot, request, options: .read) }
                if connection.json { return try printJSON(response) }
                print(response.found ? "earliest free slot: \(CommitteeClock.range(response.startMs, response.endMs))" : "no free slot in that window")
                if !response.found { throw ExitCode(3) }
            }
        }
    }

    struct ICal: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ical", abstract: "An iCalendar (.ics) file of a member's, a room's or the committee's meetings.",
            discussion: "Example: gateway meeting ical --member 5 --output 张伟.ics")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "A member's meetings.") var member: Int64?
        @Option(help: "A room's meetings.") var room: Int64?
        @Flag(help: "Every meeting of the committee.") var committee = false
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func validate() throws {
            if [member != nil, room != nil, committee].filter({ $0 }).count != 1 {
                throw ValidationError("give exactly one of --member, --room, --committee")
            }
        }

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.CalendarRequest()
                request.scope = member != nil ? .member : room != nil ? .room : .committee
                request.id = member ?? room ?? 0
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
                let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.calendar, request, options: .read) }
                if let output {
                    guard FileManager.default.createFile(atPath: output, contents: Data(response.ics.utf8)) else {
                        throw ValidationError("cannot write \(output)")
                    }
                    progress("wrote \(response.events) meetings to \(output)")
                } else {
                    print(response.ics, terminator: "")
                }
            }
        }
    }
}

extension MeetingCommand {
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "Meetings held in a period: by kind with attendance rates, consultation activities, each member's attendance.",
            discussion: "Example: gateway meeting stats --from 2026-01-01 --to 2027-01-01")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?

        func run() async throws {
            try await runReportingFailures {
                var request = MeetingV1.MeetingStatisticsRequest()
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
                let s = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.statistics, request, options: .read) }
                if connection.json { return try printJSON(s) }
                var kinds = Table("类别 kind", "召开 held", "应到 expected", "实到 present", "出席率 rate")
                for k in s.byKind {
                    kinds.add(k.kind.label, String(k.held), String(k.expected), String(k.present), String(format: "%.1f%%", k.attendanceRate * 100))
                }
                kinds.print()
                print("协商议事活动 \(s.consultationActivities) 次，参与 \(s.participantPersonTimes) 人次")
                var members = Table("委员 member", "姓名 name", "出席 attended", "请假 leave", "缺席 absent", "协商活动 activities")
                for m in s.members {
                    members.add(String(m.memberID), m.name, String(m.attended), String(m.onLeave), String(m.absent), String(m.consultationActivities))
                }
                members.print()
            }
        }
    }
}

func showMeeting(_ meeting: MeetingV1.Meeting?, _ invitees: [MeetingV1.Invitee], _ connection: ConnectionOptions) throws {
    guard let m = meeting else { return }
    if connection.json { return try printJSON(m) }
    var table = Table("字段 field", "值 value")
    let groups = m.groups.map { g in g.kind.label + (g.name.isEmpty ? "" : " \(g.name)") + (g.id == 0 ? "" : " \(g.id)") }
    for (field, value) in [
        ("id", String(m.id)), ("名称 name", m.displayName.isEmpty ? m.title : "\(m.displayName)：\(m.title)"),
        ("类别 kind", m.kind.label), ("届 term", String(m.term)), ("时间 time", CommitteeClock.range(m.startMs, m.endMs)),
        ("地点 place", [m.roomName, m.venue].filter { !$0.isEmpty }.joined(separator: " ")),
        ("方式 mode", m.mode.label + (m.onlineLink.isEmpty ? "" : " \(m.onlineLink)")), ("组织 organiser", m.organiser),
        ("状态 status", m.status.label + (m.cancelReason.isEmpty ? "" : "（\(m.cancelReason)）")),
        ("邀请群体 groups", groups.joined(separator: "、")),
        ("报名 registration", m.openRegistration ? "开放报名，\(m.capacity) 座" : "按邀请"),
        ("邀请人数 invitees", String(m.inviteeCount)),
        ("议题 agenda", m.agenda.map { "\($0.position). \($0.title)（\($0.durationMinutes) 分钟\($0.presenter.isEmpty ? "" : "，\($0.presenter)")）" }.joined(separator: "；")),
        ("出席率 attendance", m.status == .closed ? String(format: "%.1f%%", m.attendanceRate * 100) : ""),
    ] where !value.isEmpty { table.add(field, value) }
    table.print()
    if !invitees.isEmpty {
        print("")
        showInvitees(invitees)
    }
}

func showInvitees(_ invitees: [MeetingV1.Invitee]) {
    var table = Table("id", "委员 member", "姓名 name", "单位 organisation", "类别 category", "必到 required", "状态 attendance", "签到码 code")
    for i in invitees {
        table.add(String(i.id), i.memberID == 0 ? "" : String(i.memberID), i.name, i.organisation, i.category.label, i.required ? "是" : "",
                  i.attendance.label + (i.leaveType == .unspecified ? "" : "（\(i.leaveType.label)：\(i.leaveReason)）")
                    + (i.waitlistPosition > 0 ? " #\(i.waitlistPosition)" : ""), i.checkInCode)
    }
    table.print()
}
