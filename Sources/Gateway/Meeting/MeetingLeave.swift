import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct Leave: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask leave (请假) for an invitee.",
            discussion: "Example: gateway meeting leave 12 --invitee 31 --type 出差 \\\n             --reason 赴兰州参加培训")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The invitee's id.") var invitee: Int64
        @Option(help: "出差, 出国, 生病, 公务 or 其他.") var type: MeetingV1.LeaveType
        @Option(help: "Why.") var reason: String

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.requestLeave) { request in
                request.meetingID = id
                request.inviteeID = invitee
                request.type = type
                request.reason = reason
            }
            var output = Output(response)
            output.add(inviteeTable(response.invitee.map { [$0] } ?? []))
            return output
        }
    }
}
