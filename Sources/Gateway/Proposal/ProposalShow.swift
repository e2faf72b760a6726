import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension ProposalCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show a proposal and what can be done next.", discussion: "Example: gateway proposal show 4")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Proposals.get, options: .read) { $0.id = id }
            var output = Output(response)
            output.append(proposalOutput(response.proposal, response.allowed.map { "\($0.identifier) (\($0.label))" }))
            return output
        }
    }
}
