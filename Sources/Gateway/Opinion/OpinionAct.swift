import ArgumentParser
import XieshangLabels
import XieshangWire

extension OpinionCommand {
    struct Act: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The office's steps: edit, report, adopt, instruct, decline.",
            discussion: """
                Examples:
                  gateway opinion act 3 edit --title 关于破解农村留守老人助餐难的建议 \\
                      --note 精简标题
                  gateway opinion act 3 report --level 省级 --to 省政协办公厅
                  gateway opinion act 3 adopt --level 省级 \\
                      --used-in "省政协《社情民意》2026年第12期"
                  gateway opinion act 3 instruct --level 省级 --leader 副省长 \\
                      --text "请省民政厅研究办理"
                  gateway opinion act 3 decline --note 已有同类信息报送
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The item's id.") var id: Int64
        @Argument(help: "edit, report, adopt, instruct or decline (or 编辑, 报送, 采用, 批示, 不予采用).") var action: ProposalV1.OpinionAction
        @Option(help: "edit: the new title.") var title: String?
        @Option(help: "edit: the new text.") var body: String?
        @Option(help: "report, adopt, instruct: 市级, 省级 or 全国 (city, province, national).") var level: ProposalV1.OpinionLevel?
        @Option(name: .customLong("to"), help: "report: where it is sent, e.g. 省政协办公厅.") var recipient: String?
        @Option(help: "adopt: where it was used, e.g. 省政协《社情民意》2026年第12期.") var usedIn: String?
        @Option(help: "instruct: the leader who gave the instruction.") var leader: String?
        @Option(help: "instruct: the instruction's text.") var text: String?
        @Option(help: "edit: what was edited; decline: why.") var note: String?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Opinions.act) { request in
                request.id = id
                request.action = action
                request.title = title ?? ""
                request.body = body ?? ""
                request.level = level ?? .unspecified
                request.recipient = recipient ?? ""
                request.usedIn = usedIn ?? ""
                request.leader = leader ?? ""
                request.text = text ?? ""
                request.note = note ?? ""
            }
            var output = Output(response)
            if let step = response.opinion?.steps.last {
                output.line("\(step.action.label): \(step.from.label) → \(step.to.label)\(step.note.isEmpty ? "" : "（\(step.note)）")")
            }
            output.append(opinionOutput(response.opinion))
            return output
        }
    }
}
