import ArgumentParser
import XieshangLabels
import XieshangWire

extension MeetingCommand {
    struct Publish: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a draft: its groups are resolved into invitees and it gets its number (五届五次…).",
            discussion: "Example: gateway meeting publish 12 --override \"主席会议优先，已协调\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Accept required members' conflicts with other meetings, saying why.") var override: String?

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.publish) { request in
                request.id = id
                request.overrideReason = override ?? ""
            }
            var output = Output(response)
            output.append(.meeting(response.meeting, []))
            for c in response.overridden {
                output.line("conflict accepted: meeting \(c.meetingID) \(c.meetingTitle) \(CommitteeClock.range(c.startMs, c.endMs)): members \(c.memberIDs.map(String.init).joined(separator: ", "))")
            }
            return output
        }
    }
}
