import ArgumentParser
import XieshangWire

extension MeetingCommand {
    struct Close: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a meeting: those not checked in are marked absent; minutes and outcomes are kept.",
            discussion: "Example: gateway meeting close 12 --minutes \"会议审议通过了…\" \\\n             --outcomes \"形成协商意见3条\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Minutes (纪要).") var minutes: String?
        @Option(help: "Outcomes (成果).") var outcomes: String?
        @Option(help: "Staff closing a meeting before its recorded start (it was held earlier): why.") var recordReason: String?

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.close) { request in
                request.id = id
                request.minutes = minutes ?? ""
                request.outcomes = outcomes ?? ""
                request.recordReason = recordReason ?? ""
            }
            var output = Output(response)
            let meeting = response.meeting ?? MeetingV1.Meeting()
            let count = meeting.attendance ?? MeetingV1.AttendanceCount()
            output.line("closed: " + attendanceText(meeting))
            if meeting.quorumRequired {
                output.line(meeting.quorumMet ? "法定人数：实到超过应到半数，会议有效"
                            : "注意：实到 \(count.present) 人，未超过应到 \(count.expected) 人的半数，未达法定人数")
            }
            return output
        }
    }
}
