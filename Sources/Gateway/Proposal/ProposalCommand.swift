import ArgumentParser
import XieshangLabels
import XieshangWire

extension ProposalV1.ProposalState: ExpressibleByArgument {}
extension ProposalV1.Action: ExpressibleByArgument {}
extension ProposalV1.ReplyClass: ExpressibleByArgument {}
extension ProposalV1.ContactMethod: ExpressibleByArgument {}
extension ProposalV1.Satisfaction: ExpressibleByArgument {}
extension ProposalV1.TopicStep: ExpressibleByArgument {}
extension ProposalV1.TopicSource: ExpressibleByArgument {}
extension ProposalV1.TopicTheme: ExpressibleByArgument {}

/// Who acts: `staff`, `staff:王秘书`, `member:12`, `unit:3`.
struct ActorArgument: ExpressibleByArgument {
    let actor: ProposalV1.Actor
    init?(argument: String) {
        let parts = argument.split(separator: ":", maxSplits: 1).map(String.init)
        var actor = ProposalV1.Actor()
        switch parts[0] {
        case "staff":
            actor.kind = .staff
            actor.name = parts.count > 1 ? parts[1] : "staff"
        case "member", "unit":
            guard parts.count == 2, let id = Int64(parts[1]) else { return nil }
            actor.kind = parts[0] == "member" ? .member : .unit
            actor.id = id
        default:
            return nil
        }
        self.actor = actor
    }
    static var defaultValueDescription: String { "staff | member:ID | unit:ID" }
}

struct ProposalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "proposal",
        abstract: "Proposals (提案): draft, co-sign, submit, review, assign, handle, reply, feedback, close.",
        discussion: """
            Every step after drafting is `gateway proposal act ID ACTION --as WHO`; the workflow refuses \
            an action its state does not allow and says what is allowed (`gateway proposal show ID`). \
            Actions: invite-cosigners, cosign, decline, submit, file, not-file, merge, refer, return, \
            withdraw, assign, sign-for, request-return, reassign, request-extension (a unit asks: --deadline, \
            --reason), extend, reply, countersign, return-reply, \
            feedback, opinion, close, track, designate-key. With assisting units (协办), a reply waits for \
            each of them to countersign (会签) before it goes to the proposer; a 主席会议's choice of key \
            proposals (重点提案) is recorded with designate-key and the leader who supervises each.
            """,
        subcommands: [Create.self, Update.self, Show.self, List.self, Act.self, History.self, Overdue.self, Stats.self])

    struct Content: ParsableArguments {
        @Option(help: "Title (案由).") var title: String?
        @Option(help: "The proposal's text.") var body: String?
        @Option(help: "Category, e.g. 经济建设, 社会事业, 城市建设.") var category: String?
        @Option(help: "Not public, and why.") var notPublic: String?
        @Option(help: "An attachment: NAME:SHA256; repeat for several.") var attachment: [String] = []

        func apply(to p: inout ProposalV1.Proposal) throws {
            if let title { p.title = title }
            if let body { p.body = body }
            if let category { p.category = category }
            if let notPublic {
                p.`public` = false
                p.notPublicReason = notPublic
            }
            if !attachment.isEmpty {
                p.attachments = try attachment.map { text in
                    guard let colon = text.lastIndex(of: ":") else { throw ValidationError("--attachment \"\(text)\": write NAME:SHA256") }
                    var a = ProposalV1.Attachment()
                    a.name = String(text[..<colon])
                    a.sha256 = String(text[text.index(after: colon)...])
                    return a
                }
            }
        }
    }
}

func proposalOutput(_ proposal: ProposalV1.Proposal?, _ allowed: [String]) -> Output {
    let p = proposal ?? .init()
    var output = Output(p)
    var table = Table("字段 field", "值 value")
    let cosigners = p.cosigners.map { c in
        "\(c.name)（\(c.decision == .signed ? "已附议" : c.decision == .declined ? "不附议" : "待附议")"
            + (c.opinion == .unspecified ? "" : "，意见：\(c.opinion.label)\(c.opinionNote.isEmpty ? "" : " \(c.opinionNote)")") + "）"
    }
    let signoffs = p.signoffs.map { "\($0.unitName)：\($0.decision.label)\($0.opinion.isEmpty ? "" : "（\($0.opinion)）")" }
    for (field, value) in [
        ("id", String(p.id)), ("编号 number", p.number), ("案由 title", p.title), ("类别 category", p.category),
        ("提案人 proposer", p.proposerName + (p.proposerMemberID == 0 ? "（联名）" : "（委员 \(p.proposerMemberID)）")),
        ("附议 co-signers", cosigners.joined(separator: "、")), ("届次 term", "第\(p.term)届第\(p.session)次会议\(p.duringPlenary ? "（会上）" : "（平时）")"),
        ("状态 state", p.state.label),
        ("重点提案 key", p.key ? "是，\(p.supervisorName)领衔督办（主席会议 \(p.keyMeetingID)）" : ""),
        ("并案 merged", p.mergedInto != 0 ? "并入 \(p.mergedInto)" : p.mergedProposers.joined(separator: "、")),
        ("主办 lead unit", p.leadUnitName), ("会签 sign-off", signoffs.joined(separator: "；")),
        ("期限 deadline", CommitteeClock.minute(ifSet: p.deadlineMs)),
        ("答复 reply", p.replyClass == .unspecified ? "" : "\(p.replyClass.label)，\(p.contactMethod.label)：\(p.replyText)"),
        ("反馈 feedback", p.satisfaction.label + (p.rehandled ? "（已重新办理）" : "")),
        ("不立案理由 reason", p.notFiledReason), ("转送 referred", p.referralChannel),
        ("跟踪 tracking", p.trackingNotes.joined(separator: "；")),
        ("可做 allowed next", allowed.joined(separator: ", ")),
    ] where !value.isEmpty { table.add(field, value) }
    output.add(table)
    return output
}
