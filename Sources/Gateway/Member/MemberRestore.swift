import ArgumentParser
import Foundation
import XieshangWire

extension MemberCommand {
    struct Restore: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a member who left active (在任) again.",
            discussion: "Example: gateway member restore 12 --reason 误操作更正")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "Why (required).") var reason: String

        func perform() async throws -> Output {
            try await changeStatus(id, .active, reason, nil, connection)
        }
    }
}
