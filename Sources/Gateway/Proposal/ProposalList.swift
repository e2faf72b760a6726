import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension ProposalCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List proposals.", discussion: "Example: gateway proposal list --state 办理中 --unit 3")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "In this state, e.g. 立案 (filed), 办理中 (in-handling).") var state: ProposalV1.ProposalState?
        @Option(help: "Of this term.") var term: Int32 = 0
        @Option(help: "With this member as proposer or co-signer.") var member: Int64?
        @Option(help: "Assigned to this unit.") var unit: Int64?
        @Flag(help: "Fetch every page.") var all = false

        func perform() async throws -> Output {
            var request = ProposalV1.ListProposalsRequest()
            request.state = state ?? .unspecified
            request.term = term
            request.memberID = member ?? 0
            request.unitID = unit ?? 0
            var proposals: [ProposalV1.Proposal] = []
            try await connection.with(.tracker) { client in
                repeat {
                    let page = try await client.call(ProposalV1.Proposals.list, request, options: .read)
                    proposals += page.proposals
                    request.pageToken = page.nextPageToken
                } while all && !request.pageToken.isEmpty
            }
            var output = Output(proposals)
            var table = Table("id", "编号 number", "案由 title", "提案人 proposer", "状态 state", "主办 lead unit", "期限 deadline")
            for p in proposals {
                table.add(String(p.id), p.number, p.title, p.proposerName, p.state.label, p.leadUnitName, CommitteeClock.minute(ifSet: p.deadlineMs))
            }
            output.add(table)
            return output
        }
    }
}
