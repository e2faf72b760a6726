import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct History: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Who changed what about a member, and when.", discussion: "Example: gateway member history 12")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64

        func perform() async throws -> Output {
            let response = try await connection.call(MemberV1.Members.history, options: .read) { $0.memberID = id }
            var output = Output(response.entries)
            var table = Table("时间 time", "操作人 actor", "操作 action", "原因 reason", "变更 changes")
            for entry in response.entries {
                let changes = entry.changes.map { "\($0.field): \($0.oldValue.isEmpty ? "∅" : $0.oldValue) → \($0.newValue.isEmpty ? "∅" : $0.newValue)" }
                table.add(CommitteeClock.second(ifSet: entry.atMs), entry.actor, entry.action, entry.reason, changes.joined(separator: "; "))
            }
            output.add(table)
            return output
        }
    }
}
