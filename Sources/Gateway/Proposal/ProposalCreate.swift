import ArgumentParser
import XieshangWire

extension ProposalCommand {
    struct Create: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft a proposal for a member, or a joint proposal of a sector, party or committee.",
            discussion: "Example: gateway proposal create --member 12 \\\n             --title 关于加快老旧小区加装电梯的建议 --body \"…\" \\\n             --category 城市建设")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var content: Content
        @Option(help: "The proposing member.") var member: Int64?
        @Option(help: "A joint proposer instead: a sector, party or committee.") var joint: String?
        @Option(help: "Session of the term (第几次会议); default: the plenary last held, as meeting-scheduler knows it, else one a year from the term's start.") var session: Int32 = 0
        @Flag(help: "Submitted during the plenary session (会上).") var plenary = false

        func validate() throws {
            if (member == nil) == (joint == nil) { throw ValidationError("give --member or --joint") }
            if content.title == nil || content.body == nil { throw ValidationError("--title and --body are required") }
        }

        func perform() async throws -> Output {
            var p = ProposalV1.Proposal()
            p.`public` = true
            try content.apply(to: &p)
            p.proposerMemberID = member ?? 0
            p.jointProposer = joint ?? ""
            p.session = session
            p.duringPlenary = plenary
            let response = try await connection.call(ProposalV1.Proposals.create) { $0.proposal = p }
            return proposalOutput(response.proposal, [])
        }
    }
}
