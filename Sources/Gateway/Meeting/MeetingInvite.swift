import ArgumentParser
import XieshangLabels
import XieshangWire

extension MeetingCommand {
    struct Invite: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invite members, or non-member participants of a 1+7+3 consultation.",
            discussion: "Example: gateway meeting invite 12 --member 5 --member 8 \\\n             --participant \"王大爷|新华社区|resident\"")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The meeting's id.") var id: Int64
        @Option(help: "A member's id; repeat for several.") var member: [Int64] = []
        @Option(help: "NAME|ORGANISATION|CATEGORY, category one of stakeholder, resident, official, deputy (利益相关方, 群众代表, 部门负责人, 人大代表).") var participant: [String] = []
        @Flag(help: "Attendance is optional.") var optional = false
        @Option(help: "Accept required members' conflicts, saying why.") var override: String?

        func perform() async throws -> Output {
            var request = MeetingV1.InviteRequest()
            request.meetingID = id
            request.memberIDs = member
            for text in participant {
                let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3, let category = MeetingV1.ParticipantCategory(parsing: parts[2]) else {
                    throw ValidationError("--participant \"\(text)\": write NAME|ORGANISATION|CATEGORY")
                }
                var p = MeetingV1.Invitee()
                p.name = parts[0]
                p.organisation = parts[1]
                p.category = category
                request.participants.append(p)
            }
            request.optional = optional
            request.overrideReason = override ?? ""
            let response = try await connection.call(MeetingV1.Meetings.invite, request)
            var output = Output(response)
            output.add(inviteeTable(response.invitees))
            return output
        }
    }
}
