import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct Schedule: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Schedule a meeting as a draft; the room is booked at once.",
            discussion: "Example: gateway meeting schedule --title 研究年度协商计划 --kind 主席会议 \\\n             --start \"2026-12-01 09:00\" --minutes 120 --room 3 \\\n             --group chairpersons-council")
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
        @Option(help: "The annual consultation plan's item it carries out (gateway plan list).") var planItem: Int64?
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

        func perform() async throws -> Output {
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
            m.planItemID = planItem ?? 0
            m.groups = group.map(\.group)
            m.openRegistration = openRegistration
            m.capacity = capacity
            m.term = term
            let response = try await connection.call(MeetingV1.Meetings.schedule) { $0.meeting = m }
            return .meeting(response.meeting, [])
        }
    }
}
