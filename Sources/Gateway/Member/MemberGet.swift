import ArgumentParser
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Get: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show one member.", discussion: "Example: gateway member get 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64

        func perform() async throws -> Output {
            let response = try await connection.call(MemberV1.Members.get, options: .read) { $0.id = id }
            return Output.member(response.member)
        }
    }
}
