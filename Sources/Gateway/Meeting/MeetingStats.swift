import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MeetingCommand {
    struct Stats: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "Meetings held in a period: by kind with attendance rates, consultation activities, each member's attendance.",
            discussion: "Example: gateway meeting stats --from 2026-01-01 --to 2027-01-01")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?

        func perform() async throws -> Output {
            let s = try await connection.call(MeetingV1.Meetings.statistics, options: .read) { request in
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
            }
            var output = Output(s)
            var kinds = Table("类别 kind", "召开 held", "应到 expected", "实到 present", "请假 leave", "缺席 absent", "出席率 rate", "未达法定人数 no quorum")
            for k in s.byKind {
                kinds.add(k.kind.label, String(k.held), String(k.expected), String(k.present), String(k.onLeave), String(k.absent),
                          String(format: "%.1f%%", k.attendanceRate * 100), k.withoutQuorum == 0 ? "" : String(k.withoutQuorum))
            }
            output.add(kinds)
            output.line("协商议事活动 \(s.consultationActivities) 次，参与 \(s.participantPersonTimes) 人次")
            var members = Table("委员 member", "姓名 name", "出席 attended", "请假 leave", "缺席 absent", "协商活动 activities")
            for m in s.members {
                members.add(String(m.memberID), m.name, String(m.attended), String(m.onLeave), String(m.absent), String(m.consultationActivities))
            }
            output.add(members)
            return output
        }
    }
}
