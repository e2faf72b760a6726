import ArgumentParser
import XieshangLabels
import XieshangWire

extension MeetingCommand {
    struct Decide: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record what a meeting decided on an agenda item's document (审议通过, 修改后通过, 提请常委会, 常委会通过, 未通过), with the vote.",
            discussion: """
                A 主席会议 may pass an item on (提请常委会): it joins the agenda of the next 常委会会议 still in draft. \
                A 常委会会议 approves (常委会通过) by a vote with a quorum (more than half of 应到 checked in) and 赞成 from \
                more than half of 应到.

                Examples: gateway meeting decide 7 --item 1 --outcome 提请常委会
                          gateway meeting decide 9 --item 2 --outcome 常委会通过 --for 30 \\
                              --against 2 --abstain 1
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "The item's position on the agenda.") var item: Int32
        @Option(help: "审议通过, 修改后通过, 提请常委会, 常委会通过 or 未通过 (adopted, adopted-with-changes, referred, approved, not-adopted).")
        var outcome: MeetingV1.ItemStatus
        @Option(help: "What was changed (with 修改后通过).") var changes: String?
        @Option(name: .customLong("for"), help: "Votes in favour (赞成).") var inFavour: Int32?
        @Option(help: "Votes against (反对).") var against: Int32?
        @Option(help: "Abstentions (弃权).") var abstain: Int32?
        @Option(help: "Staff recording a decision before the meeting's recorded start (it was held earlier): why.") var recordReason: String?

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.decideItem) { request in
                request.meetingID = id
                request.position = item
                request.outcome = outcome
                request.changes = changes ?? ""
                request.recordReason = recordReason ?? ""
                if inFavour != nil || against != nil || abstain != nil {
                    var vote = MeetingV1.Vote()
                    vote.inFavour = inFavour ?? 0
                    vote.against = against ?? 0
                    vote.abstaining = abstain ?? 0
                    request.vote = vote
                }
            }
            var output = Output(response)
            if let decided = response.meeting?.agenda.first(where: { $0.position == item }) {
                output.line(agendaText(decided))
            }
            if let next = response.referredTo {
                output.line("提请：\(next.title)（会议 \(next.id)，\(CommitteeClock.minute(next.startMs))）的议程第 \(next.agenda.count) 项")
            }
            return output
        }
    }
}
