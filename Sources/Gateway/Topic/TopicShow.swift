import ArgumentParser
import XieshangRPC
import XieshangWire

extension TopicCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic and its steps.", discussion: "Example: gateway topic show 2")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The topic's id.") var id: Int64

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Topics.get, options: .read) { $0.id = id }
            return topicOutput(response.topic)
        }
    }
}
