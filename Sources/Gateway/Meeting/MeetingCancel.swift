import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct Cancel: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a meeting, saying why; the room and the members are freed.",
            discussion: "Example: gateway meeting cancel 12 --reason 因疫情防控需要延期")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Why (required).") var reason: String

        func perform() async throws -> Output {
            var request = MeetingV1.CancelMeetingRequest()
            request.id = id
            request.reason = reason
            let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.cancel, request) }
            return .meeting(response.meeting, [])
        }
    }
}
