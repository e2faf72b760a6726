import ArgumentParser
import XieshangRPC
import XieshangWire

extension StationCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List the work stations.", discussion: "Example: gateway station list")
        @OptionGroup var connection: ConnectionOptions

        func perform() async throws -> Output {
            StationCommand.output(try await connection.with(.registry) {
                try await $0.call(MemberV1.Stations.list, MemberV1.ListStationsRequest(), options: .read)
            }.stations)
        }
    }
}
