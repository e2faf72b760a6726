import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct List: GatewayCommand {
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

        func perform() async throws -> Output {
            var request = MeetingV1.ListMeetingsRequest()
            request.fromMs = from?.ms ?? 0
            request.toMs = to?.ms ?? 0
            request.roomID = room ?? 0
            request.memberID = member ?? 0
            request.kind = kind ?? .unspecified
            request.status = status ?? .unspecified
            var meetings: [MeetingV1.Meeting] = []
            var next = ""
            try await connection.with(.scheduler) { client in
                repeat {
                    let page = try await client.call(MeetingV1.Meetings.list, request, options: .read)
                    meetings += page.meetings
                    next = page.nextPageToken
                    request.pageToken = next
                } while all && !next.isEmpty
            }
            var output = Output(meetings)
            var table = Table("id", "名称 name", "类别 kind", "时间 time", "地点 place", "状态 status")
            for m in meetings {
                table.add(String(m.id), m.displayName.isEmpty ? m.title : "\(m.displayName) \(m.title)", m.kind.label,
                          CommitteeClock.range(m.startMs, m.endMs), m.roomName.isEmpty ? m.venue : m.roomName, m.status.label)
            }
            output.add(table)
            output.line("\(meetings.count) meetings\(next.isEmpty ? "" : "; more with --all")")
            return output
        }
    }
}
