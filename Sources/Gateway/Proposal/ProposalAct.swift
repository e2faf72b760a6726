import ArgumentParser
import XieshangLabels
import XieshangWire

extension ProposalCommand {
    struct Act: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a step of the workflow.",
            discussion: """
                Examples:
                  gateway proposal act 4 submit --as member:12
                  gateway proposal act 4 file --as staff
                  gateway proposal act 4 assign --as staff --lead-unit 1 --assist 2 \\
                      --deadline 2027-03-01
                  gateway proposal act 4 reply --as unit:1 --class A --contact 面谈 \\
                      --text "已列入2027年计划"
                  gateway proposal act 4 countersign --as unit:2 --reason "同意"
                  gateway proposal act 4 return-reply --as unit:2 \\
                      --reason "资金来源表述有误"
                  gateway proposal act 4 feedback --as member:12 --satisfaction 满意
                  gateway proposal act 4 opinion --as member:15 \\
                      --satisfaction 基本满意 --reason "…"
                  gateway proposal act 4 designate-key --supervisor 2 --meeting 7
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64
        @Argument(help: "The action, e.g. submit, file, assign, reply (or 提交, 立案, 交办, 答复).") var action: ProposalV1.Action
        @Option(help: "Who acts: staff, staff:NAME, member:ID or unit:ID; the office may act on behalf of a member or unit. Default: who your key says you are (the office: staff).") var `as`: ActorArgument?
        @Option(help: "Why (not filed, returned, withdrawn, request-return, return-reply), or a tracking, feedback, opinion or 会签 note.") var reason: String?
        @Option(help: "A member invited to co-sign; repeat for several.") var member: [Int64] = []
        @Option(help: "The lead unit (主办).") var leadUnit: Int64?
        @Option(help: "An assisting unit (协办); repeat for several.") var assist: [Int64] = []
        @Option(help: "The handling deadline (assign: default three months; extend: required).") var deadline: Moment?
        @Option(name: .customLong("class"), help: "The reply's class: A, B, C or D.") var replyClass: ProposalV1.ReplyClass?
        @Option(help: "How the member was contacted: 面谈, 座谈会, 电话, 书信, 邮件, 其他.") var contact: ProposalV1.ContactMethod?
        @Option(help: "The reply's text.") var text: String?
        @Option(help: "满意, 基本满意 or 不满意.") var satisfaction: ProposalV1.Satisfaction?
        @Option(help: "The lead proposal to merge into.") var into: Int64?
        @Option(help: "Where a referred proposal goes: 意见建议 or 社情民意.") var channel: String?
        @Option(help: "designate-key: the 主席 or 副主席 who supervises the key proposal (领衔督办).") var supervisor: Int64?
        @Option(help: "designate-key: the 主席会议 that chose it.") var meeting: Int64?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Proposals.act) { request in
                request.id = id
                request.action = action
                request.actor = `as`?.actor
                request.reason = reason ?? ""
                request.memberIDs = member
                request.leadUnitID = leadUnit ?? 0
                request.assistingUnitIDs = assist
                request.deadlineMs = deadline?.ms ?? 0
                request.replyClass = replyClass ?? .unspecified
                request.contactMethod = contact ?? .unspecified
                request.text = text ?? ""
                request.satisfaction = satisfaction ?? .unspecified
                request.mergeInto = into ?? 0
                request.channel = channel ?? ""
                request.supervisorMemberID = supervisor ?? 0
                request.meetingID = meeting ?? 0
            }
            var output = Output(response)
            let t = response.transition ?? ProposalV1.Transition()
            output.line("\(t.action.label): \(t.from.label) → \(t.to.label)\(t.changes.isEmpty ? "" : "（\(t.changes.joined(separator: "；"))）")")
            output.append(proposalOutput(response.proposal, []))
            return output
        }
    }
}
