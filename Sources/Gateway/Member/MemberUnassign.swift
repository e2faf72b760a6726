import ArgumentParser
import XieshangWire

extension MemberCommand {
    struct Unassign: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a member out of a consultation room.", discussion: "Example: gateway member unassign 12 --room 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "The room's id.") var room: Int64

        func perform() async throws -> Output {
            try await assignment(MemberV1.Members.unassignRoom, id, room, connection)
        }
    }
}
