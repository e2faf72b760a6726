import ArgumentParser
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show a meeting and its invitees.", discussion: "Example: gateway meeting show 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.get, options: .read) { $0.id = id }
            var output = Output(response)
            output.append(.meeting(response.meeting, response.invitees))
            return output
        }
    }
}
