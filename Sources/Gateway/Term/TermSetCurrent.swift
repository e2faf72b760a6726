import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension TermCommand {
    struct SetCurrent: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-current", abstract: "Make a term the current one.", discussion: "Example: gateway term set-current 6")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The term's number.") var number: Int32

        func perform() async throws -> Output {
            var request = MemberV1.SetCurrentTermRequest()
            request.number = number
            let term = try await connection.withRegistry { try await $0.call(MemberV1.Terms.setCurrent, request) }
            return termsOutput(term.term.map { [$0] } ?? [])
        }
    }
}
