import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct Enroll: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a member for an open-registration meeting (or withdraw; the waiting list moves up).",
            discussion: "Example: gateway meeting enroll 14 --member 5")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The member's id.") var member: Int64
        @Flag(help: "Give up the place.") var withdraw = false

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.enroll) { request in
                request.meetingID = id
                request.memberID = member
                request.withdraw = withdraw
            }
            var output = Output(response)
            output.add(inviteeTable(response.invitee.map { [$0] } ?? []))
            return output
        }
    }
}
