import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension OpinionCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "An item, its reports, adoptions, instructions and steps.", discussion: "Example: gateway opinion show 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The item's id.") var id: Int64

        func perform() async throws -> Output {
            let opinion = try await connection.call(ProposalV1.Opinions.get, options: .read) { $0.id = id }.opinion
            var output = opinionOutput(opinion)
            var steps = Table("时间 at", "步骤 step", "状态 state", "经办 by", "说明 note")
            for s in opinion?.steps ?? [] {
                steps.add(CommitteeClock.minute(s.atMs), s.action.label, s.from == .unspecified ? s.to.label : "\(s.from.label) → \(s.to.label)",
                          s.actor?.name ?? "", s.note)
            }
            output.add(steps)
            return output
        }
    }
}
