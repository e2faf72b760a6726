import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct ApproveLeave: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve-leave", abstract: "Approve (or --reject) a leave request.",
            discussion: "Example: gateway meeting approve-leave 12 --invitee 31")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The invitee's id.") var invitee: Int64
        @Flag(help: "Refuse the leave instead.") var reject = false
        @Option(help: "A note for the invitee.") var note: String?

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.decideLeave) { request in
                request.meetingID = id
                request.inviteeID = invitee
                request.approve = !reject
                request.note = note ?? ""
            }
            var output = Output(response)
            output.add(inviteeTable(response.invitee.map { [$0] } ?? []))
            return output
        }
    }
}
