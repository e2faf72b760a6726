import ArgumentParser
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
            let response = try await connection.call(MeetingV1.Meetings.cancel) { request in
                request.id = id
                request.reason = reason
            }
            return .meeting(response.meeting, [])
        }
    }
}
