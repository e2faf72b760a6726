import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension UnitCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List handling units.", discussion: "Example: gateway unit list --all")
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Include units that no longer take proposals.") var all = false
        func perform() async throws -> Output {
            var request = MemberV1.ListUnitsRequest()
            request.includeInactive = all
            let list = try await connection.withRegistry { try await $0.call(MemberV1.Units.list, request, options: .read) }
            return UnitCommand.output(list.units)
        }
    }
}
