import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct Agenda: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the agenda (议题); it must fit in the meeting.",
            discussion: "Example: gateway meeting agenda 12 --item \"审议年度协商计划|60|张主席\" --item \"通报提案办理情况|30|\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "TITLE|MINUTES|PRESENTER[|PROPOSAL-ID|TOPIC-ID], in order; none clears the agenda.") var item: [String] = []

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
            let response = try await connection.call(MeetingV1.Meetings.setAgenda, request)
            return .meeting(response.meeting, [])
        }
    }
}
