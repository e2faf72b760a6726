import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension MemberCommand {
    struct Decide: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the 常委会's decision about a member: a resignation accepted or refused, a removal (免去), an addition (增补).",
            discussion: """
                Name the 常委会会议 that decided it: --meeting-id N (a closed 常委会会议 of meeting-scheduler, checked there) \
                or --meeting "十届二十三次常委会会议".

                Example: gateway member decide 12 --decision accept-resignation --meeting-id 2
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The member's id.") var id: Int64
        @Option(help: "accept-resignation (同意辞去), remove (免去), confirm-addition (增补) or decline (不予同意).") var decision: MemberV1.DecisionKind
        @Option(help: "The 常委会会议 in meeting-scheduler that decided it (held and closed).") var meetingId: Int64?
        @Option(help: "Or the meeting's name, e.g. 十届二十三次常委会会议.") var meeting: String?
        @Option(help: "The decision's date, YYYY-MM-DD (default: the meeting's day, or today).") var date: String?
        @Option(help: "Why (required to remove or decline).") var note: String?

        func validate() throws {
            if (meetingId == nil) == (meeting == nil) { throw ValidationError("give --meeting-id or --meeting") }
        }

        func perform() async throws -> Output {
            var d = MemberV1.PersonnelDecision()
            d.kind = decision
            d.note = note ?? ""
            d.date = date ?? ""
            if let meetingId {
                // The decision cites a 常委会会议 that was held: checked with the scheduler.
                var get = MeetingV1.GetMeetingRequest()
                get.id = meetingId
                let held = try await connection.call(MeetingV1.Meetings.get, get, options: .read).meeting ?? MeetingV1.Meeting()
                guard held.kind == .standingCommittee, held.status == .closed else {
                    throw GatewayFailure(RPCError(.failedPrecondition, "meeting \(meetingId) is a \(held.kind.label) that is \(held.status.label): a decision cites a 常委会会议 that was held"),
                                         endpoint: connection.endpoint(.scheduler))
                }
                d.meeting = held.displayName.isEmpty ? held.title : held.displayName
                d.meetingID = meetingId
                if d.date.isEmpty { d.date = CommitteeClock.day(held.startMs) }
            } else {
                d.meeting = meeting ?? ""
            }
            var request = MemberV1.DecideRequest()
            request.id = id
            request.decision = d
            return Output.member(try await connection.call(MemberV1.Members.decide, request).member)
        }
    }
}
