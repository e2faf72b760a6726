import ArgumentParser
import XieshangWire

extension TermCommand {
    struct SetCurrent: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-current", abstract: "Make a term the current one.", discussion: "Example: gateway term set-current 6")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The term's number.") var number: Int32

        func perform() async throws -> Output {
            let term = try await connection.call(MemberV1.Terms.setCurrent) { $0.number = number }
            return termsOutput(term.term.map { [$0] } ?? [])
        }
    }
}
