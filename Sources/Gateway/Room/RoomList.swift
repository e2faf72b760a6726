import ArgumentParser
import XieshangRPC
import XieshangWire

extension RoomCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "List consultation rooms.", discussion: "Example: gateway room list --station 1")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this work station's rooms.") var station: Int64?
        func perform() async throws -> Output {
            let list = try await connection.call(MemberV1.Rooms.list, options: .read) { $0.stationID = station ?? 0 }
            return RoomCommand.output(list.rooms)
        }
    }
}
