import ArgumentParser
import XieshangRPC
import XieshangWire

extension UnitCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List handling units.", discussion: "Example: gateway unit list --all")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Include units that no longer take proposals.") var all = false
        func perform() async throws -> Output {
            let list = try await connection.call(MemberV1.Units.list, options: .read) { $0.includeInactive = all }
            return UnitCommand.output(list.units)
        }
    }
}
