import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Get: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show one member.", discussion: "Example: gateway member get 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64

        func perform() async throws -> Output {
            var request = MemberV1.GetMemberRequest()
            request.id = id
            let response = try await connection.withRegistry { try await $0.call(MemberV1.Members.get, request, options: .read) }
            return Output.member(response.member)
        }
    }
}
