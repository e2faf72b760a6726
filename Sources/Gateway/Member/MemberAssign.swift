import ArgumentParser
import XieshangWire

extension MemberCommand {
    struct Assign: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign a member to a consultation room (下沉).", discussion: "Example: gateway member assign 12 --room 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "The room's id.") var room: Int64

        func perform() async throws -> Output {
            try await assignment(MemberV1.Members.assignRoom, id, room, connection)
        }
    }
}
