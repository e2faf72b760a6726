import ArgumentParser
import XieshangWire

extension TopicCommand {
    struct Advance: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the next step: decided, researched, consulted (with its meeting), publicised, implemented, feedback.",
            discussion: "Example: gateway topic advance 2 consulted --meeting 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The topic's id.") var id: Int64
        @Argument(help: "The next step (确定议题, 议前调研, 协商议事, 公开公示, 办理实施, 结果反馈).") var step: ProposalV1.TopicStep
        @Option(help: "What was done.") var notes: String?
        @Option(help: "The consultation meeting (for consulted).") var meeting: Int64?
        @Flag(help: "The problem is solved (for feedback).") var solved = false
        @Option(help: "Who records it (staff or staff:NAME; default: who your key says you are).") var `as`: ActorArgument?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Topics.advance) { request in
                request.id = id
                request.step = step
                request.notes = notes ?? ""
                request.meetingID = meeting ?? 0
                request.solved = solved
                request.actor = `as`?.actor
            }
            return topicOutput(response.topic)
        }
    }
}
