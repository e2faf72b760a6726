import ArgumentParser
import XieshangLabels
import XieshangRPC
import XieshangWire

extension ProposalV1.OpinionAction: ExpressibleByArgument {}
extension ProposalV1.OpinionLevel: ExpressibleByArgument {}
extension ProposalV1.OpinionState: ExpressibleByArgument {}

/// `gateway opinion`: 社情民意信息, from a member's item to its adoption and the leaders' instructions.
struct OpinionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "opinion",
        abstract: "社情民意信息: members' reports of the public's views, sent up, adopted and instructed on.",
        discussion: """
            A member submits an item (or the office for them; a proposal referred with --channel 社情民意
            becomes one). The office then edits it, sends it to a level (report), records that a
            level adopted it (adopt) and a leader's instruction on it (instruct), or closes it
            unadopted (decline): `gateway opinion act ID ACTION …`. Levels: 市级, 省级, 全国.
            """,
        subcommands: [Submit.self, Act.self, Show.self, List.self, Stats.self])

    struct Submit: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit an item for a member (a member's own key submits as that member).",
            discussion: "Example: gateway opinion submit --member 13 --title 关于农村留守老人助餐难的反映 --body \"…\"")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The member who reports it (default: who your key says you are).") var member: Int64?
        @Option(help: "Title.") var title: String
        @Option(help: "What the public said, and what is suggested.") var body: String

        func perform() async throws -> Output {
            opinionOutput(try await connection.call(ProposalV1.Opinions.submit) { request in
                request.memberID = member ?? 0
                request.title = title
                request.body = body
            }.opinion)
        }
    }

    struct Act: GatewayCommand {
        static let configuration = CommandConfiguration(
            abstract: "The office's steps: edit, report, adopt, instruct, decline.",
            discussion: """
                Examples:
                  gateway opinion act 3 edit --title 关于破解农村留守老人助餐难的建议 --note 精简标题
                  gateway opinion act 3 report --level 省级 --to 省政协办公厅
                  gateway opinion act 3 adopt --level 省级 --used-in "省政协《社情民意》2026年第12期"
                  gateway opinion act 3 instruct --level 省级 --leader 副省长 --text "请省民政厅研究办理"
                  gateway opinion act 3 decline --note 已有同类信息报送
                """)
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The item's id.") var id: Int64
        @Argument(help: "edit, report, adopt, instruct or decline (or 编辑, 报送, 采用, 批示, 不予采用).") var action: ProposalV1.OpinionAction
        @Option(help: "edit: the new title.") var title: String?
        @Option(help: "edit: the new text.") var body: String?
        @Option(help: "report, adopt, instruct: 市级, 省级 or 全国 (city, province, national).") var level: ProposalV1.OpinionLevel?
        @Option(name: .customLong("to"), help: "report: where it is sent, e.g. 省政协办公厅.") var recipient: String?
        @Option(help: "adopt: where it was used, e.g. 省政协《社情民意》2026年第12期.") var usedIn: String?
        @Option(help: "instruct: the leader who gave the instruction.") var leader: String?
        @Option(help: "instruct: the instruction's text.") var text: String?
        @Option(help: "edit: what was edited; decline: why.") var note: String?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Opinions.act) { request in
                request.id = id
                request.action = action
                request.title = title ?? ""
                request.body = body ?? ""
                request.level = level ?? .unspecified
                request.recipient = recipient ?? ""
                request.usedIn = usedIn ?? ""
                request.leader = leader ?? ""
                request.text = text ?? ""
                request.note = note ?? ""
            }
            var output = Output(response)
            if let step = response.opinion?.steps.last {
                output.line("\(step.action.label): \(step.from.label) → \(step.to.label)\(step.note.isEmpty ? "" : "（\(step.note)）")")
            }
            output.append(opinionOutput(response.opinion))
            return output
        }
    }

    struct Show: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "An item, its reports, adoptions, instructions and steps.", discussion: "Example: gateway opinion show 3")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The item's id.") var id: Int64

        func perform() async throws -> Output {
            let opinion = try await connection.call(ProposalV1.Opinions.get, options: .read) { $0.id = id }.opinion
            var output = opinionOutput(opinion)
            var steps = Table("时间 at", "步骤 step", "状态 state", "经办 by", "说明 note")
            for s in opinion?.steps ?? [] {
                steps.add(CommitteeClock.minute(s.atMs), s.action.label, s.from == .unspecified ? s.to.label : "\(s.from.label) → \(s.to.label)",
                          s.actor?.name ?? "", s.note)
            }
            output.add(steps)
            return output
        }
    }

    struct List: GatewayCommand {
        static let configuration = CommandConfiguration(abstract: "Items, newest last; a member's key lists its own.", discussion: "Example: gateway opinion list --state adopted")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "Only this member's.") var member: Int64?
        @Option(help: "submitted, reported, adopted or not-adopted (已提交, 已报送, 已采用, 未采用).") var state: ProposalV1.OpinionState?
        @Option(help: "How many (1-500).") var pageSize: Int32 = 50
        @Option(help: "The page after this token (from the last page).") var pageToken: String?

        func perform() async throws -> Output {
            let response = try await connection.call(ProposalV1.Opinions.list, options: .read) { request in
                request.memberID = member ?? 0
                request.state = state ?? .unspecified
                request.pageSize = pageSize
                request.pageToken = pageToken ?? ""
            }
            var table = Table("id", "标题 title", "委员 member", "界别 sector", "状态 state", "报送 sent to", "采用 adopted", "批示 instructions")
            for o in response.opinions {
                table.add(String(o.id), o.title, o.memberName, o.sector, o.state.label, o.reports.map(\.level.label).joined(separator: "、"),
                          o.adoptions.map(\.level.label).joined(separator: "、"), String(o.instructions.count))
            }
            var output = Output(response.opinions, table)
            if !response.nextPageToken.isEmpty { output.line("next page: --page-token \(response.nextPageToken)") }
            return output
        }
    }

    struct Stats: GatewayCommand {
        static let configuration = CommandConfiguration(
            commandName: "stats", abstract: "The items submitted in a period: sent up, adopted, instructed; by member, sector and month.",
            discussion: "Example: gateway opinion stats --from 2026-01-01 --to 2027-01-01")
        @OptionGroup var connection: ConnectionOptions
        @Option(help: "From.") var from: Moment?
        @Option(help: "Until.") var to: Moment?

        func perform() async throws -> Output {
            let s = try await connection.call(ProposalV1.Opinions.statistics, options: .read) { request in
                request.fromMs = from?.ms ?? 0
                request.toMs = to?.ms ?? 0
            }
            var output = Output(s)
            let total = s.total ?? ProposalV1.OpinionCount()
            var summary = Table("项目 measure", "数 count")
            summary.add("提交 submitted", String(total.submitted))
            summary.add("报送 sent up", String(total.reported))
            summary.add("采用 adopted", String(total.adopted))
            for c in s.adoptedByLevel { summary.add("  \(c.name)采用 adopted at", String(c.count)) }
            summary.add("获批示 instructed on", String(total.instructed))
            output.add(summary)
            for (heading, rows) in [("委员 member", s.byMember), ("界别 sector", s.bySector), ("月份 month", s.byMonth)] where !rows.isEmpty {
                var table = Table(heading, "提交 submitted", "报送 sent", "采用 adopted", "批示 instructed")
                for c in rows { table.add(c.name, String(c.submitted), String(c.reported), String(c.adopted), String(c.instructed)) }
                output.add(table)
            }
            return output
        }
    }
}

func opinionOutput(_ opinion: ProposalV1.Opinion?) -> Output {
    let o = opinion ?? .init()
    var table = Table("字段 field", "值 value")
    for (field, value) in [
        ("id", String(o.id)), ("标题 title", o.title), ("委员 member", o.memberID == 0 ? o.memberName : "\(o.memberName)（委员 \(o.memberID)，\(o.sector)）"),
        ("状态 state", o.state.label), ("来自提案 from proposal", o.proposalID == 0 ? "" : String(o.proposalID)),
        ("报送 sent to", o.reports.map { "\($0.level.label)：\($0.recipient)" }.joined(separator: "；")),
        ("采用 adopted", o.adoptions.map { "\($0.level.label)：\($0.usedIn)" }.joined(separator: "；")),
        ("批示 instructions", o.instructions.map { "\($0.leader)：\($0.text)" }.joined(separator: "；")),
        ("不予采用 declined", o.declineReason), ("正文 body", o.body),
    ] where !value.isEmpty { table.add(field, value) }
    return Output(o, table)
}
