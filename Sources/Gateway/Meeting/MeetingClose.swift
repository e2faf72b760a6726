import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct Close: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a meeting: those not checked in are marked absent; minutes and outcomes are kept.",
            discussion: "Example: gateway meeting close 12 --minutes \"会议审议通过了…\" --outcomes \"形成协商意见3条\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "Minutes (纪要).") var minutes: String?
        @Option(help: "Outcomes (成果).") var outcomes: String?

        func perform() async throws -> Output {
            var request = MeetingV1.CloseMeetingRequest()
            request.id = id
            request.minutes = minutes ?? ""
            request.outcomes = outcomes ?? ""
            let response = try await connection.withScheduler { try await $0.call(MeetingV1.Meetings.close, request) }
            var output = Output(response)
            let rate = String(format: "%.1f%%", (response.meeting?.attendanceRate ?? 0) * 100)
            output.line("closed: present \(response.present), on leave \(response.onLeave), absent \(response.absent); attendance rate \(rate)")
            return output
        }
    }
}
