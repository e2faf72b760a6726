import ArgumentParser
import XieshangLabels
import XieshangWire

extension MeetingCommand {
    struct Numbering: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The next number of each numbered kind (主席会议, 常委会会议, 全体委员会议) in a term, or set one.",
            discussion: """
                A committee that adopts the suite in mid-term says where its numbering stands; the plenary's \
                number is also the session (次会议) that proposals' filing numbers carry.

                Example: gateway meeting numbering --kind 常委会会议 --next 23
                """)
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Term number (default: the current term).") var term: Int32 = 0
        @Option(help: "The numbered kind to set: 主席会议, 常委会会议 or 全体委员会议.") var kind: MeetingV1.MeetingKind?
        @Option(help: "The number its next meeting gets.") var next: Int32?

        func validate() throws {
            if (kind == nil) != (next == nil) { throw ValidationError("give --kind and --next together, or neither to read") }
        }

        func perform() async throws -> Output {
            let response = try await connection.call(MeetingV1.Meetings.numbering) { request in
                request.term = term
                request.kind = kind ?? .unspecified
                request.next = next ?? 0
            }
            var table = Table("类别 kind", "已编至 highest", "下一次 next")
            for n in response.kinds {
                table.add(n.kind.label, n.highest == 0 ? "" : "第\(n.highest)次", "第\(n.next)次")
            }
            var output = Output(response, table)
            output.line("第\(response.term)届")
            return output
        }
    }
}
