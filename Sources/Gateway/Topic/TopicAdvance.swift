import ArgumentParser
import XieshangWire

extension TopicCommand {
    struct Advance: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the next step: decided, researched, consulted (with its meeting), publicised, implemented, feedback.",
            discussion: """
                The 公开公示 and 结果反馈 steps post a notice, which the room's members are told of.

                Examples: gateway topic advance 2 consulted --meeting 3
                          gateway topic advance 2 publicised --notes 协商意见已公示 \\
                              --notice "加装电梯按业主自愿、政府补贴推进" \\
                              --posted-at 新华社区居务公开栏 \\
                              --from 2026-12-02 --to 2026-12-09
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The topic's id.") var id: Int64
        @Argument(help: "The next step (确定议题, 议前调研, 协商议事, 公开公示, 办理实施, 结果反馈).") var step: ProposalV1.TopicStep
        @Option(help: "What was done.") var notes: String?
        @Option(help: "The consultation meeting (for consulted).") var meeting: Int64?
        @Flag(help: "The problem is solved (for feedback).") var solved = false
        @Option(help: "The notice's text (for publicised and feedback).") var notice: String?
        @Option(help: "Where the notice is posted, e.g. 新华社区居务公开栏.") var postedAt: String?
        @Option(help: "The notice's first day (YYYY-MM-DD).") var from: String?
        @Option(help: "The notice's last day (YYYY-MM-DD).") var to: String?
        @Option(help: "Who records it (staff or staff:NAME; default: who your key says you are).") var `as`: ActorArgument?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Topics.advance) { request in
                request.id = id
                request.step = step
                request.notes = notes ?? ""
                request.meetingID = meeting ?? 0
                request.solved = solved
                if notice != nil || postedAt != nil || from != nil || to != nil {
                    var n = ProposalV1.TopicNotice()
                    n.text = notice ?? ""
                    n.postedAt = postedAt ?? ""
                    n.fromDate = from ?? ""
                    n.toDate = to ?? ""
                    request.notice = n
                }
                request.actor = `as`?.actor
            }
            return topicOutput(response.topic)
        }
    }
}
