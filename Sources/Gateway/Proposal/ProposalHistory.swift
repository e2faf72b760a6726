import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension ProposalCommand {
    struct History: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Every step of a proposal: who, when, why, what changed.", discussion: "Example: gateway proposal history 4")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Proposals.history, options: .read) { $0.id = id }
            var output = Output(response.transitions)
            var table = Table("时间 time", "操作人 actor", "操作 action", "状态 state", "原因 reason", "变更 changes")
            for t in response.transitions {
                let who = t.actor.map { a in a.kind == .staff ? "办公室 \(a.name)" : a.kind == .member ? "委员 \(a.id)" : "单位 \(a.id)" } ?? ""
                table.add(CommitteeClock.second(ifSet: t.atMs), who, t.action == .unspecified ? "创建" : t.action.label,
                          t.from == t.to ? t.to.label : "\(t.from.label) → \(t.to.label)", t.reason, t.changes.joined(separator: "；"))
            }
            output.add(table)
            return output
        }
    }
}
