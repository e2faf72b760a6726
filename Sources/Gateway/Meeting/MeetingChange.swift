import ArgumentParser
import XieshangLabels
import XieshangWire

extension MeetingCommand {
    struct Change: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a meeting; invitees are told of changes once it is published.",
            discussion: "Example: gateway meeting change 12 --start \"2026-12-02 14:30\" \\\n             --end \"2026-12-02 16:30\"")
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

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.change) { request in
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
            }
            var output = Output(response)
            output.append(.meeting(response.meeting, []))
            output.line("changed: \(response.changedFields.isEmpty ? "nothing" : response.changedFields.joined(separator: ", "))")
            for c in response.overridden {
                output.line("conflict accepted: meeting \(c.meetingID) \(c.meetingTitle) \(CommitteeClock.range(c.startMs, c.endMs)): members \(c.memberIDs.map(String.init).joined(separator: ", "))")
            }
            return output
        }
    }
}
