import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension TopicCommand {
    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "List topics.", discussion: "Example: gateway topic list --station 1")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "At this step.") var step: ProposalV1.TopicStep?
        @Option(help: "Of this work station.") var station: Int64?
        @Option(help: "Of this room.") var room: Int64?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Topics.list, options: .read) { request in
                request.step = step ?? .unspecified
                request.stationID = station ?? 0
                request.roomID = room ?? 0
            }
            var output = Output(response.topics)
            var table = Table("id", "议题 title", "来源 source", "步骤 step", "会议 meeting", "解决 solved")
            for t in response.topics {
                table.add(String(t.id), t.title, t.source.label, t.step.label, t.meetingID == 0 ? "" : String(t.meetingID), t.solved ? "是" : "")
            }
            output.add(table)
            return output
        }
    }
}
