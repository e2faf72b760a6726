import ArgumentParser
import Foundation
import XieshangLabels
import XieshangRPC
import XieshangWire

extension ProposalV1.ProposalState: ExpressibleByArgument {}
extension ProposalV1.Action: ExpressibleByArgument {}
extension ProposalV1.ReplyClass: ExpressibleByArgument {}
extension ProposalV1.ContactMethod: ExpressibleByArgument {}
extension ProposalV1.Satisfaction: ExpressibleByArgument {}
extension ProposalV1.TopicStep: ExpressibleByArgument {}
extension ProposalV1.TopicSource: ExpressibleByArgument {}

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
            Every step after drafting is `gateway proposal act ID ACTION --as WHO`; the workflow refuses
            an action its state does not allow and says what is allowed (`gateway proposal show ID`).
            Actions: invite-cosigners, cosign, decline, submit, file, not-file, merge, refer, return,
            withdraw, assign, sign-for, request-return, reassign, extend, reply, feedback, close, track.
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

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draft a proposal for a member, or a joint proposal of a sector, party or committee.",
            discussion: "Example: gateway proposal create --member 12 --title 关于加快老旧小区加装电梯的建议 --body \"…\" --category 城市建设")
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var content: Content
        @Option(help: "The proposing member.") var member: Int64?
        @Option(help: "A joint proposer instead: a sector, party or committee.") var joint: String?
        @Option(help: "Session of the term (第几次会议), default 1.") var session: Int32 = 0
        @Flag(help: "Submitted during the plenary session (会上).") var plenary = false
        @Flag(help: "A key proposal (重点提案).") var key = false

        func validate() throws {
            if (member == nil) == (joint == nil) { throw ValidationError("give --member or --joint") }
            if content.title == nil || content.body == nil { throw ValidationError("--title and --body are required") }
        }

        func run() async throws {
            try await runReportingFailures {
                var p = ProposalV1.Proposal()
                p.`public` = true
                try content.apply(to: &p)
                p.proposerMemberID = member ?? 0
                p.jointProposer = joint ?? ""
                p.session = session
                p.duringPlenary = plenary
                p.key = key
                var request = ProposalV1.CreateProposalRequest()
                request.proposal = p
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Proposals.create, request) }
                try showProposal(response.proposal, [], connection)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Edit a draft.", discussion: "Example: gateway proposal update 4 --as member:12 --title 关于…的建议")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64
        @OptionGroup var content: Content
        @Option(help: "Who edits: member:ID (the proposer) or staff for a joint proposal. Default: who your key says you are (the office: staff).") var `as`: ActorArgument?

        func run() async throws {
            try await runReportingFailures {
                let response = try await connection.withTracker { client in
                    var get = ProposalV1.GetProposalRequest()
                    get.id = id
                    var p = try await client.call(ProposalV1.Proposals.get, get, options: .read).proposal ?? ProposalV1.Proposal()
                    try content.apply(to: &p)
                    var request = ProposalV1.UpdateProposalRequest()
                    request.proposal = p
                    request.actor = `as`?.actor
                    return try await client.call(ProposalV1.Proposals.update, request)
                }
                try showProposal(response.proposal, [], connection)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a proposal and what can be done next.", discussion: "Example: gateway proposal show 4")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.GetProposalRequest()
                request.id = id
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Proposals.get, request, options: .read) }
                if connection.json { return try printJSON(response) }
                try showProposal(response.proposal, response.allowed.map { "\($0.identifier) (\($0.label))" }, connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List proposals.", discussion: "Example: gateway proposal list --state 办理中 --unit 3")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "In this state, e.g. 立案 (filed), 办理中 (in-handling).") var state: ProposalV1.ProposalState?
        @Option(help: "Of this term.") var term: Int32 = 0
        @Option(help: "With this member as proposer or co-signer.") var member: Int64?
        @Option(help: "Assigned to this unit.") var unit: Int64?
        @Flag(help: "Fetch every page.") var all = false

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.ListProposalsRequest()
                request.state = state ?? .unspecified
                request.term = term
                request.memberID = member ?? 0
                request.unitID = unit ?? 0
                var proposals: [ProposalV1.Proposal] = []
                try await connection.withTracker { client in
                    repeat {
                        let page = try await client.call(ProposalV1.Proposals.list, request, options: .read)
                        proposals += page.proposals
                        request.pageToken = page.nextPageToken
                    } while all && !request.pageToken.isEmpty
                }
                if connection.json { return try printJSON(proposals) }
                var table = Table("id", "编号 number", "案由 title", "提案人 proposer", "状态 state", "主办 lead unit", "期限 deadline")
                for p in proposals {
                    table.add(String(p.id), p.number, p.title, p.proposerName, p.state.label, p.leadUnitName, CommitteeClock.minute(p.deadlineMs))
                }
                table.print()
            }
        }
    }

    struct Act: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a step of the workflow.",
            discussion: """
                Examples:
                  gateway proposal act 4 submit --as member:12
                  gateway proposal act 4 file --as staff
                  gateway proposal act 4 assign --as staff --lead-unit 1 --assist 2 --deadline 2027-03-01
                  gateway proposal act 4 reply --as unit:1 --class A --contact 面谈 --text "已列入2027年计划"
                  gateway proposal act 4 feedback --as member:12 --satisfaction 满意
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64
        @Argument(help: "The action, e.g. submit, file, assign, reply (or 提交, 立案, 交办, 答复).") var action: ProposalV1.Action
        @Option(help: "Who acts: staff, staff:NAME, member:ID or unit:ID; the office may act on behalf of a member or unit. Default: who your key says you are (the office: staff).") var `as`: ActorArgument?
        @Option(help: "Why (not filed, returned, withdrawn, request-return), or a tracking note or feedback note.") var reason: String?
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

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.ActRequest()
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
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Proposals.act, request) }
                if connection.json { return try printJSON(response) }
                let t = response.transition ?? ProposalV1.Transition()
                print("\(t.action.label): \(t.from.label) → \(t.to.label)\(t.changes.isEmpty ? "" : "（\(t.changes.joined(separator: "；"))）")")
                try showProposal(response.proposal, [], connection)
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every step of a proposal: who, when, why, what changed.", discussion: "Example: gateway proposal history 4")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The proposal's id.") var id: Int64

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.HistoryRequest()
                request.id = id
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Proposals.history, request, options: .read) }
                if connection.json { return try printJSON(response.transitions) }
                var table = Table("时间 time", "操作人 actor", "操作 action", "状态 state", "原因 reason", "变更 changes")
                for t in response.transitions {
                    let who = t.actor.map { a in a.kind == .staff ? "办公室 \(a.name)" : a.kind == .member ? "委员 \(a.id)" : "单位 \(a.id)" } ?? ""
                    table.add(formatTime(t.atMs), who, t.action == .unspecified ? "创建" : t.action.label,
                              t.from == t.to ? t.to.label : "\(t.from.label) → \(t.to.label)", t.reason, t.changes.joined(separator: "；"))
                }
                table.print()
            }
        }
    }

    struct Overdue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Proposals whose handling deadline has passed, or comes within --within days, by unit.",
            discussion: "Example: gateway proposal overdue --within 7")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Also those due within this many days.") var within: Int32 = 0
        @Option(help: "Only this unit's.") var unit: Int64?

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.OverdueRequest()
                request.withinDays = within
                request.unitID = unit ?? 0
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Proposals.overdue, request, options: .read) }
                if connection.json { return try printJSON(response.proposals) }
                var table = Table("id", "编号 number", "案由 title", "主办 lead unit", "期限 deadline", "剩余 days left")
                for o in response.proposals {
                    let p = o.proposal ?? ProposalV1.Proposal()
                    table.add(String(p.id), p.number, p.title, p.leadUnitName, CommitteeClock.minute(p.deadlineMs), o.daysLeft < 0 ? "逾期 \(-o.daysLeft) 天" : "\(o.daysLeft) 天")
                }
                table.print()
            }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "Proposal and topic figures for a period.", discussion: "Example: gateway proposal stats --from 2026-01-01 --to 2027-01-01")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.StatisticsRequest()
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
                let s = try await connection.withTracker { try await $0.call(ProposalV1.Proposals.statistics, request, options: .read) }
                if connection.json { return try printJSON(s) }
                var table = Table("项目 measure", "数 count")
                table.add("提交 submitted", String(s.submitted))
                table.add("立案 filed", String(s.filed))
                table.add("不立案 not filed", String(s.notFiled))
                table.add("并案 merged", String(s.merged))
                table.add("转送 referred", String(s.referred))
                for c in s.repliesByClass { table.add("答复 \(c.name)类 replies", String(c.count)) }
                table.add("满意 / 基本满意 / 不满意", "\(s.satisfied) / \(s.basicallySatisfied) / \(s.dissatisfied)")
                table.add("满意率 satisfaction", String(format: "%.1f%%", s.satisfactionRate * 100))
                for c in s.overdueByUnit { table.add("逾期 overdue: \(c.name)", String(c.count)) }
                table.add("议题 收集 / 确定 / 解决", "\(s.topicsCollected) / \(s.topicsDecided) / \(s.topicsSolved)")
                table.print()
            }
        }
    }
}

func showProposal(_ proposal: ProposalV1.Proposal?, _ allowed: [String], _ connection: ConnectionOptions) throws {
    guard let p = proposal else { return }
    if connection.json { return try printJSON(p) }
    var table = Table("字段 field", "值 value")
    let cosigners = p.cosigners.map { "\($0.name)（\($0.decision == .signed ? "已附议" : $0.decision == .declined ? "不附议" : "待附议")）" }
    for (field, value) in [
        ("id", String(p.id)), ("编号 number", p.number), ("案由 title", p.title), ("类别 category", p.category),
        ("提案人 proposer", p.proposerName + (p.proposerMemberID == 0 ? "（联名）" : "（委员 \(p.proposerMemberID)）")),
        ("附议 co-signers", cosigners.joined(separator: "、")), ("届次 term", "第\(p.term)届第\(p.session)次会议\(p.duringPlenary ? "（会上）" : "（平时）")"),
        ("状态 state", p.state.label), ("并案 merged", p.mergedInto != 0 ? "并入 \(p.mergedInto)" : p.mergedProposers.joined(separator: "、")),
        ("主办 lead unit", p.leadUnitName), ("期限 deadline", CommitteeClock.minute(p.deadlineMs)),
        ("答复 reply", p.replyClass == .unspecified ? "" : "\(p.replyClass.label)，\(p.contactMethod.label)：\(p.replyText)"),
        ("反馈 feedback", p.satisfaction.label + (p.rehandled ? "（已重新办理）" : "")),
        ("不立案理由 reason", p.notFiledReason), ("转送 referred", p.referralChannel),
        ("跟踪 tracking", p.trackingNotes.joined(separator: "；")),
        ("可做 allowed next", allowed.joined(separator: ", ")),
    ] where !value.isEmpty { table.add(field, value) }
    table.print()
}

struct TopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic",
        abstract: "Consultation topics (协商议题) through the six steps, per work station or room.",
        subcommands: [Create.self, Advance.self, Show.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Collect a topic (收集议题).",
            discussion: "Example: gateway topic create --title 老旧小区加装电梯 --room 3 --source 走访 --description 居民多次反映")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Title.") var title: String
        @Option(help: "What residents raised.") var description: String?
        @Option(help: "The work station.") var station: Int64?
        @Option(help: "The consultation room.") var room: Int64?
        @Option(help: "走访, 来信来访, 调查 or 委员提出 (visit, petition, survey, member).") var source: ProposalV1.TopicSource
        @Option(help: "Who records it (staff or staff:NAME; default: who your key says you are).") var `as`: ActorArgument?

        func run() async throws {
            try await runReportingFailures {
                var topic = ProposalV1.Topic()
                topic.title = title
                topic.description = description ?? ""
                topic.stationID = station ?? 0
                topic.roomID = room ?? 0
                topic.source = source
                var request = ProposalV1.CreateTopicRequest()
                request.topic = topic
                request.actor = `as`?.actor
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Topics.create, request) }
                try showTopic(response.topic, connection)
            }
        }
    }

    struct Advance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record the next step: decided, researched, consulted (with its meeting), publicised, implemented, feedback.",
            discussion: "Example: gateway topic advance 2 consulted --meeting 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The topic's id.") var id: Int64
        @Argument(help: "The next step (确定议题, 议前调研, 协商议事, 公开公示, 办理实施, 结果反馈).") var step: ProposalV1.TopicStep
        @Option(help: "What was done.") var notes: String?
        @Option(help: "The consultation meeting (for consulted).") var meeting: Int64?
        @Flag(help: "The problem is solved (for feedback).") var solved = false
        @Option(help: "Who records it (staff or staff:NAME; default: who your key says you are).") var `as`: ActorArgument?

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.AdvanceTopicRequest()
                request.id = id
                request.step = step
                request.notes = notes ?? ""
                request.meetingID = meeting ?? 0
                request.solved = solved
                request.actor = `as`?.actor
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Topics.advance, request) }
                try showTopic(response.topic, connection)
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic and its steps.", discussion: "Example: gateway topic show 2")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The topic's id.") var id: Int64

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.GetTopicRequest()
                request.id = id
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Topics.get, request, options: .read) }
                try showTopic(response.topic, connection)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics.", discussion: "Example: gateway topic list --station 1")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "At this step.") var step: ProposalV1.TopicStep?
        @Option(help: "Of this work station.") var station: Int64?
        @Option(help: "Of this room.") var room: Int64?

        func run() async throws {
            try await runReportingFailures {
                var request = ProposalV1.ListTopicsRequest()
                request.step = step ?? .unspecified
                request.stationID = station ?? 0
                request.roomID = room ?? 0
                let response = try await connection.withTracker { try await $0.call(ProposalV1.Topics.list, request, options: .read) }
                if connection.json { return try printJSON(response.topics) }
                var table = Table("id", "议题 title", "来源 source", "步骤 step", "会议 meeting", "解决 solved")
                for t in response.topics {
                    table.add(String(t.id), t.title, t.source.label, t.step.label, t.meetingID == 0 ? "" : String(t.meetingID), t.solved ? "是" : "")
                }
                table.print()
            }
        }
    }
}

func showTopic(_ topic: ProposalV1.Topic?, _ connection: ConnectionOptions) throws {
    guard let t = topic else { return }
    if connection.json { return try printJSON(t) }
    print("议题 \(t.id)：\(t.title)（\(t.source.label)）— \(t.step.label)\(t.meetingID == 0 ? "" : "，会议 \(t.meetingID)")\(t.step == .feedback ? (t.solved ? "，已解决" : "，未解决") : "")")
    var table = Table("步骤 step", "时间 time", "记录 notes")
    for s in t.steps { table.add(s.step.label, formatTime(s.atMs), s.notes) }
    table.print()
}
