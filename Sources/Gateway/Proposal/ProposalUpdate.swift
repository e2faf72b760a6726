import ArgumentParser
import XieshangRPC
import XieshangWire

extension ProposalCommand {
    struct Update: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit a draft.", discussion: "Example: gateway proposal update 4 --as member:12 --title 关于…的建议")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64
        @OptionGroup var content: Content
        @Option(help: "Who edits: member:ID (the proposer) or staff for a joint proposal. Default: who your key says you are (the office: staff).") var `as`: ActorArgument?

        func perform() async throws -> Output {
            let response = try await connection.with(.tracker) { client in
                var get = ProposalV1.GetProposalRequest()
                get.id = id
                var p = try await client.call(ProposalV1.Proposals.get, get, options: .read).proposal ?? ProposalV1.Proposal()
                try content.apply(to: &p)
                var request = ProposalV1.UpdateProposalRequest()
                request.proposal = p
                request.actor = `as`?.actor
                return try await client.call(ProposalV1.Proposals.update, request)
            }
            return proposalOutput(response.proposal, [])
        }
    }
}
