import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show a meeting and its invitees.", discussion: "Example: gateway meeting show 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64

        func perform() async throws -> Output {
            var request = MeetingV1.GetMeetingRequest()
            request.id = id
            let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.get, request, options: .read) }
            var output = Output(response)
            output.append(.meeting(response.meeting, response.invitees))
            return output
        }
    }
}
