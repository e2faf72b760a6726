import ArgumentParser
import XieshangWire

extension DutyCommand {
    struct Review: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Staff decide a member's pending entry (confirm, reject) or a dispute (uphold, amend, void).",
            discussion: """
                Examples:
                  gateway duty review 41 confirm
                  gateway duty review 17 amend --kind 会议请假 \\
                      --note 会前已书面请假，经核实
                  gateway duty review 18 void --note 该次会议未通知本人
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The entry.") var entry: Int64
        @Argument(help: "confirm, reject, uphold, amend or void (确认, 不予确认, 维持, 更正, 作废).") var decision: DutyV1.Decision
        @Option(help: "amend: the corrected kind.") var kind: DutyV1.DutyKind?
        @Option(help: "amend: the corrected date.") var date: String?
        @Option(help: "amend: the corrected title.") var title: String?
        @Option(help: "Why (required but for confirm).") var note: String?

        func perform() async throws -> Output {
            entryOutput(try await connection.call(DutyV1.Duty.review) { request in
                request.entryID = entry
                request.decision = decision
                request.kind = kind ?? .unspecified
                request.date = date ?? ""
                request.title = title ?? ""
                request.note = note ?? ""
            }.entry)
        }
    }
}
