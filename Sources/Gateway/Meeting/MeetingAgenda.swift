import ArgumentParser
import XieshangLabels
import XieshangWire

extension MeetingCommand {
    struct Agenda: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the agenda (议题); it must fit in the meeting.",
            discussion: "Example: gateway meeting agenda 12 --item \"审议年度协商计划|60|张主席\" \\\n             --item \"通报提案办理情况|30|\" --document 1=年度协商计划 --vote 1")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "TITLE|MINUTES|PRESENTER[|PROPOSAL-ID|TOPIC-ID], in order; none clears the agenda.") var item: [String] = []
        @Option(help: "N=KIND: item N puts a document before the meeting (监督性调研报告, 界别协商报告, 双月协商报告, 视察报告, 年度协商计划, 人事事项, 其他文件).") var document: [String] = []
        @Option(help: "N: item N is decided by a vote (表决).") var vote: [Int32] = []

        func perform() async throws -> Output {
            var request = MeetingV1.SetAgendaRequest()
            request.meetingID = id
            for text in item {
                let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard parts.count >= 2, let minutes = Int32(parts[1]) else {
                    throw ValidationError("--item \"\(text)\": write TITLE|MINUTES|PRESENTER")
                }
                var a = MeetingV1.AgendaItem()
                a.title = parts[0]
                a.durationMinutes = minutes
                a.presenter = parts.count > 2 ? parts[2] : ""
                a.proposalID = parts.count > 3 ? parts[3] : ""
                a.topicID = parts.count > 4 ? parts[4] : ""
                request.items.append(a)
            }
            for text in document {
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let position = Int(parts[0]), request.items.indices.contains(position - 1),
                      let kind = MeetingV1.DocumentKind(parsing: parts[1]) else {
                    throw ValidationError("--document \"\(text)\": write N=KIND with N an item given and KIND one of 监督性调研报告, 界别协商报告, 双月协商报告, 视察报告, 年度协商计划, 人事事项, 其他文件")
                }
                request.items[position - 1].document = kind
            }
            for position in vote {
                guard request.items.indices.contains(Int(position) - 1) else { throw ValidationError("--vote \(position): there is no item \(position)") }
                request.items[Int(position) - 1].needsVote = true
            }
            let response = try await connection.call(MeetingV1.Meetings.setAgenda, request)
            return .meeting(response.meeting, [])
        }
    }
}
