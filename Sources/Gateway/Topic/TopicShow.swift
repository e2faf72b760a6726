import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension TopicCommand {
    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic and its steps.", discussion: "Example: gateway topic show 2")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The topic's id.") var id: Int64

        func perform() async throws -> Output {
            var request = ProposalV1.GetTopicRequest()
            request.id = id
            let response = try await connection.withTracker { try await $0.call(ProposalV1.Topics.get, request, options: .read) }
            return topicOutput(response.topic)
        }
    }
}
