import ArgumentParser
import XieshangWire

extension OpinionCommand {
    struct Submit: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit an item for a member (a member's own key submits as that member).",
            discussion: "Example: gateway opinion submit --member 13 \\\n             --title 关于农村留守老人助餐难的反映 --body \"…\"")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member who reports it (default: who your key says you are).") var member: Int64?
        @Option(help: "Title.") var title: String
        @Option(help: "What the public said, and what is suggested.") var body: String

        func perform() async throws -> Output {
            opinionOutput(try await connection.call(ProposalV1.Opinions.submit) { request in
                request.memberID = member ?? 0
                request.title = title
                request.body = body
            }.opinion)
        }
    }
}
