import ArgumentParser
import XieshangWire

extension TopicCommand {
    struct Create: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Collect a topic (收集议题).",
            discussion: "Example: gateway topic create --title 老旧小区加装电梯 --room 3 \\\n             --theme 基层民主 --source 民情大走访 --description 居民多次反映")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Title.") var title: String
        @Option(help: "What residents raised.") var description: String?
        @Option(help: "The work station.") var station: Int64?
        @Option(help: "The consultation room.") var room: Int64?
        @Option(help: "民情大走访, 矛盾纠纷大排查, 文明城市民意调查, 提案办理, 来信来访, 调查 or 委员提出 (visit, dispute-screening, civility-survey, proposal-handling, petition, survey, member).") var source: ProposalV1.TopicSource
        @Option(help: "中心工作, 经济社会发展, 基层民主 or 化解矛盾 (central-work, development, grassroots-democracy, disputes).") var theme: ProposalV1.TopicTheme
        @Option(help: "The proposal it is linked to (required with --source 提案办理).") var proposal: Int64?
        @Option(help: "The annual consultation plan's item it carries out (gateway plan list).") var planItem: Int64?
        @Option(help: "Who records it (staff or staff:NAME; default: who your key says you are).") var `as`: ActorArgument?

        func perform() async throws -> Output {
            var topic = ProposalV1.Topic()
            topic.title = title
            topic.description = description ?? ""
            topic.stationID = station ?? 0
            topic.roomID = room ?? 0
            topic.source = source
            topic.theme = theme
            topic.proposalID = proposal ?? 0
            topic.planItemID = planItem ?? 0
            let response = try await connection.call(ProposalV1.Topics.create) { request in
                request.topic = topic
                request.actor = `as`?.actor
            }
            return topicOutput(response.topic)
        }
    }
}
