import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct CheckIn: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-in", abstract: "Check an invitee in, by id (staff) or with the invitee's code.",
            discussion: "Example: gateway meeting check-in 12 --code 402917")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The invitee's id.") var invitee: Int64?
        @Option(help: "The invitee's six-digit code.") var code: String?
        @Option(help: "Staff recording a check-in before check-in opens (2 hours before the start): why.") var recordReason: String?

        func validate() throws {
            if (invitee == nil) == (code == nil) { throw ValidationError("give --invitee or --code") }
        }

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.checkIn) { request in
                request.meetingID = id
                request.inviteeID = invitee ?? 0
                request.code = code ?? ""
                request.recordReason = recordReason ?? ""
            }
            var output = Output(response)
            output.add(inviteeTable(response.invitee.map { [$0] } ?? []))
            return output
        }
    }
}
