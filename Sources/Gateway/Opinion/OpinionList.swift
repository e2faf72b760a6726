import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension OpinionCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Items, newest last; a member's key lists its own.", discussion: "Example: gateway opinion list --state adopted")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this member's.") var member: Int64?
        @Option(help: "submitted, reported, adopted or not-adopted (已提交, 已报送, 已采用, 未采用).") var state: ProposalV1.OpinionState?
        @Option(help: "How many (1-500).") var pageSize: Int32 = 50
        @Option(help: "The page after this token (from the last page).") var pageToken: String?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Opinions.list, options: .read) { request in
                request.memberID = member ?? 0
                request.state = state ?? .unspecified
                request.pageSize = pageSize
                request.pageToken = pageToken ?? ""
            }
            var table = Table("id", "标题 title", "委员 member", "界别 sector", "状态 state", "报送 sent to", "采用 adopted", "批示 instructions")
            for o in response.opinions {
                table.add(String(o.id), o.title, o.memberName, o.sector, o.state.label, o.reports.map(\.level.label).joined(separator: "、"),
                          o.adoptions.map(\.level.label).joined(separator: "、"), String(o.instructions.count))
            }
            var output = Output(response.opinions, table)
            if !response.nextPageToken.isEmpty { output.line("next page: --page-token \(response.nextPageToken)") }
            return output
        }
    }
}
