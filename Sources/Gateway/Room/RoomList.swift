import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension RoomCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "List consultation rooms.", discussion: "Example: gateway room list --station 1")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this work station's rooms.") var station: Int64?
        func perform() async throws -> Output {
            var request = MemberV1.ListRoomsRequest()
            request.stationID = station ?? 0
            let list = try await connection.withRegistry { try await $0.call(MemberV1.Rooms.list, request, options: .read) }
            return RoomCommand.output(list.rooms)
        }
    }
}
