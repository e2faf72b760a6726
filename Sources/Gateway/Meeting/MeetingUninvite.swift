import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct Uninvite: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Withdraw invitations.", discussion: "Example: gateway meeting uninvite 12 --invitee 31")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "An invitee's id (from `meeting show`); repeat for several.") var invitee: [Int64]

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.uninvite) { request in
                request.meetingID = id
                request.inviteeIDs = invitee
            }
            var output = Output(response)
            output.line("removed \(response.removed) invitation(s)")
            return output
        }
    }
}
