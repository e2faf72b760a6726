import ArgumentParser
import XieshangWire

extension DutyCommand {
    struct Record: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record an activity the other services do not: staff's counts at once, a member's own waits for staff.",
            discussion: "Example: gateway duty record --member 13 --kind 大会发言 --date 2026-01-12 \\\n             --title 关于发展文旅产业的发言 --evidence 大会发言材料第5号")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member (a member's own key: their own).") var member: Int64?
        @Option(help: "大会发言, 书面发言, 参加视察, 参加调研, 调研视察报告, 参加培训, 帮扶公益活动 or 其他履职活动 (plenary-speech, written-speech, inspection, research, research-report, training, assistance, other).")
        var kind: DutyV1.DutyKind
        @Option(help: "When (YYYY-MM-DD).") var date: String
        @Option(help: "What it was.") var title: String
        @Option(help: "What shows it: a document's number, a photo's place, a witness.") var evidence: String

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.record) { request in
                request.memberID = member ?? 0
                request.kind = kind
                request.date = date
                request.title = title
                request.evidence = evidence
            }.entry)
        }
    }
}
